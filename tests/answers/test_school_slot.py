"""A question naming a school: the measure's own words are met by what a number is, the school by
where it stands. A number about the region's schools together, or in a report that never names the
school, is not the school's; another school whose name holds the asked one's is another school. The
report is made up for these tests (its own schools and numbers)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from corpora import written

from rag.answering import answer
from rag.schools import asked, names_a_school_of
from rag.services import Services

REPORT = """北京市海淀区中等职业教育质量年度报告（2024）
一、基本情况
2023年，海淀区共有两所区属中等职业学校，分别是公办北京市海淀园林职业学校和民办北京青松武术学校。
2023年，海淀区中等职业学校招生人数 820 人，在校生人数 2450 人。
二、教师队伍
2023年，海淀区民办北京青松武术学校教职工总数为48人，其中专任教师20人。“双师型”教师4人，占专任教师20.00%。
2023年，北京市海淀园林职业学校“双师型”教师 96 人，占专任教师 61.50%。
2023年，海淀区公办中等职业学校教职工总数为300人。兼职教师比例稳中有降，兼职教师35人，占比11.67%。
三、实习实践
2023年，北京青松武术学校组织在校学生参加社会实践 1200 人次。
北京市海淀园林职业学校学生自主组建31个学生社团。2023年北京青松武术学校学生自主组建6个学生社团。
2023年，北京青松武术学校一名学生荣获北京市优秀学生称号（全市仅12名）。
海淀园林职业学校坚持学历教育与社会培训并举，现有2个校区，学校资产合计5000万元，比上一年增长100万元，增长率为2.04%；北京青松武术学校占地面积1000平方米，建筑面积900平方米，学校资产合计800万元，与上一年相比均无变化。
北京市海淀园林职业学校持续开展公共基础课教学改革。
2023年，学生参加北京市中等职业学校英语水平测试，我校的及格率100%、优秀率58.49%。
各校开设专业见下。序号 学校名称 专业 1 北京市海淀园林职业学校 园林技术
【案例 1】传承武术文化
北京青松武术学校组织师生开展“武术进社区”活动，弘扬中华武术精神。

活动覆盖社区 26 个，受益居民 3400 人次。

表 3-1 2023年海淀区中职学生培养情况

项目\t2023年
毕业生总数\t410
"""


@pytest.fixture(scope="module")
def haidian(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    with written(tmp_path_factory.mktemp("slot"), {"haidian-zhongzhi-2024.txt": REPORT}) as services:
        yield services


@pytest.mark.integration
def test_a_case_names_its_school_before_its_numbers(haidian: Services) -> None:
    result = answer("青松武校的武术进社区活动覆盖了多少个社区", haidian)
    assert (result.value, result.unit) == (26, "个")


@pytest.mark.integration
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("青松武校的“双师型”老师有几个？", 4),  # short name: 青松武校 covers nothing of 双师型
        ("青松武术学校双师型教师多少人", 4),
        ("海淀园林职业学校23年双师型教师多少人", 96),
        ("海淀园林职业学校学生自己组建的社团有多少个", 31),  # 6 is the other school's
    ],
)
def test_the_measures_own_words_decide(haidian: Services, question: str, expected: int) -> None:
    assert answer(question, haidian).value == expected


@pytest.mark.integration
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("2023年北京市海淀园林职业学校资产合计为多少万元？", 5000),  # 800: after ；, the other school
        ("青松武校的学校资产合计多少万元", 800),
        ("海淀园林职业学校英语水平测试的优秀率", 58.49),  # 我校 is the paragraph's school
    ],
)
def test_the_nearest_school_a_number_is_written_of_decides(
    haidian: Services, question: str, expected: float
) -> None:
    assert answer(question, haidian).value == expected


def test_only_a_surely_proper_name_names_a_school() -> None:
    texts = ["学生考入多个国外艺术类大学。多个国外艺术类大学录取。加强学校管理，加强学校建设。",
             "北京市海淀园林职业学校招生。海淀园林职业学校就业。"]
    assert names_a_school_of("海淀园林职业学校有多少学生", texts)
    assert names_a_school_of("北京市海淀园林职业学校有多少学生", texts)
    assert not names_a_school_of("多个国外艺术类大学录取了多少人", texts)  # 多个 opens no name
    assert not names_a_school_of("北京加强学校管理有多少项措施", texts)


@pytest.mark.integration
@pytest.mark.parametrize(
    "question",
    [
        "青松武术学校23年招了多少新生？",  # only the district's 820 and the school's 教职工
        "青松武校 在校生",  # the district's 2450, and 人次 of practice
        "青松武校23年招了多少人",  # 全市仅12名 is the city's
        "青松武校兼职老师有几个",  # the paragraph is about the public schools
        "青松武术学校23年毕业生人数",  # a total row of the district's table
        "海淀园林职业学校有多少专业",  # 1 is the row's 序号 in a table flattened into the text
    ],
)
def test_no_figure_of_the_school_refuses(haidian: Services, question: str) -> None:
    assert answer(question, haidian).refused


def test_a_school_whose_name_holds_the_asked_one_is_another() -> None:
    texts = ["北京电子科技职业学院入选9部。北京科技职业学院入选1部。",
             "北京电子科技职业学院、北京科技职业学院"]
    found = asked("北京科技职业学院入选了几部", texts)
    assert found.names == ("科技职业学院",)
    assert not found.met("北京电子科技职业学院入选9部")
    assert found.met("北京科技职业学院入选1部")
    assert asked("北京电子科技职业学院入选了几部", texts).names == ("电子科技职业学院",)


def test_a_school_is_met_as_reports_write_its_district() -> None:
    texts = ["北京市昌平职业学校招生。昌平职业学校就业。"]
    assert asked("昌平职业学校对口就业率", texts).met("北京市昌平区职业学校毕业生对口就业率达 97%")
