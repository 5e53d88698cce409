"""Which number a clause owns: a part after 其中 is of the whole before it (its school, its kind
of people), the part naming the asked kind wins over its siblings, a level named in the number's
own clause beats one named earlier in the sentence (and words written of it there lend nothing),
and a total is not one item of a list. The
report is made up for these tests (its own schools and numbers)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from corpora import written

from rag.answering import answer
from rag.computed import _names_some
from rag.frames import clause, in_enumeration, inherited, quantities
from rag.numbers import Quantity
from rag.query import parse_query
from rag.services import Services

REPORT = """北京市海淀区中等职业教育质量年度报告（2024）
一、基本情况
2023年，海淀区民办北京青松武术学校教职工总数为52人，其中专任教师21人。
2023年，海淀区公办中等职业学校共有教职工463人（不含附设中职），其中专任教师381人。
2023年，海淀区中等职业学校“双师型”教师 120 人。
2023年，海淀区有中等职业学校 8 所，学校数量较2022年减少1所。
2023年，海淀区中等职业学校在校生640人（含非教育部门办12人），其中职业高中学生598人，成人中专学生42人。
二、人才培养
2023年，海淀区中职应届毕业生升学率 88.10%，直接就业率 6.20%。
2023年，海淀区中职毕业生对口就业率平均为 80.50%，其中公办学校达 85.20%。
调查显示，中职在校生总体满意度达 95.10%，其中专业课满意度（96.20%）、思政课满意度（97.30%）。
海淀区鼓励中职学校开设综合高中班，2023年在校生达 310 人，应届毕业生升学率达到 96.50%。
2023年，海淀区高职院校校内实践教学场所 120 个；中职学校校外实习基地 64 个；校内实训实践工位 3200 个。
2023年，北京市海淀青松职业学校开展社区教育，编写讲义 8 门，培训学生 5409 人次、培训社区居民 1295 人次。
三、技能竞赛
2023年，北京市海淀青松职业学校在国家级、市级各类技能比赛中共获得50项奖项，其中获得国家级二等奖2项、三等奖3项；市级一等奖5项、二等奖15项、三等奖25项。
"""


@pytest.fixture(scope="module")
def haidian(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    with written(tmp_path_factory.mktemp("owner"), {"haidian-zhongzhi-2024.txt": REPORT}) as services:
        yield services


@pytest.mark.integration
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("青松武术学校23年有多少专任老师？", 21),  # the school is the whole's, named before 其中
        ("青松武术学校的专任教师有多少人", 21),
        ("青松武术学校教职工总数是多少", 52),  # the whole, not its part
        ("海淀区23年在校学生里，成人中专的学生有多少？", 42),  # the sibling naming the asked kind
        ("海淀区23年中职在校学生里，职业高中的学生有多少？", 598),  # the asked kind, no other modifier
        ("海淀区2023年职业高中在校生有多少人", 598),
        ("海淀区2023年中职在校生有多少人", 640),
    ],
)
def test_a_part_after_qizhong_is_of_its_whole(haidian: Services, question: str, expected: int) -> None:
    result = answer(question, haidian)
    assert (result.value, result.unit) == (expected, "人")


@pytest.mark.integration
@pytest.mark.parametrize(
    ("question", "expected"),
    [("海淀区公办中职学校（不含附设中职）教职工总数是多少人？", 463),  # 共有 is no qualifier of 教职工
     ("海淀区中职在校生对思政课的满意度是多少？", 97.30),  # a bracketed value after another one
     ("海淀区中职学生对专业课满意度多少", 96.20)],
)
def test_the_number_of_the_asked_measure_in_a_list_of_measures(
    haidian: Services, question: str, expected: float
) -> None:
    result = answer(question, haidian)
    assert (result.refused, result.value) == (False, expected)


def test_a_bracketed_value_owns_the_name_before_its_bracket() -> None:
    sentence = "其中专业课满意度（93.50%）、思政课满意度（94.60%）。"
    assert clause(sentence, _number(sentence, "94.60%")) == "思政课满意度，94.60%"


@pytest.mark.integration
def test_a_whole_beside_the_other_owners_part_is_not_the_asked_owners(haidian: Services) -> None:
    assert answer("海淀区2023年公办中职学校毕业生对口就业率是多少？", haidian).value == 85.20
    assert answer("海淀区2023年民办中职学校毕业生对口就业率是多少？", haidian).refused


@pytest.mark.integration
def test_the_levels_figure_is_not_one_kind_of_schools(haidian: Services) -> None:
    assert answer("海淀区2023年中职双师型教师有多少人？", haidian).value == 120
    assert answer("海淀区2023年职业高中双师型教师有多少人？", haidian).refused


@pytest.mark.integration
def test_the_amount_of_a_change_is_not_the_count(haidian: Services) -> None:
    assert answer("海淀区2023年中职学校数量是多少所？", haidian).value in (None, 8)


def test_a_total_over_a_list_is_not_asked_by_naming_one_item() -> None:
    leads = ["2023年学前教育专业引进 ", "会计专业引进了 "]
    assert _names_some(parse_query("2023年学前教育专业一共引进了几门课程？"), leads)
    assert not _names_some(parse_query("2023年一共引进了几门课程？"), leads)
    # Later items without a subject of their own share the first one's.
    awards = parse_query("参赛团队教学能力比赛一共拿了多少个奖？")
    assert not _names_some(awards, ["参赛团队获得教学能力比赛 ", ""])
    # The first item's lead also holds the sentence's subject.
    prizes = parse_query("班主任基本功比赛一共有多少人获奖？")
    assert not _names_some(prizes, ["班主任基本功比赛决出特等奖 ", "一等奖 ", "二等奖 "])


@pytest.mark.integration
def test_the_levels_own_figure_beats_a_sub_populations(haidian: Services) -> None:
    result = answer("海淀区中职学校23年毕业生升学率多少？", haidian)
    assert (result.value, result.unit) == (88.10, "%")


@pytest.mark.integration
def test_a_total_is_not_one_item_of_a_list(haidian: Services) -> None:
    result = answer("青松职业学校2023年技能比赛里市级一二三等奖合计多少项", haidian)
    assert result.value not in (2, 3, 5, 15, 25)


def _number(sentence: str, raw: str) -> Quantity:
    return next(q for q in quantities(sentence) if q.raw == raw)


def test_the_whole_is_inherited_without_the_siblings() -> None:
    sentence = "全区在校生640人，其中职业高中学生598人，成人中专学生42人。"
    assert inherited(sentence, _number(sentence, "42人").start) == "全区在校生640人"
    assert inherited(sentence, _number(sentence, "598人").start) == "全区在校生640人"
    assert inherited(sentence, _number(sentence, "640人").start) == ""


def test_a_closed_bracketed_list_is_not_inherited() -> None:
    sentence = "招生总数为3.62万人，（其中，本科招生1568人，专科招生3.46万人），比上一年增加4100余人。"
    assert inherited(sentence, _number(sentence, "1568人").start) == "招生总数为3.62万人"
    assert inherited(sentence, _number(sentence, "4100余人").start) == ""


def test_a_whole_that_lists_kinds_is_not_inherited() -> None:
    sentence = "在国家级、市级各类比赛中共获得50项奖项，其中国家级二等奖2项。"
    assert inherited(sentence, _number(sentence, "2项").start) == ""


def test_items_of_a_list_are_recognised() -> None:
    sentence = "市级一等奖5项、二等奖15项、三等奖25项，共获得45项。"
    assert in_enumeration(sentence, _number(sentence, "5项"))
    assert in_enumeration(sentence, _number(sentence, "25项"))
    assert not in_enumeration(sentence, _number(sentence, "45项"))
    # the total after a list of names (no number per name) is no item of it
    named = "获一等奖、二等奖和三等奖共21项，其中一等奖5项。"
    assert not in_enumeration(named, _number(named, "21项"))


@pytest.mark.integration
def test_a_segment_about_another_level_lends_its_words_to_no_number_of_this_one(haidian: Services) -> None:
    assert answer("海淀区中职学校 校内实践教学场所数 2023", haidian).refused  # 3200 are 工位
    assert answer("2023年海淀区中职学校校外实习基地有多少个？", haidian).value == 64


@pytest.mark.integration
def test_an_item_of_a_list_is_not_the_asked_one_its_sibling_writes(haidian: Services) -> None:
    assert answer("2023年海淀青松职业学校社区教育培训学生多少人次？", haidian).value == 5409
    assert answer("2023年海淀青松职业学校社区教育培训社区居民多少人次？", haidian).value == 1295
