from __future__ import annotations

import pytest

from rag.numbers import find_quantities, find_ratios, normalize, parse_quantity


@pytest.mark.parametrize(
    ("raw", "value", "unit"),
    [
        ("1,234.5", 1234.5, ""),
        ("12.3%", 12.3, "%"),
        ("12.3％", 12.3, "%"),
        ("1.2万", 12000.0, ""),
        ("2.41 万人", 24100.0, "人"),
        ("82.20 亿元", 8.22e9, "元"),
        ("30678万元", 306780000.0, "元"),
        ("18.99&", 18.99, ""),
        ("-139", -139.0, ""),
        ("-11.58%", -11.58, "%"),
        ("76所²", 76.0, "所"),
        ("１２３４", 1234.0, ""),
        ("2022年", 2022.0, "年"),
        ("约3.62万人", 36200.0, "人"),
        (" 0 ", 0.0, ""),
        ("27060", 27060.0, ""),
    ],
)
def test_parse_quantity_reads_value_and_base_unit(raw: str, value: float, unit: str) -> None:
    quantity = parse_quantity(raw)
    assert quantity is not None
    assert quantity.base() == pytest.approx((value, unit))


@pytest.mark.parametrize("raw", ["--", "—", "-", "", "0.26 : 0.74", "9.87 :1", "35-39岁", "中专学校", "/"])
def test_parse_quantity_gives_none_without_a_single_value(raw: str) -> None:
    assert parse_quantity(raw) is None


def test_parse_quantity_keeps_raw_and_unit_as_written() -> None:
    quantity = parse_quantity("2.41 万人")
    assert quantity is not None
    assert (quantity.value, quantity.unit, quantity.raw) == (2.41, "万人", "2.41 万人")


def test_find_quantities_attaches_following_units() -> None:
    text = "共有招生职业学校76所²。增幅达6.91%，毕业生 2.41 万人，提高 1.5 个百分点，是 2.46 倍，3200余人"
    found = [(q.value, q.unit) for q in find_quantities(text)]
    assert found == [(76, "所"), (6.91, "%"), (2.41, "万人"), (1.5, "个百分点"), (2.46, "倍"), (3200, "人")]


def test_find_quantities_positions_point_into_the_raw_text() -> None:
    text = "在校生１２３４人，学费 12,345.6 元/月"
    for quantity in find_quantities(text):
        assert text[quantity.start : quantity.end] == quantity.raw
    assert [q.base() for q in find_quantities(text)] == [(1234, "人"), (12345.6, "元/月")]


def test_find_quantities_treats_years_as_quantities_and_skips_ratios() -> None:
    text = "2022 年职普比为 0.26 : 0.74，减少139人，增长量 -139"
    assert [(q.value, q.unit) for q in find_quantities(text)] == [(2022, "年"), (139, "人"), (-139, "")]


def test_a_programme_named_by_digits_holds_no_numbers() -> None:
    text = "新增 59 个“3+2”中高职衔接项目，3+2+2 中本贯通 29 人，1+X 证书，合计 5+3=8 个"
    assert [q.value for q in find_quantities(text)] == [59, 29, 5, 3, 8]
    assert parse_quantity("3+2") is None


def test_person_days_are_not_people() -> None:
    assert [(q.value, q.unit) for q in find_quantities("培训共计 294 人天，收入")] == [(294, "人天")]


def test_hyphen_between_numbers_is_not_a_minus_sign() -> None:
    assert [q.value for q in find_quantities("表 1-1 2020-2021学年")] == [1, 1, 2020, 2021]


def test_find_ratios_keeps_ratios_as_text() -> None:
    text = "招生职普比为 28.93:71.07，生师比 15.14 ：1，表 1-1：2022-2024年，2016—20：117"
    ratios = find_ratios(text)
    assert [r.text for r in ratios] == ["28.93:71.07", "15.14:1"]
    assert ratios[0].parts == (28.93, 71.07)
    assert all(text[r.start : r.end] == r.raw for r in ratios)


def test_normalize_is_nfkc() -> None:
    assert normalize("１２．３％") == "12.3%"


def test_first_number_of_a_range_shares_the_unit_after_the_second() -> None:
    found = find_quantities("2015—2020年北京市，30-34岁，增长量 -139")
    assert [(q.value, q.unit, q.raw) for q in found] == [
        (2015, "年", "2015"), (2020, "年", "2020年"), (30, "岁", "30"), (34, "岁", "34岁"), (-139, "", "-139")
    ]
