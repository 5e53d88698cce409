"""Typed, immutable data that crosses module boundaries.

Line numbers are 1-based and refer to the lines of the loaded source text (for a PDF,
the lines of its extracted text), so a citation can be checked against the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ChunkKind = Literal["prose", "table", "table_row"]
AnswerMode = Literal["extractive", "llm", "fallback"]
"""fallback: the extractive answer, given because the configured LLM failed or is paused."""


@dataclass(frozen=True)
class LoadedText:
    """A file's text as loaded, before any repair: one entry per source line."""

    file: str
    lines: tuple[str, ...]
    encoding: str
    content_hash: str
    pages: tuple[int, ...] = ()
    """Page number of each line (same length as ``lines``) when the source has pages."""
    evidence: tuple[tuple[str, str], ...] = ()
    """What the file itself says it is, as (source, text): ``pdf_title``, ``pdf_subject``,
    ``largest_text`` (the first page's), ``running_header`` (removed from ``lines``)."""
    furniture_removed: bool = False
    """True when headers, footers and page numbers were already removed by their position on the page."""


@dataclass(frozen=True)
class ReportInfo:
    """What a report is about: who published it, for which region and data year."""

    doc_id: str
    file: str
    title: str
    region: str
    report_year: int | None
    data_year: int | None
    level: str
    """中职, 高职 or 职业教育 (both)."""
    content_hash: str
    sources: tuple[tuple[str, str], ...] = ()
    """Where each field came from, as (field, source): ``pdf_title``, ``largest_text``, ``text`` (the
    body's title line), ``running_header``, ``pdf_subject``, ``file_name``, ``override`` (an admin's)."""
    evidence: tuple[tuple[str, str], ...] = ()
    """Every (source, text) candidate the metadata was chosen from."""


@dataclass(frozen=True)
class TableRow:
    label: str
    """Row label including its group, joined by '·' (e.g. '招生规模·总人数')."""
    cells: tuple[str, ...]
    """Raw cell strings, aligned with the table's ``columns``."""
    line: int


@dataclass(frozen=True)
class Table:
    id: str
    doc_id: str
    number: str
    """Table number as printed, e.g. '1-1', '2-10', '5'."""
    title: str
    unit: str
    """Unit stated for the whole table ('人', '万元'), or ''."""
    columns: tuple[str, ...]
    """Column labels for the value cells (headers of several lines already merged)."""
    rows: tuple[TableRow, ...]
    line_start: int
    line_end: int
    section: str = ""
    page: int | None = None


@dataclass(frozen=True)
class TableFact:
    """One table cell with everything needed to state and cite it."""

    id: str
    doc_id: str
    file: str
    region: str
    year: int | None
    """The data year the cell refers to (from the column, row or report)."""
    table: str
    title: str
    row: str
    column: str
    raw: str
    value: float | None
    unit: str
    line: int
    page: int | None = None


@dataclass(frozen=True)
class Chunk:
    """A retrievable unit: a prose passage, a whole table, or one table row."""

    id: str
    doc_id: str
    file: str
    kind: ChunkKind
    text: str
    """Raw source text, for display and for checking quotes."""
    context: str
    """What the chunk is about, prefixed to ``text`` for search: report, region, year, section, table."""
    section: str
    line_start: int
    line_end: int
    region: str
    year: int | None
    table: str = ""
    page: int | None = None

    @property
    def search_text(self) -> str:
        return f"{self.context}\n{self.text}" if self.context else self.text


@dataclass(frozen=True)
class ParsedDocument:
    info: ReportInfo
    chunks: tuple[Chunk, ...]
    tables: tuple[Table, ...]
    facts: tuple[TableFact, ...]


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float
    ranks: dict[str, int] = field(default_factory=dict)
    """Rank (1-based) of the chunk in each retriever that found it, e.g. {'bm25': 1, 'dense': 4}."""


@dataclass(frozen=True)
class Citation:
    n: int
    chunk_id: str
    doc_id: str
    file: str
    title: str
    section: str
    table: str
    page: int | None
    line: int
    quote: str


@dataclass(frozen=True)
class PassageGroup:
    """Citations of a passage answer that sit under one section heading of one report."""

    file: str
    title: str
    section: str
    """The heading path, e.g. '3. 产教融合 > 3.1 校企合作'."""
    citations: tuple[int, ...]
    """The numbers (``Citation.n``) of the sentences or list items in this group, in source order."""


@dataclass(frozen=True)
class StatedFigure:
    """One of the figures a disagreement shows: the value as written and where it is stated."""

    value: float
    unit: str
    raw: str
    """As written, or the sum of parts it is ('806 + 501')."""
    citation: int
    """The ``Citation.n`` of its source."""
    where: str
    """Where it is stated, for the reader: '正文', '表2-1', or the report's title."""


DisagreementScope = Literal["report", "reports"]
"""report: two places of one report (an audit finding); reports: several reports for one year."""


@dataclass(frozen=True)
class Disagreement:
    """A figure an answer rests on that its sources state differently: the preferred figure first
    (the answer's ``value``, but for an LLM's answer citing an older report than the preferred one)."""

    scope: DisagreementScope
    figures: tuple[StatedFigure, ...]


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    value: float | None
    unit: str
    refused: bool
    mode: AnswerMode
    citations: tuple[Citation, ...]
    retrieved: tuple[Hit, ...]
    latency_ms: float = 0.0
    computation: str = ""
    """The formula with its cited inputs, e.g. '6317 + 6996 = 13313', when the value was computed."""
    grounded: bool = True
    """False when a stated number was found in no cited source nor shown computation."""
    warnings: tuple[str, ...] = ()
    confidence: float | None = None
    """How sure the answerer is of a stated number (ranked: calibrated p(correct); rules: its score)."""
    groups: tuple[PassageGroup, ...] = ()
    """For a passage answer (a question not asking for a number): its citations by section."""
    disagreements: tuple[Disagreement, ...] = ()
    """Figures the answer rests on that its sources state differently (``value`` is the preferred one)."""


@dataclass(frozen=True)
class SearchFilter:
    """Restricts a search; an empty tuple means no restriction on that field."""

    doc_ids: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    kinds: tuple[ChunkKind, ...] = ()
