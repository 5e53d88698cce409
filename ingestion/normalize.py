"""Repairs of PDF-extraction damage that never change a number.

Every kept line stays tied to its 1-based line number in the loaded text, and its raw text is kept
for quotes; NFKC (``rag.numbers.normalize``) is used only for matching. Dropped: blank lines,
table-of-contents runs, repeated page headers and the page numbers next to them, decorated page
numbers ('- 3 -', '第3页') and bare ones at the edge of a known page. Also here: the line tests the
table and chunk builders share (table titles with a glued year, headings, captions, source notes,
running prose).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import pairwise

from rag.numbers import MULTIPLIERS, UNITS, normalize
from rag.types import LoadedText


@dataclass(frozen=True)
class Line:
    """One kept source line: its 1-based number, raw text and page."""

    n: int
    raw: str
    page: int | None = None

    @cached_property
    def norm(self) -> str:
        """The stripped NFKC text, for matching."""
        return normalize(self.raw).strip()


_TOC_END = re.compile(r"(?:\t|\.{3,}|…{2,}|·{3,})\s*\d{1,4}\s*$")
_TOC_START = re.compile(
    r"^\s*(?:表\s*\d|图\s*\d|第.{1,3}[部章节]|[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)"
    r"|\d{1,2}(?:\.\d{1,2})*[.、．]?[ \u3000]|前\s*言|目\s*录|附|案例)"
)
_PAGE_NUMBER = re.compile(r"^\s*[-—–]?\s*(?:第\s*)?\d{1,3}\s*(?:页)?\s*[-—–]?\s*$")
_DECORATED_PAGE = re.compile(
    r"^\s*(?:[-—–]\s*\d{1,3}\s*[-—–]|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?|\d{1,3}\s*/\s*\d{1,3})\s*$"
)
_TABLE_TITLE = re.compile(r"^\s*(?P<cont>续)?表\s*(?P<a>\d{1,2})(?:\s*[-－—–.]\s*(?P<b>\d+))?(?P<rest>.*)$")
_YEAR_AHEAD = re.compile(r"^(?:19|20)\d\d\s*年")
_FIGURE = re.compile(r"^\s*图\s*\d")
_SOURCE = re.compile(r"^\s*(?:数据来源|资料来源|来源|注)\s*[:：]|^\s*注\s*[①1]")
_CN_NUM = "一二三四五六七八九十"
_HEADINGS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("part", re.compile(rf"^第[{_CN_NUM}]+(?:部分|章|篇)\s*\S")),
    ("cn", re.compile(rf"^[{_CN_NUM}]+\s*[、．.]\s*\S")),
    ("paren_cn", re.compile(rf"^[（(][{_CN_NUM}]+[）)]\s*\S")),
    ("num3", re.compile(r"^\d{1,2}\.\d{1,2}\.\d{1,2}\.?\s*(?P<text>[^\d\s])")),
    ("num2", re.compile(r"^\d{1,2}\.\d{1,2}\.?\s*(?P<text>[^\d\s])")),
    ("num1", re.compile(r"^\d{1,2}\s*[.．、]\s*(?P<text>[^\d\s])")),
    ("paren_num", re.compile(r"^[（(]\d{1,2}[）)]\s*\S")),
)
_UNIT_START = tuple(UNITS) + tuple(MULTIPLIERS) + ("余", "多", "%", "倍")


def is_toc_line(text: str) -> bool:
    """True for a table-of-contents entry: a heading-like label ending in a page number."""
    norm = normalize(text)
    return bool(_TOC_END.search(norm) and _TOC_START.match(norm))


def _toc_like(text: str) -> bool:
    """True for a text label ending in a page number (a TOC entry when next to others)."""
    norm = normalize(text)
    return bool(_TOC_END.search(norm)) and not re.match(r"^\s*[\d.,%\s-]*\t", norm)


def toc_lines(lines: list[Line]) -> set[int]:
    """Line numbers of table-of-contents runs (three or more heading-like entries) and '目录' lines."""
    found: set[int] = set()
    run: list[Line] = []
    for line in [*lines, Line(0, "")]:
        if line.n and re.fullmatch(r"\s*目\s*录\s*", line.raw):
            found.add(line.n)
            continue
        if line.n and _toc_like(line.raw):
            run.append(line)
            continue
        if sum(is_toc_line(entry.raw) for entry in run) >= 3 and _pages_ascend(run):
            found.update(entry.n for entry in run)
        run = []
    return found


def _pages_ascend(run: list[Line]) -> bool:
    """True when the page numbers ending the entries mostly go up, as in a table of contents."""
    pages = [int(re.findall(r"\d+", entry.norm)[-1]) for entry in run]
    steps = list(pairwise(pages))
    return sum(b >= a for a, b in steps) >= 0.8 * len(steps)


def page_furniture(lines: list[Line]) -> set[int]:
    """Line numbers of repeated page headers and of the page numbers next to them."""
    counts = Counter(line.norm for line in lines)
    headers = {
        i for i, line in enumerate(lines)
        if counts[line.norm] >= 2 and len(line.norm) <= 40 and "报告" in line.norm
    }
    found = {lines[i].n for i in headers} | {line.n for line in lines if _DECORATED_PAGE.match(line.raw)}
    for i in headers:
        for j in (i - 1, i + 1, i + 2):
            if 0 <= j < len(lines) and _PAGE_NUMBER.match(lines[j].raw):
                found.add(lines[j].n)
    return found | _page_edge_numbers(lines)


def _page_edge_numbers(lines: list[Line]) -> set[int]:
    """Bare page numbers that are the first or last line of a page (when pages are known)."""
    found = set()
    for i, line in enumerate(lines):
        if line.page is None or not _PAGE_NUMBER.match(line.raw):
            continue
        before = lines[i - 1].page if i > 0 else None
        after = lines[i + 1].page if i + 1 < len(lines) else None
        if before != line.page or after != line.page:
            found.add(line.n)
    return found


def furniture_key(text: str) -> str:
    """``text`` reduced for spotting repeats across pages: NFKC, no whitespace, digit runs as '#'."""
    return re.sub(r"\d+", "#", re.sub(r"\s", "", normalize(text)))


def band_furniture(bands: Sequence[Sequence[str]]) -> set[str]:
    """Keys (``furniture_key``) of the texts in pages' header/footer bands that are page furniture.

    A band text is furniture when it is a page number, or when it recurs (digits aside) in the
    bands of at least 3 pages (2 in a document of at most 6 pages). Text in the body is never
    looked at, so a title equal to the running header stays.
    """
    pages: Counter[str] = Counter()
    found = set()
    for band in bands:
        keys = {furniture_key(text) for text in band}
        pages.update(keys)
        found |= {furniture_key(text) for text in band if is_page_number(text)}
    needed = 2 if len(bands) <= 6 else 3
    return found | {key for key, count in pages.items() if count >= needed and key}


def is_page_number(text: str) -> bool:
    """True for a line that is only a page number."""
    return bool(_PAGE_NUMBER.match(text) or _DECORATED_PAGE.match(text))


def clean_lines(loaded: LoadedText) -> list[Line]:
    """The loaded lines worth parsing: no blanks, table of contents or page furniture."""
    pages = loaded.pages if len(loaded.pages) == len(loaded.lines) else ()
    lines = [
        Line(n, raw.rstrip(), pages[n - 1] if pages else None)
        for n, raw in enumerate(loaded.lines, start=1)
        if raw.strip() and not re.fullmatch(r"[\s\-|:—]+", raw)
    ]
    # A PDF read with positions has lost its furniture already; text patterns would also hit the body
    # (a title equal to the header, a bare '4' heading a page as a list item number).
    drop = toc_lines(lines) | (set() if loaded.furniture_removed else page_furniture(lines))
    return [line for line in lines if line.n not in drop]


@lru_cache(maxsize=65536)
def table_title(text: str) -> tuple[str, str] | None:
    """(number, title) of a table title line, with a year glued to the number split off."""
    match = _TABLE_TITLE.match(text)
    if match is None:
        return None
    a, b, rest = normalize(match.group("a")), normalize(match.group("b") or ""), match.group("rest")
    if len(b) > 2 and _YEAR_AHEAD.match(b[-4:] + normalize(rest)):
        b, rest = b[:-4], b[-4:] + rest
    title = re.sub(r"^[\s:：.、．]+", "", rest).strip()
    if not title or title[0] in "。，,；;）)" or title.endswith("。") or len(title) > 80:
        return None
    return (f"{a}-{b}" if b else a), title


def is_figure_title(text: str) -> bool:
    """True for a figure caption such as '图 2-1 …'."""
    return bool(_FIGURE.match(text))


@lru_cache(maxsize=65536)
def is_source_note(text: str) -> bool:
    """True for a '数据来源：' / '注：' line that closes a table."""
    return bool(_SOURCE.match(normalize(text)))


@lru_cache(maxsize=65536)
def heading(text: str) -> str | None:
    """The heading style ('cn', 'num2', …) when ``text`` is a section heading, else None."""
    if len(text) > 60:
        return None
    norm = normalize(text).strip()
    if len(norm) > 45 or len(norm) < 3 or norm[-1] in "。，,；;：:、" or "\t" in norm:
        return None
    if norm.count("。") or re.search(r"\S\s{2,}\S", norm):
        return None
    for style, pattern in _HEADINGS:
        match = pattern.match(norm)
        if match is None:
            continue
        start = match.groupdict().get("text")
        if start is not None and norm[match.start("text"):].startswith(_UNIT_START):
            return None
        return style
    return None


@lru_cache(maxsize=65536)
def is_prose(text: str) -> bool:
    """True for running text (a sentence), as opposed to a table row or caption."""
    norm = normalize(text).strip()
    if "\t" in norm or is_source_note(norm):
        return False
    if norm.endswith("。") and len(norm) >= 8:
        return True
    return len(norm) >= 20 and bool(re.search(r"[。;]|,(?!\d{3})", norm))
