"""The same measure stated in prose and in a table with different values."""

from __future__ import annotations

from collections.abc import Sequence

from rag.audit.cells import Cell, agree
from rag.audit.findings import Finding, Source
from rag.audit.lists import summed
from rag.audit.measures import ends_window, label_score
from rag.audit.statements import COUNT_UNITS, Statement
from rag.numbers import format_number, split_multiplier

MAX_RELATIVE = 0.25
"""Beyond this relative difference two figures are taken to measure different things."""
MAX_POINTS = 8.0
"""Beyond this many percentage points two shares are taken to measure different things."""


def text_vs_table(statements: Sequence[Statement], cells: Sequence[Cell]) -> list[Finding]:
    """Findings where a prose figure and the table cell of the same measure, level and year differ."""
    found: list[Finding] = []
    derived, replaced = summed(statements)
    fitting: dict[str, list[Cell]] = {}
    for statement in [*statements, *derived]:
        if statement.approx or statement.in_parens or id(statement) in replaced:
            continue
        if statement.unit not in fitting:
            fitting[statement.unit] = [c for c in cells if not c.delta and _unit_fits(c, statement.unit)]
        finding = check(statement, fitting[statement.unit])
        if finding is not None:
            found.append(finding)
    return found


def check(statement: Statement, cells: Sequence[Cell]) -> Finding | None:
    """The finding for one statement against the best-matching of ``cells`` (those in its unit, not
    changes), or None when they agree."""
    candidates = _candidates(statement, cells)
    if not candidates:
        return None
    raw = statement.raw
    if any(
        agree(
            statement.value, raw.rsplit("= ", 1)[-1], value, source.raw.rsplit("= ", 1)[-1], scale=_scale(raw)
        )
        for value, source, _ in candidates
    ):
        return None
    value, source, measure = min(candidates, key=lambda c: abs(c[0] - statement.value))
    if not close(statement.value, value, statement.unit):
        return None
    first = Source(
        file=statement.file,
        line=statement.line,
        quote=statement.quote,
        value=statement.value,
        raw=statement.raw,
        doc_id=statement.doc_id,
    )
    year = statement.years[-1] if len(statement.years) == 1 else None
    if len(statement.years) > 1:
        measure += f"（{'、'.join(map(str, statement.years))} 年合计）"
    return Finding(
        kind="text_vs_table",
        measure=measure,
        year=year,
        unit=statement.unit,
        first=first,
        second=source,
        difference=round(value - statement.value, 6),
        detail=f"正文为 {statement.raw}，表{source.table}为 {source.raw}"
        f"（相差 {format_number(abs(value - statement.value))}）",
    )


def close(a: float, b: float, unit: str) -> bool:
    """Whether two different figures are near enough to be two statements of one measure."""
    if unit == "%":
        return abs(a - b) <= MAX_POINTS
    return abs(a - b) <= MAX_RELATIVE * max(abs(a), abs(b))


def _scale(raw: str) -> float:
    factor, _ = split_multiplier(raw.lstrip("0123456789.,").strip())
    return factor


def _candidates(statement: Statement, cells: Sequence[Cell]) -> list[tuple[float, Source, str]]:
    """(value, cited cell, measure) for the best-matching cells at the statement's level and year(s)."""
    scored = [(label_score(c.terms, statement.window, statement.before), c) for c in cells]
    scored = [(s, c) for s, c in scored if s > 0 and ends_window(c.terms, statement.window)]
    if not scored:
        return []
    best = max(s for s, _ in scored)
    matched = [c for s, c in scored if s == best]
    return _at_level_and_years(statement, matched)


def _unit_fits(cell: Cell, unit: str) -> bool:
    if cell.unit:
        return cell.unit == unit or {cell.unit, unit} <= {"人", "名"}
    return unit in COUNT_UNITS and float(cell.value).is_integer()


def _at_level_and_years(statement: Statement, matched: list[Cell]) -> list[tuple[float, Source, str]]:
    """Per table: the figure at the statement's level for its year, or summed over its years."""
    out = []
    for table in sorted({c.fact.table for c in matched}):
        in_table = [c for c in matched if c.fact.table == table]
        per_year = [_at_level(statement, [c for c in in_table if c.fact.year == y]) for y in statement.years]
        found = [p for p in per_year if p is not None]
        if not statement.years or len(found) < len(per_year):
            continue
        out.append(found[0] if len(found) == 1 else _summed(found))
    return out


def _at_level(statement: Statement, cells: list[Cell]) -> tuple[float, Source, str] | None:
    """The cell at the statement's level, or the sum over a row of level columns for all levels."""
    if not cells:
        return None
    measure = "·".join(cells[0].terms)
    exact = [c for c in cells if c.level == statement.level]
    if len(exact) == 1:
        cell = exact[0]
        return cell.value, cell.source(), _with_level(statement.level, measure)
    levels = {c.level for c in cells}
    if (
        statement.level == ""
        and len(exact) == 0
        and len(levels) >= 2
        and "" not in levels
        and len(cells) == len(levels)
    ):
        return _summed([(c.value, c.source(), measure) for c in cells])
    return None


def _summed(parts: list[tuple[float, Source, str]]) -> tuple[float, Source, str]:
    """Several cited cells as one figure: their sum, cited by the first with the formula."""
    total = round(sum(v for v, _, _ in parts), 6)
    first = parts[0][1]
    formula = " + ".join(s.raw for _, s, _ in parts) + f" = {format_number(total)}"
    quote = "；".join([parts[0][1].quote] + [s.quote.split("：", 1)[-1] for _, s, _ in parts[1:]])
    source = Source(
        file=first.file,
        line=first.line,
        quote=quote,
        value=total,
        raw=formula,
        table=first.table,
        doc_id=first.doc_id,
    )
    return total, source, parts[0][2]


def _with_level(level: str, measure: str) -> str:
    return f"{level}·{measure}" if level else measure
