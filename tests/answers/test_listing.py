"""Lists read from a 名单 table: 「某校有哪些…」 answered with that school's rows, each cited. The
report is made up for these tests (its own schools and tables)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from corpora import written

from rag.answering import answer
from rag.listing import school_of, table_listing
from rag.query import parse_query
from rag.services import Services

REPORT = """北京市海淀区中等职业教育质量年度报告（2024）
一、专业建设
2023年，海淀区持续优化专业布局，市级骨干专业建设取得新进展。
表 2-1 海淀区中职学校市级骨干专业（群）建设名单
序号\t学校名称\t专业（群）名称\t入选年份
1\t北京市西山商贸学校\t智慧零售专业群\t2023
2\t北京市香山艺术学校\t数字影像专业\t2023
3\t北京市西山商贸学校\t跨境电商专业群\t2023
4\t北京市玉泉职业学校\t智能制造专业群\t2023
5\t北京市西山商贸学校\t会计事务专业\t2023
2023年，海淀区撤销了部分不适应产业需求的专业。
表 2-2 2023年海淀区中职学校撤销专业一览表
序号\t学校名称\t专业类别\t专业名称\t在校生（人）
1\t北京市玉泉职业学校\t加工制造类\t机电设备安装与维修\t35
2\t北京市玉泉职业学校\t财经商贸类\t物流服务与管理\t28
3\t北京市香山艺术学校\t文化艺术类\t工艺美术\t12
二、实训基地
2023年，海淀区中职学校新建校内实训基地 6 个，共有实训工位 2400 个。
"""


@pytest.fixture(scope="module")
def haidian(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    with written(tmp_path_factory.mktemp("listing"), {"haidian-zhongzhi-2024.txt": REPORT}) as services:
        yield services


@pytest.mark.integration
def test_a_schools_items_are_its_rows_each_cited(haidian: Services) -> None:
    result = answer("海淀区西山商贸学校有哪些专业入选了市级骨干专业名单？", haidian)
    assert not result.refused
    assert [c.line for c in result.citations] == [6, 8, 10]
    for item in ("智慧零售专业群", "跨境电商专业群", "会计事务专业"):
        assert item in result.text
    assert "数字影像专业" not in result.text and "智能制造专业群" not in result.text


@pytest.mark.integration
def test_the_column_of_names_is_listed_not_the_kinds_or_counts(haidian: Services) -> None:
    result = answer("2023年海淀区玉泉职业学校撤销了哪几个专业？", haidian)
    assert "机电设备安装与维修" in result.text and "物流服务与管理" in result.text
    assert "加工制造类" not in result.text and "35" not in result.text
    assert [c.line for c in result.citations] == [14, 15]


@pytest.mark.integration
@pytest.mark.parametrize(
    "question",
    [
        "海淀区玉泉职业学校有哪些实训基地？",  # the tables list 专业, not 实训基地
        "海淀区昆明湖职业学校有哪些骨干专业？",  # no row names this school
        "2020年海淀区玉泉职业学校撤销了哪几个专业？",  # the table is of 2023
    ],
)
def test_a_table_that_does_not_list_what_is_asked_is_not_read_as_a_list(
    haidian: Services, question: str
) -> None:
    assert table_listing(parse_query(question), haidian.retriever.retrieve(parse_query(question))) is None


def test_a_row_label_names_a_school_without_its_number_or_city() -> None:
    assert school_of("3·北京市电气工程学校") == "电气工程学校"
    assert school_of("北京市昌平职业学校") == "昌平职业学校"
    assert school_of("北京市密云区职业学校") == "密云区职业学校"
    assert school_of("职业学校") == ""
    assert school_of("中职学校") == ""
    assert school_of("招生人数") == ""


@pytest.mark.integration
def test_a_row_named_by_another_of_its_cells_is_the_one_listed(haidian: Services) -> None:
    result = answer("海淀区玉泉职业学校撤销的机电设备安装与维修专业属于哪些专业类别？", haidian)
    assert "加工制造类" in result.text and "财经商贸类" not in result.text
    assert [c.line for c in result.citations] == [14]


SCHOOL_REPORT = """北京市海淀区中等职业教育质量年度报告（2024）
一、专业建设
2023年，海淀职业学校8个专业群在各类技能比赛中共获得56项奖项。
两所学校共同研制专业教学标准，海淀职业学校负责其中三个专业的标准研制。
海淀职业学校增设智能网联汽车、数字媒体 2 个专业，撤销服装设计等 3 个专业。
二、条件保障
2023年，海淀职业学校专业实训室、专业教室、专业图书室和专业机房全部完成改造。
"""


@pytest.fixture(scope="module")
def named_after_district(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    reports = {"haidian-zhongzhi-2024.txt": SCHOOL_REPORT}
    with written(tmp_path_factory.mktemp("school"), reports) as services:
        yield services


@pytest.mark.integration
def test_a_counted_list_is_the_sentence_stating_that_many_of_the_asked_items(
    named_after_district: Services,
) -> None:
    result = answer("海淀职业学校23年新增了哪两个专业？", named_after_district)
    assert "智能网联汽车" in result.text and "数字媒体" in result.text


def test_a_school_named_after_its_district_keeps_the_name_in_the_measure() -> None:
    assert parse_query("海淀职业学校23年新增了哪两个专业？").measure.startswith("海淀职业学校")


PLAN_REPORT = """北京市海淀区中等职业教育质量年度报告（2024）
一、贯通培养
表 1-1 2023年海淀区贯通培养项目招生计划表
序号\t学校名称\t专业名称\t计划人数\t合作本科院校\t对接专业
1\t北京市西山商贸学校\t智慧零售\t45\t北京工商大学\t市场营销
2\t北京市西山商贸学校\t跨境电商\t20\t北京物资学院\t国际商务
"""


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    with written(tmp_path_factory.mktemp("plans"), {"haidian-zhongzhi-2024.txt": PLAN_REPORT}) as services:
        yield services


@pytest.mark.integration
def test_a_question_asking_several_things_of_a_row_gets_each_of_its_cells(plans: Services) -> None:
    question = "2023年海淀区贯通培养项目里，西山商贸学校的跨境电商专业对接的是哪所本科院校、哪个本科专业？"
    result = answer(question, plans)
    assert "北京物资学院" in result.text and "国际商务" in result.text
    assert "北京工商大学" not in result.text
