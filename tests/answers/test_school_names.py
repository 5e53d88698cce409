"""A question may call a school by its short name (简称), derived from the full names the report
writes; a short name names that school, not the region. The report is made up for these tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from corpora import written

from rag.answering import answer
from rag.frames import last_school
from rag.query import parse_query
from rag.schools import aliases, asked, misspelt, spelled, unknown
from rag.services import Services

REPORT = """北京市海淀区中等职业教育质量年度报告（2024）
一、基本情况
2023年，海淀区有北京市青松职业学校、北京松林武术学校和北京海淀国际职业教育学校三所中等职业学校。
北京松林武术学校教职工总数为47人，其中专任教师19人。
二、教师队伍
2023年，海淀区职业院校教师队伍年龄偏大。以北京市青松职业学校为例，一线教师平均年龄 45.2 岁。
北京海淀国际职业教育学校选派 36 名学生参加冬奥会志愿服务，北京松林武术学校选派 12 名学生。
"""

NAMES = (
    "北京市青松职业学校开设9个专业。北京市青松职业学校有学生800人。",
    "北京松林武术学校位于山区，北京松林武术学校以武术见长。",
    "北京海淀国际职业教育学校与北京海淀国际职业教育学校分校合并。",
    "我区中等职业学校共3所，各中等职业学校均开设思政课程。",
    "我们持续推进改革，加强学校管理，加强学校安全。",
)


@pytest.mark.parametrize(
    ("question", "name", "short"),
    [
        ("青职一线教师平均年龄是多少", "青松职业学校", "青职"),
        ("青松职校开设了几个专业", "青松职业学校", "青松职校"),
        ("松林武校有多少学生", "松林武术学校", "松林武校"),
        ("海国职派了多少学生", "海淀国际职业教育学校", "海国职"),
    ],
)
def test_short_names_are_derived_from_the_full_names(question: str, name: str, short: str) -> None:
    assert aliases(question, NAMES) == {name: short}


@pytest.mark.parametrize(
    "question",
    [
        "青松职业学校开设了几个专业",  # the full name is no short name
        "中等职业学校有几所",  # a kind of school
        "海淀区中职学校有多少学生",  # a region and a level
        "中国职业教育发展如何",  # 国职 inside words written out in full
        "学校有多少学生",  # a word of its own
        "怎么加强学生心理健康教育",  # 加强学 is 加强学校 cut short
    ],
)
def test_words_that_are_no_short_names(question: str) -> None:
    assert aliases(question, NAMES) == {}


def test_a_name_written_once_after_beijing_shi_is_a_schools_name() -> None:
    texts = ["2020 年北京市实验职业学校充分发挥职业学校师资优势。", "各区加强学校建设。"]
    assert asked("北京市实验职业学校培训学生多少人次", texts).names == ("实验职业学校",)
    assert asked("加强学校建设", texts).names == ()


def test_a_name_typed_with_one_character_wrong_names_the_school() -> None:
    texts = [*NAMES, "北京市第一职业学校和北京市第二职业学校。北京市第一职业学校、北京市第二职业学校。"]
    assert misspelt("青崧职业学校开设了几个专业", texts) == {"青松职业学校": "青崧职业学校"}
    assert "青松职业学校" in asked("青崧职业学校开设了几个专业", texts).names
    assert misspelt("北京市第三职业学校有多少学生", texts) == {}  # a numeral names another school
    assert misspelt("青松职业学院开设了几个专业", texts) == {}  # so does another kind
    assert misspelt("白松职业学校开设了几个专业", texts) == {}  # and the first character


@pytest.mark.integration
def test_a_misspelt_school_is_answered_as_that_school(haidian: Services) -> None:
    assert answer("松林武述学校选派了多少名学生参加冬奥会志愿服务？", haidian).value == 12  # not 海国职's 36


def test_the_text_is_spelled_as_the_question_writes_the_school() -> None:
    assert spelled("北京市青松职业学校选派 36 名学生", {"青松职业学校": "青职"}) == "青职选派 36 名学生"


@pytest.fixture(scope="module")
def haidian(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    with written(tmp_path_factory.mktemp("schools"), {"haidian-zhongzhi-2024.txt": REPORT}) as services:
        yield services


@pytest.mark.integration
@pytest.mark.parametrize(
    ("question", "value", "unit"),
    [
        ("松林武校有多少教职工？", 47, "人"),
        ("青职一线教师的平均年龄是多少？", 45.2, "岁"),  # given as the example of one school
    ],
)
def test_a_short_name_names_the_school(haidian: Services, question: str, value: float, unit: str) -> None:
    result = answer(question, haidian)
    assert (result.value, result.unit) == (value, unit)
    assert "北京" in result.citations[0].quote  # quoted as the report writes it


@pytest.mark.integration
def test_a_region_question_still_refuses_one_schools_example(haidian: Services) -> None:
    assert answer("海淀区2023年一线教师平均年龄是多少？", haidian).refused


def test_the_school_a_paragraph_is_about_is_the_last_one_it_names() -> None:
    paragraph = ("北京青松职业学院扩大招生，总数达到210人。北京松林职业技术学院创新面试机制。"
                 "2024年，学校学历留学生达")
    assert last_school(paragraph) == "松林职业技术学院"
    assert last_school("北京青松职业学院的留学生有多少人") == "青松职业学院"
    # a phrase ending in 学校 is not a school's name
    assert last_school("2024年北京地区一共有多少所招生的职业学校") == ""
    assert last_school("北京地区共有招生职业学校76所") == ""


CITY_REPORT = """北京市中等职业教育质量年度报告（2020年度）
一、学校案例
【案例 2-1】线上教学视导。北京市丰台区职业教育中心学校开展线上教学视导，共听课 120 节次。
【案例 2-2】留学生教育。北京市延庆区第一职业学校招收留学生，招生规模保持在 50 人。
【案例 2-3】党建引领。北京市大兴区第一职业学校 18 名教师参加义务献血，献血 3600 毫升。
二、就业
2020年，北京市中等职业学校毕业生就业率为 98.5%。
三、教材
2020年，北京职业院校共有 36 部教材入选国家规划教材。
北京松柏信息职业技术学院 2020 年有 4 部教材入选国家规划教材，北京松柏信息职业技术学院另有 2 部入选市级教材。
"""


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    with written(tmp_path_factory.mktemp("city"), {"beijing-zhongzhi-2020.txt": CITY_REPORT}) as services:
        yield services


@pytest.mark.integration
@pytest.mark.parametrize(
    ("question", "value"),
    [("丰台职教中心 线上教学视导 听课 节次 2020", 120), ("2020年大兴一职的老师献了多少毫升血？", 3600)],
)
def test_a_district_school_is_found_in_the_citys_report(city: Services, question: str, value: float) -> None:
    assert answer(question, city).value == value


@pytest.mark.integration
@pytest.mark.parametrize(
    "question",
    [
        "大兴一职2020年招生多少人？",  # 50 is 延庆区第一职业学校's
        "丰台职教中心2020年毕业生就业率是多少？",  # 98.5% is the city's
        "丰台区各中等职业学校2020年招生多少人？",  # the district's schools: no report
    ],
)
def test_another_schools_or_the_citys_figure_does_not_answer_for_a_district_school(
    city: Services, question: str
) -> None:
    result = answer(question, city)
    assert result.refused and result.value is None


def test_a_district_schools_short_name_is_written_out() -> None:
    assert "丰台区职业教育中心学校" in parse_query("丰台职教中心在校生多少人").norm
    assert "大兴区第一职业学校" in parse_query("大兴一职有几个专业").norm

def test_a_district_school_is_named_only_by_words_of_its_own() -> None:
    texts = ["北京市大兴区第一职业学校招生 50 人。", "大兴区中等职业学校共 3 所。",
             "大兴区那三所中职学校入选 8 部。"]
    assert asked("大兴区第一职业学校招生多少人", texts).names == ("大兴区第一职业学校",)
    assert asked("大兴区中等职业学校有几所", texts).names == ()
    assert asked("大兴区那三所中职学校入选几部", texts).names == ()


def test_a_short_name_may_keep_the_bei_of_beijing() -> None:
    texts = ["北京松柏信息职业技术学院入选 4 部。北京松柏信息职业技术学院另有 2 部。"]
    assert aliases("北松信职院入选了几部教材", texts) == {"松柏信息职业技术学院": "北松信职院"}
    assert aliases("北京中职入选了几部教材", texts) == {}  # 北京 written out is the city
    rivals = [*texts, "北京松柏电气职业技术学院入选 3 部。北京松柏电气职业技术学院另有 1 部。"]
    assert aliases("北松职院入选了几部教材", rivals) == {}  # it fits two colleges: it names neither


@pytest.mark.integration
def test_a_college_named_by_a_short_name_keeping_bei_is_answered_as_that_college(city: Services) -> None:
    assert answer("北松信职院2020年入选国家规划教材多少部？", city).value == 4  # not the city's 36


@pytest.mark.integration
@pytest.mark.parametrize("question", ["北京航天职业学院2020年入选国家规划教材多少部？",
                                      "北航职院2020年入选国家规划教材多少部"])
def test_a_college_no_report_names_is_not_answered_by_the_citys_figure(city: Services, question: str) -> None:
    result = answer(question, city)
    assert result.refused and result.value is None
    assert "没有提到" in result.text


def test_a_colleges_name_cut_short_is_no_unknown_college() -> None:
    texts = ["北京松柏信息职业技术学院入选 4 部。北京松柏信息职业技术学院另有 2 部。"]
    assert unknown("松柏信息职院入选了几部教材", [texts]) == ""
    assert unknown("北航职院入选了几部教材", [texts]) == "北航职院"
