"""Section-aware chunks: prose passages within one section, whole tables, and one chunk per table row.

Prose passages never cross a heading or a table. Lines wrapped mid-sentence (including across page
breaks) are joined without a separator, so a passage holds 「在校生783人」 even when the source
split it as 「…在」 / 「校生783人」. Passages pack whole sentences up to a token budget and repeat the
last sentence of the previous passage when it is short.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ingestion.normalize import Line, heading, is_figure_title, is_page_number
from ingestion.tables import RecoveredTable
from rag.numbers import parse_quantity
from rag.tokens import count_tokens
from rag.types import Chunk, ChunkKind, ReportInfo, Table, TableFact

MAX_TOKENS = 400
OVERLAP_MAX_TOKENS = 120
_SENTENCE_END = "。！？!?；;"
_SENTENCE = re.compile(rf"[^{_SENTENCE_END}\n]*(?:[{_SENTENCE_END}]+[”’」』）)]*|\n|$)")
_NEW_PARAGRAPH = re.compile(
    r"^\s*(?:[【\[]|（\d{1,2}）|\(\d{1,2}\)|[①-⑳]|[一二三四五六七八九十]+、|\d{1,2}[.．、])"
)


@dataclass(frozen=True)
class _Passage:
    text: str
    line_start: int
    line_end: int


def _chunk_id(doc_id: str, kind: str, line_start: int, text: str) -> str:
    return hashlib.sha256(f"{doc_id}|{kind}|{line_start}|{text}".encode()).hexdigest()[:24]


def section_paths(lines: Sequence[Line], skip: set[int]) -> dict[int, str]:
    """For every kept line number, the heading path it sits under ('1. 基本情况 > 1.1 规模和结构')."""
    stack: list[tuple[str, str]] = []
    paths: dict[int, str] = {}
    for line in lines:
        style = None if line.n in skip else heading(line.raw)
        if style is not None:
            styles = [s for s, _ in stack]
            if style in styles:
                del stack[styles.index(style):]
            stack.append((style, " ".join(line.raw.split())))
        paths[line.n] = " > ".join(text for _, text in stack)
    return paths


def context_of(info: ReportInfo, section: str) -> str:
    """The report title, region, data year and heading path, joined by '｜'."""
    year = f"{info.data_year}年" if info.data_year else ""
    return "｜".join(part for part in (info.title, info.region, year, section) if part)


def wrap_width(lines: Sequence[Line]) -> int:
    """How long a line must be to count as wrapped: most of a full line in hard-wrapped text, else 60."""
    lengths = sorted(len(line.raw.strip()) for line in lines)
    if not lengths:
        return 60
    full = lengths[int(len(lengths) * 0.9)]
    return max(15, min(60, int(full * 0.6)))


def _glued(previous: str, text: str, min_length: int = 15) -> bool:
    """True when line ``text`` continues the sentence that line ``previous`` left unfinished."""
    if not previous or previous[-1] in _SENTENCE_END or is_figure_title(previous) or is_figure_title(text):
        return False
    if heading(previous) or _NEW_PARAGRAPH.match(text):
        return False
    return len(previous) >= min_length


def _joined(lines: Sequence[Line], min_length: int) -> tuple[str, list[int], list[int]]:
    """Section text with wrapped lines glued, and (offset, line number) breakpoints."""
    parts: list[str] = []
    offsets: list[int] = []
    numbers: list[int] = []
    size = 0
    previous = ""
    for line in lines:
        raw = line.raw.strip()
        if parts and not _glued(previous, raw, min_length):
            parts.append("\n")
            size += 1
        previous = raw
        offsets.append(size)
        numbers.append(line.n)
        parts.append(raw)
        size += len(raw)
    return "".join(parts), offsets, numbers


def _sentences(text: str) -> list[tuple[int, int]]:
    spans = [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.group().strip()]
    return [piece for span in spans for piece in _split_long(text, span)]


def _fits(text: str, span: tuple[int, int]) -> bool:
    """True when ``text[span]`` is within MAX_TOKENS; huge spans go uncounted (tiktoken is slow there)."""
    length = span[1] - span[0]
    if length * 3 <= MAX_TOKENS:
        return True
    return length <= 8 * MAX_TOKENS and count_tokens(text[span[0]:span[1]]) <= MAX_TOKENS


def _split_long(text: str, span: tuple[int, int]) -> list[tuple[int, int]]:
    """A sentence span, cut at commas (then hard windows) when over the token budget."""
    if _fits(text, span):
        return [span]
    start, end = span
    pieces, cut = [], start
    for match in re.finditer(r"[，,、]", text[start:end]):
        stop = start + match.end()
        if count_tokens(text[cut:stop]) > MAX_TOKENS // 2:
            pieces.append((cut, stop))
            cut = stop
    pieces.append((cut, end))
    return [window for piece in pieces for window in _windows(text, piece)]


def _windows(text: str, span: tuple[int, int]) -> list[tuple[int, int]]:
    """``span`` cut into pieces of at most MAX_TOKENS // 2 characters when it is over budget."""
    if _fits(text, span):
        return [span]
    start, end = span
    step = MAX_TOKENS // 2
    return [(cut, min(cut + step, end)) for cut in range(start, end, step)]


def passages(lines: Sequence[Line], *, min_wrapped: int = 15) -> list[_Passage]:
    """Token-budgeted passages of consecutive prose ``lines`` (one section, no tables)."""
    text, offsets, numbers = _joined(lines, min_wrapped)
    spans = _sentences(text)
    tokens = [count_tokens(text[s:e]) for s, e in spans]
    out: list[_Passage] = []
    i = 0
    while i < len(spans):
        j, total = i, 0
        while j < len(spans) and (j == i or total + tokens[j] <= MAX_TOKENS):
            total += tokens[j]
            j += 1
        start, end = spans[i][0], spans[j - 1][1]
        line_at = lambda pos: numbers[bisect.bisect_right(offsets, pos) - 1]  # noqa: E731
        out.append(_Passage(text[start:end].strip(), line_at(start), line_at(max(start, end - 1))))
        if j >= len(spans):
            break
        i = j - 1 if j - 1 > i and tokens[j - 1] <= OVERLAP_MAX_TOKENS else j
    return out


def prose_chunks(
    lines: Sequence[Line], info: ReportInfo, paths: dict[int, str], skip: set[int]
) -> list[Chunk]:
    """Prose chunks for every run of non-table lines within one section."""
    chunks: list[Chunk] = []
    width = wrap_width(lines)
    for run in _runs(lines, paths, skip):
        if len(run) == 1 and heading(run[0].raw):
            continue
        section = paths[run[0].n]
        for passage in passages(run, min_wrapped=width):
            chunks.append(_chunk(info, "prose", passage.text, context_of(info, section), section,
                                 passage.line_start, passage.line_end, run[0].page))
    return chunks


def _runs(lines: Sequence[Line], paths: dict[int, str], skip: set[int]) -> Iterable[list[Line]]:
    """Consecutive prose lines of one section, split at headings and tables; page numbers left out."""
    run: list[Line] = []
    for line in lines:
        breaks = line.n in skip or heading(line.raw) is not None
        if run and (breaks or paths[line.n] != paths[run[-1].n]):
            yield run
            run = []
        if line.n not in skip and not is_page_number(line.raw):
            run.append(line)
    if run:
        yield run


def _chunk(info: ReportInfo, kind: ChunkKind, text: str, context: str, section: str, start: int, end: int,
           page: int | None, *, table: str = "", year: int | None = None) -> Chunk:
    return Chunk(
        id=_chunk_id(info.doc_id, kind, start, text),
        doc_id=info.doc_id,
        file=info.file,
        kind=kind,
        text=text,
        context=context,
        section=section,
        line_start=start,
        line_end=end,
        region=info.region,
        year=year or info.data_year,
        table=table,
        page=page,
    )


def table_chunks(recovered: RecoveredTable, info: ReportInfo) -> list[Chunk]:
    """One chunk with the whole table, then one per row."""
    table = recovered.table
    base = context_of(info, table.section)
    # Tabs stay: a leading empty cell (a row under a group label) keeps the row's columns aligned.
    text = "\n".join(line.raw.strip(" \u3000\r\n") for line in recovered.lines)
    whole = _chunk(info, "table", text, f"{base}｜表{table.number} {table.title}", table.section,
                   table.line_start, table.line_end, table.page, table=table.number)
    facts: dict[int, list[TableFact]] = {}
    for fact in recovered.facts:
        facts.setdefault(fact.line, []).append(fact)
    rows = [whole]
    for row, sources in zip(table.rows, recovered.row_lines, strict=True):
        row_facts = facts.get(row.line, [])
        years = {f.year for f in row_facts}
        year = years.pop() if len(years) == 1 else info.data_year
        text = "\n".join(line.raw.strip() for line in sources)
        rendered = _render_row(info.region, table, row.label, row.cells, row_facts, year)
        rows.append(_chunk(info, "table_row", text, f"{base}\n{rendered}", table.section,
                           sources[0].n, sources[-1].n, sources[0].page, table=table.number, year=year))
    return rows


def _render_row(region: str, table: Table, label: str, cells: Sequence[str], facts: list[TableFact],
                year: int | None) -> str:
    """The row as searchable text: '区 年 表号 标题｜单位｜行｜列：值 单位｜…'."""
    units = {f.column: f.unit for f in facts}
    when = f" {year}年" if year else ""
    parts = [f"{region}{when} 表{table.number} {table.title}"]
    if table.unit:
        parts.append(f"单位：{table.unit}")
    parts.append(label or "（无行标签）")
    for column, raw in zip(table.columns, cells, strict=False):
        if not raw.strip():
            continue
        quantity = parse_quantity(raw)
        unit = units.get(column, "")
        shown = f"{raw.strip()} {unit}" if unit and quantity and not quantity.unit else raw.strip()
        parts.append(f"{column}：{shown}" if column else shown)
    return "｜".join(parts)
