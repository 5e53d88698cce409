"""Rows named by a grade (A+, A-, C) and bands of grades (A档) in a table of evaluation results
whose second count column gives each band's total in a merged cell. The report is made up."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from corpora import written

from rag.answering import answer
from rag.services import Services

REPORT = """北京市海淀区中等职业教育质量年度报告（2024）
一、专业建设
2024年，海淀区对全区中职学校的60个专业开展质量评估（结果见表2-1）。
表 2-1 2024年海淀区中职专业质量评估结果
等级\t数量\t占比\t数量\t占比
A+\t6\t10%\t24\t40%
A\t12\t20%\t\t
A-\t6\t10%\t\t
B+\t9\t15%\t36\t60%
B\t15\t25%\t\t
B-\t12\t20%\t\t
合计\t60\t100%\t60\t100%
表 2-2 2024年海淀区中职改革试点质量监测结果
等级\t数量
A\t4
B\t7
"""


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    with written(tmp_path_factory.mktemp("grades"), {"haidian-zhongzhi-2024.txt": REPORT}) as services:
        yield services


@pytest.mark.integration
@pytest.mark.parametrize(
    ("question", "value", "share"),
    [
        ("2024年海淀区中职专业质量评估结果为A-的专业有几个？", 6, False),
        ("海淀 2024 专业质量评估 B- 专业数", 12, False),
        ("2024年海淀区中职专业质量评估中，评为A的专业占多大比例？", 20, True),
        ("2024年海淀区中职专业质量评估里，B档（B+、B、B-）合计占比是多少？", 60, True),
        ("2024年海淀区专业质量评估A类专业合计有多少个？", 24, False),
        ("24年海淀那个专业质量评估，评成B+的专业有几个呀？", 9, False),
        ("海淀 2024 专业质量评估 单档B（不含B+、B-） 专业数", 15, False),
    ],
)
def test_a_grade_or_a_band_of_grades_reads_its_own_cell(
    graded: Services, question: str, value: float, share: bool
) -> None:
    result = answer(question, graded)
    assert (result.value, result.unit == "%") == (value, share), result.text


@pytest.mark.integration
def test_a_grades_count_counts_what_the_table_grades_though_no_row_names_it(graded: Services) -> None:
    result = answer("2024年海淀区中职改革试点专业的质量监测中，得B的专业有多少个？", graded)
    assert (result.refused, result.value) == (False, 7), result.text


@pytest.mark.integration
def test_a_count_asked_in_no_unit_is_not_answered_by_a_share(graded: Services) -> None:
    result = answer("海淀 2024 专业质量评估 A+ 专业数", graded)
    assert (result.value, result.unit) == (6, ""), result.text


@pytest.mark.integration
def test_a_share_is_computed_from_counts_never_from_a_stated_rate(graded: Services) -> None:
    result = answer("2024年海淀区中职专业质量评估中，评为A的专业占多大比例？", graded)
    assert (result.value, result.unit) == (20, "%"), result.text
    assert "20 ÷" not in result.text
