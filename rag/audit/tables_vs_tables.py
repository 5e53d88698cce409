"""The same measure, level and year given different values in two tables."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from rag.audit.cells import Cell, agree
from rag.audit.findings import Finding
from rag.audit.text_vs_table import close
from rag.numbers import format_number


def tables_vs_tables(cells: Sequence[Cell]) -> list[Finding]:
    """One finding per pair of tables stating one measure (same terms, level, year, unit) differently."""
    groups: dict[tuple[tuple[str, ...], str, int | None, str], list[Cell]] = defaultdict(list)
    for cell in cells:
        if cell.terms and not cell.delta:
            groups[(tuple(sorted(cell.terms)), cell.level, cell.fact.year, cell.unit)].append(cell)
    pairs: dict[tuple[str, str], list[tuple[Cell, Cell]]] = defaultdict(list)
    for group in groups.values():
        by_table = {c.fact.table: c for c in reversed(group)}
        ordered = sorted(by_table.values(), key=lambda c: c.fact.line)
        for other in ordered[1:]:
            pairs[(ordered[0].fact.table, other.fact.table)].append((ordered[0], other))
    found = []
    for compared in pairs.values():
        differ = [(a, b) for a, b in compared if not agree(a.value, a.fact.raw, b.value, b.fact.raw)]
        # Two tables that differ in every shared figure count different things (技工学校 in or out).
        if len(differ) == len(compared):
            continue
        found += [_finding(a, b) for a, b in differ if close(a.value, b.value, a.unit)]
    return found


def _finding(first: Cell, other: Cell) -> Finding:
    measure = "·".join(first.terms)
    return Finding(
        kind="table_vs_table",
        measure=f"{first.level}·{measure}" if first.level else measure,
        year=first.fact.year,
        unit=first.unit,
        first=first.source(),
        second=other.source(),
        difference=round(other.value - first.value, 6),
        detail=f"表{first.fact.table}为 {first.fact.raw}，表{other.fact.table}为 {other.fact.raw}"
        f"（相差 {format_number(abs(other.value - first.value))}）",
    )
