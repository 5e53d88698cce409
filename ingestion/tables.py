"""Table recovery: from a `表 N-M` title to header columns, labelled rows and one fact per cell.

Two layouts occur in extracted reports: tab-separated cells (positions are reliable) and
space-separated tokens (values are right-aligned, labels may contain spaces). Header rows may be
split over several lines; group labels (招生/在校生) stand on their own line or in the first cell;
wrapped row labels precede a row that has values but no label.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from ingestion.normalize import Line, heading, is_figure_title, is_prose, is_source_note, table_title
from rag.numbers import MULTIPLIERS, NO_VALUE_MARKS, UNITS, find_ratios, normalize, parse_quantity
from rag.types import ReportInfo, Table, TableFact, TableRow

_YEAR_CELL = re.compile(
    r"^(?:19|20)\d\d\s*(?:[-—–~至]\s*(?:19|20)?\d\d\s*)?(?:年度?|学年度?|年)?$"
)
_BARE_YEAR = re.compile(r"^(?:19|20)\d\d$")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?:\s*[-—–~至]\s*((?:19|20)\d\d))?(?!\d)")
_PAREN = re.compile(r"[（(]([^（()）]{1,12})[）)]")
_UNIT_DECL = re.compile(r"单位\s*[:：]\s*([^\s,，;；)）]{1,6})")
_CASE = re.compile(r"^\s*[【\[]?\s*案例")
_UNIT_LINE = re.compile(r"[(（]?\s*单位\s*[:：]\s*[^\s()（）]{1,6}\s*[)）]?")
_KNOWN_UNITS = frozenset(UNITS) | {m + u for m in MULTIPLIERS for u in UNITS}
_IMPLIED_UNITS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"人次$"), "人次"),
    (re.compile(r"(?:人数|学生数?|教师数?|教职工数?|招生|毕业生数?|在校生数?)$"), "人"),
    (re.compile(r"(?:起薪|收入|工资)$"), "元"),
    (re.compile(r"(?:率|占比|比例)$"), "%"),
)
"""Units a label implies by how it ends, used only when nothing states a unit."""


@dataclass
class _Layout:
    """Where labels and values sit in the rows of one table."""

    tab: bool
    columns: list[str]
    label_headers: list[str]
    label_count: int = 0
    value_count: int = 0
    sequence: bool = False
    unit_column: int | None = None
    text: bool = False
    """A list of names rather than numbers: every line is a row."""


@dataclass(frozen=True)
class RecoveredTable:
    """A recovered table with its facts and the source lines behind it."""

    table: Table
    facts: tuple[TableFact, ...]
    lines: tuple[Line, ...]
    """All source lines of the table, title and source note included."""
    row_lines: tuple[tuple[Line, ...], ...] = ()
    """For each row of ``table``, the source lines its cells sit on."""


def _digest(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:24]


# --- cells -----------------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def cell_kind(cell: str, *, header: bool = False) -> str:
    """'empty', 'year', 'value' (a number, ratio or no-value mark) or 'text'."""
    norm = normalize(cell).strip()
    if not norm:
        return "empty"
    if _YEAR_CELL.match(norm) and not (_BARE_YEAR.match(norm) and not header):
        return "year"
    if norm in NO_VALUE_MARKS - {""} or (find_ratios(norm) and _is_whole_ratio(norm)):
        return "value"
    quantity = parse_quantity(norm)
    if quantity is None:
        return "text"
    return "year" if quantity.unit == "年" else "value"


def _is_whole_ratio(norm: str) -> bool:
    ratios = find_ratios(norm)
    return len(ratios) == 1 and ratios[0].raw.strip() == norm


def space_tokens(raw: str) -> list[str]:
    """Space-separated cells of ``raw``, keeping ratios, '2015 年' and '数量 （人）' whole."""
    spans = [[m.start(), m.end()] for m in re.finditer(r"\S+", raw)]
    for ratio in find_ratios(raw):
        inside = [s for s in spans if s[1] > ratio.start and s[0] < ratio.end]
        if len(inside) > 1:
            merged = [min(s[0] for s in inside), max(s[1] for s in inside)]
            spans = [s for s in spans if s not in inside] + [merged]
    spans.sort()
    merged_spans: list[list[int]] = []
    for span in spans:
        text = normalize(raw[span[0]:span[1]])
        if merged_spans and _joins_previous(normalize(raw[merged_spans[-1][0]:merged_spans[-1][1]]), text):
            merged_spans[-1][1] = span[1]
        else:
            merged_spans.append(span)
    return [raw[s:e] for s, e in merged_spans]


def _joins_previous(previous: str, text: str) -> bool:
    if re.fullmatch(r"[（(][^（()）]{1,8}[）)]", text):
        return True
    return bool(re.fullmatch(r"\d{1,4}(?:[-—–]\d{1,4})?", previous) and re.match(r"(?:学?年|岁)", text))


def split_cells(raw: str, *, tab: bool) -> list[str]:
    """The cells of one table line."""
    if tab:
        cells = [c.strip() for c in raw.split("\t")]
        while cells and not cells[-1]:
            cells.pop()
        return cells
    return space_tokens(raw)


# --- blocks ----------------------------------------------------------------------------------


def find_blocks(lines: Sequence[Line]) -> list[tuple[int, int]]:
    """(start, end) index ranges into ``lines``: a table title, its body and any source note."""
    blocks = []
    i = 0
    while i < len(lines):
        if table_title(lines[i].raw) is None:
            i += 1
            continue
        end = _block_end(lines, i)
        blocks.append((i, end))
        i = max(end, i + 1)
    return blocks


def _block_end(lines: Sequence[Line], start: int) -> int:
    """Index of the first line after the table that starts at ``start`` (a source note is included)."""
    width, number = 0, 0
    for j in range(start + 1, len(lines)):
        raw = lines[j].raw
        if is_source_note(raw):
            return j + 1
        if table_title(raw) or is_figure_title(raw) or _CASE.match(raw) or is_prose(raw):
            return j
        item = _item_number(raw)
        if heading(raw) and not ((_fits_width(raw, width) and j > start + 1) or 0 < number == item - 1):
            return j
        number = item or number
        if j == start + 1:
            width = len(split_cells(raw, tab="\t" in raw.strip()))
    return len(lines)


def _fits_width(raw: str, width: int) -> bool:
    return width >= 2 and len(space_tokens(raw)) == width


def _item_number(raw: str) -> int:
    """The number a numbered list line starts with ('3. 北京商贸学校 …' → 3), or 0."""
    match = re.match(r"^\s*(\d{1,3})(?:[.．、]|\s|$)", normalize(raw))
    return int(match.group(1)) if match else 0


def _merge_paren_lines(body: list[Line]) -> list[Line]:
    """Lines where a lone '（人）' line is joined to the line above (n of the upper line)."""
    merged: list[Line] = []
    for line in body:
        if merged and re.fullmatch(r"[（(][^（()）]{1,8}[）)]", line.norm) and "\t" not in merged[-1].raw:
            top = merged[-1]
            merged[-1] = Line(top.n, top.raw.rstrip() + line.raw.strip(), top.page)
        else:
            merged.append(line)
    return merged


# --- layout ----------------------------------------------------------------------------------


def _is_data(cells: list[str]) -> bool:
    return any(cell_kind(c) == "value" for c in cells)


def _trailing_values(cells: list[str]) -> int:
    count = 0
    for cell in reversed(cells):
        if cell_kind(cell) != "value":
            break
        count += 1
    return count


def _mode(values: list[int], default: int = 0) -> int:
    return Counter(values).most_common(1)[0][0] if values else default


def _layout(body: list[Line]) -> tuple[_Layout, int]:
    """The table's layout and the index in ``body`` where rows start."""
    tab = any("\t" in line.raw.strip() for line in body)
    cells = [split_cells(line.raw, tab=tab) for line in body]
    first_data = next((i for i, c in enumerate(cells) if _is_data(c) and not _header_like(c)), len(cells))
    if tab and first_data == len(cells):
        return _text_layout(cells, tab=True), 1
    if tab:
        return _tab_layout(cells, first_data), first_data
    return _space_layout(cells, first_data)


def _text_layout(cells: list[list[str]], *, tab: bool) -> _Layout:
    """Layout of a list of names: the first line is the header, every other line a row."""
    header = cells[0] if cells else []
    if not tab:
        return _Layout(False, [], header, text=True)
    return _Layout(True, header[1:], header[:1], label_count=1, value_count=len(header) - 1, text=True)


def _header_like(cells: list[str]) -> bool:
    kinds = [cell_kind(c, header=True) for c in cells]
    return "value" not in kinds and "year" in kinds


def _tab_layout(cells: list[list[str]], first_data: int) -> _Layout:
    """Layout of a tab-separated table: header rows merged by position, label columns before the values."""
    header_rows = cells[:first_data] if first_data < len(cells) else cells[:1]
    data = [c for c in cells[first_data:] if _is_data(c)] or cells[len(header_rows):]
    width = max((len(c) for c in header_rows + data), default=0)
    grid = [row + [""] * (width - len(row)) for row in header_rows]
    columns = _merge_grid(grid, width)
    sequence = bool(columns) and "序号" in normalize(columns[0])
    firsts = [_first_value(row, sequence) for row in data]
    label_count = 2 if sequence and width > 2 else _mode(firsts, default=0)
    unit_column = next((j for j in range(label_count) if normalize(columns[j]).strip() == "单位"), None)
    return _Layout(
        tab=True,
        columns=columns[label_count:],
        label_headers=columns[:label_count],
        label_count=label_count,
        value_count=width - label_count,
        sequence=sequence,
        unit_column=unit_column,
    )


def _first_value(row: list[str], sequence: bool) -> int:
    start = 1 if sequence else 0
    return next((j for j in range(start, len(row)) if cell_kind(row[j]) == "value"), len(row))


def _merge_grid(grid: list[list[str]], width: int) -> list[str]:
    """Column labels from header rows: an upper cell spans the empty cells to its right."""
    filled = [list(row) for row in grid]
    for r in range(len(filled) - 1):
        lower = filled[r + 1]
        for j in range(1, width):
            if not filled[r][j] and filled[r][j - 1] and lower[j] and lower[j - 1]:
                filled[r][j] = filled[r][j - 1]
    return ["·".join(row[j] for row in filled if row[j]) for j in range(width)]


def _space_layout(cells: list[list[str]], first_data: int) -> tuple[_Layout, int]:
    """Layout of a space-separated table (values right-aligned) and the index where rows start."""
    data = [c for c in cells[first_data:] if _is_data(c)]
    value_count = _mode([n for n in map(_trailing_values, data) if n], default=0)
    if value_count == 0 or _mostly_text(cells[first_data:]):
        return _text_layout(cells, tab=False), 1
    header_end = _header_end(cells[:first_data], value_count)
    header_rows = cells[:header_end]
    columns, label_headers = _space_columns(header_rows, value_count)
    sequence = bool(label_headers) and "序号" in normalize(label_headers[0])
    unit_column = next((j for j, h in enumerate(label_headers) if normalize(h).strip() == "单位"), None)
    layout = _Layout(
        tab=False,
        columns=columns,
        label_headers=label_headers,
        value_count=value_count,
        sequence=sequence,
        unit_column=unit_column,
    )
    return layout, header_end


def _mostly_text(rows: list[list[str]]) -> bool:
    """True when fewer than a third of the cells are values: a list of names, not a table of numbers."""
    kinds = [cell_kind(c) for row in rows for c in row]
    return kinds.count("value") < len(kinds) / 3


def _header_end(rows: list[list[str]], value_count: int) -> int:
    """How many of the lines before the first value row form the header (the rest are group labels)."""
    for end in range(1, len(rows) + 1):
        if len(rows[end - 1]) >= value_count or _completes_leaf(rows[:end], value_count):
            return end
    return len(rows)


def _completes_leaf(rows: list[list[str]], value_count: int) -> bool:
    """True when the last few lines (no years among them) hold one label per value column together."""
    total = 0
    for k, row in enumerate(reversed(rows)):
        if any(cell_kind(c, header=True) == "year" for c in row):
            return False
        total += len(row)
        if total >= value_count:
            return total == value_count and k > 0
    return False


def _space_columns(rows: list[list[str]], value_count: int) -> tuple[list[str], list[str]]:
    """Value-column labels and label-column headers from space-separated header rows."""
    if not rows:
        return [""] * value_count, []
    leaf_rows, label_headers = _leaf(rows, value_count)
    leaf = [c for row in leaf_rows for c in row][-value_count:]
    parts: list[list[str]] = [[] for _ in range(value_count)]
    for row in rows[: len(rows) - len(leaf_rows)]:
        spanning, labels = _spanning(row, value_count)
        label_headers = labels + label_headers
        if spanning:
            step = value_count // len(spanning)
            for j in range(value_count):
                parts[j].append(spanning[min(j // step, len(spanning) - 1)])
    return ["·".join([*parts[j], leaf[j]]) for j in range(value_count)], label_headers


def _leaf(rows: list[list[str]], value_count: int) -> tuple[list[list[str]], list[str]]:
    """The bottom header rows naming one value column each, and the label headers left of them."""
    last = rows[-1]
    if len(last) >= value_count:
        return [last], last[: len(last) - value_count]
    total = len(last)
    for k in range(len(rows) - 2, -1, -1):
        total += len(rows[k])
        if total >= value_count:
            return rows[k:], []
    return rows, []


def _spanning(row: list[str], value_count: int) -> tuple[list[str], list[str]]:
    """Cells of an upper header row that span value columns (years first), and the label headers."""
    years = [c for c in row if cell_kind(c, header=True) == "year"]
    if years and value_count % len(years) == 0:
        return years, [c for c in row if c not in years]
    if len(row) > 1 and value_count % len(row) == 0:
        return row, []
    return [], row


# --- rows ------------------------------------------------------------------------------------


@dataclass
class _Row:
    label: str
    cells: list[str]
    line: Line
    unit: str = ""
    lines: list[Line] = field(default_factory=list)
    cell_lines: list[int] = field(default_factory=list)
    """Source line of each cell, when a row spans several lines."""


def _split_row(cells: list[str], layout: _Layout) -> tuple[list[str], list[str], str]:
    """(label cells, value cells aligned to columns, unit cell) of one row."""
    if layout.tab:
        cells = cells + [""] * (layout.label_count + layout.value_count - len(cells))
        labels, values = cells[: layout.label_count], cells[layout.label_count:]
    else:
        count = layout.value_count
        if len(cells) >= count:
            labels, values = cells[: len(cells) - count], cells[len(cells) - count:]
        else:
            first = next((j for j, c in enumerate(cells) if cell_kind(c) == "value"), len(cells))
            labels, values = cells[:first], cells[first:] + [""] * (count - len(cells) + first)
    unit = ""
    if layout.unit_column is not None and len(labels) > max(layout.unit_column, 1):
        unit = labels.pop(layout.unit_column if layout.tab else len(labels) - 1)
    if layout.sequence and len(labels) > 1:
        numbered = re.fullmatch(r"\d{1,3}\.?", normalize(labels[0]).strip())
        labels = labels[1:] if not layout.tab else [labels[1] if numbered else labels[0]]
    return labels, values, unit


def _label_text(labels: list[str], layout: _Layout) -> str:
    if layout.tab:
        return "·".join(c for c in labels if c)
    text = " ".join(labels).strip()
    return re.sub(r"^\d{1,2}[.．]?\s+(?=[^\d\s岁年月])", "", text)


def _squashed(line: Line) -> str:
    return re.sub(r"\s", "", line.norm)


def _rows(body: list[Line], start: int, layout: _Layout) -> list[_Row]:
    """Labelled rows; lines without values become the group label or the wrapped label of the next row."""
    rows: list[_Row] = []
    pending: list[Line] = []
    group = ""
    header = {_squashed(line) for line in body[:start]}
    for line in body[start:]:
        cells = split_cells(line.raw, tab=layout.tab)
        if _squashed(line) in header:
            group, pending = "", []
            continue
        if not layout.text and not _is_data(cells):
            pending.append(line)
            continue
        labels, values, unit = _split_row(cells, layout)
        if layout.tab and not layout.sequence and not layout.text and len(labels) >= 2:
            group = labels[0] or group
            labels = labels[1:]
        label = _label_text(labels, layout)
        if pending and not label:
            label = "".join(p.raw.strip() for p in pending)
        elif pending:
            group = "".join(p.raw.strip() for p in pending)
        label = f"{group}·{label}" if group and label else (group or label)
        rows.append(_Row(label, values, line, unit, [*pending, line]))
        pending = []
    return rows


# --- facts -----------------------------------------------------------------------------------


def unit_of(text: str) -> str:
    """The unit a label or title declares: '（万元）' → '万元', '(单位：人)' → '人', '数量(部)' → '部'."""
    norm = normalize(text)
    declared = _UNIT_DECL.search(norm)
    if declared:
        return declared.group(1)
    for content in reversed(_PAREN.findall(norm)):
        unit = re.sub(r"\s", "", content)
        if unit in _KNOWN_UNITS:
            return "m²" if unit == "m2" else unit
    return ""


def implied_unit(*labels: str) -> str:
    """The unit the first of ``labels`` that implies one implies ('计划人数' → '人', '占比' → '%')."""
    for label in labels:
        last = re.sub(r"[\s（(].*$", "", normalize(label).split("·")[-1])
        for pattern, unit in _IMPLIED_UNITS:
            if pattern.search(last):
                return unit
    return ""


def year_of(text: str) -> int | None:
    """The year a label refers to; for a 学年 range such as 2020-2021, its second year."""
    match = _YEAR.search(normalize(text))
    if match is None:
        return None
    return int(match.group(2) or match.group(1))


def _title_year(title: str) -> int | None:
    years = {int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", normalize(title))}
    return years.pop() if len(years) == 1 else None


def _spanning_labels(columns: Sequence[str], rows: list[_Row]) -> dict[tuple[int, int], tuple[str, str]]:
    """(row, column) labels of the cells a merged cell spans down, keyed by (row, column) index.

    In a column that repeats an earlier column's header (等级 数量 占比 数量 占比) and is blank in
    some rows, a value counts its own row and the blank rows below it: A+'s 59 is the
    total of A+, A and A-, labelled ('A+、A、A-', '合计数量').
    """
    spans: dict[tuple[int, int], tuple[str, str]] = {}
    for j, column in enumerate(columns):
        filled = [i for i, row in enumerate(rows) if j < len(row.cells) and row.cells[j].strip()]
        if column not in columns[:j] or not filled or len(filled) == len(rows):
            continue
        for start, end in zip(filled, [*filled[1:], len(rows)], strict=True):
            if end > start + 1:
                label = "、".join(row.label for row in rows[start:end])
                spans[(start, j)] = (label, f"合计{column}")
    return spans


def _facts(table: Table, rows: list[_Row], info: ReportInfo, table_unit: str) -> list[TableFact]:
    """One fact per non-empty value cell, with its year and unit resolved."""
    facts = []
    default_year = _title_year(table.title) or info.data_year
    spans = _spanning_labels(table.columns, rows)
    for i, row in enumerate(rows):
        row_year = year_of(row.label) if _YEAR.search(normalize(row.label)) else None
        row_unit = unit_of(row.unit) or normalize(row.unit).strip() or unit_of(row.label)
        for j, raw in enumerate(row.cells):
            if not raw.strip() or j >= len(table.columns):
                continue
            column = table.columns[j]
            quantity = parse_quantity(raw)
            own = quantity.unit if quantity else ""
            unit = own or row_unit or unit_of(column) or table_unit or implied_unit(row.label, column)
            row_label, column = spans.get((i, j), (row.label, column))
            facts.append(
                TableFact(
                    id=_digest(table.doc_id, table.number, row.line.n, j, raw),
                    doc_id=table.doc_id,
                    file=info.file,
                    region=info.region,
                    year=year_of(column) or row_year or default_year,
                    table=table.number,
                    title=table.title,
                    row=row_label,
                    column=column,
                    raw=raw.strip(),
                    value=quantity.value if quantity else None,
                    unit=unit,
                    line=row.cell_lines[j] if row.cell_lines else row.line.n,
                    page=row.line.page,
                )
            )
    return facts


def recover(
    lines: Sequence[Line], start: int, end: int, info: ReportInfo, *, section: str = ""
) -> RecoveredTable:
    """The table whose title is ``lines[start]`` and whose lines end before ``lines[end]``."""
    title_line = lines[start]
    number, title = table_title(title_line.raw) or ("", title_line.raw.strip())
    block = list(lines[start + 1:end])
    note = block.pop() if block and is_source_note(block[-1].raw) else None
    units = [line for line in block if _UNIT_LINE.fullmatch(line.norm)]
    body = _merge_paren_lines([line for line in block if line not in units])
    layout, first = _layout(body) if body else (_Layout(False, [], []), 0)
    rows = _rows(body, first, layout) if body else []
    numbered = "序号" in "".join(_squashed(line) for line in body[:3])
    records = _numbered_records(body) if numbered and not layout.tab else None
    if records is not None:
        layout.columns, rows = records
    table_unit = _declared_unit(title, units + body[:first])
    table = Table(
        id=_digest(info.doc_id, number, title_line.n),
        doc_id=info.doc_id,
        number=number,
        title=title,
        unit=table_unit,
        columns=tuple(layout.columns),
        rows=tuple(TableRow(r.label, tuple(r.cells), r.line.n) for r in rows),
        line_start=title_line.n,
        line_end=(note or (lines[end - 1] if end > start else title_line)).n,
        section=section,
        page=title_line.page,
    )
    facts = _facts(table, rows, info, table.unit)
    row_lines = tuple(tuple(r.lines) if r.cell_lines else (r.line,) for r in rows)
    return RecoveredTable(table, tuple(facts), tuple(lines[start:end]), row_lines)


_SEQ = re.compile(r"^\d{1,3}[.．]?$")
_SEQ_HEADERS = ("序", "号", "序号")


def _numbered_records(body: list[Line]) -> tuple[list[str], list[_Row]] | None:
    """Columns and rows of a space-separated list whose records start with 1, 2, 3 … and may span lines.

    A record with fewer cells than columns is aligned where its cells look most like earlier values
    of the same columns; columns left of it repeat the value above (a merged cell).
    """
    body = body[:1] + [line for line in body[1:] if _squashed(line) != _squashed(body[0])]
    tokens = [(t, line) for line in body for t in space_tokens(line.raw)]
    starts = _record_starts(tokens)
    if len(starts) < 2:
        return None
    columns = [t for t, _ in tokens[: starts[0]] if re.sub(r"\s", "", normalize(t)) not in _SEQ_HEADERS]
    records = [tokens[a + 1:b] for a, b in zip(starts, [*starts[1:], len(tokens)], strict=True)]
    if not columns or any(len(r) > len(columns) or not r for r in records):
        return None
    rows: list[_Row] = []
    previous: list[list[str]] = [[] for _ in columns]
    carried = [("", 0)] * len(columns)
    for number, record in enumerate(records, start=1):
        offset = _best_offset([t for t, _ in record], previous)
        placed = carried[:offset] + [(t, line.n) for t, line in record]
        placed += [("", 0)] * (len(columns) - len(placed))
        for j, (text, _) in enumerate(placed):
            if text:
                previous[j].append(text)
        carried = placed
        label = f"{number}·{placed[0][0]}" if placed[0][0] else str(number)
        first_line = record[0][1]
        lines = list(dict.fromkeys(line for _, line in record))
        cell_lines = [n or first_line.n for _, n in placed]
        rows.append(_Row(label, [t for t, _ in placed], first_line, lines=lines, cell_lines=cell_lines))
    return columns, rows


def _record_starts(tokens: list[tuple[str, Line]]) -> list[int]:
    """Token indexes where list records start: a line-initial 1, 2, 3 … in sequence."""
    starts, expected = [], 1
    for i, (text, line) in enumerate(tokens):
        first_on_line = i == 0 or tokens[i - 1][1] is not line
        norm = normalize(text).strip()
        if first_on_line and _SEQ.match(norm) and int(norm.rstrip(".")) == expected:
            starts.append(i)
            expected += 1
    return starts


def _best_offset(record: list[str], previous: list[list[str]]) -> int:
    """Where a short record's cells start: the offset whose cells end like earlier values of their column."""
    def score(offset: int) -> int:
        return sum(any(p[-1:] == t[-1:] for p in previous[offset + k]) for k, t in enumerate(record))

    offsets = range(len(previous) - len(record) + 1)
    return max(offsets, key=lambda o: (score(o), -o))


def _declared_unit(title: str, header: list[Line]) -> str:
    for text in [title, *(line.raw for line in header)]:
        declared = _UNIT_DECL.search(normalize(text))
        if declared:
            return declared.group(1)
    return ""


def find_tables(lines: Sequence[Line], info: ReportInfo) -> list[RecoveredTable]:
    """Every table in ``lines`` that has at least one row."""
    found = []
    for start, end in find_blocks(lines):
        recovered = recover(lines, start, end, info)
        if recovered.table.rows:
            found.append(recovered)
    return found
