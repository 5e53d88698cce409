"""What a number in prose is of when its own clause does not say: a change or share clause
(「较上一年减少…」, 「占比…」) measures the clause before it, an item of a 和-list owns only its
item, a part after 其中 whose words are not asked is not the asked whole, and a change in the
other direction answers nothing. The report is made up for these tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from corpora import written

from rag.answering import answer
from rag.frames import clause, quantities
from rag.query import expected_unit, included, parse_query
from rag.services import Services

REPORT = "\n".join((
    "北京市海淀区职业教育质量年度报告（2024）",
    "一、办学条件",
    "2023年，海淀区中职学校占地面积为 300.50 万平方米，较上一年减少 9.10 万平方米；"
    "建筑面积为 180.20 万平方米（其中教学、训练用房建筑面积 70.30 万平方米）"
    "，较上一年减少 3.30 万平方米。",
    "2023年，海淀区职业院校纸质图书资源量为 120.50 万册，较上一年度减少 8.20 万册；"
    "折合数字资源量为 600.10 万册，较上一年增加 50.60 万册。",
    "二、师资队伍",
    "2023年，海淀区职业院校具有高级职称的教师 1500 人。其中，高职院校高级职称教师 900 人，"
    "占比 40.10%；中职学校高级职称教师 600 人，占比为 35.20%。",
    "2023年，海淀区高职院校专任教师 2244 人，中职学校专任教师 1704 人。",
    "其中，高职院校“双师型”教师占比 62.80%，下降 0.60 个百分点；"
    "中职学校“双师型”教师占比 36.70%，提升 3.30 个百分点。",
    "2023年，海淀区建立 20 个企业实践基地和 4 个中职校企合作的“双师型”培养培训基地。",
    "学校党员积极参加义务献血活动，全校共 25 名教师献出鲜血，其中 9 名献血者为共产党员。",
    "2023年，海淀区公办中等职业学校共有教职工313人（不含附设中职），其中专任教师258人，占比82.4%。",
    "在全国职业院校技能大赛教学能力比赛中，海淀区中职参赛队获奖 9 项，一等奖 1 项。",
    "海淀区中职学校参加北京市级职业院校技能大赛教学能力比赛，中职组获一等奖 35 项。",
    "三、招生与毕业",
    "2023年，海淀区职业院校来华留学生招生人数创新高，突破300人，同比增长12.50%。",
    "2023年，海淀区高职院校招生总数为 2.00 万人，（其中，全日制职业本科招生 500 人，"
    "全日制专科招生 1.95 万人）。",
    "2023年，海淀区中职学校毕业生共 500 人。"
    "中职毕业生升学人数包括通过贯通培养方式升学 120 人和 3+2 中高职衔接升学 260 人。",
    "国际合作办学项目毕业生取得英语4级证书、雅思证书。",
    "2023年，海淀区中职学生参加证书考核人数共计 800 人次，考试通过人数 600 人次，总通过率为 75.00%。",
    "四、经费与条件",
    "2023 年，海淀区中等职业教育生均一般公共预算教育经费达到 60000.00 元，较 2022年增长 10.00%；"
    "生均一般公共预算教育事业费支出达到 50000.00元，较 2022年增长 12.00%。",
    "2023 年，海淀区中等职业学校生均固定资产价值、生均仪器设备价值较 2022 年分别增长了 6.00%、7.00%。",
    "表 2-1 海淀区中等职业学校毕业生数量（单位：人）",
    "类别\t2022年\t2023年",
    "普通中专（人）\t300\t320",
    "职业高中（人）\t150\t180",
    "小计\t450\t500",
    "表 1-5 海淀区中职专任教师年龄结构",
    "年龄\t2022年\t2023年",
    "35-39岁\t40\t42",
    "40-44岁\t30\t36",
    "45-49岁\t60\t74",
    "表 3-1 海淀区专业质量监测结果",
    "等级\t数量\t占比",
    "A\t5\t25%",
    "B\t15\t75%",
    "合计\t20\t100%",
    "表 1-6 海淀区中职专任教师学历结构",
    "学历\t2022年\t2023年",
    "本科\t610\t640",
    "专科\t50\t40",
    "表 2-5 海淀区贯通培养项目招生计划表",
    "序号\t学校名称\t拟招生专业名称\t计划人数",
    "1\t北京市青松职业学校\t园艺技术\t45",
    "2\t北京市青松职业学校\t动物医学 (宠物医师)\t75",
    "3\t北京市青松职业学校\t工程造价\t45",
    "4\t北京市白杨职业学校\t工程造价\t30",
    "",
))


@pytest.fixture(scope="module")
def haidian(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    with written(tmp_path_factory.mktemp("subjects"), {"haidian-zhiye-2024.txt": REPORT}) as services:
        yield services


@pytest.mark.integration
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("2023 海淀中职 建筑面积 比上年 减少了多少万平方米", 3.30),  # not 占地面积's 9.10
        ("2023年海淀职业院校纸质图书比上一年少了多少万册？", 8.20),  # not the rise of 数字资源
        ("2023年海淀区3+2中高职衔接升学多少人", 260),  # the item after 和 owns its number
        ("2023年海淀区贯通培养升学的有多少人", 120),
        ("海淀区献血的老师有多少名？", 25),  # the whole, not the 党员 among them
        ("2023年海淀职业院校来华留学生招生人数同比增长多少？", 12.50),  # the subject two clauses back
        ("2023年海淀区职业院校（高职、中职都算）具有高级职称的教师一共多少人？", 1500),
    ],
)
def test_the_number_of_the_asked_subject(haidian: Services, question: str, expected: float) -> None:
    result = answer(question, haidian)
    assert (result.refused, result.value) == (False, expected)


@pytest.mark.integration
def test_a_rise_does_not_answer_how_much_it_fell(haidian: Services) -> None:
    assert answer("2023年海淀职业院校数字资源比上一年少了多少万册？", haidian).refused
    assert answer("2023年海淀高职“双师型”教师占比提升了多少个百分点？", haidian).refused
    assert answer("2023年海淀高职“双师型”教师占比变化了多少个百分点？", haidian).value == 0.60


@pytest.mark.integration
def test_a_rates_change_is_not_the_rate(haidian: Services) -> None:
    result = answer("2023年海淀高职“双师型”教师占比下降了多少？", haidian)
    assert (result.value, result.unit) == (0.60, "个百分点")  # not the 62.80% it fell to


@pytest.mark.integration
def test_a_list_item_counts_its_own_head_noun(haidian: Services) -> None:
    assert answer("2023 海淀 校企合作企业 总数", haidian).refused  # 20 counts 企业实践基地
    assert answer("2023年海淀区建立了多少个企业实践基地？", haidian).value == 20


@pytest.mark.integration
def test_a_stated_share_answers_before_a_computed_one(haidian: Services) -> None:
    result = answer("2023年海淀高职老师里高级职称的占多大比例？", haidian)
    assert (result.value, result.computation) == (40.10, "")  # 900 / 2244 would be 40.11


@pytest.mark.integration
def test_a_parts_stated_share_is_of_the_whole_before_qizhong(haidian: Services) -> None:
    result = answer("不含附设中职，海淀区2023年公办中职专任教师占教职工的比例是多少？", haidian)
    assert (result.value, result.computation) == (82.4, "")  # 258 / 313 would be 82.43


@pytest.mark.integration
def test_a_contest_at_another_level_does_not_answer(haidian: Services) -> None:
    assert answer("2023年北京市级教学能力比赛海淀中职组一等奖有多少项？", haidian).value == 35
    assert answer("全国职业院校教学能力比赛海淀中职一等奖几项？", haidian).value == 1


@pytest.mark.integration
def test_one_kind_of_school_is_not_answered_by_all_schools(haidian: Services) -> None:
    assert answer("只算技工学校，2023年海淀技工院校高级职称的教师有多少人？", haidian).refused


@pytest.mark.integration
def test_a_share_of_one_level_within_a_levels_total(haidian: Services) -> None:
    result = answer("2023年海淀区高职院校招生里，职业本科大约占多大比例？", haidian)
    assert result.value == 2.5  # 500 / 20000, not the 合计 row's 100%


@pytest.mark.integration
def test_a_share_of_one_kind_of_school_is_of_all_kinds(haidian: Services) -> None:
    result = answer("2023年海淀中职毕业生中，普通中专出来的占多大比例？", haidian)
    assert (result.value, "320 ÷ 500" in result.computation) == (64.0, True)


@pytest.mark.integration
def test_a_whole_of_all_keeps_what_the_part_leaves_out(haidian: Services) -> None:
    question = "海淀中职23届毕业生里，3+2中高职衔接升学的占全部毕业生的比例是多少？（贯通培养那部分不算）"
    result = answer(question, haidian)
    assert result.value == 52.0  # 260 / 500


@pytest.mark.integration
def test_a_stated_change_in_a_sentence_of_its_year(haidian: Services) -> None:
    result = answer("生均一般公共预算教育事业费支出比2022年增长了百分之几？海淀中职，2023年。", haidian)
    assert (result.value, result.computation) == (12.0, "")  # not 经费's 10.00%


@pytest.mark.integration
def test_a_per_student_figure_does_not_answer_the_total(haidian: Services) -> None:
    assert answer("2023年海淀中职学校的仪器设备价值同比涨了百分之几？", haidian).refused  # 7.00% is 生均


@pytest.mark.integration
def test_an_age_span_is_the_sum_of_the_bands_that_tile_it(haidian: Services) -> None:
    spanned = answer("海淀中职2023年40到49岁的专任老师一共有多少人？", haidian)
    assert (spanned.value, "36 + 74" in spanned.computation) == (110, True)
    assert answer("海淀中职2023年40到44岁的专任老师有多少人？", haidian).value == 36
    assert answer("海淀中职2023年40到54岁的专任老师一共有多少人？", haidian).refused  # no 50-54岁 band


@pytest.mark.integration
def test_those_who_did_not_are_the_rest_of_the_whole(haidian: Services) -> None:
    result = answer("2023年海淀中职证书考核的考生里，没通过的有多少人次？", haidian)
    assert (result.value, "800 - 600" in result.computation) == (200, True)


@pytest.mark.integration
def test_a_share_asked_in_tenths(haidian: Services) -> None:
    result = answer("2023年海淀区中职学校的建筑面积里，教学、训练用房大概占几成（百分比）？", haidian)
    assert (result.value, "70.3 ÷ 180.2" in result.computation) == (39.01, True)


@pytest.mark.integration
def test_a_grade_is_not_a_count(haidian: Services) -> None:
    assert answer("国际合作办学项目毕业生有多少人？", haidian).refused  # 英语4级


@pytest.mark.integration
def test_a_level_named_as_a_degree_in_other_words(haidian: Services) -> None:
    assert answer("海淀中职2023年专任老师里大专学历的有多少人？", haidian).value == 40  # the row 专科


@pytest.mark.integration
@pytest.mark.parametrize("fell", ["掉了", "跌了", "缩水了"])
def test_a_fall_said_colloquially(haidian: Services, fell: str) -> None:
    result = answer(f"海淀中职专科学历的专任老师，2023年比2022年{fell}百分之几？", haidian)
    assert (result.value, "50 - 40" in result.computation) == (20.0, True)


@pytest.mark.integration
@pytest.mark.parametrize(
    "question",
    ["青松职业学校那几个贯通专业加起来一共打算招多少人？", "青松职业学校三个贯通专业一共计划招多少人？"],
)
def test_a_total_of_one_schools_rows_is_their_sum_not_one_row(haidian: Services, question: str) -> None:
    result = answer(question, haidian)
    assert (result.value, "45 + 75 + 45" in result.computation) == (165, True)  # not one row's 45


@pytest.mark.integration
def test_a_row_is_named_by_its_bracket(haidian: Services) -> None:
    assert answer("青松职业学校贯通项目里，宠物医师方向打算招多少新生？", haidian).value == 75


@pytest.mark.integration
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # the context names the school (白杨职业学校 plans 30 for 工程造价), the last clause asks
        ("我在看海淀区贯通培养招生计划那张表，青松职业学校开了好几个专业，各有各的计划人数。"
         "工程造价专业计划招多少人？", 45),
        ("我们在整理校企合作的材料，海淀区2023年建了不少基地，也培养了很多双师型老师。"
         "想确认一下，企业实践基地建了多少个？", 20),
    ],
)
def test_a_long_question_is_its_context_and_its_asking_clause(
    haidian: Services, question: str, expected: float
) -> None:
    assert answer(question, haidian).value == expected


def test_a_short_name_after_a_district_names_the_school_not_the_district() -> None:
    assert parse_query("昌平职校2025年贯通培养项目计划招多少人？").region == ""
    assert expected_unit("昌平职校三个专业一共计划招多少人？") == "人"  # the last ask is the question's


def test_the_clause_of_a_number_in_a_he_list() -> None:
    sentence = "升学人数包括贯通培养升学 120 人和 3+2 中高职衔接升学 260 人。"
    first, second = (q for q in quantities(sentence) if q.unit == "人")
    assert clause(sentence, first) == "升学人数包括贯通培养升学 120 人"
    assert clause(sentence, second).strip() == "3+2 中高职衔接升学 260 人。"
    counted = "组织12次教学示范课、8次远程评课及4场专题讲座。"  # each number before the noun it counts
    owned = [clause(counted, q) for q in quantities(counted)]
    assert owned == ["组织12次教学示范课", "8次远程评课", "4场专题讲座。"]
    aged = "一线教师平均年龄46.8岁，45岁及以上教师占比68.7%。"
    assert clause(aged, next(q for q in quantities(aged) if q.raw == "45岁")) == "45岁及以上教师占比68.7%。"


@pytest.mark.parametrize(
    ("question", "years", "unit"),
    [
        ("海淀中职22届毕业生有多少人？", (2022,), "人"),
        ("建筑面积比上年减少了多少万平方米", (), "万平方米"),
        ("纸质图书少了多少万册", (), "万册"),
        ("2023年海淀高职经费总收入增幅是多少？", (2023,), "%"),
    ],
)
def test_years_and_units_asked(question: str, years: tuple[int, ...], unit: str) -> None:
    query = parse_query(question)
    assert (query.years, expected_unit(query.norm)) == (years, unit)


def test_a_question_in_traditional_characters_reads_as_simplified() -> None:
    query = parse_query("海淀區2023年中職學校招生人數是多少？")
    assert (query.region, query.years, query.level, query.unit) == ("海淀区", (2023,), "中职", "人")


def test_a_change_over_years_keeps_a_measure_naming_higher_education() -> None:
    growth = parse_query("海淀中职毕业生升入高等教育比例，2023年 vs 2022年的 growth rate 是多少？")
    assert growth.operation == "growth"
    assert all(part.measure.startswith("毕业生升入高等教育比例") for part in growth.parts)


def test_groups_counted_together() -> None:
    assert included("职业院校（高职、中职都算）教师") == ("高职", "中职")
    assert included("中职（连技工学校一起算）毕业生") == ("技工学校",)
    both = parse_query("海淀区职业院校（高职、中职都算）高级职称教师多少人？")
    assert (both.level, both.school_type) == ("", ())
