"""The consistency audit of a report: figures that disagree with each other, each finding with both
citations and the size of the difference. Pure functions over a report's chunks, tables and facts.

    report = audit_document(info, chunks=…, facts=…, tables=…, lines=…)
    contradictions_for(value=5173, unit="人", file=…, line=…, findings=report.findings)
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

from rag.audit.findings import KIND_LABELS, Finding, FindingKind, Source
from rag.numbers import normalize
from rag.types import Chunk, Citation, ReportInfo, Table, TableFact

__all__ = [
    "KIND_LABELS",
    "AuditReport",
    "Finding",
    "FindingKind",
    "Source",
    "audit_document",
    "contradictions_for",
]


@dataclass(frozen=True)
class AuditReport:
    """A report's findings, in document order, and how long the audit took."""

    info: ReportInfo
    findings: tuple[Finding, ...]
    seconds: float


def audit_document(
    info: ReportInfo,
    *,
    chunks: Sequence[Chunk],
    facts: Sequence[TableFact],
    tables: Sequence[Table] = (),
    lines: Sequence[str] | None = None,
) -> AuditReport:
    """Every finding for one report (``lines``, the file's text, gives prose figures their exact line)."""
    # the checks load here: answers read the findings the index's writer stored (rag.audit.stored)
    from rag.audit.cells import cells
    from rag.audit.shares import shares
    from rag.audit.statements import statements
    from rag.audit.tables_vs_tables import tables_vs_tables
    from rag.audit.text_vs_table import text_vs_table
    from rag.audit.totals import totals
    from rag.audit.years import header_years

    started = time.perf_counter()
    table_cells = cells(facts, info)
    found = text_vs_table(statements(chunks, info, lines), table_cells)
    found += tables_vs_tables(table_cells) + totals(table_cells) + shares(table_cells)
    found += header_years(tables, info, lines)
    unique = {f.key: f for f in found}
    ordered = sorted(unique.values(), key=lambda f: (f.first.line, f.second.line, f.kind))
    return AuditReport(info=info, findings=tuple(ordered), seconds=time.perf_counter() - started)


def contradictions_for(
    cited: TableFact | Citation | None = None,
    *,
    findings: Sequence[Finding],
    file: str = "",
    line: int = 0,
    value: float | None = None,
) -> list[Finding]:
    """The findings that cite a figure on either side: a table cell, a citation (any figure on its
    line), or ``file``:``line`` with ``value`` when given (a sum's parts count as cited too).

    For an answer built on a cited figure: each finding returned names the other figure and its citation."""
    if isinstance(cited, TableFact):
        file, line, value = cited.file, cited.line, cited.value
    elif isinstance(cited, Citation):
        file, line = cited.file, cited.line

    def cites(source: Source) -> bool:
        if source.file != file or source.line != line:
            return False
        return value is None or any(abs(v - value) < 1e-6 for v in _figures(source))

    return [f for f in findings if cites(f.first) or cites(f.second)]


def _figures(source: Source) -> list[float]:
    """The source's value and every number written in its ``raw`` (the parts of a sum)."""
    written = [
        float(n.replace(",", "")) for n in re.findall(r"[0-9][0-9,]*(?:\.[0-9]+)?", normalize(source.raw))
    ]
    return ([source.value] if source.value is not None else []) + written
