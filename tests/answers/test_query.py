from __future__ import annotations

import pytest

from rag.query import parse_query, with_context


@pytest.mark.parametrize(
    ("question", "region", "unknown"),
    [
        ("2022年昌平区中职学校招生多少人？", "昌平区", False),
        ("北京高职院校2025年毕业生多少人？", "北京市", False),
        ("2024年海淀区中职招生多少人？", "海淀区", False),
        ("2025年北京市丰台区中等职业学校招了多少学生？", "丰台区", False),
        ("2023年上海市中职招生多少人？", "", True),
        ("2023年北京市中职学校录取了多少河北学生？", "北京市", False),  # where students come from
        ("2023年河北中职招生多少人？", "", True),
    ],
)
def test_region(question: str, region: str, unknown: bool) -> None:
    query = parse_query(question)
    assert (query.region, query.unknown_region) == (region, unknown)


def test_years_and_report_year() -> None:
    assert parse_query("2020-2021学年度朝阳区职业高中招生规模是多少人？").years == (2020, 2021)
    query = parse_query("昌平区2023年度质量报告中，高中阶段招生职普比是多少？")
    assert (query.report_year, query.years) == (2023, ())
    assert "报告" not in query.measure


def test_a_report_called_an_annual_report_names_its_year() -> None:
    query = parse_query("据海淀区2020年中职质量年报，2019年海淀区中职招生人数为多少？")
    assert (query.report_year, query.years) == (2020, (2019,))


@pytest.mark.parametrize(
    ("question", "years"),
    [("海淀中职一九年的生均经费是多少元？", (2019,)), ("海淀区二二年中职招生多少人", (2022,)),
     ("海淀区近两三年中职招生多少人", ()), ("海淀区中职一二年级学生多少人", ())],
)
def test_a_year_written_as_two_chinese_digits(question: str, years: tuple[int, ...]) -> None:
    assert parse_query(question).years == years


@pytest.mark.parametrize(
    ("question", "level"),
    [
        ("2025年北京中职新增了多少个专业？", "中职"),
        ("2025年北京高职毕业生约有多少万人？", "高职"),
        ("2025年北京全日制职业本科招生多少人？", "本科"),
        ("东城区2024年普通高中一共招了多少学生？", "普高"),
        ("2025年北京一共有多少所招生的职业学校？", ""),
    ],
)
def test_level(question: str, level: str) -> None:
    assert parse_query(question).level == level


@pytest.mark.parametrize(
    ("question", "measure"),
    [
        ("北京高职 国外办学项目 在校生数 2025", "国外办学项目 在校生"),
        ("电气工程学校的专任教师数为多少？", "电气工程学校专任教师"),
        ("海淀职高2022-2023学年毕业的学生有多少", "毕业生"),
    ],
)
def test_a_count_of_people_is_the_people_counted_in_ren(question: str, measure: str) -> None:
    query = parse_query(question)
    assert (query.measure, query.unit) == (measure, "人")


def test_what_the_question_leaves_out_is_no_part_of_its_measure() -> None:
    query = parse_query("2020年北京中职学校不算技工学校的话，教职员工一共有多少人？")
    assert (query.measure, query.unit) == ("教职员工", "人")
    assert parse_query("两期课程培训一共多少人天？").unit == "人天"


@pytest.mark.parametrize(
    ("question", "unit"),
    [
        ("昌平 公办中职 特高校建设项目 资金总额 2021", "元"),
        ("昌平22年中职人员经费和公用经费一共多少万？", "元"),
        ("2025年北京职业院校纸质图书一共有多少万册？", "万册"),  # not 元
        ("2025年北京高职院校经费总收入增幅是多少？", "%"),  # a rise's rate, not 元
        ("北京是如何构建职业教育差异化拨款新机制的？", ""),
    ],
)
def test_an_amount_of_money_is_asked_in_yuan(question: str, unit: str) -> None:
    assert parse_query(question).unit == unit


def test_what_spans_both_levels_names_neither() -> None:
    query = parse_query("全市累计设立了多少个中高职衔接项目？")
    assert (query.level, query.measure) == ("", "全市累计设立中高职衔接项目")


@pytest.mark.parametrize(
    ("question", "unit"),
    [
        ("2022年昌平区中职学校招生多少人？", "人"),
        ("2025年北京高职毕业生约有多少万人？", "万人"),
        ("东城区中职学校2024年的固定资产值是多少万元？", "万元"),
        ("北京高职院校2025年应届毕业生的就业去向落实率是多少？", "%"),
        ("2024年东城区普高招生人数是中职招生人数的几倍？", "倍"),
        ("2020年北京市中等职业学校共有多少名专任教师？", "人"),
        # 个 counting people by what they do, and 个 counting things they do
        ("2024年毕业生中，有几个升入本科院校？", "人"),
        ("2024年学生参加了几个比赛？", "个"),
    ],
)
def test_expected_unit(question: str, unit: str) -> None:
    assert parse_query(question).unit == unit


def test_difference_operands_inherit_the_measure() -> None:
    query = parse_query("2025年北京高职院校的校企合作企业总数比2024年增加了多少个？")
    assert query.operation == "difference"
    left, right = query.parts
    assert (left.years, right.years) == ((2025,), (2024,))
    assert left.measure == right.measure == "校企合作企业总数"


def test_cross_report_operands_keep_their_regions() -> None:
    query = parse_query("2022年昌平区中职招生人数是2024年东城区中职招生人数的多少倍？")
    assert query.operation == "ratio"
    assert [(p.region, p.years) for p in query.parts] == [("昌平区", (2022,)), ("东城区", (2024,))]


def test_sum_share_growth_and_list() -> None:
    total = parse_query("2025年北京中专学校和职业高中加起来一共招了多少学生？")
    assert total.operation == "sum"
    assert ["中专" in total.parts[0].measure, "职业高中" in total.parts[1].measure] == [True, True]
    share = parse_query("2022年昌平区中等职业教育经费投入中，公用经费占总额的比例是多少？")
    assert share.operation == "share"
    assert share.parts[0].measure == "公用经费"
    assert parse_query("2015年到2020年，北京市中职在校生总数下降了百分之多少？").operation == "growth"
    assert parse_query("2022年昌平区有哪两所区属中等职业学校？").is_list


def test_follow_up_swaps_the_region() -> None:
    first = parse_query("2022年昌平区中职学校招生多少人？")
    follow = with_context(parse_query("那朝阳区呢？"), first)
    assert (follow.region, follow.years, follow.measure) == ("朝阳区", (2022,), first.measure)


def test_previous_year_operand() -> None:
    query = parse_query("2022年昌平区中职招生比上一年减少了多少人？")
    assert query.operation == "difference"
    assert [p.years for p in query.parts] == [(2022,), (2021,)]


def test_growth_against_a_named_base_year() -> None:
    query = parse_query("2022年昌平区中职招生人数比2021年下降了百分之多少？")
    assert query.operation == "growth"
    base, later = query.parts
    assert (base.years, later.years) == ((2021,), (2022,))


def test_a_school_named_after_a_district_is_not_the_district() -> None:
    assert parse_query("2025年北京市昌平职业学校有几部教材入选？").region == "北京市"
    assert parse_query("2022年昌平中职招生多少人？").region == "昌平区"
    # A full district name inside a school's official name, after the city's (the city's reports
    # name such schools); a generic 「北京市X区中职学校」 still asks for the district.
    assert parse_query("北京市房山区城关职业技术学校2020年有哪些专业入选？").region == "北京市"
    assert parse_query("北京市大兴区第一职业学校有几个专业群？").region == "北京市"
    assert parse_query("北京市东城区中职学校专任教师多少人？").region == "东城区"
    assert parse_query("北京市昌平区公办中等职业学校教职工多少人？").region == "昌平区"


@pytest.mark.parametrize(
    ("question", "is_list"),
    [
        ("东城区哪两门课程获得了学分认证？", True),  # 哪 + a number + any measure word
        ("朝阳区有哪三本教材入选？", True),
        ("朝阳 职高 合作企业 名称", True),  # a terse ask for names
        ("丰台区职教中心的工程师学院叫什么？", True),
        ("昌平区哪一年招生最多？", False),  # one year is asked, not a list
        ("朝阳区专业名称数量是多少？", False),
    ],
)
def test_list_questions(question: str, is_list: bool) -> None:
    assert parse_query(question).is_list is is_list


def test_a_grade_band_spelled_out_in_brackets_is_one_lookup_of_the_band() -> None:
    query = parse_query("2023年海淀区专业评估里，B档（B+、B、B-）合计占比是多少？")
    assert query.operation == "lookup"
    assert {"B+", "B", "B-"} <= set(query.measure.split())


def test_how_large_a_share_asks_a_share_without_its_question_words() -> None:
    query = parse_query("2023年海淀区专业评估中，结果为C-的专业占多大比例？")
    assert query.unit == "%" and "多大" not in query.measure


def test_dangzhong_is_no_part_of_the_measure() -> None:
    query = parse_query("2020年北京市中职学校专任教师当中，正高级职称的占比是多少？")
    assert query.measure == "专任教师正高级职称占比"


def test_a_title_after_the_level_is_no_kind_of_school() -> None:
    assert parse_query("海淀区2023年中职高级教师多少人").school_type == ()
    assert parse_query("2020年北京职高在校生多少人").school_type == ("职业高中", "职高")
