"""Shares in a table (占比 beside 数量) that do not match their count over the column's total, and
share columns that do not add up to about 100%."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from rag.audit.cells import Cell, decimals
from rag.audit.findings import Finding, Source
from rag.audit.measures import is_total_label, years_in
from rag.numbers import format_number

_SHARE = ("占比", "比例", "比重")
MAX_SUM_GAP = 5.0
"""Shares summing further than this from 100 are taken not to split one whole."""


def shares(cells: Sequence[Cell]) -> list[Finding]:
    """Findings for share cells off their count ÷ total, and for share columns not summing to ~100%."""
    columns: dict[tuple[str, str, str], list[Cell]] = defaultdict(list)
    for cell in cells:
        if not cell.delta and not is_total_label(cell.fact.row):
            columns[(cell.fact.table, cell.fact.title, cell.fact.column)].append(cell)
    found: list[Finding] = []
    for (table, title, column), group in columns.items():
        if (
            not any(w in column for w in _SHARE)
            or any(c.unit != "%" or years_in(c.fact.row) for c in group)
            or len(group) < 3
        ):
            continue
        found += _sum_finding(group)
        counts = columns.get((table, title, _count_column(column)), [])
        found += _share_findings(group, counts)
    return found


def _count_column(share_column: str) -> str:
    for word in _SHARE:
        share_column = share_column.replace(word, "数量（人）")
    return share_column


def _sum_finding(group: list[Cell]) -> list[Finding]:
    total = round(sum(c.value for c in group), 6)
    places = max(decimals(c.fact.raw) for c in group)
    slack = len(group) * 0.5 * 10**-places + 1e-9
    if abs(total - 100) <= slack or abs(total - 100) > MAX_SUM_GAP:
        return []
    first = group[0]
    formula = " + ".join(c.fact.raw for c in group) + f" = {format_number(total)}%"
    summed = Source(
        file=first.fact.file,
        line=first.fact.line,
        quote="；".join(
            [group[0].source().quote] + [c.source().quote.split("：", 1)[-1] for c in group[1:8]]
        ),
        value=total,
        raw=formula,
        table=first.fact.table,
        doc_id=first.fact.doc_id,
    )
    return [
        Finding(
            kind="percent_sum",
            measure=f"表{first.fact.table}·{first.fact.column}",
            year=first.fact.year,
            unit="%",
            first=summed,
            second=group[-1].source(),
            difference=round(total - 100, 6),
            detail=f"表{first.fact.table}「{first.fact.column}」各项之和为 {format_number(total)}%，"
            f"与 100% 相差 {format_number(abs(total - 100))} 个百分点",
        )
    ]


def _share_findings(group: list[Cell], counts: list[Cell]) -> list[Finding]:
    by_row = {c.fact.row: c for c in counts}
    if len(by_row) != len(group) or any(c.fact.row not in by_row for c in group):
        return []
    whole = sum(c.value for c in counts)
    if whole <= 0:
        return []
    found = []
    for share in group:
        count = by_row[share.fact.row]
        computed = count.value / whole * 100
        tolerance = 0.5 * 10 ** -decimals(share.fact.raw) + 0.02
        if abs(computed - share.value) > tolerance:
            found.append(
                Finding(
                    kind="share",
                    measure=share.label,
                    year=share.fact.year,
                    unit="%",
                    first=share.source(),
                    second=count.source(),
                    difference=round(computed - share.value, 4),
                    detail=f"{share.label}为 {share.fact.raw}，"
                    f"而 {count.fact.raw} ÷ {format_number(whole)} = "
                    f"{computed:.2f}%",
                )
            )
    return found
