"""Follow-ups resolved against the slots of earlier turns (no index needed)."""

from __future__ import annotations

import pytest

from rag.conversation import comparison, context_and_ask, earlier_queries, operation_over_earlier, resolve

ENROLLED = "2022年昌平区中职学校招生多少人？"


@pytest.mark.parametrize(
    ("turns", "kind", "region", "years", "level", "measure"),
    [
        ([ENROLLED, "那毕业生呢？"], "measure", "昌平区", (2022,), "中职", "毕业生"),
        ([ENROLLED, "朝阳区呢？"], "region", "朝阳区", (2022,), "中职", "招生"),
        ([ENROLLED, "2021年呢？"], "year", "昌平区", (2021,), "中职", "招生"),
        ([ENROLLED, "前一年呢？"], "year", "昌平区", (2021,), "中职", "招生"),
        ([ENROLLED, "再往前一年呢？"], "year", "昌平区", (2021,), "中职", "招生"),
        ([ENROLLED, "那么前年呢？"], "year", "昌平区", (2020,), "中职", "招生"),
        ([ENROLLED, "换成高职呢？"], "level", "昌平区", (2022,), "高职", "招生"),
        (["2025年北京中职毕业生有多少人？", "高职呢？"], "level", "北京市", (2025,), "高职", "毕业生"),
        (["2023年海淀区中职毕业生有多少人？", "高职院校那边呢？"], "level", "海淀区", (2023,), "高职",
         "毕业生"),
        ([ENROLLED, "退回到2020年呢？"], "year", "昌平区", (2020,), "中职", "招生"),
        (["2023年东城区中职生均教育事业费支出是多少元？", "最早有数据的2018年是多少？"], "year", "东城区",
         (2018,), "中职", "生均教育事业费支出"),
        # the same change at another level, in whichever direction it went there
        (["2023年海淀区中职双师型教师占比提升了多少个百分点？", "换成高职看看，变了多少？"], "level",
         "海淀区", (2023,), "高职", "双师型教师占比变化"),
        ([ENROLLED, "2024年东城区中职学校毕业生有多少人？"], "fresh", "东城区", (2024,), "中职", "毕业生"),
        ([ENROLLED, "那毕业生呢？", "朝阳区呢？"], "region", "朝阳区", (2022,), "中职", "毕业生"),
        (["2021年朝阳区中职学校招生多少人？", "昌平区的毕业生呢？"], "measure", "昌平区", (2021,), "中职",
         "毕业生"),
        ([ENROLLED, "那朝阳区的在校生呢？"], "measure", "朝阳区", (2022,), "中职", "在校生"),
        ([ENROLLED, "其中贯通培养多少人？"], "measure", "昌平区", (2022,), "中职", "招生中贯通培养"),
        (["2022年海淀区中职学校双师型教师有多少人？", "占比呢？"], "measure", "海淀区", (2022,), "中职",
         "双师型教师占比"),
        (["2022年昌平区中职学校教职工总数多少人？", "少林武校呢？"], "school", "昌平区", (2022,), "",
         "教职工"),
        (["2021年朝阳区中职学校招生多少人？", "那劲松职业高中呢？"], "school", "朝阳区", (2021,), "中职",
         "招生"),
        (["2021年朝阳区中职学校招生多少人？", "职业高中呢？"], "level", "朝阳区", (2021,), "中职", "招生"),
        # a new measure of the school or centre named before is that one's
        (["2022年北京市昌平职业学校有多少专任教师？", "那兼职教师呢？"], "measure", "北京市", (2022,), "",
         "昌平职业学校兼职教师"),
        (["2025年北京市智慧金融产教融合实践中心完成多少人次学生实训？", "那社会培训呢？"], "measure",
         "北京市", (2025,), "", "智慧金融产教融合实践中心社会培训"),
        (["2025年北京各类职业学校招生多少人？", "那毕业生呢？"], "measure", "北京市", (2025,), "", "毕业生"),
        # said aloud: the year moved to, looked at, or one earlier
        ([ENROLLED, "换成2020年看看？"], "year", "昌平区", (2020,), "中职", "招生"),
        ([ENROLLED, "往前推到2019年是多少？"], "year", "昌平区", (2019,), "中职", "招生"),
        ([ENROLLED, "再早一年呢？"], "year", "昌平区", (2021,), "中职", "招生"),
        # a part of what was asked, and a sibling asked as a share like the one before
        (["2022年海淀区中职学校校舍面积多少平方米？", "那其中教学用房的呢？"], "measure", "海淀区", (2022,),
         "中职", "校舍面积中教学用房"),
        (["2022年海淀区中职副高级职称教师占多大比重？", "那初级的呢？"], "measure", "海淀区", (2022,), "中职",
         "初级占比"),
        # the subject restated with another region and year: the same question of them, at the whole level
        (["朝阳区职高2021年有多少毕业生升入本科院校？", "昌平区2022年的中职毕业生呢？"], "year", "昌平区",
         (2022,), "中职", "毕业生升入本科院校"),
    ],
)
def test_follow_ups_fill_in_the_slots_they_leave_out(
    turns: list[str], kind: str, region: str, years: tuple[int, ...], level: str, measure: str
) -> None:
    resolved = resolve(turns[-1], earlier_queries(turns[:-1]))
    query = resolved.query
    assert resolved.kind == kind
    assert (query.region, query.years, query.level) == (region, years, level)
    assert measure in query.measure


@pytest.mark.parametrize(
    ("text", "operation", "years"),
    [("那2019年和2020年一共多少？", "sum", (2019, 2020)),
     ("2020、2021年相差多少？", "difference", (2020, 2021)),
     ("那2018、2019和2020年加起来呢？", "sum", (2018, 2019, 2020))],
)
def test_a_follow_up_naming_several_years_asks_the_measure_over_them(
    text: str, operation: str, years: tuple[int, ...]
) -> None:
    query = resolve(text, earlier_queries([ENROLLED])).query
    assert query.operation == operation
    assert [(p.region, p.years, p.measure) for p in query.parts] == [("昌平区", (y,), "招生") for y in years]


def test_a_follow_up_keeps_asking_the_way_the_previous_turn_asked() -> None:
    query = resolve("那毕业生呢？", earlier_queries([ENROLLED])).query
    assert query.unit == "人"
    earlier = earlier_queries(["昌平区中职学校是怎么开展校企合作的？"])
    passage = resolve("朝阳区呢？", earlier).query
    assert passage.region == "朝阳区" and "校企合作" in passage.measure


@pytest.mark.parametrize(
    ("text", "expected"),
    [("两者相差多少？", "both"), ("比上一年多了多少？", "previous_year"),
     ("比去年少了多少人？", "previous_year"), ("它们加起来是多少？", "both"), ("这两个数一共多少？", "both"),
     ("前者是后者的几倍？", "both"), ("比上年增长了百分之几？", "previous_year"),
     ("增长了百分之几？", "change"), ("减少了多少人？", "change"), ("两年加起来呢？", "both"),
     ("那毕业生呢？", None)],
)
def test_comparisons_over_earlier_answers(text: str, expected: str | None) -> None:
    assert comparison(text) == expected
    if expected:
        assert resolve(text, earlier_queries([ENROLLED])).kind == "computed"


@pytest.mark.parametrize(
    ("text", "operation"),
    [("两者相差多少？", "difference"), ("它们加起来一共多少？", "sum"), ("两者合计多少人？", "sum"),
     ("前者是后者的几倍？", "ratio"), ("比上年增长了百分之几？", "growth"),
     ("比上一年多了多少？", "difference")],
)
def test_what_a_computation_over_earlier_answers_computes(text: str, operation: str) -> None:
    assert operation_over_earlier(text) == operation


def test_a_change_with_a_measure_of_its_own_is_a_new_question() -> None:
    resolved = resolve("那毕业生减少了多少人？", earlier_queries([ENROLLED]))
    assert resolved.kind == "measure" and "毕业生" in resolved.query.measure


def test_a_full_comparison_question_is_not_a_follow_up() -> None:
    resolved = resolve("2022年昌平区中职招生比上一年减少了多少人？", earlier_queries([ENROLLED]))
    assert resolved.kind == "fresh" and resolved.query.operation == "difference"


def test_a_new_measure_after_a_change_asks_for_its_change() -> None:
    query = resolve("那专任教师呢？", earlier_queries(["2025年北京中职招生比上一年减少了多少人？"])).query
    assert query.operation == "difference" and "专任教师" in query.measure and "比上一年" in query.norm


def test_a_school_pointed_at_but_not_named_is_not_a_school_follow_up() -> None:
    assert resolve("那个学校呢？", earlier_queries([ENROLLED])).kind != "school"


def test_without_history_every_question_is_fresh() -> None:
    assert resolve(ENROLLED, []).kind == "fresh"


def test_a_follow_up_naming_the_level_leaves_the_kind_of_school_before() -> None:
    turns = ["朝阳区职高2021年有多少毕业生升入本科院校？", "昌平区2022年的中职毕业生呢？"]
    query = resolve(turns[-1], earlier_queries(turns[:-1])).query
    assert (query.school_type, "职高" in query.norm) == ((), False)


def test_a_long_question_splits_into_its_context_and_its_asking_clause() -> None:
    question = "商业学校2025年贯通计划里，两个专业都对接北京物资学院，云财务会计专业计划招多少人？"
    assert context_and_ask(f"{question}（学前教育不算）") == (
        "商业学校2025年贯通计划里，两个专业都对接北京物资学院，",
        "云财务会计专业计划招多少人？（学前教育不算）",
    )


@pytest.mark.parametrize(
    "question",
    [
        "2022年昌平区中职学校招生多少人？",  # one clause
        "不算高职，2020年北京参与X证书试点的中职学校有多少所？",  # a condition stays with the question
        "按生均计算，2020年北京市中职学校的占地面积为多少平方米？",
        "昌平区的对口就业率：2022年的数，比北京市2020年的高几个百分点？",  # a comparison's other side
        "生均纸质图书，东城区中职2024年是多少册？",  # the asking clause names no measure of its own
    ],
)
def test_questions_that_are_no_context_and_ask(question: str) -> None:
    assert context_and_ask(question) is None
