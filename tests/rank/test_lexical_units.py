"""A question's count in a unit (图书册数) meets a label that writes the unit instead (图书（册）), and
a unit that counts other things (所 for 册) does not fit."""

from __future__ import annotations

import pytest

from rag.evidence import unit_fit
from rag.rank.lexical import (
    bound_missing,
    canonical,
    coverage,
    extra_grams,
    grades,
    other_titles,
    sibling_named,
)
from rag.retriever import word_grams


def test_a_count_in_a_unit_meets_the_label_of_that_unit() -> None:
    weights = {"馆藏": 1.0, "图书": 1.0}
    assert canonical("馆藏图书册数") == canonical("馆藏图书（册）").replace("（册）", " ")
    assert coverage(weights, "馆藏图书（册）") == 1.0
    assert extra_grams({"图书": 1.0}, "图书册数") == 0


def test_a_count_word_that_is_no_unit_stays() -> None:
    assert canonical("专业数（个）") == "专业数（个）"
    assert "人次" not in canonical("培训人次数")
    assert canonical("数字终端数") == "数字终端数"


@pytest.mark.parametrize(
    ("asked", "stated", "fits"),
    [("所", "所", True), ("个", "所", True), ("本", "部", True), ("所", "册", False), ("人", "个", False)],
)
def test_count_words_that_count_other_things_do_not_fit(asked: str, stated: str, fits: bool) -> None:
    assert (unit_fit(asked, stated) is not None) == fits


@pytest.mark.parametrize(
    ("measure", "text", "missing"),
    [("专任教师中本科及以上学历", "60 岁及以上", True),
     ("45岁及以上专任教师", "45 岁及以上教师占比", False),
     ("45岁及以上专任教师", "60岁及以上", True),
     ("硕士及以上学历教师占比", "——硕士及以上学历教师占比", False),
     ("专任教师", "60 岁及以上", False),
     ("专任教师中本科及以上学历的占比", "专任教师学历结构·本科·2020 年·占比", True)],  # that degree alone
)
def test_a_bound_and_beyond_is_answered_only_by_that_bound(measure: str, text: str, missing: bool) -> None:
    assert bound_missing(measure, text) == missing


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("质量监测结果为C-的专业", {"C-"}),
        ("A档（A+、A、A-）合计占比", {"A+", "A", "A-"}),
        ("B类专业", {"B+", "B", "B-"}),
        ("A+、A、A-", {"A+", "A", "A-"}),
        ("1+X证书", set()),
    ],
)
def test_grades_and_bands_of_grades_are_told_apart(text: str, named: set[str]) -> None:
    assert grades(text) == named


def test_a_grade_keeps_its_sign_as_a_term() -> None:
    assert "A-" in word_grams("A-专业") and "A-" not in word_grams("A专业")
    assert coverage({"A-": 1.0}, "等级 A 数量") == 0.0


@pytest.mark.parametrize(
    ("measure", "text", "other"),
    [("正高级职称占比", "高级职称教师占比达到", True),  # 高级 is 正高级 and 副高级 together
     ("高级职称教师", "副高级", True),
     ("正高级职称占比", "正高级", False),
     ("专任教师占比", "高级职称教师占比达到", False),  # no title asked
     ("高级工证书", "中级工证书", False)],  # a worker's grade, no teacher's title
)
def test_other_titles(measure: str, text: str, other: bool) -> None:
    assert other_titles(measure, text) is other


@pytest.mark.parametrize(
    ("asked", "row", "sibling"),
    [("北京中职的幼儿照护X证书2020年考了多少人次", "老年照护职业技能等级证书", True),
     ("东城区校外实训基地有几个", "校内实训基地", True),
     ("北京普通中专招了多少学生", "招生·成人中专（人）", True),
     ("北京普通中专招了多少学生", "招生·普通中专（人）", False),
     ("昌平中职2022年社会培训搞了多少人次", "培训规模·培训人数（人次）", False),  # 培训 written twice
     ("北京高职院校在国外开了几所学校", "在国外开办学校数", False),  # 几所 asks, it qualifies nothing
     ("高职院校专任教师多少人", "中职学校专任教师", False)],  # levels are the level slot's
)
def test_a_row_naming_a_sibling_of_the_asked_thing(asked: str, row: str, sibling: bool) -> None:
    assert sibling_named(asked, row) is sibling


@pytest.mark.parametrize(
    ("text", "spelled"),
    [("纸质图书册数", "纸质图书 "), ("招生人数", "招生 "), ("一等奖项数", "一等奖 "),
     ("校内实践教学场所数", "校内实践教学场所数"), ("平台数", "平台数")],  # 场所 and 平台 are counted
)
def test_a_count_word_leaves_but_not_a_nouns_last_character(text: str, spelled: str) -> None:
    assert canonical(text) == spelled
