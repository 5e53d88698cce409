"""What a number counts: the noun its unit goes on to in a sentence, and the asked words a table
leaves unwritten. The report is made up for these tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from corpora import written

from rag.answering import answer
from rag.rank.lexical import absent_run
from rag.services import Services

REPORT = """北京市海淀区中等职业教育质量年度报告（2024）
一、专业建设
表 1-1 2024年海淀区职业院校教育教学关键要素建设情况
项目\t中职学校
开设专业总数（个）\t96
专任教师数（人）\t1204
二、社会服务
""" + (
    "2024年，海淀区推进职业教育帮扶协作，面向河北、内蒙古等 8 个地区完成 57 个帮扶项目，"
    "派遣干部教师 46 人次，疫情期间向帮扶地提供 19 个专业线上课程与北京同步实施。\n"
)


@pytest.fixture(scope="module")
def haidian(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    with written(tmp_path_factory.mktemp("counted"), {"haidian-zhongzhi-2024.txt": REPORT}) as services:
        yield services


@pytest.mark.integration
def test_a_count_is_of_the_noun_its_unit_goes_on_to(haidian: Services) -> None:
    result = answer("完成了多少个帮扶项目，2024年海淀区职业教育帮扶协作？", haidian)
    assert result.value == 57, result.text


@pytest.mark.integration
def test_a_table_leaving_out_what_the_question_is_about_does_not_answer(haidian: Services) -> None:
    result = answer("2024年海淀区中职学校海外办学项目开设专业总数是多少个？", haidian)
    assert result.refused and result.value is None, result.text
    assert answer("2024年海淀区中职学校开设了多少个专业？", haidian).value == 96


def test_asked_words_in_a_row_that_a_text_leaves_unwritten_are_counted() -> None:
    label = "2025年北京职业院校教育教学关键要素建设情况 开设专业总数（个）"
    assert absent_run("海外办学项目开设专业", label) >= 2
    assert absent_run("开设专业", label) == 0
