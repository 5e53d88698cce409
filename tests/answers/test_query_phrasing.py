"""Colloquial, terse and paraphrased questions: the measure keeps only what is asked, and the
expected unit is the one the question's words name. Phrasings are made up, one class per test."""

from __future__ import annotations

import pytest

from rag.numbers import split_multiplier
from rag.query import levels_in, parse_query


@pytest.mark.parametrize(
    "question",
    [
        "麻烦帮我查一下海淀区2023年中职学校招生多少人",
        "给我看下2023年海淀区中职学校招生多少人",
        "能不能告诉我2023年海淀区中职学校招生多少人？",
        "我想了解一下海淀区2023年中职学校招生多少人",
        "想知道海淀区中职学校2023年招生多少人",
        "请问海淀区2023年中职学校招生多少人？",
        "想核对一下海淀区2023年中职学校招生多少人",
        "我想补一下2023年海淀区中职学校招生多少人",
        "海淀区2023年中职学校招生多少人？（要招生数，不要在校生）",
    ],
)
def test_request_and_wish_frames_leave_the_measure(question: str) -> None:
    query = parse_query(question)
    assert (query.measure, query.unit, query.years) == ("招生", "人", (2023,))


@pytest.mark.parametrize(
    "question",
    [
        "丰台区中职2019年的毕业生就业率大概多少？",
        "丰台区中职2019年的毕业生就业率差不多是多少",
        "丰台区中职2019年的毕业生就业率多少来着？",
        "丰台区中职2019年的毕业生就业率是多少呢",
        "丰台区中职2019年毕业生就业率多少啊？",
        "丰台区中职2019年的毕业生就业率是多少呀",
    ],
)
def test_hedges_and_trailing_particles_leave_the_measure(question: str) -> None:
    query = parse_query(question)
    assert (query.measure, query.unit) == ("毕业生就业率", "%")


def test_a_particle_inside_a_word_stays() -> None:
    assert "吧台" in parse_query("2023年海淀区中职学校吧台有多少个？").measure


@pytest.mark.parametrize(
    ("question", "measure"),
    [
        ("海淀区中职学校的图书馆面积多大？", "图书馆面积"),
        ("海淀区中职教师平均年龄多大", "教师平均年龄"),
        ("海淀区那三所中职学校的实训室有多少间？", "实训室"),
        ("海淀区那批新增专业有几个？", "新增专业"),
        ("海淀区2023年报告提到，中职学校开设的社团有多少个？", "开设社团"),
        ("海淀区中职学校2023年横向经费到账金额是多少", "横向经费到账"),  # the unit says 金额
    ],
)
def test_size_asks_demonstratives_and_reporting_verbs_leave_the_measure(question: str, measure: str) -> None:
    assert parse_query(question).measure == measure


@pytest.mark.parametrize(
    ("question", "measure", "unit"),
    [
        ("海淀 中职 电子图书 2023年 册数", "电子图书", "册"),
        ("海淀 中职 教学用计算机 台数 2023", "教学用计算机", "台"),
        ("海淀 中职 2023年 合作企业 个数", "合作企业", "个"),
        ("海淀 2023 教师 发表论文 篇数", "教师 发表论文", "篇"),
        ("海淀区中职学校2023年的获奖件数是多少", "获奖", "件"),
    ],
)
def test_a_count_word_names_the_unit_and_leaves_the_measure(question: str, measure: str, unit: str) -> None:
    query = parse_query(question)
    assert (query.measure, query.unit) == (measure, unit)


def test_words_that_only_look_like_count_words_stay() -> None:
    assert parse_query("海淀区中职2023年社会培训人次数是多少").unit == "人次"
    query = parse_query("海淀区中职学校有多少个数字化教室？")
    assert (query.measure, query.unit) == ("数字化教室", "个")


@pytest.mark.parametrize(
    "question",
    [
        "海淀区2023年中职学校招了几个人？",
        "海淀区中职2023年兼职教师有几个？",
        "海淀区中职2023年专任老师里高级职称的有几个",
        "海淀区中职专任教师中有硕士学位的有多少（2023年）",
        "海淀区2023年派了多少骨干教师去支教",
        "海淀区中职2023年的培训班有几个学员",
        "海淀区中职 35到39岁的专任老师 2023年 有几个",
    ],
)
def test_asks_counting_people_expect_persons(question: str) -> None:
    assert parse_query(question).unit == "人"


@pytest.mark.parametrize(
    ("question", "unit"),
    [
        ("海淀区中职学校有多少个学生社团？", "个"),
        ("海淀区中职学生参加的比赛有几个？", "个"),
        ("海淀区中职毕业生有多少万人？", "万人"),
    ],
)
def test_other_counts_near_people_keep_their_unit(question: str, unit: str) -> None:
    assert parse_query(question).unit == unit


@pytest.mark.parametrize(
    ("question", "unit"),
    [
        ("海淀区中职学校的校舍面积有多少平米？", "平方米"),
        ("海淀区中职学校的操场有多少平方？", "平方米"),
        ("海淀区2023年给中职学校拨了多少钱？", "元"),
        ("海淀区中职学生体测优秀率是百分之几", "%"),
    ],
)
def test_colloquial_units(question: str, unit: str) -> None:
    assert parse_query(question).unit == unit


def test_a_unit_is_compared_in_one_spelling() -> None:
    assert split_multiplier("m²") == split_multiplier("m ² ") == split_multiplier("㎡") == (1, "平方米")
    assert split_multiplier("万m²") == (10000.0, "平方米")
    assert split_multiplier("万人") == (10000.0, "人")


@pytest.mark.parametrize(
    ("question", "years"),
    [
        ("二〇一九年海淀区中职学校招生多少人？", (2019,)),
        ("二零二一年海淀区中职学校招生多少人？", (2021,)),
        ("海淀区19—21年新增的专业有几个", (2019, 2021)),
        ("海淀区19到21年新增的专业有几个", (2019, 2021)),
    ],
)
def test_years_in_chinese_digits_and_short_ranges(question: str, years: tuple[int, ...]) -> None:
    query = parse_query(question)
    assert query.years == years
    assert not any(ch in query.measure for ch in "〇零一二九-")


def test_a_year_range_leaves_no_trace_in_the_measure() -> None:
    assert parse_query("海淀区中职在校生从2019年到2021年少了多少人？").measure == "在校生少"
    assert parse_query("海淀区2019—2021年新增专业有几个").measure == "新增专业"


@pytest.mark.parametrize(
    ("question", "measure"),
    [
        ("2023年海淀区技工学校招了多少新生？", "技工学校招生"),
        ("2023年海淀区中职学校平均每个学生有多少台计算机", "生均计算机"),
        ("2023年海淀区中职学校每生平均有多少册图书", "生均图书"),
        ("海淀区中职专任老师里女老师有多少人（2023年）", "专任老师中女老师"),
    ],
)
def test_spoken_paraphrases_are_written_as_reports_write_them(question: str, measure: str) -> None:
    assert parse_query(question).measure == measure


@pytest.mark.parametrize(
    "question",
    ["海淀区中职体测优秀率是百分之几", "海淀区中职学生体测优秀率百分之多少？", "海淀区中职体测优秀率多少%"],
)
def test_a_percentage_ask_expects_percent_and_leaves_the_measure(question: str) -> None:
    query = parse_query(question)
    assert (query.measure, query.unit) == ("体测优秀率", "%")


@pytest.mark.parametrize(
    ("question", "measure"),
    [("海淀 2023 实训平台数", "实训平台数"), ("海淀 2023 校外实践教学场所数", "校外实践教学场所数")],
)
def test_a_noun_ending_in_a_counter_keeps_its_count(question: str, measure: str) -> None:
    query = parse_query(question)
    assert (query.measure, query.unit) == (measure, "")


@pytest.mark.parametrize(
    ("question", "measure"),
    [
        ("海淀中职学校的电子图书现在还剩多少册？", "电子图书"),
        ("海淀区职高里对接科技服务产业的专业开了几个？", "对接科技服务产业专业"),
        ("海淀区中职学校专任教师比上年减了多少", "专任教师比上年减"),
        ("海淀区中职学校2023年有多少学生参赛", "学生参赛"),
    ],
)
def test_a_predicate_after_the_noun_is_no_part_of_the_measure(
    question: str, measure: str
) -> None:
    assert parse_query(question).measure == measure


@pytest.mark.parametrize(
    ("question", "measure", "unit"),
    [
        ("海淀区职业高中实训基地的教学设备数（以台计）为多少？", "实训基地教学设备数", "台"),
        ("海淀区中职学校图书（单位：册）有多少", "图书", "册"),
        ("2023年海淀区中职招生人数为多少", "招生", "人"),
    ],
)
def test_a_unit_named_in_brackets_is_the_asked_unit_and_a_closing_wei_is_no_measure(
    question: str, measure: str, unit: str
) -> None:
    query = parse_query(question)
    assert (query.measure, query.unit) == (measure, unit)


@pytest.mark.parametrize(
    ("question", "measure"),
    [
        ("海淀区的职业高中在2021年拥有多少名专任老师？", "专任老师"),
        ("海淀区平均每名中职学生的公用经费有多少钱？", "生均公用经费"),
        ("海淀中职平均每个学生摊到几台计算机啊？", "生均计算机"),
        ("海淀区高职毕业生的就业率，如果只统计民办院校，能达到多少？", "毕业生就业率院校"),
        ("就学历结构而言，2021年海淀区中职硕士学位教师所占比重为多少？", "硕士学位教师所占比重"),
    ],
)
def test_possession_a_preposition_before_the_year_and_conditions_are_no_part_of_the_measure(
    question: str, measure: str
) -> None:
    assert parse_query(question).measure == measure


def test_a_trailing_particle_does_not_hide_a_count_of_people() -> None:
    assert parse_query("海淀区中职有高级职称的老师有几个啊？").unit == "人"


@pytest.mark.parametrize(
    "question",
    [
        "2021年海淀区中职学校（技校除外）的在校生有多少人？",
        "2021年海淀区中职学校（技工学校不算在内）的在校生有多少人？",
        "技工学校除外，2021年海淀区中职学校的在校生有多少人？",
        "2021年海淀区中职学校在校生，技工学校不计入的口径是多少人？",
        "2021年海淀区中职学校的在校生有多少人？（技工学校那部分不算）",
    ],
)
def test_a_group_left_out_after_it_is_named_is_left_out(question: str) -> None:
    query = parse_query(question)
    assert "不含技工学校" in query.norm and query.measure == "在校生"


def test_only_the_school_type_named_is_asked_when_the_others_are_left_out() -> None:
    query = parse_query("只看普通中专（职高、成人中专、技校都不算），2021年海淀在校生有多少人？")
    assert (query.measure, query.school_type) == ("普通在校生", ("普通中专",))


@pytest.mark.parametrize(
    ("question", "measure", "unit"),
    [
        ("海淀 中职 graduates 2023 多少人", "毕业生", "人"),
        ("海淀中职 Fixed Assets 2023 是多少万元", "固定资产", "万元"),
        ("2023 海淀 full-time teachers total", "专任教师", ""),
    ],
)
def test_english_terms_read_as_the_reports_chinese(question: str, measure: str, unit: str) -> None:
    query = parse_query(question)
    assert (query.measure.strip(), query.unit) == (measure, unit)


def test_names_in_latin_letters_stay() -> None:
    assert "HND" in parse_query("海淀 HND 项目毕业生 vs TAFE 项目").norm
    assert "和" in parse_query("海淀 HND 项目毕业生 vs TAFE 项目").norm


def test_zhong_after_a_group_of_people_marks_the_group() -> None:
    # 「教师中正高级」 is not the word 中正: the asked words stay whole
    assert parse_query("海淀区中职专任教师中正高级职称的占比是多少？").measure == "专任教师中 正高级职称占比"


@pytest.mark.parametrize("fell", ["掉了", "跌了", "缩水了", "下滑了"])
def test_a_fall_said_colloquially_asks_a_change_between_the_years(fell: str) -> None:
    query = parse_query(f"海淀中职招生2023年比2022年{fell}百分之几？")
    assert (query.operation, [part.years for part in query.parts]) == ("growth", [(2022,), (2023,)])


def test_a_degree_is_not_a_school_level() -> None:
    query = parse_query("海淀中职学校的老师里专科学历的有多少人？")
    assert (query.level, query.measure.endswith("专科学历")) == ("中职", True)
    assert levels_in("专科及以上学历教师") == set()
    assert levels_in("毕业生升入专科") == {"高职"}


@pytest.mark.parametrize(
    ("question", "unit"),
    [
        ("2025年北京中职学校本科及以上学历的占比提升了多少？", "个百分点"),
        ("海淀中职就业率比上年提高了多少？", "个百分点"),
        ("海淀中职招生增长率是多少？", "%"),
        ("海淀中职升学率下降了多少%？", "%"),
    ],
)
def test_a_rates_change_is_asked_in_percentage_points(question: str, unit: str) -> None:
    assert parse_query(question).unit == unit


def test_teams_and_rounds_are_units_asked_but_words_opening_with_them_are_not() -> None:
    assert parse_query("2025年北京市职业院校技能大赛一共有多少支参赛队？").unit == "支"
    assert parse_query("2020年TAFE项目一共办了多少期培训？").unit == "期"
    assert parse_query("有多少支教老师？").unit != "支"


@pytest.mark.parametrize(
    "question",
    ["不算职高、成人中专和技校，只看普通中专，2023年海淀的专任教师有多少人？",
     "2023年海淀区，不含职高和技校，普通中专专任教师多少人"],
)
def test_a_clause_leaving_groups_out_is_no_part_of_the_measure(question: str) -> None:
    query = parse_query(question)
    assert query.measure.endswith("专任教师") and not any(w in query.measure for w in ("成人", "技工", "和"))
    assert query.school_type and query.school_type[0] == "普通中专"


def test_a_cohort_is_what_is_counted_not_an_asked_year() -> None:
    query = parse_query("海淀职校园林专业19级毕业生，升学的有几个？")
    assert "2019级" in query.measure and query.years == ()
    assert query.unit == "人"  # 几个 after the people it counts
