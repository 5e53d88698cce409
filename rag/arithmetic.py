"""Arithmetic over cited numbers, in one place: n-ary sums, differences, shares, % change and
ratios, each with the formula shown to the user (and parsed back by the grounding check)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rag.numbers import Quantity, format_number, split_multiplier

Operation = Literal["sum", "difference", "ratio", "share", "growth"]
_UNIT_CLASS = {"名": "人", "位": "人", "块": "枚"}


@dataclass(frozen=True)
class Result:
    value: float
    unit: str
    formula: str
    """E.g. '6317 + 6996 = 13313 人'; inputs as cited, the result as stated."""


def compute(operation: Operation, operands: Sequence[tuple[float, str]]) -> Result | None:
    """The result of ``operation`` over (value, unit) operands, or None when it cannot be done
    (units of different kinds, a division by zero, too few operands)."""
    if len(operands) < 2 or (operation != "sum" and len(operands) != 2):
        return None
    values = _common_units(operands)
    if values is None:
        return None
    numbers, unit = values
    shown = [format_number(v) for v in numbers]
    places = max(_decimals(v) for v in numbers)
    if operation == "sum":
        total = round(math.fsum(numbers), places)
        return Result(total, unit, f"{' + '.join(shown)} = {format_number(total)} {unit}".strip())
    x, y = numbers
    if operation == "difference":
        value = round(abs(x - y), places)
        larger, smaller = format_number(max(x, y)), format_number(min(x, y))
        return Result(value, unit, f"{larger} - {smaller} = {format_number(value)} {unit}".strip())
    if x == 0 or y == 0:
        return None
    if operation == "ratio":
        value = round(x / y, 2)
        return Result(value, "倍", f"{shown[0]} ÷ {shown[1]} = {format_number(value)} 倍")
    if operation == "share":
        value = round(x / y * 100, 2)
        return Result(value, "%", f"{shown[0]} ÷ {shown[1]} × 100% = {format_number(value)}%")
    value = round(abs(y - x) / x * 100, 2)
    return Result(value, "%", f"|{shown[1]} - {shown[0]}| ÷ {shown[0]} × 100% = {format_number(value)}%")


def _common_units(operands: Sequence[tuple[float, str]]) -> tuple[list[float], str] | None:
    units = {u for _, u in operands}
    if len(units) == 1:
        return [v for v, _ in operands], units.pop()
    based = [Quantity(v, u, "", 0, 0).base() for v, u in operands]
    kinds = {_kind(u) for _, u in based if u}
    if len(kinds) > 1:
        return None
    unit = next((u for _, u in based if u), "")
    return [v for v, _ in based], unit


def _kind(unit: str) -> str:
    unit = split_multiplier(unit)[1] if len(unit) > 1 else unit
    return _UNIT_CLASS.get(unit, unit)


def _decimals(value: float) -> int:
    text = f"{value:.6f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0
