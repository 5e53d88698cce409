"""An answer computed over the values of two earlier answers (「两者相差多少」, 「它们一共多少」,
「前者是后者的几倍」, 「比上一年多了多少」), with the formula shown and each input cited as the earlier
answer cited it."""

from __future__ import annotations

from dataclasses import replace

from rag import arithmetic
from rag.numbers import Quantity, split_multiplier
from rag.types import Answer, Citation

NO_VALUES = "报告中没有找到该问题的答案。前面的回答中没有两个可以比较的数字。"


def over_earlier(operation: arithmetic.Operation, question: str, later: Answer, earlier: Answer, *,
                 later_label: str = "", earlier_label: str = "") -> Answer | None:
    """``operation`` over (later, earlier) as an Answer citing both inputs, or None when they cannot be
    combined. A difference is ``later - earlier``; a % change goes from ``earlier`` to ``later``."""
    operands = _comparable(later, earlier)
    if operands is not None and operation == "growth":
        operands = operands[::-1]
    result = arithmetic.compute(operation, operands) if operands is not None else None
    if result is None:
        return None
    a_label, b_label = later_label or "前者", earlier_label or "后者"
    text = f"答：{_stated(operation, result, a_label, b_label)}。\n计算：{result.formula}（输入见[1][2]）"
    citations = (_renumbered(later, 1), _renumbered(earlier, 2))
    return Answer(
        question=question, text=text, value=result.size, unit=result.unit, refused=False, mode="extractive",
        citations=tuple(c for c in citations if c is not None),
        retrieved=(*later.retrieved[:1], *earlier.retrieved[:1]), computation=result.formula,
    )


def _stated(operation: arithmetic.Operation, result: arithmetic.Result, a_label: str, b_label: str) -> str:
    size = arithmetic.with_unit(result.size, result.unit)
    if operation == "sum":
        return f"{a_label}与{b_label}合计 {size}"
    if operation == "ratio":
        return f"{a_label}是{b_label}的 {size}"
    if operation == "growth":
        return f"{a_label}比{b_label}{result.direction} {size}"
    return f"{a_label}比{b_label}{'相同，相差' if result.direction == '持平' else result.direction} {size}"


def _comparable(a: Answer, b: Answer) -> list[tuple[float, str]] | None:
    if a.refused or b.refused or a.value is None or b.value is None or not a.citations or not b.citations:
        return None
    if a.unit == b.unit:
        return [(a.value, a.unit), (b.value, b.unit)]
    x, y = Quantity(a.value, a.unit, "", 0, 0).base(), Quantity(b.value, b.unit, "", 0, 0).base()
    if x[1] != y[1] or split_multiplier(a.unit)[1] == "倍":
        return None
    return [x, y]


def _renumbered(answer: Answer, n: int) -> Citation | None:
    return replace(answer.citations[0], n=n) if answer.citations else None
