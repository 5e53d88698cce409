"""Questions answered by a number in running text, asked in other words than the report's: a
colloquial one-character verb (建, 开, 编) for the report's compound (建设, 开设, 编制); a school
named as the reports name it although its name begins with its district's (海淀职业学校), or by a
short name holding a kind of school (青松职高). The report
is made up for these tests (its own schools and numbers)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from corpora import written

from rag.answering import answer
from rag.evidence import numbers_missing, of_another_contest
from rag.frames import in_case_block
from rag.prose_evidence import (
    among,
    implied_people,
    named_unit,
    own_year,
    prose_weights,
    total_of,
)
from rag.query import parse_query
from rag.rank.lexical import coverage
from rag.retriever import Lexicon
from rag.school_scope import question_scope, without_named_kind
from rag.services import Services
from rag.types import Chunk

REPORT = """北京市海淀区中等职业教育质量年度报告（2024）
一、基本情况
2023年，海淀区中职学校重点专业累计建设精品课程 47 门，涵盖课程标准、教学设计等资源。
据 2023 年 12 月统计，海淀区四所中等职业学校共开设专业（含专业方向）38 个。
2023年，海淀区中职应届毕业生升学率 91.40%，直接就业率 4.30%。
面向全区教学干部、骨干教师开展学习培训，累计 1460 人次参加。
海淀区中职“双师型”教师数由 2021 年的 180 人增长为 196 人，“双师型”教师比例达 85%。
2023 年，海淀区中职学校与本科院校合作开展贯通培养项目，计划招生 320 人，实际招生 312 人。
2023 年，2020 级贯通项目毕业班继续留校学习，共涉及两个班 48 人，分别是园林专业 26 人、烹饪专业 22 人。
海淀区中职专任教师中，具有硕士学位 96 人，具有博士学位 4 人。
2023 年，海淀区推进职业教育协作，派遣教师赴对口支援地区 40 人次，招收对口支援地区学生 75 人。
2023年，海淀区中职学校的海外合作校增至 4 所，国际交换生规模稳步扩大，总数达到 132 人。
海淀区现有 6 所职业学校附设中职班，在校生合计 2140 人；另有 2 所本科院校附设中职班，在校生合计约 310 人。
2023年，海淀区中职毕业生对口就业率平均为 88.20%，其中公办学校达 90.10%。约 62.50%的中职毕业生在本区就业。
二、质量保障
海淀区发布《海淀区职业技能认定目录（2023 年版）》，专门设置 9 项数字技能认定清单和 5 项传统技艺互认清单。
区教委组织全区中职学校完成了 23 份质量报告的编制，并开展合规性审核。
三、典型案例
【案例 3-1】北京市海淀职业学校打造三级教学资源
北京市海淀职业学校护理专业是具有 36 年办学历史的骨干专业。
北京市海淀职业学校形成三级教学资源建设机制，推动骨干专业累计建设数字课程资源 64 门，涵盖课程标准、教学设计。
【案例 3-2】北京市青松职业高中开展红色摄影活动
北京市青松职业高中组织“光影初心”活动，学校为来自青松街道的 326 名退休老党员拍摄了照片。
"""


@pytest.fixture(scope="module")
def haidian(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    with written(tmp_path_factory.mktemp("prose"), {"haidian-zhongzhi-2024.txt": REPORT}) as services:
        yield services


@pytest.mark.integration
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("海淀区那四所中职一共开了多少个专业（含方向）？", (38, "个")),
        ("2023年海淀区教委组织全区中职学校编了多少份质量报告？", (23, "份")),
    ],
)
def test_a_colloquial_verb_meets_the_reports_compound(
    haidian: Services, question: str, expected: tuple[int, str]
) -> None:
    result = answer(question, haidian)
    assert (result.value, result.unit) == expected


@pytest.mark.integration
def test_a_number_opening_its_sentence_is_not_the_measure_of_the_sentence_before(haidian: Services) -> None:
    result = answer("2023年海淀区中职毕业生的对口就业率，如果只统计民办学校，能达到多少？", haidian)
    assert result.value != 62.50
    assert answer("2023年海淀区中职毕业生本区就业率是多少？", haidian).value == 62.50


@pytest.mark.integration
def test_a_sentence_goes_on_about_the_event_its_paragraph_names(services: Services) -> None:
    # 【案例2-32】深入开展教学视导…丰台区职业教育中心学校…开展了一次…线上课堂教学质量视导工作。
    # 全体教师迎难而上…保障教学质量。27名诊断专家通过在线课堂听课…
    result = answer("丰台区职业教育中心学校2020年疫情期间的线上教学视导用了多少名诊断专家？", services)
    assert (result.value, result.unit) == (27, "名") and "27名诊断专家" in result.citations[0].quote


@pytest.mark.integration
@pytest.mark.parametrize(
    ("question", "expected"),
    [("2023年海淀区中职应届毕业生直接就业的比例是多少？", 4.30),
     ("海淀区中职毕业生升学的比例是多少（2023年）", 91.40)],
)
def test_a_share_asked_as_bili_meets_its_rate(haidian: Services, question: str, expected: float) -> None:
    result = answer(question, haidian)
    assert (result.value, result.unit) == (expected, "%")


@pytest.mark.integration
def test_a_terse_question_names_its_unit_last(haidian: Services) -> None:
    result = answer("海淀 骨干教师学习培训 累计参加 人次", haidian)
    assert (result.value, result.unit) == (1460, "人次")


def test_the_unit_named_last_is_a_word_of_its_own() -> None:
    assert named_unit("学生特色活动场次", "场") == "场次"
    assert named_unit("学习培训 累计参加 人次", "人次") == "人次"
    assert named_unit("区教育部门", "门") == ""
    assert named_unit("学生特色活动场次", "") == ""


@pytest.mark.integration
def test_the_year_before_a_change_is_the_starting_figures(haidian: Services) -> None:
    result = answer("海淀区中职2021年有多少名“双师型”教师？", haidian)
    assert (result.value, result.unit) == (180, "人")


def test_a_figure_reached_from_a_years_figure_is_not_of_that_year() -> None:
    assert own_year("教师数由 2021 年的 ") == 2021
    assert own_year("教师数由 2021 年的 180 人增长为 ") is None
    assert own_year("2021 年，在校生人数提高到 ") == 2021
    assert own_year("在校生人数从2021年的 3000 人下降至 ") is None
    assert own_year("2021 年，招生 ") == 2021


@pytest.mark.integration
def test_the_noun_after_a_number_tells_which_item_it_counts(haidian: Services) -> None:
    result = answer("《海淀区职业技能认定目录（2023年版）》里设了多少项数字技能认定清单？", haidian)
    assert (result.value, result.unit) == (9, "项")


@pytest.mark.integration
def test_the_people_a_count_in_ren_implies_need_not_be_written(haidian: Services) -> None:
    result = answer("海淀区2023年贯通培养项目实际招了多少学生？", haidian)
    assert (result.value, result.unit) == (312, "人")


def test_implied_people_only_when_the_clause_names_none() -> None:
    assert implied_people("贯通项目实际招生学生", "人", "实际招生 312 人") == "学生"
    assert implied_people("护照参与学生", "人", "上线学校教师 2019 人") == ""
    assert implied_people("贯通项目实际招生学生", "个", "实际招生 312 个") == ""


@pytest.mark.integration
def test_a_whole_named_as_x_zhong_qualifies_its_parts(haidian: Services) -> None:
    result = answer("海淀区中职专任教师里有硕士学位的有多少（2023年）", haidian)
    assert (result.value, result.unit) == (96, "人")
    assert among("高职院校专任教师中，具有博士学位 ") == "高职院校专任教师"


@pytest.mark.integration
def test_a_qualifier_may_be_written_as_its_synonym(haidian: Services) -> None:
    result = answer("海淀区中职2023年从对口支援地区招了多少学生？", haidian)
    assert (result.value, result.unit) == (75, "人")


@pytest.mark.integration
def test_a_clause_that_only_totals_is_about_the_clause_before(haidian: Services) -> None:
    result = answer("海淀区中职学校2023年的国际交换生有多少人？", haidian)
    assert (result.value, result.unit) == (132, "人")
    assert total_of("国际交换生规模稳步扩大，总数达到", "总数达到 132 人") == "国际交换生规模稳步扩大"
    assert total_of("国际交换生规模稳步扩大，其中女生", "其中女生 60 人") == ""


@pytest.mark.integration
def test_a_number_the_question_names_is_in_the_answers_own_part(haidian: Services) -> None:
    result = answer("海淀区6所职业学校附设的中职班，在校生合计多少人？", haidian)
    assert (result.value, result.unit) == (2140, "人")
    assert numbers_missing("6所学校附设中职班在校生", "另有 2 所本科院校附设中职班，在校生合计约 310 人")
    assert not numbers_missing("3+2中高职衔接项目", "新增 3 + 2 中高职衔接项目 59 个")


def test_a_school_named_after_its_district_is_a_school_not_the_district() -> None:
    texts = [line for line in REPORT.splitlines() if "海淀职业学校" in line]
    assert not question_scope(parse_query("海淀职业学校累计建设了多少门数字课程资源？"), texts).region_asked
    assert question_scope(parse_query("海淀区职业学校累计建设了多少门课程资源？"), texts).region_asked


def test_a_kind_of_school_inside_a_short_name_is_not_asked_of_the_sentence() -> None:
    query = parse_query("青松职高给多少位老党员拍了照？")
    assert query.school_type and not without_named_kind(query, {"青松职业高中": "青松职高"}).school_type
    asked = parse_query("青松职高和别的职业高中一共给多少位老党员拍了照？")
    assert without_named_kind(asked, {"青松职业高中": "青松职高"}).school_type == asked.school_type


def _prose(text: str, line_start: int) -> Chunk:
    lines = text.count("\n")
    return Chunk("c", "d", "f.txt", "prose", text, "", "", line_start, line_start + lines, "海淀区", 2023)


def test_a_count_of_cases_opens_no_case_block() -> None:
    counted = _prose("全区征集教学质量优秀案例 68 个，推广优秀经验。\n区教委对 40 所学校开展质量监测。", 10)
    assert not in_case_block([counted], 11)
    opened = _prose("案例 3-1 青松职业学校打造精品课程\n学校建设课程 40 门。", 10)
    assert in_case_block([opened], 11)


def test_an_unwritten_verb_bigram_is_weighed_as_the_verb() -> None:
    lexicon = Lexicon.from_texts(["重点专业累计建设精品课程 47 门", "开设专业 38 个"])
    weights = prose_weights(lexicon, "重点专业建精品课程")
    assert "建" in weights and "建精" not in weights
    assert coverage(weights, "重点专业累计建设精品课程") == 1.0


def test_a_bigram_the_reports_write_is_kept() -> None:
    lexicon = Lexicon.from_texts(["副高级职称教师 30 人"])
    assert "副高" in prose_weights(lexicon, "副高级职称教师")


def test_a_one_character_word_that_is_no_verb_keeps_its_bigram() -> None:
    lexicon = Lexicon.from_texts(["纸质图书 5000 册"])
    assert "还" not in prose_weights(lexicon, "纸质图书还剩")


@pytest.mark.parametrize(
    ("question", "text", "other"),
    [
        ("2023年北京市职业院校技能大赛有多少支参赛队？", "协调世界职业院校技能大赛非洲赛区，吸引 ", True),
        ("2023年北京市职业院校技能大赛有多少支参赛队？", "大赛共设中职组 40 个赛项，全市 ", False),
        ("2023年世校赛北京有多少支队伍参赛？", "在 2023 年世界职业院校技能大赛中，北京市的 ", False),
        ("2023年有多少支队伍参赛？", "在 2023 年世界职业院校技能大赛中，北京市的 ", False),
        ("京津冀职业院校技能大赛2023 一等奖 几个", "在北京市职业院校技能大赛中获一等奖 ", True),
        ("2023年京雄职业院校技能大赛北京拿了几个一等奖？", "在京雄职业院校技能大赛中获一等奖 ", False),
    ],
)
def test_a_contest_held_at_another_level_does_not_answer(question: str, text: str, other: bool) -> None:
    assert of_another_contest(parse_query(question), text) is other


@pytest.mark.integration
def test_a_number_whose_sentence_and_section_never_name_the_head_does_not_answer(haidian: Services) -> None:
    result = answer("海淀 园林专业 2023年 招生人数", haidian)  # 26 are students staying on, not admitted
    assert result.refused and result.value is None
    assert answer("2023年海淀区贯通项目毕业班的园林专业有多少人？", haidian).value == 26


@pytest.mark.integration
def test_a_span_in_years_answers_when_the_question_asks_how_many_years(haidian: Services) -> None:
    result = answer("海淀职业学校护理专业有多少年的办学历史？", haidian)
    assert (result.value, result.unit) == (36, "年")
    assert parse_query("近几年海淀区中职招生多少人").unit == "人"  # 近几年 is no span asked
