"""Follow-up questions of every kind through ``/api/ask`` (``history``) and through
``/v1/chat/completions`` (``messages``) on real components: three bundled reports in a temp home
and a live server. Each earlier turn is asked first and the service's own answer is sent back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from corpora import copy_reports, ingested
from liveserver import LiveServer

from api.app import create_app
from rag.services import Services
from rag.settings import Settings

pytestmark = pytest.mark.integration
KEY = "followup-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
REPORTS = ("changping-zhongzhi-2023.txt", "chaoyang-zhongzhi-2022.txt", "beijing-zhiye-2025.txt")
ENROLLED = "2022年昌平区中职学校招生多少人？"
IN_SCHOOL = "2022年昌平区中职学校在校生有多少人？"

CONVERSATIONS = {
    "measure": ([ENROLLED, "那毕业生呢？"], 589, "人"),
    "region": (["2021年朝阳区中职学校招生多少人？", "昌平区呢？"], 1200, "人"),
    "year": ([ENROLLED, "2021年呢？"], 1200, "人"),
    "year_shift": ([IN_SCHOOL, "前一年呢？"], 2751, "人"),
    "level": (["2025年北京中职毕业生有多少人？", "高职呢？"], 2.41, "万人"),
    "difference": ([ENROLLED, "那毕业生呢？", "两者相差多少？"], 472, "人"),
    "sum": ([ENROLLED, "那毕业生呢？", "它们一共多少？"], 1650, "人"),
    "ratio": ([ENROLLED, "那毕业生呢？", "前者是后者的几倍？"], 1.8, "倍"),
    "second_computation": ([ENROLLED, "那毕业生呢？", "两者相差多少？", "它们一共多少？"], 1650, "人"),
    "previous_year": ([IN_SCHOOL, "比上一年多了多少？"], 399, "人"),
    "previous_year_growth": ([IN_SCHOOL, "比上一年增长了百分之几？"], 14.5, "%"),
    "bare_change": ([IN_SCHOOL, "增加了多少？"], 399, "人"),
    "change_between_years_asked": ([IN_SCHOOL, "2021年呢？", "增长了百分之几？"], 14.5, "%"),
    "fresh": ([ENROLLED, "2021年朝阳区中职学校招生多少人？"], 655, "人"),
}


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    root = tmp_path_factory.mktemp("followups")
    settings = Settings(home=root / "home", reports_dir=copy_reports(root / "reports", REPORTS),
                        api_keys=(KEY,), rate_limit_per_minute=10_000)
    with ingested(settings) as built:
        yield built


@pytest.fixture(scope="module")
def http(services: Services) -> Iterator[httpx.Client]:
    with LiveServer(create_app(services.settings, services)) as live, \
            httpx.Client(base_url=live.url, headers=AUTH, timeout=60) as client:
        yield client


def ask_with_history(http: httpx.Client, turns: list[str]) -> dict[str, Any]:
    history: list[list[str]] = []
    body: dict[str, Any] = {}
    for question in turns:
        response = http.post("/api/ask", json={"question": question, "history": history})
        assert response.status_code == 200, response.text
        body = response.json()
        history.append([question, body["answer"]])
    return body


def ask_with_messages(http: httpx.Client, turns: list[str]) -> dict[str, Any]:
    messages: list[dict[str, str]] = []
    body: dict[str, Any] = {}
    for question in turns:
        messages.append({"role": "user", "content": question})
        response = http.post("/v1/chat/completions", json={"model": "nianbao", "messages": messages})
        assert response.status_code == 200, response.text
        body = response.json()
        messages.append({"role": "assistant", "content": body["choices"][0]["message"]["content"]})
    return body["nianbao"]


@pytest.mark.parametrize("kind", sorted(CONVERSATIONS))
@pytest.mark.parametrize("ask", [ask_with_history, ask_with_messages], ids=["api-history", "openai-messages"])
def test_each_kind_of_follow_up(http: httpx.Client, ask: Any, kind: str) -> None:
    turns, value, unit = CONVERSATIONS[kind]
    answer = ask(http, turns)
    assert not answer["refused"], answer["answer"]
    assert (answer["value"], answer["unit"]) == (value, unit)
    assert answer["citations"] and answer["grounded"]


def test_a_comparison_shows_its_formula_and_cites_both_inputs(http: httpx.Client) -> None:
    answer = ask_with_history(http, [ENROLLED, "那毕业生呢？", "两者相差多少？"])
    assert answer["computation"] == "1061 - 589 = 472 人"
    quotes = [c["quote"] for c in answer["citations"]]
    assert len(quotes) == 2 and "1061" in quotes[0] and "589" in quotes[1]


def test_a_follow_up_about_a_region_without_that_year_refuses(http: httpx.Client) -> None:
    answer = ask_with_history(http, [ENROLLED, "朝阳区呢？"])
    assert answer["refused"] and answer["value"] is None


def test_a_passage_follow_up_keeps_the_topic_in_the_new_region(http: httpx.Client) -> None:
    answer = ask_with_messages(http, ["昌平区中职学校是怎么开展校企合作的？", "朝阳区呢？"])
    assert not answer["refused"] and answer["groups"]
    assert {c["file"] for c in answer["citations"]} == {"chaoyang-zhongzhi-2022.txt"}
    assert "校企合作" in answer["answer"]
