"""A question about a region is answered by the region's figures: not by one school's example or
case study, and a one-level question not by a figure for several levels at once. The report is
made up for these tests (its own schools and numbers)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from corpora import written

from rag.answering import answer
from rag.frames import counts_left_out, gives_example, in_case_block, leaves_out_asked, spans_levels
from rag.query import counted_people, parse_query
from rag.services import Services
from rag.types import Chunk

REPORT = """北京市海淀区职业教育质量年度报告（2024）
一、基本情况
2023年，海淀区职业院校教学仪器设备总值达 5.20 亿元，较上一年增加 1200 万元。
2023年，海淀区高职院校校内实践教学场所 153 个；中职学校校外实习基地 57 个，校内实训工位达 1.61 万个。
2023年，海淀区教委对 12 所学校（含 3 所民办学校）开展了办学质量督导，结果向社会公开。
2023年，海淀区中等职业学校（不含技工学校）专任教师 1206 人。
2023年，海淀区中职学校专任教师中，具有博士和硕士学位的教师占比 18.2%。
2023年，海淀区高职院校实训室 96 间；中职学校校外实习基地 18 个，与上一年持平；虚拟仿真实训工位达 2300 个。
2023年，海淀区中职学生职业素养护照系统上线学校教师 312 人，参与学生 4521 人。
二、人才培养
2023年，海淀区职业院校毕业生升学人数持续增加。例如，北京市海淀商贸学校毕业生升学率 91.5%，远超全区平均水平。
2023年，海淀区职业院校教师队伍年龄偏大。以海淀职教中心为例，教师平均年龄 46.8 岁，45岁及以上教师占比 61.2%。
"""


@pytest.fixture(scope="module")
def haidian(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    with written(tmp_path_factory.mktemp("scope"), {"haidian-zhiye-2024.txt": REPORT}) as services:
        yield services


@pytest.mark.integration
@pytest.mark.parametrize(
    "question",
    [
        "2023年海淀区毕业生升学率是多少？",  # only one school's, given as an example
        "海淀区2023年45岁及以上教师占比多少",  # only 以…为例
        "2023年海淀区中职学校的教学仪器设备总值是多少？",  # only all 职业院校 together
        "2023年海淀区技工学校专任教师有多少人？",  # the only figure leaves 技工学校 out
        "2023年海淀区高职院校虚拟仿真实训工位有多少个？",  # 中职's: the ；-segment before names 中职学校
        "2023年海淀区中职学校硕士学位专任教师占比多少？",  # 博士和硕士 together
    ],
)
def test_a_region_question_refuses_a_schools_or_several_levels_figure(
    haidian: Services, question: str
) -> None:
    assert answer(question, haidian).refused


@pytest.mark.integration
@pytest.mark.parametrize("question", [
    "2022年昌平区普通高中教职工有多少人？",
    "2024年东城区普通高中专任教师有多少人？",
])
def test_a_report_on_one_level_does_not_answer_for_a_level_it_never_names(
    services: Services, question: str
) -> None:
    # not 昌平's 民办 school's 61 人, nor 东城's 中职 teachers' fall of 22 人
    assert answer(question, services).refused


@pytest.mark.integration
def test_a_level_named_earlier_in_the_sentence_still_owns_the_number(haidian: Services) -> None:
    result = answer("海淀区2023年中职学校校内实训工位有多少万个", haidian)
    assert (result.value, result.unit) == (1.61, "万个")


@pytest.mark.integration
def test_the_umbrella_figure_answers_the_umbrella_question(haidian: Services) -> None:
    result = answer("2023年海淀区职业院校教学仪器设备总值是多少", haidian)
    assert (result.value, result.unit) == (5.20, "亿元")


@pytest.mark.integration
def test_the_measure_may_follow_the_number_in_its_clause(haidian: Services) -> None:
    result = answer("2023年海淀区教委对多少所学校开展了办学质量督导？", haidian)
    assert (result.value, result.unit) == (12, "所")


@pytest.mark.integration
def test_a_figure_that_leaves_a_group_out_answers_the_rest(haidian: Services) -> None:
    result = answer("2023年海淀区中职学校专任教师有多少人？", haidian)
    assert (result.value, result.unit) == (1206, "人")


@pytest.mark.integration
def test_a_number_counting_other_people_does_not_answer(haidian: Services) -> None:
    result = answer("2023年海淀区中职职业素养护照有多少学生参与了？", haidian)
    assert result.value != 312
    assert result.refused or (result.value, result.unit) == (4521, "人")


def test_the_people_a_question_counts() -> None:
    assert counted_people("2023年海淀区职业素养护照有多少学生参与了？") == "学生"
    assert counted_people("海淀区兼职老师有几个") == "老师"
    assert counted_people("海淀区中职招生多少人") == ""


def test_examples_are_recognised_before_the_number() -> None:
    assert gives_example("例如，北京市海淀商贸学校毕业生升学率 ")
    assert gives_example("2023年，教师队伍年龄偏大。以海淀职教中心为例，一线教师平均年龄 ")
    assert not gives_example("2023年，海淀区中职学校毕业生升学率 ")
    assert not gives_example("以服务区域发展为目标，毕业生就业率 ")


def test_a_stage_or_a_level_less_figure_in_a_report_on_several_levels_spans_levels() -> None:
    assert spans_levels("高中阶段教育招生情况 招生总数（人）", "中职")
    assert not spans_levels("高中阶段教育招生总数", "中职", asked="中职招生占高中阶段招生总数比例")
    assert spans_levels("2023年，海淀区职业院校教学仪器设备总值达", "职业教育")
    assert not spans_levels("2023年，海淀区职业院校教学仪器设备总值达", "中职")
    assert not spans_levels("中职学校校外实习基地", "职业教育")


def _chunk(text: str, start: int) -> Chunk:
    return Chunk(id=f"c{start}", doc_id="d1", file="r.txt", kind="prose", text=text, context="",
                 section="二、人才培养", line_start=start, line_end=start + text.count("\n"), region="海淀区",
                 year=2023)


def test_a_chunk_starting_inside_a_case_block_is_in_the_case() -> None:
    opening = _chunk("案例 2-1 贯通培养（北京市海淀商贸学校）\n学校实施五年制培养。\n家长满意率 100%。", 10)
    inside = _chunk("家长满意率 100%。\n毕业生满意度 99%。", 12)
    assert in_case_block([opening, inside], 12)
    assert not in_case_block([inside], 12)
    assert not in_case_block([_chunk("二、人才培养\n全区毕业生满意度 97%。", 10)], 11)


def test_a_shares_whole_names_its_own_kind_of_school() -> None:
    part, whole = parse_query("2022年昌平区中职在校生总数中，职业高中在校生所占比例是多少？").parts
    assert part.school_type == ("职业高中", "职高") and whole.school_type == ()


def test_a_number_that_leaves_out_the_asked_group_does_not_answer_for_it() -> None:
    text = "2023年，海淀区中等职业学校（不含技工学校）专任教师"
    assert leaves_out_asked(text, "2023年海淀区技工学校专任教师有多少人")
    assert not leaves_out_asked(text, "2023年海淀区中职学校专任教师有多少人")
    assert not leaves_out_asked(text, "不含技工学校的海淀区中职专任教师有多少人")  # asked the same way
    assert not leaves_out_asked("在校生783人（含非教育部门办17人）", "海淀区在校生有多少人")


def test_each_of_several_groups_left_out_is_left_out() -> None:
    question = parse_query("只看普通中专（职高、技校都不算），2020年海淀在校生有多少人？").norm
    assert counts_left_out("职业高中（人）", question)
    assert counts_left_out("技工学校（人）", question)
    assert not counts_left_out("普通中专（人）", question)


TABLES = """北京市海淀区中等职业教育质量年度报告（2021）
一、学生
表2-1 2019—2020年海淀区中等职业学校学生数量情况（单位：人）
类别 2019 年 2020 年
普通中专（人） 5000 5200
职业高中（人） 3000 3100
技工学校（人） 2000 2100
小计 10000 10400
表2-2 2019—2020年海淀区中等职业教育生师比
类别 2019 年 2020 年
中职在校生（人） 10000 10400
专任教师（人） 800 820
二、设施设备
2020年，海淀区中等职业学校（不含技工学校）生均设施设备值均有增长，见表3-1。
表3-1 2019—2020年海淀区中职学校设施设备生均值
生均设施设备 2019 年 2020 年
生均仪器设备值（万元） 3.10 3.40
"""


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    with written(tmp_path_factory.mktemp("left-out"), {"haidian-zhongzhi-2021.txt": TABLES}) as services:
        yield services


@pytest.mark.integration
def test_a_total_counting_the_left_out_group_does_not_answer_in_another_table(tables: Services) -> None:
    # 10400 counts 技工学校 in table 2-1, and so it does in table 2-2
    result = answer("不算技工学校，2020年海淀中职在校生一共有多少人？", tables)
    assert result.value != 10400


@pytest.mark.integration
def test_a_total_less_the_left_out_groups_row_answers_with_its_computation(tables: Services) -> None:
    result = answer("不算技工学校，2020年海淀中职在校生一共有多少人？", tables)
    assert (result.value, result.computation) == (8300, "10400 - 2100 = 8300 人")
    result = answer("普通中专和技校都不算的话，2020年海淀中职在校生一共有多少人？", tables)
    assert (result.value, result.computation) == (3100, "10400 - 5200 - 2100 = 3100 人")


@pytest.mark.integration
@pytest.mark.parametrize("answerer", ["rules", "ranked", "combined"])
def test_a_section_leaving_out_the_included_group_does_not_answer(tables: Services, answerer: str) -> None:
    services = dataclasses.replace(tables, settings=dataclasses.replace(tables.settings, answerer=answerer))
    result = answer("包括技工学校在内，2020年海淀中职学校的生均仪器设备值是多少万元？", services)
    assert result.refused and result.value is None


@pytest.mark.integration
def test_a_section_leaving_a_group_out_answers_when_it_is_not_counted_in(tables: Services) -> None:
    assert answer("2020年海淀中职学校的生均仪器设备值是多少万元？", tables).value == 3.4
