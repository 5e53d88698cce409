"""The calculator the model must use: arithmetic is done here from cited inputs, never in prose
(the operations themselves are ``rag.arithmetic``'s, the extractive answerers' own)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, cast, get_args

from rag import arithmetic
from rag.errors import LLMError
from rag.numbers import format_number

BAD_REPLY = "llm_bad_reply"

Op = Literal["sub", "add", "mul", "div", "pct_change", "share"]
OPS: tuple[str, ...] = get_args(Op)
PERCENT_OPS = frozenset({"pct_change", "share"})
_SYMBOL = {"sub": " − ", "add": " + ", "mul": " × ", "div": " ÷ "}


@dataclass(frozen=True)
class Operand:
    value: float
    source: int


@dataclass(frozen=True)
class Calculation:
    op: Op
    inputs: tuple[Operand, ...]


def calculation(op: str, inputs: tuple[Operand, ...]) -> Calculation:
    """A checked Calculation; LLMError for an unknown op or the wrong number of inputs."""
    if op not in OPS:
        raise LLMError(f"大模型要求了未知的计算 {op}", code=BAD_REPLY)
    if len(inputs) < 2 or (op not in ("add", "mul") and len(inputs) != 2):
        raise LLMError(f"计算 {op} 收到了 {len(inputs)} 个输入", code=BAD_REPLY)
    return Calculation(cast(Op, op), inputs)


def compute(calc: Calculation) -> float:
    """The result by ``rag.arithmetic``, rounded to 2 decimals (percent ops give percentage points)."""
    values = [o.value for o in calc.inputs]
    a, b = values[0], values[-1]
    if calc.op in ("div", "pct_change", "share") and (b if calc.op != "pct_change" else a) == 0:
        raise LLMError("大模型给出的计算除以零", code=BAD_REPLY)
    result = {
        "add": lambda: arithmetic.total(values),
        "sub": lambda: a - b,
        "mul": lambda: math.prod(values),
        "div": lambda: arithmetic.quotient(a, b),
        "pct_change": lambda: arithmetic.percent_change(a, b),
        "share": lambda: arithmetic.share(a, b),
    }[calc.op]()
    return round(result, 2)


def formula(calc: Calculation, result: float) -> str:
    """The computation as shown to the user, e.g. ``(1061 − 1200) ÷ 1200 × 100% = -11.58%``."""
    v = [format_number(o.value) for o in calc.inputs]
    if calc.op == "pct_change":
        return f"({v[1]} − {v[0]}) ÷ {v[0]} × 100% = {format_number(result)}%"
    if calc.op == "share":
        return f"{v[0]} ÷ {v[1]} × 100% = {format_number(result)}%"
    return f"{_SYMBOL[calc.op].join(v)} = {format_number(result)}"
