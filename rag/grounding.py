"""The numeric grounding check: every number an answer states must be in a cited source or be
the result of its shown computation over cited numbers (a disagreement's sum of cited parts, e.g.
'806 + 501 = 1307', counts as shown)."""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache

from rag.numbers import Quantity, find_quantities, format_number, normalize
from rag.types import Answer

UNGROUNDED = "未能在引用来源中核实的数字"
_MARKERS = re.compile(
    r"(?:表|图|案例|附表|附件)\s*\d+(?:\s*[-—－–.]\s*\d+)*|[\[【]\s*\d+(?:\s*[,，、]\s*\d+)*\s*[\]】]"
    r"|第\s*\d+\s*[行页章节条届批]|《[^》]*》"
)
_SUPERSCRIPTS = "[⁰¹²³⁴⁵⁶⁷⁸⁹]"
_OPERATORS: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
}


def check(answer: Answer) -> Answer:
    """``answer`` with ``grounded`` and a warning set from whether each stated number is supported."""
    if answer.refused:
        return answer
    sources = _source_numbers(answer)
    # A negative change the answer states as a fall (「下降 0.95%」 for -0.95%) is the same figure.
    sources += [replace(s, value=-s.value) for s in sources
                if s.value < 0 and f"下降 {format_number(-s.value)}" in answer.text]
    formulas = [answer.computation, *(f.raw for d in answer.disagreements for f in d.figures)]
    computed = [q for formula in formulas for q in _computed_numbers(formula, sources)]
    stated = stated_numbers(answer.text)
    if answer.value is not None:
        stated.append(Quantity(answer.value, answer.unit, str(answer.value), 0, 0))
    missing = [q.raw for q in stated if not _supported(q, sources, computed)]
    if not missing:
        return replace(answer, grounded=True)
    note = f"{UNGROUNDED}：{'、'.join(dict.fromkeys(missing))}"
    return replace(answer, grounded=False, warnings=(*answer.warnings, note))


def stated_numbers(text: str) -> list[Quantity]:
    """Numbers stated in ``text``, leaving out years, citation markers and table numbers."""
    cleaned = _MARKERS.sub(lambda m: " " * len(m.group(0)), normalize(re.sub(_SUPERSCRIPTS, "", text)))
    return [q for q in find_quantities(cleaned) if not _is_year(q, cleaned)]


def evaluate(expression: str) -> float | None:
    """The value of a shown formula's left side (``+ - × ÷``, ``|…|``, ``%``), or None."""
    text = normalize(expression).replace("×", "*").replace("÷", "/").replace("−", "-")
    text = re.sub(r"\|([^|]+)\|", r"abs(\1)", text).replace("%", "").replace(",", "")
    try:
        return _eval(ast.parse(text.strip(), mode="eval").body)
    except (SyntaxError, ValueError, ZeroDivisionError):
        return None


def _eval(node: ast.expr) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_eval(node.left), _eval(node.right))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_eval(node.operand)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "abs":
        return abs(_eval(node.args[0]))
    raise ValueError("unsupported formula")


def _source_numbers(answer: Answer) -> list[Quantity]:
    texts = [c.quote for c in answer.citations]
    cited = {c.chunk_id for c in answer.citations}
    texts += [h.chunk.text for h in answer.retrieved if h.chunk.id in cited]
    return [q for text in texts for q in _quantities(text)]


@lru_cache(maxsize=20_000)
def _quantities(text: str) -> tuple[Quantity, ...]:
    return tuple(find_quantities(text))


def _computed_numbers(computation: str, sources: Sequence[Quantity]) -> list[Quantity]:
    """The inputs and result of a computation whose inputs are all cited and whose arithmetic holds."""
    if "=" not in computation:
        return []
    left, _, right = normalize(computation).rpartition("=")
    inputs = find_quantities(re.sub(r"\|", " ", left))
    results = find_quantities(right)
    value = evaluate(left)
    if not inputs or not results or value is None:
        return []
    if not all(_in_sources(q, sources) for q in inputs if q.raw.strip() != "100%"):
        return []
    result = results[0]
    if abs(result.value - value) > max(0.006, abs(value) * 1e-6) and abs(result.value - abs(value)) > 0.006:
        return []
    return [*inputs, result]


def _supported(q: Quantity, sources: Sequence[Quantity], computed: Sequence[Quantity]) -> bool:
    return _in_sources(q, sources) or any(_same(q, c) for c in computed)


def _in_sources(q: Quantity, sources: Sequence[Quantity]) -> bool:
    return any(_same(q, s) for s in sources)


def _same(a: Quantity, b: Quantity) -> bool:
    if abs(a.value - b.value) < 1e-9 and (not a.unit or not b.unit or _kind(a.unit) == _kind(b.unit)):
        return True
    (av, au), (bv, bu) = a.base(), b.base()
    return abs(av - bv) < 1e-6 * max(1.0, abs(av)) and (au == bu or not au or not bu)


def _kind(unit: str) -> str:
    return re.sub(r"^(?:亿|千万|百万|万|千)", "", unit) or unit


def _is_year(q: Quantity, text: str) -> bool:
    after = text[q.end: q.end + 1]
    value = abs(q.value)
    plausible = value.is_integer() and 1949 <= value <= 2100
    return q.unit == "年" or (plausible and after in ("年", "-", "—", "级"))
