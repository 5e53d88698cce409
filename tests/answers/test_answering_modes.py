"""Which mode answered, and doubt that survives to the end: fallbacks, a paused LLM, the warm-up."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, status

from cli.serve import warm_up
from rag import grounding
from rag.answering import PAUSED, UNVERIFIED, answer, answer_stream
from rag.answering import _finish as finish
from rag.services import Services, build_services
from rag.settings import BUNDLED_REPORTS, Settings
from rag.types import Answer, Citation

pytestmark = pytest.mark.integration
QUESTION = "2022年昌平区中职学校招生多少人？"


def _settings(home: Path, fake: FakeOpenAI, **overrides: object) -> Settings:
    base = Settings(home=home, reports_dir=BUNDLED_REPORTS)
    return fake.llm_settings(base, llm_max_retries=0, **overrides)


def test_an_answer_while_the_breaker_is_open_says_so(home: Path, fake_openai: FakeOpenAI) -> None:
    fake_openai.default = status(500)
    services = build_services(_settings(home, fake_openai, llm_breaker_failures=1,
                                        llm_breaker_cooldown_s=600))
    try:
        first = answer(QUESTION, services)
        paused = answer(QUESTION, services)
        streamed = list(answer_stream(QUESTION, services))[-1]
    finally:
        services.index.close()
    assert first.mode == "fallback" and first.value == 1061 and PAUSED not in first.warnings
    assert isinstance(streamed, Answer)
    for later in (paused, streamed):
        assert later.mode == "fallback" and later.value == 1061 and PAUSED in later.warnings
    assert len(fake_openai.chat_requests()) == 1


def test_the_grounding_check_never_removes_doubt(services: Services) -> None:
    """The LLM answerer found 1200 unstated in the source it cites; the final check finds a 1,200 in
    another column of the quoted row. The doubt stays, and the user sees it."""
    quote = "招生总人数\t1,200\t1,061\t-139\t-11.58%"
    cite = Citation(1, "c1", "d1", "f.txt", "t", "s", "1-1", None, 6, quote)
    warning = "the value 1200 is not stated in the cited sources"
    draft = Answer(QUESTION, "2022年招生 1200 人[1]。", 1200.0, "人", False, "llm", (cite,), (),
                   grounded=False, warnings=(warning,))
    assert grounding.check(draft).grounded, "the row does hold a 1,200"
    final = finish(QUESTION, draft, ("an earlier stage's warning",), time.perf_counter(), services)
    assert not final.grounded and final.text.startswith(UNVERIFIED)
    assert final.warnings[:2] == ("an earlier stage's warning", warning)


def test_the_warm_up_leaves_the_llm_alone(home: Path, fake_openai: FakeOpenAI) -> None:
    services = build_services(_settings(home, fake_openai))
    try:
        warm_up(services)
    finally:
        services.index.close()
    assert fake_openai.chat_requests() == []
