"""Passage answers on the ingested bundled reports: grouped by section, each sentence cited on its
own line and quoted verbatim, never for a number, and refused when nothing relevant is found."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, json_reply, status

from rag.answering import answer
from rag.passages import heading_label, is_qualitative, topic
from rag.query import parse_query
from rag.services import Services, build_services
from rag.settings import BUNDLED_REPORTS, Settings

QUALITATIVE = (
    "昌平区中职学校是怎么开展校企合作的？", "2025年北京职业教育面临哪些挑战？", "朝阳区有哪些中职学校？",
    "东城区在教师队伍建设上做了什么？", "昌平区的招生计划是怎么定的？",
)
NUMERIC = (
    "2022年昌平区中职学校招生多少人？", "2025年北京高职毕业生就业去向落实率是多少？",
    "2022年昌平区中职招生比上一年减少了多少人？", "朝阳区有几所中职学校？",
    "东城区中职学校专任教师占比是多少？",
    "昌平 中本贯通 计划招生 2022年", "北京高职 校企联合申报成果数 2024年",  # terse, without 多少
)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def source_lines(file: str) -> list[str]:
    return (BUNDLED_REPORTS / file).read_text(encoding="utf-8").split("\n")


@pytest.mark.parametrize("question", QUALITATIVE)
def test_qualitative_questions_are_told_apart(question: str) -> None:
    assert is_qualitative(parse_query(question))


@pytest.mark.parametrize("question", NUMERIC)
def test_a_question_asking_for_a_number_never_gets_passages(question: str) -> None:
    assert not is_qualitative(parse_query(question))


def test_topic_leaves_out_the_question_words() -> None:
    assert topic(parse_query("昌平区中职学校是怎么开展校企合作的？")) == "校企合作"
    assert topic(parse_query("东城区在教师队伍建设上做了什么？")) == "教师队伍建设"


def test_topic_leaves_out_the_kind_of_passage_asked_for() -> None:
    assert topic(parse_query("海淀区在教师培养方面采取了哪些措施？")) == "教师培养"
    assert topic(parse_query("海淀区有哪些经验？")) == "经验"


def test_topic_keeps_the_school_the_question_names() -> None:
    assert topic(parse_query("燕园职业高中是怎么开展校企合作的？")) == "燕园校企合作"
    assert topic(parse_query("北京市燕园职业学校是怎么开展校企合作的？")) == "燕园职业学校校企合作"


def test_heading_label_drops_the_numbering() -> None:
    assert heading_label("4. 校企合作 > 4.1 校企合作开展情况和效果") == "校企合作开展情况和效果"
    assert heading_label("八、挑战与对策 > （一）面临挑战") == "面临挑战"


def test_a_how_question_gets_cited_sentences_grouped_under_their_section(services: Services) -> None:
    result = answer("昌平区中职学校是怎么开展校企合作的？", services)
    assert not result.refused and result.grounded and result.value is None
    assert 3 <= len(result.citations) <= 6
    assert "北京市昌平区中等职业教育质量年度报告（2023）" in result.text and "2022年" in result.text
    numbers = [n for g in result.groups for n in g.citations]
    assert sorted(numbers) == [c.n for c in result.citations]
    lines = source_lines("changping-zhongzhi-2023.txt")
    for c in result.citations:
        assert c.section.startswith("4. 校企合作")
        assert f"[{c.n}]" in result.text and c.quote.replace("\n", "") in result.text
        assert squash(c.quote)[:8] in squash(lines[c.line - 1]), (c.line, c.quote)


def test_a_how_question_names_the_practices_its_case_studies_title(services: Services) -> None:
    result = answer("2020年北京市中职学校是怎么开展课程教学改革的？", services)
    titles = [c for c in result.citations if c.quote.lstrip().startswith("【案例")]
    lines = source_lines("beijing-zhongzhi-2020.txt")
    cases = [squash(lines[c.line - 1])[:8] for c in titles]
    assert cases == ["【案例2-21】", "【案例2-22】", "【案例2-23】", "【案例2-24】"]
    for practice in ("线上教学公开课", "直播带货", "校企双课堂", "TAFE"):
        assert practice in result.text


def test_a_question_about_problems_gathers_the_subsections_under_the_heading(services: Services) -> None:
    result = answer("东城区职业教育面临哪些挑战？", services)
    sections = [g.section for g in result.groups]
    assert len(sections) >= 3 and all(s.startswith("8. 面临挑战") for s in sections)
    for words in ("职业教育理念", "师资队伍结构", "办学条件"):
        assert words in result.text


def test_a_list_question_lists_the_schools(services: Services) -> None:
    result = answer("朝阳区有哪些中职学校？", services)
    for school in ("劲松职业高中", "求实职业学校", "电气工程学校"):
        assert school in result.text
    assert result.citations[0].line == 21


@pytest.mark.parametrize("question", ["朝阳区是怎么发展航天产业的？", "东城区如何治理地铁拥堵？"])
def test_nothing_relevant_refuses(services: Services, question: str) -> None:
    result = answer(question, services)
    assert result.refused and not result.citations and not result.groups


def test_an_unanswerable_numeric_question_still_refuses(services: Services) -> None:
    result = answer("2022年昌平区中职学校有多少名外籍教师？", services)
    assert result.refused and result.value is None and not result.groups


HOW = "昌平区中职学校是怎么开展校企合作的？"


def llm_services(home: Path, fake_openai: FakeOpenAI) -> Services:
    settings = fake_openai.llm_settings(Settings(home=home, reports_dir=BUNDLED_REPORTS), llm_max_retries=0)
    return build_services(settings)


def test_with_an_llm_a_summary_citing_the_passages_comes_first(
    home: Path, fake_openai: FakeOpenAI
) -> None:
    summary = "昌平区深化产教融合，新增特色学徒班[1][2]。"
    fake_openai.script(json_reply({"summary": summary, "citations": [1, 2]}))
    services = llm_services(home, fake_openai)
    try:
        result = answer(HOW, services)
    finally:
        services.index.close()
    assert result.mode == "llm" and result.grounded and result.groups
    assert result.text.startswith("昌平区深化产教融合，新增特色学徒班[1][2]。\n\n据《")
    sent = fake_openai.chat_requests()[-1].messages_text()
    assert all(c.quote.splitlines()[0] in sent for c in result.citations)


@pytest.mark.parametrize(
    "reply",
    [{"summary": "昌平区深化产教融合[9]。", "citations": [9]},
     {"summary": "昌平区新增 99 个学徒班[1]。", "citations": [1]},
     {"summary": "没有标注。", "citations": []}],
    ids=["unknown-passage", "number-not-in-passages", "no-marker"],
)
def test_a_summary_failing_its_checks_leaves_the_passages(
    home: Path, fake_openai: FakeOpenAI, reply: dict[str, object]
) -> None:
    fake_openai.script(json_reply(reply))
    services = llm_services(home, fake_openai)
    try:
        result = answer(HOW, services)
    finally:
        services.index.close()
    assert result.mode == "extractive" and result.text.startswith("据《") and result.groups
    assert any("抽取式" in w for w in result.warnings)


def test_when_the_llm_is_down_the_passages_answer(home: Path, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(status(500))
    services = llm_services(home, fake_openai)
    try:
        result = answer(HOW, services)
    finally:
        services.index.close()
    assert result.mode == "extractive" and result.groups and not result.refused
