from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, json_reply, status

from cli.main import main
from rag.answering import answer, answer_to_json
from rag.errors import InputError
from rag.services import Services, build_services
from rag.settings import BUNDLED_REPORTS, Settings
from rag.types import Answer


@pytest.mark.parametrize(
    ("question", "value", "unit"),
    [
        ("2022年昌平区中等职业学校招生总人数是多少？", 1061, "人"),
        ("2025年北京的高职院校一共开设了多少个专业？", 676, "个"),
        ("2017年北京市中等职业学校一共招生多少人？", 24918, "人"),
        ("2020年北京市中等职业学校共有多少名专任教师？", 7407, "人"),
        ("2025年北京高职毕业生约有多少万人？", 2.41, "万人"),
    ],
)
def test_stated_values_with_a_citation_that_holds_them(
    services: Services, question: str, value: float, unit: str
) -> None:
    result = answer(question, services)
    assert not result.refused and result.grounded
    assert (result.value, result.unit) == (value, unit)
    assert any(f"{value:g}" in c.quote for c in result.citations)


def test_computed_answer_shows_its_formula_over_cited_inputs(services: Services) -> None:
    result = answer("2022年昌平区中职毕业生人数比2024年东城区中职毕业生人数多多少人？", services)
    assert result.value == 408 and result.grounded
    assert result.computation.startswith("589 - 181 = 408")
    files = {c.file for c in result.citations}
    assert files == {"changping-zhongzhi-2023.txt", "dongcheng-zhongzhi-2024.txt"}


def test_last_year_from_this_years_sentence_and_its_change(services: Services) -> None:
    result = answer("2024年北京各类职业院校专任教师总数是多少人？", services)
    assert result.value == 10040 and result.computation.startswith("9797 + 243 = 10040")
    assert result.grounded


def test_difference_with_the_previous_year(services: Services) -> None:
    assert answer("2022年昌平区中职招生比上一年减少了多少人？", services).value == 139


def test_share_is_computed_in_percent(services: Services) -> None:
    result = answer("2022年昌平区中等职业教育经费投入中，公用经费占总额的比例是多少？", services)
    assert (result.value, result.unit) == (9.43, "%")


def test_ratio_question_answers_with_the_ratio(services: Services) -> None:
    result = answer("昌平区2023年度质量报告中，高中阶段招生职普比是多少？", services)
    assert "0.26 : 0.74" in result.text or "0.26:0.74" in result.text


def test_list_question_quotes_the_names(services: Services) -> None:
    result = answer("2022年昌平区有哪两所区属中等职业学校？", services)
    assert "昌平职业学校" in result.text and "少林武术学校" in result.text


@pytest.mark.parametrize(
    "question",
    [
        "2024年海淀区中职招生多少人？",
        "2022年丰台区中等职业学校毕业生有多少人？",
        "2019年东城区中等职业学校招生人数是多少？",
        "2021年朝阳区中等职业学校在校生人数是多少？",
        "2035年北京市中职招生多少人？",
        "2022年昌平区高职院校招生多少人？",
        "2024年东城区中职学校的对口就业率是多少？",
        "2022年昌平区中职学校的食堂面积是多少平方米？",
    ],
)
def test_refuses_uncovered_region_year_or_measure(services: Services, question: str) -> None:
    result = answer(question, services)
    assert result.refused and result.value is None
    assert result.text.startswith("报告中没有找到")


def test_follow_up_uses_the_previous_question(services: Services) -> None:
    history = [("2022年昌平区中等职业学校招生总人数是多少？", "1061 人")]
    result = answer("那2021年呢？", services, history=history)
    assert result.value == 1200


def test_question_length_is_limited(services: Services) -> None:
    with pytest.raises(InputError):
        answer("招生" * 1000, services)
    with pytest.raises(InputError):
        answer("   ", services)


def test_json_shape(services: Services) -> None:
    data = answer_to_json(answer("2022年昌平区中职学校招生多少人？", services))
    assert set(data) >= {"question", "answer", "value", "unit", "refused", "mode", "citations",
                         "retrieved", "latency_ms", "computation", "grounded", "warnings"}
    assert set(data["citations"][0]) == {"n", "file", "title", "section", "table", "page", "line", "quote"}
    assert set(data["retrieved"][0]) == {"id", "file", "text", "score"}
    json.dumps(data, ensure_ascii=False)


def test_llm_failure_falls_back_to_extractive(home: Path, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(status(500), status(500), status(500))
    settings = fake_openai.llm_settings(Settings(home=home, reports_dir=BUNDLED_REPORTS), llm_max_retries=0)
    services = build_services(settings)
    try:
        assert services.llm is not None
        result = answer("2022年昌平区中职学校招生多少人？", services)
    finally:
        services.index.close()
    assert result.mode == "fallback" and result.value == 1061
    assert any("抽取式" in w for w in result.warnings)


def test_llm_draft_is_grounding_checked(home: Path, fake_openai: FakeOpenAI) -> None:
    reply = {"answer": "2022年昌平区中职招生 9999 人[1]", "value": 9999, "unit": "人", "refused": False,
             "citations": [1]}
    fake_openai.script(json_reply(reply))
    settings = fake_openai.llm_settings(Settings(home=home, reports_dir=BUNDLED_REPORTS), llm_max_retries=0)
    services = build_services(settings)
    try:
        result = answer("2022年昌平区中职学校招生多少人？", services)
    finally:
        services.index.close()
    assert result.mode == "llm"
    assert not result.grounded and any("9999" in w for w in result.warnings)


def test_cli_ask_examples(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NIANBAO_HOME", str(home))
    assert main(["ask", "2022年昌平区中职学校招生多少人？"]) == 0
    out = capsys.readouterr().out
    assert "1061" in out and "changping-zhongzhi-2023.txt" in out and "1-1" in out
    assert main(["ask", "2024年海淀区中职招生多少人？", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["refused"] is True and data["value"] is None


def test_cli_ask_ingests_into_an_empty_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NIANBAO_HOME", str(tmp_path / "empty"))
    monkeypatch.setenv("NIANBAO_REPORTS_DIR", str(_one_report(tmp_path)))
    assert main(["ask", "2022年昌平区中职学校招生多少人？", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["value"] == 1061
    assert "changping-zhongzhi-2023.txt" in captured.err


def _one_report(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    name = "changping-zhongzhi-2023.txt"
    (folder / name).write_bytes((BUNDLED_REPORTS / name).read_bytes())
    return folder


def test_services_are_frozen(services: Services) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        services.llm = None  # type: ignore[misc]


def test_stream_falls_back_and_ends_with_a_checked_answer(home: Path, fake_openai: FakeOpenAI) -> None:
    from rag.answering import answer_stream

    fake_openai.script(status(500), status(500), status(500))
    settings = fake_openai.llm_settings(Settings(home=home, reports_dir=BUNDLED_REPORTS), llm_max_retries=0)
    services = build_services(settings)
    try:
        items = list(answer_stream("2022年昌平区中职学校招生多少人？", services))
    finally:
        services.index.close()
    final = items[-1]
    assert isinstance(final, Answer) and final.value == 1061 and final.mode == "fallback"
    assert any("抽取式" in w for w in final.warnings)


def test_stream_in_extractive_mode_is_one_answer(services: Services) -> None:
    from rag.answering import answer_stream

    items = list(answer_stream("2022年昌平区中职学校招生多少人？", services))
    assert len(items) == 1 and isinstance(items[0], Answer) and items[0].value == 1061


@pytest.mark.parametrize(
    ("question", "ratio"),
    [
        ("2015年北京市中职生师比是多少？", "15.14:1"),
        ("2017年北京市高中阶段招生职普比是多少？", "26.42:73.58"),
        ("2021年昌平区高中阶段招生职普比是多少？", "0.37:0.63"),
    ],
)
def test_ratios_follow_the_asked_year(services: Services, question: str, ratio: str) -> None:
    assert answer(question, services).text.replace(" ", "").startswith(f"答：{ratio}")


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("2025年北京中专学校有多少所？", 23),
        ("2024年北京中职学校专任教师有多少人？", 5295),
        ("2025年北京中职招生比上一年减少了多少人？", 883),
        ("东城区中职学校2024年固定资产值比2023年减少了多少万元？", 2065.93),
        ("2020年北京市中职学校副高级职称的专任教师有多少人？", 1876),
    ],
)
def test_more_phrasings(services: Services, question: str, value: float) -> None:
    assert answer(question, services).value == value


def test_chat_answers_follow_ups_from_stdin(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NIANBAO_HOME", str(home))
    lines = "2022年昌平区中职学校招生多少人？\n那毕业生呢？\n\n两者相差多少？\n退出\n不会被问到\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(lines))
    assert main(["chat"]) == 0
    answers = capsys.readouterr().out.split("\n\n答：")
    assert len(answers) == 3
    assert "1061 人" in answers[0] and "589 人" in answers[1]
    assert "1061 - 589 = 472 人" in answers[2]


def test_ask_with_earlier_turns(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NIANBAO_HOME", str(home))
    assert main(["ask", "--turn", "2022年昌平区中职学校招生多少人？", "2021年呢？", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["value"], data["unit"]) == (1200, "人")
