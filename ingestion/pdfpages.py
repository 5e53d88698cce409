"""Where text sits on a PDF's pages (pypdfium2, native and ≈ 10 ms a page): the lines in each page's
header and footer bands, the first page's largest text, and the document's /Title and /Subject.

Only positions are read here; the text itself comes from pypdf and pdfplumber (``ingestion.loaders``).
A band is the top or bottom ``BAND`` of the page height, where running headers, footers and page
numbers sit above and below the body's margins. Any failure gives ``None``: the loader then keeps
every line, as it would for a PDF without furniture.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

BAND = 0.08
"""Share of the page height, at the top and at the bottom, that holds page furniture (67 pt on A4)."""
_SAME_LINE = 3.0
_LARGEST_SHARE = 0.9
_TITLE_SIZE = 1.3
"""The largest text counts as a title only when set this much bigger than the page's middle size."""


@dataclass(frozen=True)
class PageMarks:
    """The text lines in one page's header band (top first) and footer band (top first)."""

    top: tuple[str, ...]
    bottom: tuple[str, ...]


@dataclass(frozen=True)
class PdfLayout:
    """Positions-derived facts about a PDF."""

    pages: tuple[PageMarks, ...]
    largest: str
    """The first page's largest text (outside the bands), its lines joined."""
    title: str
    subject: str


@dataclass(frozen=True)
class _Run:
    text: str
    bottom: float
    top: float
    left: float
    size: float


def read_layout(data: bytes, *, max_pages: int) -> PdfLayout | None:
    """The bands of the first ``max_pages`` pages, the largest text and the info dictionary (None on
    failure)."""
    try:
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(data)
        try:
            meta = pdf.get_metadata_dict()
            marks, largest = [], ""
            for number in range(min(len(pdf), max_pages)):
                height, runs = _page_runs(pdf[number])
                marks.append(_marks(runs, height))
                if number == 0:
                    largest = _largest(runs, height)
            return PdfLayout(tuple(marks), largest, _info(meta, "Title"), _info(meta, "Subject"))
        finally:
            pdf.close()
    except Exception:  # positions are a refinement; a PDF pdfium cannot read still loads without them
        return None


def _info(meta: dict[str, Any], key: str) -> str:
    value = meta.get(key)
    return " ".join(str(value).split()) if value else ""


def _page_runs(page: Any) -> tuple[float, list[_Run]]:
    import pypdfium2.raw as raw

    height = float(page.get_height())
    textpage = page.get_textpage()
    runs = []
    for k in range(textpage.count_rects()):
        left, bottom, right, top = textpage.get_rect(k)
        text = textpage.get_text_bounded(left, bottom, right, top).strip()
        if not text:
            continue
        index = textpage.get_index((left + right) / 2, (bottom + top) / 2, 2, 2)
        size = float(raw.FPDFText_GetFontSize(textpage.raw, index)) if index is not None else top - bottom
        runs.append(_Run(text, float(bottom), float(top), float(left), size))
    return height, runs


def _lines(runs: list[_Run]) -> Iterator[list[_Run]]:
    """Runs grouped into visual lines (same vertical middle), top line first, left to right."""
    ordered = sorted(runs, key=lambda r: (-(r.top + r.bottom) / 2, r.left))
    line: list[_Run] = []
    for run in ordered:
        if line and abs((run.top + run.bottom) / 2 - (line[0].top + line[0].bottom) / 2) > _SAME_LINE:
            yield sorted(line, key=lambda r: r.left)
            line = []
        line.append(run)
    if line:
        yield sorted(line, key=lambda r: r.left)


def _marks(runs: list[_Run], height: float) -> PageMarks:
    top, bottom = [], []
    for line in _lines(runs):
        text = " ".join(r.text for r in line)
        if line[0].bottom >= height * (1 - BAND):
            top.append(text)
        elif line[0].top <= height * BAND:
            bottom.append(text)
    return PageMarks(tuple(top), tuple(bottom))


def _largest(runs: list[_Run], height: float) -> str:
    """The lines set in the page's largest font size, joined ('2025' '北京市' … → '2025 北京市…')."""
    body = [r for r in runs if height * BAND < r.bottom and r.top < height * (1 - BAND)]
    if not body:
        return ""
    sizes = sorted(r.size for r in body)
    biggest = sizes[-1]
    if biggest < sizes[len(sizes) // 2] * _TITLE_SIZE:  # nothing stands out: no title on this page
        return ""
    large = [r for r in body if r.size >= biggest * _LARGEST_SHARE]
    parts = [" ".join(r.text for r in line) for line in _lines(large)]
    joined = ""
    for part in parts[:6]:
        joined += " " + part if joined and (joined[-1].isdigit() or part[0].isdigit()) else part
    return tidy(joined)


def tidy(text: str) -> str:
    """``text`` with the spaces a layout puts between CJK characters or inside brackets removed."""
    text = re.sub(r"(?<=[^0-9A-Za-z\s])\s+(?=[^0-9A-Za-z\s])", "", text.strip())
    return re.sub(r"(?<=[（(])\s+|\s+(?=[）)])", "", re.sub(r"\s+", " ", text))
