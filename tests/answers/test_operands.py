"""Operand understanding and the guards that turn a likely wrong number into a refusal."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from corpora import written

from rag.answering import answer
from rag.operands import lists_parts, names_operands
from rag.query import parse_query, school_types_in
from rag.services import Services


def test_an_operand_naming_only_a_level_shares_the_other_measure() -> None:
    query = parse_query("2025年北京高职院校接收国外留学生人数是中职学校的几倍？")
    left, right = query.parts
    assert (right.level, right.measure) == ("中职", left.measure)


def test_an_operand_naming_only_its_group_or_owner_shares_the_other_measure() -> None:
    left, right = parse_query("2025年北京中职学生对思政课的满意度比高职学生高多少？").parts
    assert right.measure == left.measure and right.level == "高职"
    left, right = parse_query("2022年朝阳区职高的专任教师比昌平区民办中职的多多少人？").parts
    assert right.measure == left.measure and "民办" in right.norm


def test_a_group_the_question_leaves_out_is_not_its_kind_of_school() -> None:
    assert parse_query("2019年北京市中职学校（不含技工学校）在校生多少人").school_type == ()


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


def test_who_runs_the_schools_is_a_scope_a_stated_share_need_not_name_but_must_not_contradict() -> None:
    parts = parse_query("昌平公办中职2021年高级职称老师占专技岗老师的比例是多少？").parts
    assert names_operands(parts, "高级教师占专技岗教师比例")
    assert not names_operands(parts, "民办学校高级教师占专技岗教师比例")


def test_a_share_whose_part_names_a_number_is_read_from_the_clause_stating_it() -> None:
    parts = parse_query("2023年海淀区一线老师里45岁及以上的占多大比例？").parts
    clause = "一线教师平均年龄46.8岁，45岁及以上教师占比61.2%"
    assert names_operands(parts, clause)
    assert not lists_parts(parts, clause)


@pytest.mark.parametrize(
    ("question", "value", "unit"),
    [
        # a share the table states is not recomputed from its rounded inputs
        ("2022年昌平区公办中职“双师型”教师占专技岗教师比例是多少", 95.27, "%"),  # not 141 ÷ 308
        # the 公办 schools' count, not the 民办 school's in the next sentence, and the other way round
        ("2022年昌平区公办中职学校“双师型”教师有多少人？", 141, "人"),
        ("2022年昌平区民办中职学校“双师型”教师有多少人？", 3, "人"),
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
        # 「中职和高职分别有 88 支和 119 支队伍获奖」: the item naming the asked level is the asked one
        ("2025年北京职业院校教师教学能力提升活动，高职获奖队伍有多少支？", 119),
        ("2025年北京职业院校教师教学能力提升活动中，中职获奖队伍比高职少几支？", 31),
        # ... but a subject before the first item (北京市中职学校…生均占地面积、生均建筑面积) is every item's
        ("2020年北京市中职学校（不含技工学校）生均建筑面积较2019年增长了百分之几？", 5.74),
    ],
)
def test_years_and_respective_lists(services: Services, question: str, value: float) -> None:
    assert answer(question, services).value == value


FALLS = ("2022年昌平区中职贯通培养招生下降了百分之几？", "昌平区中职 2022 贯通培养招生 降幅")


@pytest.mark.parametrize("question", FALLS)
def test_a_fall_asked_for_is_answered_as_its_size(services: Services, question: str) -> None:
    result = answer(question, services)
    assert (result.value, result.unit, result.grounded) == (0.95, "%", True) and "下降 0.95%" in result.text
    assert answer("2022年昌平区中职贯通培养招生增长了百分之几？", services).value == -0.95


def test_a_row_naming_another_level_does_not_answer(services: Services) -> None:
    # the 专科 row of the 中职 qualification table is not the asked 本科 share
    result = answer("2020年北京市中职学校专任教师中本科学历占比是多少", services)
    assert result.refused or result.value == 78.99


# A made-up district: a multi-year table whose title names the span of years, a list of prizes
# with a number for each rank, a stated total of ranks, two rates, and a next report that gives
# only the 中职 total and a change of enrolment stated as a rate.
HAIDIAN_2024 = """北京市海淀区中等职业教育质量年度报告（2024）
一、基本情况
2023年，海淀区共有 4 所中等职业学校，其中职业高中 3 所、普通中专 1 所。

表 1-1 2019—2023年海淀区中等职业学校教师数量（单位：人）

类别\t2019 年\t2020 年\t2021 年\t2022 年\t2023 年
职业高中专任教师（人）\t512\t498\t487\t470\t455
普通中专专任教师（人）\t301\t296\t290\t284\t279
“双师型”教师（人）\t340\t352\t361\t372\t366

表 1-2 2022—2023年海淀区中等职业学校专任教师职称结构

职称	2022 年		2023 年
	数量（人）	占比	数量（人）	占比
正高级	5	0.66%	6	0.82%
未定职级	60	7.95%	52	7.09%

2023年，海淀区中职学校（含技工学校）有教职工 1205 人，其中专任教师 801 人。

二、人才培养
2023年，海淀区中职学生在市级技能大赛中获一等奖 6 项、二等奖 13 项、三等奖 17 项；另获国家级二等奖 2 项。
2023年，海淀区中职在校生满意度 96.4%，家长满意度 93.1%。
2023年，海淀区中职教师在区级教学能力比赛中获一等奖、二等奖和三等奖共 21 项，其中一等奖 5 项。
2023年，海淀区中职学校班主任基本功比赛决出特等奖 3 人、一等奖 8 人、二等奖 11 人。
2023年第三届“丝路工匠”国际技能大赛于6月举行。海淀区中职学校选拔 20 名学生参加了此次
大赛的 8 个赛项，共获得一等奖 5 个，二等奖 9 个，三等奖 2 个；园林专业获得一等奖 2 个，二等奖 4 个。
2023年，海淀区中职学校开设专业 24 个、校外实训基地 57 个。

表 2-1 2023年海淀区中职学校贯通培养招生计划表

序号\t学校名称\t专业名称\t专业代码\t计划人数\t合作院校
1\t北京市海淀甲职业学校\t数控技术应用\t660103\t40\t北京甲大学
2\t北京市海淀甲职业学校\t会计事务\t730301\t35\t北京甲大学
3\t北京市海淀乙职业学校\t护理\t720201\t50\t北京乙大学

表 2-2 2023年海淀区中职专业评估结果

档次\t数量\t比例\t数量\t比例
A+\t3\t10.0%\t8\t26.7%
A\t5\t16.7%
"""
HAIDIAN_2025 = """北京市海淀区中等职业教育质量年度报告（2025）
一、基本情况
2024年，海淀区中职学校专任教师 702 人，生师比 11.2:1。
2024年，海淀区中职学校招生总数为1.26万人，（其中，职业高中招生 7012 人，普通中专招生 5588 人，）较上一年
减少 512 人，降幅 3.9%。
2024年，海淀区中职学校专任教师中，中级职称教师占比为 40.2%。全区中职学校（含技工学校）有中级职称教师 330 人。
"""


@pytest.fixture(scope="module")
def haidian(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    reports = {"haidian-zhongzhi-2024.txt": HAIDIAN_2024, "haidian-zhongzhi-2025.txt": HAIDIAN_2025}
    with written(tmp_path_factory.mktemp("operands"), reports) as services:
        yield services


@pytest.mark.integration
@pytest.mark.parametrize(
    ("question", "value", "unit", "inputs"),
    [
        # each year's own column of a table titled 2019—2023年
        ("海淀区职业高中专任教师2023年比2019年少了多少人？", 57, "人", "512 - 455"),
        ("海淀 普通中专 专任教师 2020到2022 减少人数", 12, "人", "296 - 284"),
        # the title's 2019—2023年 is no stated change: a cell is one year's
        ("海淀 职业高中专任教师 2019到2023 降幅", 11.13, "%", "(512 - 455)"),
        # 几个 老师 are people; a gap in points is between two rates
        ("海淀中职双师型老师23年比22年少了几个？", 6, "人", "372 - 366"),
        ("2023年海淀区中职在校生满意度比家长满意度高出几个百分点？", 3.3, "个百分点", "96.4 - 93.1"),
        # each rank's own number: the last one (17) is not the total, 国家级 is not 市级
        ("海淀区中职学校2023年市级技能大赛一二三等奖合计多少项", 36, "项", "6 + 13 + 17"),
    ],
)
def test_operands_are_each_the_asked_ones(
    haidian: Services, question: str, value: float, unit: str, inputs: str
) -> None:
    result = answer(question, haidian)
    assert (result.value, result.unit) == (value, unit)
    assert result.computation.startswith(inputs)


@pytest.mark.integration
def test_a_rate_stated_after_the_later_value_answers_in_its_direction(haidian: Services) -> None:
    # 2023's count is stated nowhere: the rate after 2024's, past its aside and the change in 人
    assert answer("2024年海淀区中职招生人数同比下降了百分之多少？", haidian).value == 3.9
    assert answer("海淀区中职招生2024年比上一年增长了百分之几？", haidian).refused
    assert answer("海淀区中职招生2024年比2022年下降了百分之几？", haidian).refused


@pytest.mark.integration
def test_a_majors_part_after_a_semicolon_is_no_operand_of_the_whole(haidian: Services) -> None:
    # 此次大赛 is the one the sentence before names; 2 + 4 would be 园林专业's part of the whole
    result = answer("海淀 2023 第三届丝路工匠大赛 一等奖+二等奖 个数", haidian)
    assert result.refused or (result.value, result.computation[:5]) == (14, "5 + 9")
    assert answer("海淀 2023 第三届丝路工匠大赛 二等奖 个数", haidian).value == 9


@pytest.mark.integration
def test_a_stated_total_of_the_ranks_is_answered_as_stated(haidian: Services) -> None:
    result = answer("海淀区2023年中职教师区级教学能力比赛一二三等奖合计多少项", haidian)
    assert (result.value, result.unit, result.computation) == (21, "项", "")


@pytest.mark.integration
def test_a_share_stated_after_the_group_it_is_counted_in_is_answered_as_stated(haidian: Services) -> None:
    # 「专任教师中，」 names the whole: 330 ÷ 702 would divide counts of two scopes
    result = answer("海淀区2024年中职中级职称教师占专任教师的比例是多少？", haidian)
    assert (result.value, result.unit, result.computation) == (40.2, "%", "")


@pytest.mark.integration
def test_a_share_a_tables_row_states_beside_the_part_is_answered_as_stated(haidian: Services) -> None:
    # 52 ÷ 801 would divide the table's count by another source's whole (含技工学校)
    result = answer("2023年海淀中职专任老师里还没评上职称（未定职级）的占多大比例？", haidian)
    assert (result.value, result.unit, result.computation) == (7.09, "%", "")


@pytest.mark.integration
def test_a_kind_of_school_is_not_compared_with_the_whole_level(haidian: Services) -> None:
    # 2024 gives only the 中职 total (702), 2023 the 职业高中 row (455): 247 would be wrong
    result = answer("海淀区职业高中专任教师2024年比2023年多多少人？", haidian)
    assert result.refused and result.value is None


def test_a_list_with_a_number_for_each_item_states_parts() -> None:
    parts = parse_query("2023年某区中职技能大赛一二三等奖合计多少项").parts
    assert lists_parts(parts, "2023年，某区获一等奖 4 项、二等奖 7 项、三等奖 9 项")
    assert not lists_parts(parts, "2023年，某区获一等奖、二等奖和三等奖共 20 项")


@pytest.mark.integration
def test_a_total_no_source_states_is_the_sum_of_the_list_of_its_parts(haidian: Services) -> None:
    result = answer("海淀区2023年中职班主任基本功比赛一共有多少人获奖？", haidian)
    assert (result.value, result.unit, result.computation) == (22, "人", "3 + 8 + 11 = 22 人")


@pytest.mark.integration
def test_a_total_over_one_schools_rows_of_a_table_sums_them(haidian: Services) -> None:
    result = answer("2023年北京市海淀甲职业学校贯通培养一共计划招多少人", haidian)
    assert (result.value, result.computation) == (75, "40 + 35 = 75 人")
    assert len(result.citations) == 2


@pytest.mark.integration
def test_a_part_and_its_groups_total_on_one_line_are_not_summed(haidian: Services) -> None:
    # 3 is A+ alone, 8 the A 档 (A+ and A) on the same line: 11 would be wrong
    assert answer("2023年海淀区中职专业评估A+一共多少个", haidian).value != 11


@pytest.mark.integration
def test_a_stated_number_is_not_summed_with_the_other_things_listed_beside_it(haidian: Services) -> None:
    result = answer("2023年海淀区中职学校一共开设了多少个专业？", haidian)
    assert (result.value, result.computation) == (24, "")


@pytest.mark.integration
def test_a_total_beside_the_row_of_a_group_the_question_leaves_out_does_not_answer(
    services: Services,
) -> None:
    result = answer("2019年北京市中职学校（不含成人中专）招生多少人？", services)
    assert result.refused or result.value == 20291  # not 成人中专's 1274, nor 表2-1's 小计 21565
