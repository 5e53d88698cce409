"""Figures prose states as a sum of listed parts.

'其中 a 人次；b 人次；c 人次' after a head figure, and
'正高级教师 4 人、高级教师 261 人' (a list of sub-kinds).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from itertools import groupby

from rag.audit.statements import Statement
from rag.numbers import format_number


def summed(statements: Sequence[Statement]) -> tuple[list[Statement], set[int]]:
    """Derived statements (each list's sum, worded as its head), and the ids of the parts they replace."""
    derived: list[Statement] = []
    parts_used: set[int] = set()
    for _, group in groupby(statements, key=lambda s: s.sentence):
        sentence = list(group)
        for parts, head in _lists(sentence):
            derived.append(_sum(parts, head))
            parts_used |= {id(p) for p in parts} if head is parts[-1] else set()
    return derived, parts_used


def _lists(sentence: list[Statement]) -> list[tuple[list[Statement], Statement]]:
    found = []
    usable = [s for s in sentence if not s.in_parens]
    text = sentence[0].sentence if sentence else ""
    where = text.find("其中")
    if where >= 0:
        after = [s for s in usable if s.offset > where]
        before = [s for s in usable if (s.offset < where and not s.approx) or s.offset < where]
        if after and before:
            run = _run(after, after[0].unit)
            head = next((s for s in reversed(before) if s.unit == run[0].unit), None)
            if head is not None and len(run) >= 2:
                found.append((run, head))
    for i in range(len(usable) - 1):
        a, b = usable[i], usable[i + 1]
        between = text[a.offset + len(a.raw) : b.offset]
        if (
            a.unit == b.unit
            and "、" in between
            and not any(p in between for p in "，,；;")
            and _bare(a.window).endswith(_bare(b.window))
            and len(_bare(b.window)) >= 2
        ):
            found.append(([a, b], b))
    return found


def _bare(window: str) -> str:
    return window.strip(" 、，,；;：:")


def _run(after: list[Statement], unit: str) -> list[Statement]:
    run = []
    for s in after:
        if s.unit != unit or s.approx:
            break
        run.append(s)
    return run


def _sum(parts: list[Statement], head: Statement) -> Statement:
    total = round(sum(p.value for p in parts), 6)
    formula = " + ".join(p.raw for p in parts) + f" = {format_number(total)}"
    first, last = parts[0], parts[-1]
    span = first.sentence[max(0, first.offset - 12) : last.offset + len(last.raw)].replace("\n", "")
    quote = span if len(span) <= 160 else f"{first.quote}……{last.quote}"
    return replace(head, value=total, raw=formula, quote=quote, approx=False, line=parts[0].line)
