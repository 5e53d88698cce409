"""Abbreviations (简称) in a question meet the full words of the report, and only those."""

from __future__ import annotations

import pytest

from rag.query import parse_query
from rag.rank.lexical import abbreviates, coverage, head_missing, modifier_missing, other_modifier


@pytest.mark.parametrize(
    ("short", "text"),
    [("体测", "学生体质测评合格率为 90%"), ("体测", "体育测试达标"), ("国规", "入选国家规划教材 6 部"),
     ("中职", "中等职业学校毕业生"), ("职教", "开展职业教育合作"), ("派骨", "派出骨干教师 12 人")],
)
def test_an_abbreviation_meets_the_words_it_shortens(short: str, text: str) -> None:
    assert abbreviates(short, text)


@pytest.mark.parametrize(
    ("short", "text"),
    [("专任", "完成专业技能任务"), ("学生", "学校生均经费"), ("教学", "职业教育学校招生"),
     ("教职", "专任教师职称结构"), ("招生", "招聘生产工人"), ("教材", "教学器材"), ("校企", "学校和企业")],
)
def test_a_word_in_its_own_right_or_a_scattered_match_is_no_abbreviation(short: str, text: str) -> None:
    assert not abbreviates(short, text)


def test_the_long_form_must_sit_next_to_another_asked_word_when_those_are_given() -> None:
    asked = {"体测": 1.0, "合格": 1.0, "格率": 1.0}
    assert abbreviates("体测", "体质测评合格率", asked)
    assert not abbreviates("体测", "体质测评工作全面开展，合格率", asked)


def test_coverage_counts_an_abbreviated_word_as_found() -> None:
    weights = {"体测": 2.0, "合格": 1.0, "格率": 1.0}
    assert coverage(weights, "体质测评合格率为 85.47%") == 1.0
    assert coverage(weights, "文化课合格率为 100%") == 0.5


def test_an_abbreviated_qualifier_is_neither_missing_nor_another_one() -> None:
    query = parse_query("去年学生体测合格率是多少")
    assert not modifier_missing(query, "学生体质测评合格率为 85.47%")
    assert modifier_missing(query, "文化课合格率为 100%")
    assert not other_modifier(query, "体质测评合格率为 85.47%")
    assert not head_missing("国规教材", "入选国家规划教材 6 部")
