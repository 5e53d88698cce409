"""Computed questions as plans: the operation and its operands, with the slots an operand does not
name shared from the rest of the question. Phrasings made up for these tests (colloquial, terse,
coordinated), not taken from the benchmark files."""

from __future__ import annotations

import pytest

from rag.answering import answer
from rag.grounding import check
from rag.query import parse_query
from rag.services import Services

Slots = tuple[str, tuple[int, ...], str]
"""An operand's region, years and level."""


@pytest.mark.parametrize(
    ("question", "operands"),
    [
        ("朝阳区、昌平区和东城区2022年中职招生加起来多少人",
         [("朝阳区", (2022,), "中职"), ("昌平区", (2022,), "中职"), ("东城区", (2022,), "中职")]),
        ("东城区中职学校2023年和2024年的专任教师一共有多少人？",
         [("东城区", (2023,), "中职"), ("东城区", (2024,), "中职")]),
        ("帮我算一下2025年北京中职和高职的专任教师总共多少人",
         [("北京市", (2025,), "中职"), ("北京市", (2025,), "高职")]),
        ("2022年昌平区和2024年东城区中职招生一共多少人？",
         [("昌平区", (2022,), "中职"), ("东城区", (2024,), "中职")]),
        ("朝阳区中职学校的专任教师和昌平区中职学校的专任教师一共多少人",
         [("朝阳区", (), "中职"), ("昌平区", (), "中职")]),
    ],
)
def test_a_sum_spreads_the_shared_slots_over_its_items(question: str, operands: list[Slots]) -> None:
    query = parse_query(question)
    assert query.operation == "sum"
    assert [(p.region, p.years, p.level) for p in query.parts] == operands
    assert len({p.measure.replace(p.level, "") for p in query.parts}) == 1


@pytest.mark.parametrize(
    "question",
    ["通州区2022年中职毕业生人数，再加上大兴区2023年中职毕业生人数，一共多少人",
     "通州区2022年中职毕业生，加大兴区2023年中职毕业生，合计多少人？"],
)
def test_a_sum_of_two_clauses_keeps_each_clauses_slots(question: str) -> None:
    query = parse_query(question)
    assert query.operation == "sum"
    assert [(p.region, p.years, p.level) for p in query.parts] == [
        ("通州区", (2022,), "中职"), ("大兴区", (2023,), "中职")]
    assert all(p.measure.startswith("毕业生") and "加" not in p.measure for p in query.parts)


def test_a_sum_of_kinds_of_school_keeps_each_kind() -> None:
    query = parse_query("2024年东城区职业高中、普通中专和成人中专招生总计多少")
    assert query.operation == "sum"
    assert [p.school_type[0] for p in query.parts] == ["职业高中", "普通中专", "成人中专"]
    assert all(p.years == (2024,) and p.region == "东城区" for p in query.parts)


def test_the_last_items_tail_is_shared_by_every_item() -> None:
    doctors, masters = parse_query("2020年北京市中职学校具有博士或硕士学位的专任教师合计多少人？").parts
    assert doctors.measure.endswith("专任教师") and masters.measure.endswith("专任教师")
    schools = parse_query("北京市劲松职业高中、北京市商业学校和北京市昌平职业学校2020年招生合计多少人").parts
    assert [p.years for p in schools] == [(2020,)] * 3
    assert all(p.measure.endswith("招生") for p in schools)


def test_items_in_brackets_spell_out_a_noun_and_are_not_operands() -> None:
    assert parse_query("2025年监测结果里，A档（A+、A、A-）合计占比是多少？").operation == "lookup"


@pytest.mark.parametrize(
    ("question", "first", "second"),
    [
        ("昌平中职招生 22年比21年多几个", (2022,), (2021,)),
        ("昌平区中职招生23年跟22年差多少人", (2023,), (2022,)),
        ("2022年和2021年昌平区中职招生相差多少人？", (2022,), (2021,)),
        ("东城区中职毕业生2024年比2023年少了多少", (2024,), (2023,)),
        ("东城区中职学校生均经费2024年较2023年增加多少元", (2024,), (2023,)),
        ("2025年北京高职院校专任教师同比增加了多少人", (2025,), (2024,)),
        ("东城区中职招生人数2024年比2023年变化了多少", (2024,), (2023,)),
        ("2021年和2022年昌平区中职毕业生分别多少人，相差多少？", (2021,), (2022,)),
    ],
)
def test_a_difference_is_the_first_named_minus_the_second(
    question: str, first: tuple[int, ...], second: tuple[int, ...]
) -> None:
    query = parse_query(question)
    assert query.operation == "difference"
    assert [p.years for p in query.parts] == [first, second]
    assert query.parts[0].measure == query.parts[1].measure
    assert "相差" not in query.parts[0].measure


@pytest.mark.parametrize(
    ("question", "levels", "measure"),
    [
        ("2025年北京中职学校比高职院校少多少专任教师", ["中职", "高职"], "专任教师"),
        ("2025年北京高职院校比中职学校多招了多少学生", ["高职", "中职"], "招生学生"),
    ],
)
def test_the_measure_may_follow_the_ask(question: str, levels: list[str], measure: str) -> None:
    query = parse_query(question)
    assert query.operation == "difference"
    assert [(p.level, p.measure) for p in query.parts] == [(level, measure) for level in levels]


def test_a_side_naming_only_a_level_is_searched_with_the_measure_it_shares() -> None:
    right = parse_query("2025年北京职业院校教师教学能力提升活动，高职获奖队伍比中职多几支？").parts[1]
    assert right.level == "中职" and "获奖队伍" in right.norm


@pytest.mark.parametrize(
    ("question", "years"),
    [
        ("北京中职在校生从2019年到2020年增加了多少人", [(2020,), (2019,)]),
        ("2020年比2015年北京市中职在校生减少了多少", [(2020,), (2015,)]),
    ],
)
def test_a_difference_between_years_named_apart_from_the_measure(
    question: str, years: list[tuple[int, ...]]
) -> None:
    query = parse_query(question)
    assert query.operation == "difference"
    assert [(p.years, p.region, p.level, p.measure) for p in query.parts] == [
        (y, "北京市", "中职", "在校生") for y in years
    ]


def test_a_gap_between_two_clauses_keeps_each_clauses_slots_and_report() -> None:
    question = "北京市2020年报告中劲松职业高中的就业率，和昌平区报告中2021年中职就业率相差多少"
    first, second = parse_query(question).parts
    assert (first.report_year, second.report_year) == (2020, None)
    assert (second.region, second.years, second.measure) == ("昌平区", (2021,), "就业率")


def test_a_cross_report_difference_keeps_each_sides_region_and_year() -> None:
    question = "2022年昌平区中职毕业生初次就业起薪，比2020年北京市中职毕业生月平均收入高多少元？"
    left, right = parse_query(question).parts
    assert (left.region, left.years, right.region, right.years) == ("昌平区", (2022,), "北京市", (2020,))
    assert "比" not in left.measure and right.measure == "毕业生月平均收入"


@pytest.mark.parametrize(
    ("question", "base", "later"),
    [
        ("2025年北京高职招生同比增长百分之几", (2024,), (2025,)),
        ("北京中职在校生2020年比2019年增长率是多少", (2019,), (2020,)),
        ("与上一年相比，2025年北京中职招生下降了百分之多少？", (2024,), (2025,)),
        ("与2024年相比，2025年北京高职院校横向科研经费到账金额增长了百分之多少？", (2024,), (2025,)),
        ("东城区中职招生24年较23年下降了几成", (2023,), (2024,)),
        ("2025年北京中职学校合作企业录用岗位数同比增长了多少？（用百分比表示）", (2024,), (2025,)),
        ("2015年到2020年，北京市中职在校生总数下降了百分之多少？", (2015,), (2020,)),
    ],
)
def test_a_percent_change_goes_from_the_base_year(
    question: str, base: tuple[int, ...], later: tuple[int, ...]
) -> None:
    query = parse_query(question)
    assert query.operation == "growth"
    assert [p.years for p in query.parts] == [base, later]
    assert query.parts[0].measure == query.parts[1].measure
    assert not any(word in query.parts[0].measure for word in ("相比", "同比", "增长", "下降"))


@pytest.mark.parametrize(
    ("question", "part", "whole"),
    [
        ("2022年昌平区中职专任教师在教职工中所占比例是多少", "专任教师", "教职工"),
        ("2025年北京高职院校专任教师中，“双师型”教师所占的比重是多少？", "双师型教师", "专任教师"),
        ("2020年北京市职业高中招生占中职招生总数的比重是多少", "招生", "招生总数"),
        ("2022年昌平区公办中职专技岗教师中硕士学历所占比例是多少？", "硕士学历", "专技岗教师"),
        ("2025年北京中职专任教师数相当于高职的百分之几", "专任教师", "专任教师"),  # counted in 人
        ("2022年昌平区中职招生占高中阶段招生的几成", "招生", "高中阶段招生"),
    ],
)
def test_a_share_names_its_part_and_its_whole(question: str, part: str, whole: str) -> None:
    query = parse_query(question)
    assert query.operation == "share"
    assert [p.measure for p in query.parts] == [part, whole]
    assert all(p.unit == "" for p in query.parts)


def test_a_ratio_s_operands_are_counts_not_times() -> None:
    query = parse_query("2022年昌平区中职在校生相当于2024年东城区中职在校生的多少倍")
    assert query.operation == "ratio"
    slots = [(p.region, p.years, p.unit) for p in query.parts]
    assert slots == [("昌平区", (2022,), ""), ("东城区", (2024,), "")]


@pytest.mark.parametrize(
    "question",
    ["2025年北京中职学校有多少专任教师", "近15年来北京中职招生多少人",
     "2024年北京高职院校“双师型”教师占比是多少？", "中职生师比增长率在2022年是多少？",
     "2024年东城区中职专任教师中硕士及以上学历的有多少人？"],  # 及以上 joins a bound to what lies beyond
)
def test_a_lookup_is_no_computation(question: str) -> None:
    query = parse_query(question)
    assert (query.operation, query.parts) == ("lookup", ())


@pytest.mark.parametrize(
    ("question", "ranks"),
    [
        ("通州区2023年职业学校技能大赛区级一二三等奖合计多少项", ["一等", "二等", "三等"]),
        ("通州区2023年国家奖学金一共发了多少人次（一等加二等）？", ["一等", "二等"]),
        ("通州 2023 助学金 一等二等加起来 多少人次", ["一等", "二等"]),
        ("通州区2023年教学能力比赛特等奖加上一等奖一共几项", ["特等奖", "一等奖"]),
        ("通州 2023 技能大赛 一等奖+二等奖 个数", ["一等奖", "二等奖"]),
    ],
)
def test_a_sum_over_ranks_written_together_has_one_operand_per_rank(question: str, ranks: list[str]) -> None:
    query = parse_query(question)
    assert query.operation == "sum"
    assert len(query.parts) == len(ranks)
    for part, rank in zip(query.parts, ranks, strict=True):
        others = [r for r in ranks if r != rank]
        assert rank in part.measure and not any(other in part.measure for other in others)
        assert (part.region, part.years) == ("通州区", (2023,))


def test_one_rank_alone_is_no_sum() -> None:
    assert parse_query("通州区2023年职业学校技能大赛一等奖多少项").operation == "lookup"


@pytest.mark.parametrize(
    ("question", "years"),
    [
        ("通州 职业高中 在校生 2016到2019 减少人数", [(2019,), (2016,)]),
        ("通州区中职专任教师2017至2021年增加了多少", [(2021,), (2017,)]),
    ],
)
def test_a_terse_change_between_two_years_is_a_difference(
    question: str, years: list[tuple[int, ...]]
) -> None:
    query = parse_query(question)
    assert query.operation == "difference"
    assert [p.years for p in query.parts] == years
    assert not any(word in query.parts[0].measure for word in ("减少", "增加", "-"))


@pytest.mark.parametrize(
    ("question", "unit"),
    [
        ("通州区中职学生满意度比家长满意度高出几个百分点？", "%"),  # a gap in points is between rates
        ("通州中职专任老师22年比21年少了几个", "人"),  # 几个 老师 are people
        ("通州区中职专业22年比21年多了几个", "个"),
    ],
)
def test_the_operands_of_a_difference_are_read_in_their_stated_unit(question: str, unit: str) -> None:
    query = parse_query(question)
    assert query.operation == "difference"
    assert [p.unit for p in query.parts] == [unit, unit]


def test_an_operand_naming_its_own_level_is_not_of_the_other_sides_kind_of_school() -> None:
    left, right = parse_query("通州职高2021年专任教师比大兴区2022年中职专任教师多多少人").parts
    assert left.school_type == ("职业高中", "职高") and right.school_type == ()
    later, base = parse_query("2021年通州区职业高中招生比2020年增加了多少人").parts
    assert later.school_type == base.school_type == ("职业高中", "职高")


def test_a_three_report_sum_adds_what_each_item_answers_alone(services: Services) -> None:
    result = check(answer("2021年朝阳区、2022年昌平区和2024年东城区中职招生一共多少人？", services))
    items = ("2021年朝阳区", "2022年昌平区", "2024年东城区")
    alone = [answer(f"{item}中职招生多少人？", services) for item in items]
    assert not result.refused and result.grounded
    assert result.computation == f"{' + '.join(f'{a.value:g}' for a in alone)} = {result.value:g} 人"
    assert result.value == sum(a.value or 0 for a in alone)
    assert len({c.file for c in result.citations}) == 3


def test_a_difference_says_which_side_is_smaller(services: Services) -> None:
    more = answer("2025年北京高职院校专任教师比中职学校专任教师多多少人？", services)
    fewer = answer("2025年北京中职学校专任教师比高职院校专任教师多多少人？", services)
    assert (more.value, fewer.value) == (189, 189)
    assert "答：前者比后者多 189 人" in more.text and "答：前者比后者少 189 人" in fewer.text
    assert check(fewer).grounded


def test_a_computation_missing_an_operand_refuses(services: Services) -> None:
    result = answer("2025年北京中职学校专任教师和海淀区中职学校专任教师一共多少人？", services)
    assert result.refused and result.value is None


def test_a_plus_between_names_adds_them_and_a_spaced_tail_is_shared() -> None:
    query = parse_query("海淀职高 汽车服务+信息服务+文旅服务 专业数 合计")
    assert query.operation == "sum"
    assert [p.measure for p in query.parts] == ["汽车服务 专业数", "信息服务 专业数", "文旅服务 专业数"]


def test_a_plus_word_between_items_adds_them() -> None:
    query = parse_query("海淀23年中职经费里人员经费加公用经费一共多少万啊？")
    assert query.operation == "sum"
    assert [p.measure for p in query.parts] == ["经费中人员经费", "公用经费"]


@pytest.mark.parametrize(
    "question", ["海淀职业学校在新加坡办的两期培训一共多少人天？", "海淀中职学生参加技能大赛一共多少人"]
)
def test_a_plus_inside_a_word_adds_nothing(question: str) -> None:
    assert parse_query(question).operation == "lookup"


@pytest.mark.parametrize("question", ["2022年海淀区通过3+2中高职衔接升学的有多少人", "得B+的专业有几个"])
def test_a_plus_in_a_name_or_a_grade_adds_nothing(question: str) -> None:
    assert parse_query(question).operation == "lookup"


def test_the_count_of_the_items_after_the_last_is_no_part_of_it() -> None:
    parts = parse_query("海淀区A学院贯通培养甲专业和乙专业两个专业的计划人数合计多少？").parts
    assert len(parts) == 2 and not any("两个" in p.measure for p in parts)
    assert parts[1].measure.startswith("乙专业") and parts[1].measure.endswith("计划")


def test_a_bracket_naming_as_many_items_as_its_count_lists_the_operands() -> None:
    parts = parse_query("海淀的两个订单班（甲订单班、乙订单班）一共有多少学生？").parts
    assert [p.measure for p in parts] == ["甲订单班学生", "乙订单班学生"]
    assert parse_query("海淀的三个订单班（甲订单班、乙订单班）一共有多少学生？").operation == "lookup"


def test_a_demonstrative_count_points_back_and_asks_no_unit() -> None:
    query = parse_query("海淀那几个订单班里，甲订单班加上乙订单班一共多少学生？")
    assert query.unit == "人" and all(p.unit == "人" for p in query.parts)


@pytest.mark.parametrize(
    ("question", "part", "whole"),
    [("海淀职高专任老师里专业课老师占多少比例", "专任老师中专业课老师", "专任老师"),
     ("海淀区新增的60个专业里，质量监测结果为B+的占多大比例？", "质量监测结果为B+", "新增60个专业")],
)
def test_a_share_of_what_it_is_picked_from_takes_that_as_its_whole(
    question: str, part: str, whole: str
) -> None:
    query = parse_query(question)
    assert query.operation == "share"
    assert [p.measure for p in query.parts] == [part, whole]


def test_what_a_total_includes_is_no_operand() -> None:
    query = parse_query("包括技工学校和成人中专在内，2018年海淀区中职学校一共招了多少学生？")
    assert query.operation == "lookup" and query.measure.startswith("招生") and "技工" not in query.measure


def test_what_is_left_after_taking_out_a_part_is_a_difference() -> None:
    query = parse_query("海淀区2023年中职学校教职工里，除去专任教师还有多少人？")
    assert query.operation == "difference"
    assert [(p.region, p.years, p.measure) for p in query.parts] == [
        ("海淀区", (2023,), "教职工"), ("海淀区", (2023,), "专任教师")]


def test_the_side_sharing_the_measure_shares_what_it_leaves_out() -> None:
    later, earlier = parse_query("2023年海淀中职招生（不含成人中专）比2022年多了多少人？").parts
    assert "不含成人中专" in later.norm and "不含成人中专" in earlier.norm
    assert parse_query("2020年海淀普高招的学生数是中职的几倍？").parts[0].measure in ("招生", "招生数")


@pytest.mark.parametrize(
    ("question", "part", "whole"),
    [
        ("通州区2022年中职招生，占2020年北京全市中职招生的百分之多少？", ("通州区", (2022,)),
         ("北京市", (2020,))),
        ("大兴区2021年中职专任教师人数，占2024年全市中职专任教师的 percentage 是多少", ("大兴区", (2021,)),
         ("北京市", (2024,))),
        ("通州区中职2023年毕业生占本区中职在校生的比例", ("通州区", (2023,)), ("通州区", (2023,))),
    ],
)
def test_each_side_of_a_share_keeps_the_place_and_year_it_names(
    question: str, part: tuple[str, tuple[int, ...]], whole: tuple[str, tuple[int, ...]]
) -> None:
    query = parse_query(question)
    assert query.operation == "share"
    assert [(p.region, p.years) for p in query.parts] == [part, whole]


def test_a_shares_whole_naming_its_own_place_or_level_is_not_the_parts_kind_of_school() -> None:
    school, city = parse_query("通州职高 2021学年 招生 占 北京2021年中职招生总数 百分比").parts
    assert school.school_type and not city.school_type and city.region == "北京市"
    teachers, staff = parse_query("北京 职业高中 2019 专任教师 占 教职工 比例").parts
    assert teachers.school_type == staff.school_type != ()


@pytest.mark.parametrize(
    "question",
    ["北京全市中职2019年的生师比，比通州区中职2021年的生师比高多少？",
     "2021年北京中职生师比比通州区2021年的生师比高多少"],
)
def test_a_measure_ending_in_bi_is_no_pivot_of_a_comparison(question: str) -> None:
    query = parse_query(question)
    assert query.operation == "difference"
    assert [p.region for p in query.parts] == ["北京市", "通州区"]
    assert all(p.measure.endswith("生师比") for p in query.parts)


def test_a_comparisons_side_naming_only_another_rank_is_the_same_prizes_at_that_rank() -> None:
    first, third = parse_query("2021年通州区职业院校技能大赛，中职组一等奖比三等奖多几个？").parts
    assert first.measure.endswith("一等奖") and third.measure == first.measure.replace("一等", "三等")
