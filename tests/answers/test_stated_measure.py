"""A stated number answers only the measure the question asks for: a per-student figure is never
a total, a clause writing the asked measure whole (正高级教师) is not qualified otherwise, an
approximate figure gives way to the exact one that another source states for it, a whole is not
the part its bracket states (（含非教育部门办36人）), a sum over
years (近五年来, 2022年、2023年…共) is no one year's figure, a number the text does not count
(（不计校数）) counts nothing, and the year a question names a report by (2024年质量年报) is the
report's, not the data's. The report is made up
for these tests (its own numbers)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from corpora import written

from rag.answering import answer
from rag.query import parse_query
from rag.rank.lexical import per_unit_missing
from rag.services import Services

REPORT = """北京市海淀区中等职业教育质量年度报告（2024）
一、办学条件

表 1-1 2022—2023年海淀区中职学校设施设备

项目\t2022年\t2023年
纸质图书（册）\t210350\t198420

二、社会服务
2023年，海淀区中职学校面向社区和企业开展社会培训，年培训超4.6万人次。

表 2-1 2022—2023年海淀区中职学校服务规模

项目\t2022年\t2023年
培训人数（人次）\t39870\t46215

2023年，海淀区中职学校接收区外学生就读近300人。
三、教师队伍
2023年，海淀区中职专任教师中正高级教师 5 人、高级教师 188 人。
四、学生发展
近五年来，共有3100余名海淀区中职毕业生走上工作岗位。
2022年、2023年海淀区中职毕业生共1320人，毕业合格率达到100%。
海淀区现有独立设置职业高中4所。另有其他学校附设中职校2所（不计校数）。
2023年，海淀区中职学校在校生2150人（含非教育部门办36人），其中职业高中学生2100人。
2023年，海淀区中职学校有教职工650人。

表 4-1 2023年海淀区中职学校教职工数量

类别	2023年
职业高中（人）	520
技工学校（人）	130
小计	650
"""


@pytest.fixture(scope="module")
def haidian(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    with written(tmp_path_factory.mktemp("measure"), {"haidian-zhongzhi-2024.txt": REPORT}) as services:
        yield services


@pytest.mark.integration
@pytest.mark.parametrize("question", [
    "海淀区2023年中职生均纸质图书多少册", "2023年海淀区中职学校平均每个学生有几册图书",
])
def test_a_per_student_question_refuses_a_total(haidian: Services, question: str) -> None:
    assert answer(question, haidian).refused


@pytest.mark.integration
def test_the_total_still_answers_the_total(haidian: Services) -> None:
    result = answer("海淀区2023年中职纸质图书有多少册", haidian)
    assert (result.value, result.unit) == (198420, "册")


@pytest.mark.integration
def test_an_approximate_figure_gives_way_to_the_exact_one(haidian: Services) -> None:
    result = answer("海淀中职23年社会培训搞了多少人次", haidian)
    assert result.value == 46215


@pytest.mark.integration
def test_an_approximate_figure_alone_is_stated_as_approximate(haidian: Services) -> None:
    result = answer("2023年海淀区中职学校接收区外学生多少人", haidian)
    assert result.value == 300 and "接近" in result.text


@pytest.mark.integration
@pytest.mark.parametrize(
    ("question", "expected"),
    [("海淀区2023年中职正高级教师多少人", 5), ("海淀区2023年中职高级教师多少人", 188)],
)
def test_a_clause_writing_the_measure_whole_is_not_qualified_otherwise(
    haidian: Services, question: str, expected: int
) -> None:
    assert answer(question, haidian).value == expected


@pytest.mark.integration
@pytest.mark.parametrize(
    "question",
    [
        "海淀区2023年中职毕业生多少人",
        "2023年海淀区有多少中职毕业生走上工作岗位",
        "海淀区附设中职校算不算，一共几所中职学校",
    ],
)
def test_a_sum_over_years_or_a_number_not_counted_is_no_answer(haidian: Services, question: str) -> None:
    assert answer(question, haidian).value not in (3100, 1320, 2)


@pytest.mark.integration
def test_a_whole_does_not_answer_for_the_part_its_bracket_states(haidian: Services) -> None:
    assert answer("2023年海淀区中职在校生中，非教育部门办学校的学生有多少人？", haidian).value == 36
    assert answer("2023年海淀区中职在校生有多少人？", haidian).value == 2150


@pytest.mark.integration
def test_leaving_a_kind_of_school_out_is_answered_by_no_total_and_no_one_kinds_row(haidian: Services) -> None:
    # 650 counts 技工学校 (the table's total beside its row) and no source states the rest: it is
    # computed from the total and the left-out row, with the computation shown
    result = answer("2023年海淀区中职学校不算技工学校的话，教职工有多少人？", haidian)
    assert (result.value, result.computation) == (520, "650 - 130 = 520 人")
    assert answer("2023年海淀区中职学校有多少教职工？", haidian).value == 650


@pytest.mark.integration
def test_a_span_asked_for_is_answered(haidian: Services) -> None:
    assert answer("海淀区中职近五年来共有多少毕业生走上工作岗位", haidian).value == 3100


def test_per_unit_words() -> None:
    assert per_unit_missing("生均纸质图书", "纸质图书（册）")
    assert per_unit_missing("每校专任教师", "专任教师 455 人")
    assert not per_unit_missing("生均纸质图书", "设施设备生均值数据表 纸质图书（册）")
    assert not per_unit_missing("纸质图书", "生均纸质图书（册）")


def test_a_report_named_as_nianbao_gives_the_report_year() -> None:
    query = parse_query("据海淀区2024年中职质量年报，2023年全区招生人数为多少？")
    assert (query.years, query.report_year) == ((2023,), 2024)
