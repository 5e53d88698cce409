"""What the audit reports: a finding with both of its citations and the size of the difference."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FindingKind = Literal["text_vs_table", "table_vs_table", "total", "share", "percent_sum", "year"]

KIND_LABELS: dict[str, str] = {
    "text_vs_table": "正文与表格不一致",
    "table_vs_table": "两处表格不一致",
    "total": "合计与分项之和不符",
    "share": "占比与分子分母不符",
    "percent_sum": "百分比之和不为 100%",
    "year": "表头年份与报告年份不符",
}


@dataclass(frozen=True)
class Source:
    """One side of a finding: where a figure is stated (or computed from), and the figure."""

    file: str
    line: int
    quote: str
    """Raw text around the figure, as it appears in the file."""
    value: float | None
    raw: str
    """The figure as written, or the formula it was computed by ('14539 + 22817 + …')."""
    table: str = ""
    doc_id: str = ""


@dataclass(frozen=True)
class Finding:
    """Two statements of one measure that disagree (or a total, share or year that does not hold)."""

    kind: FindingKind
    measure: str
    """What was measured, in the report's words (e.g. '高职院校·专任教师')."""
    year: int | None
    unit: str
    first: Source
    second: Source
    difference: float | None
    """second.value - first.value (None for a year finding)."""
    detail: str
    """One line in Chinese saying what disagrees."""

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def key(self) -> tuple[str, str, int, str, int]:
        """Identifies the finding by kind and the two cited places."""
        return (self.kind, self.first.file, self.first.line, self.first.raw, self.second.line)
