"""Operand understanding and the guards that turn a likely wrong number into a refusal."""

from __future__ import annotations

import pytest

from rag.answering import answer
from rag.extractive import names_operands
from rag.query import parse_query, school_types_in
from rag.services import Services


def test_an_operand_naming_only_a_level_shares_the_other_measure() -> None:
    query = parse_query("2025年北京高职院校接收国外留学生人数是中职学校的几倍？")
    left, right = query.parts
    assert (right.level, right.measure) == ("中职", left.measure)


def test_the_base_years_of_a_comparison_are_not_the_other_sides_year() -> None:
    left, right = parse_query("朝阳区“双师型”教师数比2020年增加了多少人？").parts
    assert (left.years, right.years) == ((), (2020,))


def test_a_share_of_all_schools_has_no_level() -> None:
    part, whole = parse_query("2025年北京中职学校专任教师占职业院校专任教师总数的比例是多少？").parts
    assert (part.level, whole.level) == ("中职", "")
    part, whole = parse_query("2021年某区中职新生占全区高中阶段新生总人数的几成？").parts
    assert (part.level, whole.level) == ("中职", "")


def test_school_types() -> None:
    assert school_types_in("2020年北京市职业高中专任教师") == [("职业高中", "职高")]
    assert school_types_in("2020年北京市中职学校专任教师") == []


def test_a_stated_ratio_must_name_what_tells_the_operands_apart() -> None:
    parts = parse_query("2020年北京市普通中专招生人数是成人中专招生人数的几倍？").parts
    assert not names_operands(parts, "普通高中招生人数是中职学校招生人数的 2.46 倍")
    assert names_operands(parts, "普通中专招生人数是成人中专的 7.86 倍")


@pytest.mark.parametrize(
    ("question", "value", "unit"),
    [
        # the row of the named kind of school, not the 中职 total
        ("2020年北京市职业高中专任教师有多少人？", 3753, "人"),
        # a stated ratio about other operands is not the answer; both inputs are looked up
        ("2020年北京市普通中专招生人数是成人中专招生人数的几倍？", 7.86, "倍"),
        ("2025年北京中职学校专任教师占职业院校专任教师总数的比例是多少？", 49.04, "%"),
        ("2025年北京高职院校接收国外留学生人数是中职学校的几倍？", 5.84, "倍"),
        # the change of another kind of teacher (校外兼课教师 …增加 77 人) is not the answer
        ("2025年北京高职院校专任教师比上一年增加了多少人？", 248, "人"),
        ("朝阳区“双师型”教师数比2020年增加了多少人？", 14, "人"),
    ],
)
def test_operands_and_subjects(services: Services, question: str, value: float, unit: str) -> None:
    result = answer(question, services)
    assert not result.refused
    assert (result.value, result.unit) == (value, unit)


def test_the_named_school_type_carries_to_the_other_operand() -> None:
    later, base = parse_query("2020年北京市职业高中招生比2019年增加了多少人？").parts
    assert later.school_type == base.school_type == ("职业高中", "职高")


@pytest.mark.parametrize(
    ("question", "value", "unit"),
    [
        # 职业学校 in the text answers 职业院校 in the question; 高职院校's total is a part
        ("2025年北京职业院校招生总数是多少", 4.95, "万人"),
        ("2025年北京职业院校招生总数比上一年增长了多少人", 3200, "人"),
        # 社会招生 qualifies 招生 on its own: not the schools' enrolment
        ("2025年北京中职学校招生多少人", 1.33, "万人"),
        ("2025年北京高职院校招生多少人", 3.62, "万人"),
        # without a level, a column of one level is not the total the sentence states
        ("2025年北京职业院校校外兼课教师有多少人", 1267, "人"),
        ("2020年北京市职业高中招生比2019年增加了多少人", 1623, "人"),
    ],
)
def test_totals_parts_and_qualifiers(services: Services, question: str, value: float, unit: str) -> None:
    result = answer(question, services)
    assert (result.value, result.unit) == (value, unit)


def test_two_different_numbers_that_fit_equally_refuse(services: Services) -> None:
    # 31 个 专业群 and 27 个 实训基地 are stated in one breath; the scorer cannot tell them apart
    result = answer("北京市第三批特色高水平骨干专业（群）完成验收的有多少个？", services)
    assert result.refused or result.value == 31


def test_a_second_level_is_part_of_the_measure() -> None:
    query = parse_query("2022年昌平区中职毕业生升入专科多少人？")
    assert query.level == "中职" and "专科" in query.measure


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("2022年昌平区中职毕业生升入专科多少人？", 577),  # not 升入本科 8 人
        ("2025年北京职业本科招生多少人", 1568),  # 职业本科 qualifies 招生 as asked
    ],
)
def test_asked_qualifiers(services: Services, question: str, value: float) -> None:
    assert answer(question, services).value == value


@pytest.mark.parametrize(
    ("question", "value"),
    [
        # a stated ratio between other years is not the answer
        ("2020年北京市中职学校招生人数是2019年的几倍", 1.21),
        # A、B 分别增长了 x、y: x belongs to A; 生均固定资产价值 is not 固定资产值
        ("2020年北京市中职学校固定资产值比2019年增长了百分之多少", 7.16),
    ],
)
def test_years_and_respective_lists(services: Services, question: str, value: float) -> None:
    assert answer(question, services).value == value


def test_a_row_naming_another_level_does_not_answer(services: Services) -> None:
    # the 专科 row of the 中职 qualification table is not the asked 本科 share
    result = answer("2020年北京市中职学校专任教师中本科学历占比是多少", services)
    assert result.refused or result.value == 78.99
