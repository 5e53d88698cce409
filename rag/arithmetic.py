"""Arithmetic over cited numbers, in one place: n-ary sums, differences with their sign, shares,
% change and ratios, each with the formula shown to the user (and parsed back by the grounding
check); and the joint choice of operands among a lookup's candidates."""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar, get_args

from rag.numbers import Quantity, base_unit, counted_alike, find_quantities, format_number, split_multiplier

Operation = Literal["sum", "difference", "ratio", "share", "growth"]
OPERATIONS: tuple[Operation, ...] = get_args(Operation)
_CHANGE_AFTER = re.compile(
    r"[，,]?\s*(?:(?:较|比)(?:上一?年度?|去年))?(增加|增长|提高|提升|上升|减少|下降|降低)了?\s*"
)
_RISES = ("增加", "增长", "提高", "提升", "上升")
_SINCE_LAST_YEAR = r"(?:(?:较|比|相比|与)[^，,。；;\d]{0,8}?)?"
"""较上一年, 相比去年经费投入: the year before, never another named year."""
_RATE_AFTER = re.compile(
    r"[，,]?\s*(?:[（(][^）)]*[）)])?"  # an aside: （其中，中专学校招生6317人，职业高中招生6996人）
    rf"(?:[，,]?\s*{_SINCE_LAST_YEAR}(?:增加|增长|减少|下降|提高|降低)了?\s*[\d.]+\s*[^\d\s，,。；;%]{{0,3}})?"
    rf"[，,]?\s*{_SINCE_LAST_YEAR}(增幅|涨幅|增长率|增长|提高|增加|降幅|下降率|下降|降低|减少)(?:为|达到?|了)?\s*"
    r"([\d.]+)\s*%"
)
"""A % change right after a value, past an aside and the change in the value's unit (「，较上一年减少
883人，降幅6.22%」, 「比上一年增长1373万元，增长率为4.69%」)."""
_RATE_RISES = ("增幅", "涨幅", "增长率", "增长", "提高", "增加")
T = TypeVar("T")


@dataclass(frozen=True)
class Result:
    value: float
    """Signed: a difference is first − second, a % change is (later − base) ÷ base."""
    unit: str
    formula: str
    """E.g. '6317 + 6996 = 13313 人'; inputs as cited, the result as stated (its size)."""
    direction: str = ""
    """多/少 for a difference, 增长/下降 for a % change, 持平 when they are equal."""

    @property
    def size(self) -> float:
        return abs(self.value)


def compute(operation: Operation, operands: Sequence[tuple[float, str]]) -> Result | None:
    """The result of ``operation`` over (value, unit) operands, or None when it cannot be done
    (units of different kinds, a division by zero, too few operands). A difference is the first
    operand minus the second; a % change goes from the first (the base) to the second."""
    if len(operands) < 2 or (operation != "sum" and len(operands) != 2):
        return None
    rates = [unit == "%" for _, unit in operands]
    if any(rates) and (not all(rates) or operation == "share"):
        return None  # a rate is no count: 20% of 60 专业 is not a share of them
    values = _common_units(operands)
    if values is None:
        return None
    numbers, unit = values
    shown = [format_number(v) for v in numbers]
    places = max(_decimals(v) for v in numbers)
    if operation == "sum":
        sum_ = round(total(numbers), places)
        return Result(sum_, unit, f"{' + '.join(shown)} = {with_unit(sum_, unit)}")
    x, y = numbers
    if operation == "difference":
        return _difference(x, y, places, "个百分点" if unit == "%" else unit)
    if x == 0 or y == 0:
        return None
    if operation == "ratio":
        value = round(quotient(x, y), 2)
        return Result(value, "倍", f"{shown[0]} ÷ {shown[1]} = {format_number(value)} 倍")
    if operation == "share":
        value = round(share(x, y), 2)
        return Result(value, "%", f"{shown[0]} ÷ {shown[1]} × 100% = {format_number(value)}%")
    return _growth(x, y)


def remainder(whole: tuple[float, str], parts: Sequence[tuple[float, str]]) -> Result | None:
    """What is left of ``whole`` without ``parts`` (73113 - 26737 = 46376 人); None when the units
    differ or the parts add up to the whole or more."""
    values = _common_units([whole, *parts])
    if values is None or not parts:
        return None
    numbers, unit = values
    left = round(numbers[0] - total(numbers[1:]), max(_decimals(v) for v in numbers))
    if left <= 0:
        return None
    shown = " - ".join(format_number(v) for v in numbers)
    return Result(left, unit, f"{shown} = {with_unit(left, unit)}")


def total(values: Sequence[float]) -> float:
    return math.fsum(values)


def quotient(x: float, y: float) -> float:
    return x / y


def share(part: float, whole: float) -> float:
    """``part`` as a percentage of ``whole``."""
    return part / whole * 100


def percent_change(base: float, later: float) -> float:
    """The change from ``base`` to ``later`` as a signed percentage of ``base``."""
    return (later - base) / base * 100


def _difference(x: float, y: float, places: int, unit: str) -> Result:
    value = round(x - y, places)
    larger, smaller = format_number(max(x, y)), format_number(min(x, y))
    direction = "多" if value > 0 else ("少" if value < 0 else "持平")
    return Result(value, unit, f"{larger} - {smaller} = {with_unit(abs(value), unit)}", direction)


def _growth(base: float, later: float) -> Result:
    value = round(percent_change(base, later), 2)
    b, lt, size = format_number(base), format_number(later), format_number(abs(value))
    # The shown formula subtracts the smaller from the larger so that it equals the stated size.
    step = f"({lt} - {b})" if later >= base else f"({b} - {lt})"
    direction = "增长" if value > 0 else ("下降" if value < 0 else "持平")
    return Result(value, "%", f"{step} ÷ {b} × 100% = {size}%", direction)


def before_change(value: float, unit: str, after: str) -> Result | None:
    """Last year's value from this year's and the change stated right after it (「54.93 亿元，
    较上一年增长了 2.69 亿」 → 52.24 亿元; 「35.22%，下降 2.63 个百分点」 → 37.85%), or None."""
    change = _CHANGE_AFTER.match(after)
    delta = find_quantities(after[change.end():])[:1] if change else []
    if change is None or not delta or delta[0].start != 0 or not _change_fits(unit, delta[0].unit):
        return None
    rose, step = change.group(1) in _RISES, delta[0].value
    earlier = round(value - step if rose else value + step, max(_decimals(value), _decimals(step)))
    sign, shown = "-" if rose else "+", with_unit(earlier, unit)
    return Result(earlier, unit, f"{format_number(value)} {sign} {format_number(step)} = {shown}")


def stated_rate(after: str) -> tuple[float, str, bool] | None:
    """The % change against the year before stated right after a value (``after`` is the text that
    follows it): its size, as written, and whether it is a rise; None when none follows."""
    found = _RATE_AFTER.match(after)
    if found is None:
        return None
    return float(found.group(2)), f"{found.group(2)}%", found.group(1) in _RATE_RISES


def _change_fits(unit: str, change_unit: str) -> bool:
    """A change in the value's unit, in 个百分点 for a rate, or in its bare 万/亿 (2.69 亿 of 亿元)."""
    if change_unit == unit or (unit == "%" and change_unit == "个百分点"):
        return True
    factor, rest = split_multiplier(change_unit)
    return factor != 1 and not rest and unit.startswith(change_unit)


@dataclass(frozen=True)
class Option(Generic[T]):
    """One candidate for an operand: the located number (``item``) and what the choice weighs."""

    item: T
    value: float
    unit: str
    score: float
    source: str
    """Which table (or passage) states it: operands from one source are read alike."""
    near: bool = True
    """As good as the operand's best reading (the best, the same quantity, or about as well scored);
    the others are used only when no combination of these computes."""
    at: str = ""
    """Where in its source it stands (a cell, a place in a sentence): equal numbers at two places
    are two operands (交通服务 8 个专业 and 金融服务 8 个专业)."""


def choose(
    operation: Operation, options: Sequence[Sequence[Option[T]]]
) -> tuple[list[T], Result] | None:
    """One option per operand, chosen jointly, and the result: no number used twice, units that
    compute; then the most operands read as well as their best, the most from one source, exact
    figures over rounded ones (13312 over 1.33万), the lookups' scores. None when nothing computes."""
    best: tuple[tuple[int, int, int, float], list[T], Result] | None = None
    for combination in itertools.product(*options):
        keys = [(o.value, o.unit, o.source, o.at) for o in combination]
        result = compute(operation, [(o.value, o.unit) for o in combination])
        if result is None or len(set(keys)) != len(keys):
            continue
        near, exacts = sum(o.near for o in combination), sum(exact(o.unit) for o in combination)
        shared = Counter(o.source for o in combination).most_common(1)[0][1]
        rank = (near, shared, exacts, math.fsum(o.score for o in combination))
        if best is None or rank > best[0]:
            best = (rank, [o.item for o in combination], result)
    return (best[1], best[2]) if best is not None else None


def operation(name: str) -> Operation | None:
    """The arithmetic operation a plan names ('lookup' is none)."""
    return next((op for op in OPERATIONS if op == name), None)


def exact(unit: str) -> bool:
    """True for a figure stated in its base unit, not rounded to 万/亿 (13312 人, not 1.33万人)."""
    return split_multiplier(unit)[0] == 1


def rounds_to(exact_value: tuple[float, str], rounded: tuple[float, str]) -> bool:
    """True when ``rounded`` (e.g. 1.33 万人) is ``exact_value`` (13312 人) written to fewer digits."""
    (xv, xu), (rv, ru) = (Quantity(v, u, "", 0, 0).base() for v, u in (exact_value, rounded))
    if base_unit(xu) != base_unit(ru):
        return False
    step = (rv / rounded[0]) * 10 ** -_decimals(rounded[0]) if rounded[0] else 1.0
    return abs(xv - rv) <= step / 2 + 1e-9


def with_unit(value: float, unit: str) -> str:
    """A number as an answer writes it: 42.25%, 3.5倍, 139 人."""
    number = format_number(value)
    return f"{number}{unit}" if unit in ("%", "倍") else f"{number} {unit}".strip()


def _common_units(operands: Sequence[tuple[float, str]]) -> tuple[list[float], str] | None:
    units = {u for _, u in operands}
    if len(units) == 1:
        return [v for v, _ in operands], units.pop()
    based = [Quantity(v, u, "", 0, 0).base() for v, u in operands]
    kinds = {base_unit(u) for _, u in based if u}
    if len(kinds) > 1 and not all(counted_alike(a, b) for a, b in itertools.combinations(kinds, 2)):
        return None
    # Counts of one kind of thing in two words (12次示范课 and 4场讲座) add up in the commoner word.
    unit = Counter(u for _, u in based if u).most_common(1)[0][0] if kinds else ""
    return [v for v, _ in based], unit


def _decimals(value: float) -> int:
    text = f"{value:.6f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0
