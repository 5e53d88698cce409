"""Table totals (合计, 小计, 总数 rows and columns) that differ from the sum of their parts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from rag.audit.cells import Cell, agree
from rag.audit.findings import Finding, Source
from rag.audit.measures import is_total_label
from rag.numbers import format_number

Grid = dict[str, dict[str, Cell]]
"""One table's numeric cells: row label → column label → cell."""


def totals(cells: Sequence[Cell]) -> list[Finding]:
    """Findings for totals that differ from the sum of their parts in a table where, in another row
    or column, the same parts do add up to the total (so the parts are known to make up the whole)."""
    tables: dict[tuple[str, str], Grid] = defaultdict(lambda: defaultdict(dict))
    for cell in cells:
        if not cell.delta:
            tables[(cell.fact.table, cell.fact.title)][cell.fact.row][cell.fact.column] = cell
    found: list[Finding] = []
    for grid in tables.values():
        found += _row_totals(grid) + _row_totals(_transposed(grid))
    return found


def _row_totals(grid: Grid) -> list[Finding]:
    found = []
    rows = list(grid)
    for i, label in enumerate(rows):
        if not is_total_label(label):
            continue
        group = label.rsplit("·", 1)[0] if "·" in label else ""
        parts = [
            r
            for r in rows
            if r != label and not is_total_label(r) and _group(r) == group and (group or rows.index(r) < i)
        ]
        if len(parts) >= 2:
            found += _check(grid, label, parts)
    return found


def _check(grid: Grid, total_row: str, parts: list[str]) -> list[Finding]:
    results = []
    for column, total in grid[total_row].items():
        cells = [grid[p].get(column) for p in parts]
        if any(c is None or c.unit != total.unit for c in cells):
            continue
        results.append((total, [c for c in cells if c is not None]))
    summed = [(t, ps, round(sum(p.value for p in ps), 6)) for t, ps in results]
    if not any(agree(t.value, t.fact.raw, s, max((p.fact.raw for p in ps), key=len)) for t, ps, s in summed):
        return []
    return [
        _finding(t, ps, s)
        for t, ps, s in summed
        if not agree(t.value, t.fact.raw, s, max((p.fact.raw for p in ps), key=len))
    ]


def _finding(total: Cell, parts: list[Cell], value: float) -> Finding:
    formula = " + ".join(p.fact.raw for p in parts) + f" = {format_number(value)}"
    first = parts[0].source()
    summed = Source(
        file=first.file,
        line=first.line,
        quote="；".join([first.quote] + [p.source().quote.split("：", 1)[-1] for p in parts[1:8]]),
        value=value,
        raw=formula,
        table=first.table,
        doc_id=first.doc_id,
    )
    return Finding(
        kind="total",
        measure=total.label,
        year=total.fact.year,
        unit=total.unit,
        first=total.source(),
        second=summed,
        difference=round(value - total.value, 6),
        detail=f"表{total.fact.table}的{total.label}为 {total.fact.raw}，分项之和为 {format_number(value)}"
        f"（相差 {format_number(abs(value - total.value))}）",
    )


def _group(label: str) -> str:
    return label.rsplit("·", 1)[0] if "·" in label else ""


def _transposed(grid: Grid) -> Grid:
    flipped: Grid = defaultdict(dict)
    for row, columns in grid.items():
        for column, cell in columns.items():
            flipped[column][row] = cell
    return flipped
