"""Table rows singled out by their own cells: a school's several majors, sums over named rows and
columns of identifiers. The report is made up for these tests (its own schools and tables)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from corpora import written

from rag.answering import answer
from rag.query import parse_query
from rag.services import Services
from rag.table_evidence import _named_cells

REPORT = """北京市海淀区中等职业教育质量年度报告（2024）
一、专业建设
2024年，海淀区中职学校与本科院校合作开展贯通培养。
表 2-1 2024年海淀区贯通培养项目招生计划表
序号\t学校名称\t专业名称\t专业代码\t计划人数\t合作本科院校
1\t北京市西山商贸学校\t智慧零售\t730602\t45\t北京工商大学
2\t北京市西山商贸学校\t会计事务 (智能财税)\t730301\t30\t北京物资学院
3\t北京市西山商贸学校\t跨境电商\t730702\t20\t北京工商大学
4\t北京市玉泉职业学校\t智能制造\t660101\t35\t北方工业大学
海淀区中职学校面向区域重点产业设置专业。
表 2-2 海淀区中职学校专业设置情况
重点产业\t专业类\t专业\t数量
科技服务\t计算机类 电子信息类\t软件与信息服务 网络信息安全 电子技术应用\t6
商贸服务\t财经商贸类\t电子商务 会计事务 物流服务与管理\t6
文旅服务\t旅游类 艺术设计类\t高星级酒店运营与管理 工艺美术\t4
表 2-3 2023年海淀区中等职业学校专任教师职称结构
职称\t数量（人）\t占比
正高级\t3\t1.2%
中级\t96\t38.4%
初级\t41\t16.4%
表 2-4 2024年海淀区中等职业学校专任教师年龄结构
年龄段\t人数\t占比
30-34岁\t48\t19.2%
35-39岁\t61\t24.4%
二、毕业生去向
表 3-1 海淀区职业高中学生升学、就业、创业情况统计表
年份\t对口就业率\t升入高等院校比例\t自主创业
2023年\t95.1%\t41%\t2.36%
"""


@pytest.fixture(scope="module")
def haidian(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    with written(tmp_path_factory.mktemp("rows"), {"haidian-zhongzhi-2024.txt": REPORT}) as services:
        yield services


@pytest.mark.integration
@pytest.mark.parametrize(
    ("question", "value"),
    [("西山商贸学校 跨境电商 贯通培养 计划人数", 20),
     ("2024年海淀区西山商贸学校会计事务（智能财税）专业贯通培养计划招多少人？", 30)],
)
def test_a_row_is_singled_out_by_another_of_its_cells(haidian: Services, question: str, value: float) -> None:
    result = answer(question, haidian)
    assert (result.refused, result.value) == (False, value)


@pytest.mark.integration
def test_a_row_of_another_age_band_does_not_answer(haidian: Services) -> None:
    assert answer("海淀区2024年中职35到39岁的专任教师有多少人？", haidian).value == 61
    # 30-39岁 spans two rows: the sum of both, or no answer, but never one row's count.
    assert answer("海淀区2024年中职专任老师里30到39岁的一共多少人？", haidian).value in (None, 109)


def test_a_named_cell_is_read_whole_before_without_its_bracket() -> None:
    # Not left to a set's order, which changes with the process's hash seed.
    query = parse_query("西山商贸学校会计事务（智能财税）专业计划招多少人？")
    assert _named_cells(query, ["会计事务 (智能财税)", "北京物资学院"]) == "会计事务(智能财税)"
    bare = parse_query("西山商贸学校会计事务专业计划招多少人？")
    assert _named_cells(bare, ["会计事务 (智能财税)"]) == "会计事务"


@pytest.mark.integration
def test_a_sum_over_two_named_rows_adds_their_cells_not_their_codes(haidian: Services) -> None:
    result = answer("海淀区西山商贸学校智慧零售和跨境电商两个专业的贯通培养计划人数合计多少？", haidian)
    assert (result.refused, result.value) == (False, 65)


@pytest.mark.integration
def test_equal_cells_of_two_rows_add_up(haidian: Services) -> None:
    result = answer("海淀中职 科技服务+商贸服务 专业数 合计", haidian)
    assert (result.refused, result.value) == (False, 12)


@pytest.mark.integration
def test_a_code_column_answers_only_a_question_asking_for_a_code(haidian: Services) -> None:
    assert answer("海淀区玉泉职业学校智能制造专业代码是多少", haidian).value == 660101
    counted = answer("海淀区玉泉职业学校智能制造专业有多少个", haidian)
    assert counted.value != 660101


@pytest.mark.integration
def test_a_rate_column_named_without_its_rate_word_answers_the_rate(haidian: Services) -> None:
    result = answer("海淀区职高2023年毕业生自主创业的比例是多少？", haidian)
    assert (result.refused, result.value) == (False, 2.36)
    assert answer("海淀区职高2023年毕业生直接就业的比例是多少？", haidian).value != 95.1


CITY_REPORT = """2024 北京市职业教育质量年度报告
一、教材建设
经学校推荐、市级评审，最终有 158 部教材入选市级规划教材。
表 1-1 各校教材情况
序号\t学校\t入选数量（部）
1\t北京西山职业技术学院\t9
2\t北京玉泉职业学院\t5
"""


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    with written(tmp_path_factory.mktemp("city"), {"beijing-zhiye-2024.txt": CITY_REPORT}) as services:
        yield services


@pytest.mark.integration
def test_a_passage_never_naming_the_asked_school_does_not_answer_for_it(city: Services) -> None:
    result = answer("北京西山职业技术学院有多少部教材入选市级规划教材", city)
    assert result.value != 158


BATCHES_REPORT = """2024 北京市职业教育质量年度报告
一、产教融合
2022 年北京市启动首批 30 个建设项目，其中包含中职校 2 个大师工作室和 9 个工程师学院共 11 个建设项目。
2023 年北京市又启动第二批 41 个建设项目，其中包括中职校 5 个大师工作室和 12 个工程师学院共 17 个建设项目。
"""


@pytest.fixture(scope="module")
def batches(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    with written(tmp_path_factory.mktemp("batches"), {"beijing-zhiye-2024.txt": BATCHES_REPORT}) as services:
        yield services


@pytest.mark.integration
def test_a_sum_over_two_batches_is_not_read_from_one_batchs_sentence(batches: Services) -> None:
    result = answer("北京头两批建设项目中，中职校的大师工作室和工程师学院一共有多少个", batches)
    assert result.value not in (11, 14, 17)


@pytest.mark.integration
def test_a_title_rank_asked_of_teachers_said_aloud_is_read_from_the_teachers_table(haidian: Services) -> None:
    result = answer("海淀2023年中职专任老师里中级职称的有几个", haidian)
    assert (result.refused, result.value) == (False, 96)


TEACHERS_REPORT = """北京市海淀区中等职业教育质量年度报告（2024）
一、教师队伍
2023年，海淀区中等职业学校有教职工 420 人，其中专任教师 310 人。
2022年，海淀区中等职业学校专任教师 298 人，其中职业高中专任教师 201 人。
"""


@pytest.fixture(scope="module")
def teachers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    reports = {"haidian-zhongzhi-2024.txt": TEACHERS_REPORT}
    with written(tmp_path_factory.mktemp("teachers"), reports) as services:
        yield services


@pytest.mark.integration
def test_a_computation_over_items_the_plan_left_unsplit_refuses(teachers: Services) -> None:
    result = answer("海淀中专和职高的专任老师合在一块，2023年比2022年多了多少人？", teachers)
    assert result.refused
