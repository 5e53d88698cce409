"""Table facts seen by the audit: each cell's measure terms, school level and whether it is a change."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from rag.audit.findings import Source
from rag.audit.measures import is_delta_label, levels_named, terms
from rag.numbers import normalize, split_multiplier
from rag.types import ReportInfo, TableFact

_SHARE_WORDS = frozenset({"占比", "比例", "比重", "量"})


@dataclass(frozen=True)
class Cell:
    fact: TableFact
    value: float
    unit: str
    terms: tuple[str, ...]
    level: str
    delta: bool

    @property
    def label(self) -> str:
        """Row and column joined, for display."""
        return "·".join(part for part in (self.fact.row, self.fact.column) if part)

    def source(self) -> Source:
        """The cell as one side of a finding."""
        f = self.fact
        quote = f"表{f.table} {f.title}：{self.label} {f.raw}".strip()
        return Source(
            file=f.file, line=f.line, quote=quote, value=self.value, raw=f.raw, table=f.table, doc_id=f.doc_id
        )


def cells(facts: Iterable[TableFact], info: ReportInfo) -> list[Cell]:
    """The numeric cells of ``facts`` (text cells and ratios left out)."""
    out = []
    for fact in facts:
        if fact.value is None or not math.isfinite(fact.value):
            continue
        factor, unit = split_multiplier(fact.unit)
        label_terms = tuple(dict.fromkeys(terms(fact.row) + terms(fact.column)))
        if set(label_terms) <= _SHARE_WORDS:
            label_terms = ()
        out.append(
            Cell(
                fact=fact,
                value=round(fact.value * factor, 6),
                unit=unit,
                terms=label_terms,
                level=_level(fact, info),
                delta=is_delta_label(fact.row + fact.column),
            )
        )
    return out


def _level(fact: TableFact, info: ReportInfo) -> str:
    for text in (fact.column, fact.row, fact.title):
        named = levels_named(normalize(text))
        if named:
            return named[-1]
    return info.level if info.level in ("中职", "高职") else ""


def decimals(raw: str) -> int:
    """Digits after the decimal point in a written number ('97.20%' → 2)."""
    match = re.search(r"\.([0-9]+)", normalize(raw))
    return len(match.group(1)) if match else 0


def agree(a: float, raw_a: str, b: float, raw_b: str, *, scale: float = 1.0) -> bool:
    """Whether two written numbers are the same figure at the precision the less precise one shows."""
    places = min(decimals(raw_a), decimals(raw_b))
    return abs(a - b) <= 0.5 * 10**-places * scale + 1e-9
