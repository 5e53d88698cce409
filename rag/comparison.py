"""An answer computed over the values of two earlier answers (「两者相差多少」, 「比上一年多了多少」),
with the formula shown and each input cited as the earlier answer cited it."""

from __future__ import annotations

from dataclasses import replace

from rag.numbers import Quantity, format_number, split_multiplier
from rag.types import Answer, Citation

NO_VALUES = "报告中没有找到该问题的答案。前面的回答中没有两个可以比较的数字。"


def difference(question: str, later: Answer, earlier: Answer, *, later_label: str = "",
               earlier_label: str = "") -> Answer | None:
    """``later - earlier`` as an Answer citing both inputs, or None when they cannot be compared."""
    operands = _comparable(later, earlier)
    if operands is None:
        return None
    (x, unit), (y, _) = operands
    places = max(_decimals(x), _decimals(y))
    delta = round(x - y, places)
    unit = "个百分点" if unit == "%" else unit
    larger, smaller, size = format_number(max(x, y)), format_number(min(x, y)), format_number(abs(delta))
    formula = f"{larger} - {smaller} = {size} {unit}".strip()
    direction = "多" if delta > 0 else ("少" if delta < 0 else "相同，相差")
    a_label, b_label = later_label or "前者", earlier_label or "后者"
    text = f"答：{a_label}比{b_label}{direction} {size} {unit}。\n计算：{formula}（输入见[1][2]）"
    citations = (_renumbered(later, 1), _renumbered(earlier, 2))
    return Answer(
        question=question, text=text, value=abs(delta), unit=unit, refused=False, mode="extractive",
        citations=tuple(c for c in citations if c is not None),
        retrieved=(*later.retrieved[:1], *earlier.retrieved[:1]), computation=formula,
    )


def _comparable(a: Answer, b: Answer) -> tuple[tuple[float, str], tuple[float, str]] | None:
    if a.refused or b.refused or a.value is None or b.value is None or not a.citations or not b.citations:
        return None
    if a.unit == b.unit:
        return (a.value, a.unit), (b.value, b.unit)
    x, y = Quantity(a.value, a.unit, "", 0, 0).base(), Quantity(b.value, b.unit, "", 0, 0).base()
    if x[1] != y[1] or split_multiplier(a.unit)[1] == "倍":
        return None
    return x, y


def _renumbered(answer: Answer, n: int) -> Citation | None:
    return replace(answer.citations[0], n=n) if answer.citations else None


def _decimals(value: float) -> int:
    text = f"{value:.6f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0
