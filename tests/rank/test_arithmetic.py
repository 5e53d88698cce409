from __future__ import annotations

import pytest

from rag.arithmetic import Option, before_change, choose, compute, remainder, rounds_to, stated_rate
from rag.grounding import evaluate


def test_a_sum_takes_any_number_of_operands_and_keeps_their_decimals() -> None:
    result = compute("sum", [(12, "枚"), (23, "枚"), (45, "枚")])
    assert result is not None and (result.value, result.unit) == (80, "枚")
    assert result.formula == "12 + 23 + 45 = 80 枚"


@pytest.mark.parametrize(
    ("operands", "value", "direction"),
    [([(1200, "人"), (1061, "人")], 139, "多"), ([(1061, "人"), (1200, "人")], -139, "少"),
     ([(1061, "人"), (1061, "人")], 0, "持平")],
)
def test_a_difference_keeps_its_sign_and_shows_larger_minus_smaller(
    operands: list[tuple[float, str]], value: float, direction: str
) -> None:
    result = compute("difference", operands)
    assert result is not None and (result.value, result.direction) == (value, direction)
    assert result.formula.startswith(f"{max(v for v, _ in operands):g} - {min(v for v, _ in operands):g}")
    assert evaluate(result.formula.rpartition("=")[0]) == pytest.approx(result.size)


def test_a_difference_of_rates_is_in_percentage_points() -> None:
    result = compute("difference", [(36.7, "%"), (62.87, "%")])
    assert result is not None and (result.value, result.unit, result.direction) == (-26.17, "个百分点", "少")


@pytest.mark.parametrize(
    ("base", "later", "value", "direction"),
    [(1200, 1043, -13.08, "下降"), (1043, 1200, 15.05, "增长"), (50, 50, 0, "持平")],
)
def test_a_percent_change_goes_from_the_base_with_its_sign(
    base: float, later: float, value: float, direction: str
) -> None:
    result = compute("growth", [(base, "人"), (later, "人")])
    assert result is not None and (result.value, result.direction) == (value, direction)
    assert evaluate(result.formula.rpartition("=")[0]) == pytest.approx(abs(value), abs=0.01)


def test_units_of_one_kind_are_brought_to_the_base_unit() -> None:
    result = compute("difference", [(2.41, "万人"), (20000, "人")])
    assert result is not None and (result.value, result.unit) == (4100, "人")


def test_units_of_different_kinds_do_not_compute() -> None:
    assert compute("sum", [(3, "人"), (4, "万元")]) is None
    assert compute("sum", [(3, "所"), (4, "册")]) is None


def test_count_words_of_one_kind_of_thing_add_up_in_the_commoner_word() -> None:
    result = compute("sum", [(12, "次"), (8, "次"), (4, "场")])
    assert result is not None and (result.value, result.unit) == (24, "次")


@pytest.mark.parametrize(
    ("operation", "operands", "value"),
    [
        ("share", [(1061, "人"), (4104, "人")], 25.85),
        ("growth", [(1043, "人"), (1200, "人")], 15.05),
        ("ratio", [(1061, "人"), (3043, "人")], 0.35),
    ],
)
def test_shares_growth_and_ratios_show_a_formula_the_grounding_check_evaluates(
    operation: str, operands: list[tuple[float, str]], value: float
) -> None:
    result = compute(operation, operands)  # type: ignore[arg-type]
    assert result is not None and result.value == value
    assert evaluate(result.formula.rpartition("=")[0]) == pytest.approx(value, abs=0.01)


def test_division_by_zero_does_not_compute() -> None:
    assert compute("share", [(3, "人"), (0, "人")]) is None


def test_operands_from_one_table_are_chosen_together_over_higher_scores() -> None:
    part = [Option("part", 10142, "人", 1.7, "table A")]
    whole = [Option("other table", 85925, "人", 1.2, "table B"),
             Option("same table", 26133, "人", 1.1, "table A")]
    chosen = choose("share", [part, whole])
    assert chosen is not None and chosen[0] == ["part", "same table"] and chosen[1].value == 38.81


def test_an_exact_count_is_chosen_over_its_rounded_figure() -> None:
    assert rounds_to((13312, "人"), (1.33, "万人")) and not rounds_to((13412, "人"), (1.33, "万人"))
    first = [Option("rounded", 1.33, "万人", 1.5, "prose 1"), Option("exact", 13312, "人", 1.4, "prose 2")]
    second = [Option("other", 1200, "人", 1.0, "prose 3")]
    chosen = choose("sum", [first, second])
    assert chosen is not None and chosen[0] == ["exact", "other"]


def test_one_stated_number_is_not_two_operands_and_nothing_computable_is_none() -> None:
    same = [Option("cell", 44, "个", 1.6, "table")]
    assert choose("sum", [same, same]) is None
    assert choose("sum", [[Option("a", 3, "人", 1, "x")], [Option("b", 4, "万元", 1, "y")]]) is None
    assert choose("sum", [[Option("a", 3, "人", 1, "x")], []]) is None


@pytest.mark.parametrize(
    ("value", "unit", "after", "earlier", "shown"),
    [
        (54.93, "亿元", "，较上一年增长了 2.69 亿，增幅达到了 5.15%", 52.24, "54.93 - 2.69 = 52.24 亿元"),
        (35.22, "%", "，下降 2.63 个百分点", 37.85, "35.22 + 2.63 = 37.85%"),
        (9797, "人", "，较上一年减少 243 人", 10040, "9797 + 243 = 10040 人"),
    ],
)
def test_last_years_value_from_this_years_and_its_stated_change(
    value: float, unit: str, after: str, earlier: float, shown: str
) -> None:
    result = before_change(value, unit, after)
    assert result is not None and (result.value, result.unit, result.formula) == (earlier, unit, shown)
    assert evaluate(shown.rpartition("=")[0]) == pytest.approx(earlier)


@pytest.mark.parametrize(
    ("unit", "after"), [("人", "，增加 3 所学校"), ("%", "，较上一年增加 2 人"), ("人", "，其中 243 人")]
)
def test_a_change_in_another_unit_or_no_change_gives_nothing(unit: str, after: str) -> None:
    assert before_change(100, unit, after) is None


def test_a_weaker_reading_is_used_only_when_the_best_ones_do_not_compute() -> None:
    base = [Option("rate", 87, "%", 1.1, "prose"), Option("count", 217, "人", 0.7, "prose", near=False)]
    later = [Option("count", 231, "人", 1.7, "table")]
    chosen = choose("growth", [base, later])
    assert chosen is not None and chosen[0] == ["count", "count"] and chosen[1].value == 6.45
    best = [Option("best", 100, "人", 1.5, "table A")]
    other = [Option("best", 80, "人", 1.4, "table B"), Option("weak", 70, "人", 0.6, "table A", near=False)]
    chosen = choose("difference", [best, other])
    assert chosen is not None and chosen[1].value == 20


def test_equal_numbers_at_two_places_of_one_source_are_two_operands() -> None:
    first = [Option("row A", 8, "个", 1.2, "table", at="cell A")]
    second = [Option("row B", 8, "个", 1.1, "table", at="cell B")]
    chosen = choose("sum", [first, second])
    assert chosen is not None and chosen[1].value == 16


def test_a_rate_does_not_compute_with_a_count_nor_as_a_share() -> None:
    assert compute("share", [(20.0, "%"), (60.0, "")]) is None
    assert compute("share", [(20.0, "%"), (60.0, "%")]) is None
    assert compute("sum", [(10.4, "%"), (9.9, "")]) is None
    total = compute("sum", [(10.4, "%"), (9.9, "%"), (12.1, "%")])
    assert total is not None and (total.value, total.unit) == (32.4, "%")


@pytest.mark.parametrize(
    ("after", "rate"),
    [
        ("，（其中，中专6317人，职高6996人，）较上一年减少883人，降幅6.22%。", (6.22, "6.22%", False)),
        ("，相比去年经费投入增加 2746.67 万元，增长率为 17.64%。", (17.64, "17.64%", True)),
        ("，比上一年增加399人，增长14.5%。", (14.5, "14.5%", True)),
        ("，较2020年增长5%", None),  # another year than the one before
        ("，其中公办 81%", None),
    ],
)
def test_a_rate_of_change_stated_right_after_a_value(
    after: str, rate: tuple[float, str, bool] | None
) -> None:
    assert stated_rate(after) == rate


def test_a_remainder_is_the_whole_less_each_part_and_never_below_zero() -> None:
    result = remainder((10400, "人"), [(5200, "人"), (2100, "人")])
    assert result is not None and (result.value, result.formula, result.direction) == (
        3100, "10400 - 5200 - 2100 = 3100 人", "")
    assert remainder((100, "人"), [(100, "人")]) is None
    assert remainder((100, "人"), [(20, "%")]) is None
