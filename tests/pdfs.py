"""Real PDFs for tests, made with reportlab and an embedded CJK font (no downloads).

Import as ``from pdfs import make_report_pdf`` (tests/ is on sys.path, like ``fake_openai``).
``make_report_pdf`` takes lines in the same shape as the bundled ``.txt`` reports: the first
line is the heading, lines with tabs are table rows (drawn as one ruled table per run of
such lines), every other line is a paragraph.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Flowable, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT_NAME = "WQY"
FONT_FILE = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")

SAMPLE_LINES: tuple[str, ...] = (
    "昌平区中等职业教育质量年度报告（2023）",
    "1.1 规模和结构",
    "2022 年昌平区共有 1061 名学生被中等职业学校录取，职普比为 0.26 : 0.74。",
    "表 1-1 昌平区中等职业教育学生总体规模",
    "项目\t2021年\t2022年\t增长量\t增长率",
    "招生总人数\t1,200\t1,061\t-139\t-11.58%",
    "在校生总人数（人）\t2751\t3150\t399\t14.50%",
    "毕业生总人数（人）\t812\t790\t-22\t-2.71%",
    "数据来源：昌平区教委。",
)


def register_font() -> str:
    """The name of the embedded CJK font, registered once with reportlab; skips the test without it."""
    if not FONT_FILE.exists():
        pytest.skip(f"{FONT_FILE} is missing (Debian package fonts-wqy-microhei; scripts/setup installs it)")
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_FILE), subfontIndex=0))
    return FONT_NAME


def make_report_pdf(
    path: Path,
    lines: list[str] | tuple[str, ...] = SAMPLE_LINES,
    *,
    password: str | None = None,
    owner_password: str = "owner",
    footer: str | None = None,
) -> Path:
    """``path``, now a Chinese report PDF with a heading, paragraphs and ruled tables.

    ``password`` is the user password; ``""`` encrypts with an empty user password (opens
    without asking), ``None`` does not encrypt. ``footer`` (e.g. ``"- {page} -"``) is drawn at
    the bottom of every page, like the page numbers of real reports.
    """
    font = register_font()
    encrypt = None
    if password is not None:
        encrypt = StandardEncryption(password, ownerPassword=owner_password, strength=128)
    doc = SimpleDocTemplate(str(path), pagesize=A4, encrypt=encrypt, title=lines[0] if lines else "")

    def draw_footer(c: canvas.Canvas, _doc: SimpleDocTemplate) -> None:
        if footer is not None:
            c.setFont(font, 9)
            c.drawCentredString(A4[0] / 2, 30, footer.format(page=c.getPageNumber()))

    doc.build(_flowables(list(lines), font), onFirstPage=draw_footer, onLaterPages=draw_footer)
    return path


def _flowables(lines: list[str], font: str) -> list[Flowable]:
    heading = ParagraphStyle("h", fontName=font, fontSize=16, leading=22, spaceAfter=8)
    body = ParagraphStyle("b", fontName=font, fontSize=10.5, leading=16, spaceAfter=4)
    out: list[Flowable] = []
    rows: list[list[str]] = []
    for i, line in enumerate(lines):
        if "\t" in line:
            rows.append(line.split("\t"))
            continue
        if rows:
            out += [_ruled_table(rows, font), Spacer(1, 6)]
            rows = []
        out.append(Paragraph(_escape(line), heading if i == 0 else body))
    if rows:
        out.append(_ruled_table(rows, font))
    return out


def _ruled_table(rows: list[list[str]], font: str) -> Table:
    width = max(len(r) for r in rows)
    padded = [r + [""] * (width - len(r)) for r in rows]
    table = Table(padded)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ]
        )
    )
    return table


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def make_pages_pdf(path: Path, pages: int, *, text: str = "第{n}页 测试") -> Path:
    """``path``, now a PDF of ``pages`` pages with one short line each."""
    font = register_font()
    c = canvas.Canvas(str(path), pagesize=A4)
    for n in range(1, pages + 1):
        c.setFont(font, 12)
        c.drawString(72, 760, text.format(n=n))
        c.showPage()
    c.save()
    return path


def make_image_only_pdf(path: Path, *, pages: int = 1) -> Path:
    """``path``, now a PDF whose pages hold only drawn shapes (no text layer)."""
    c = canvas.Canvas(str(path), pagesize=A4)
    for _ in range(pages):
        c.setFillColor(colors.grey)
        c.rect(72, 500, 300, 200, fill=1)
        for y in range(520, 700, 20):
            c.line(80, y, 360, y)
        c.showPage()
    c.save()
    return path


# --- whole reports in several layouts ---------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """How a report is laid out as a PDF, as real annual reports are."""

    name: str
    header: str = ""
    """Running header on every body page: '' none, '{title}' the title, or any other text."""
    footer: str = "- {page} -"
    title_page: bool = False
    """The title alone on a cover page (no header or footer there); else it opens page 1."""
    repeat_header: bool = False
    """A table continued on the next page repeats its header row."""
    wrap_cells: bool = False
    """Narrow label columns, so long labels wrap inside their cells."""
    pdf_title: bool = True
    """Whether the PDF's /Title metadata holds the title."""
    split_header: bool = False
    """A table's header row is its own ruled block, so it can be left alone at the bottom of a page."""


LAYOUTS: dict[str, Layout] = {
    layout.name: layout
    for layout in (
        Layout("plain", footer="- {page} -"),
        Layout("header-title", header="{title}", repeat_header=False),
        Layout("header-other", header="职业教育质量年度报告", footer="第 {page} 页", repeat_header=True),
        Layout("title-page", header="{title}", title_page=True, wrap_cells=True, pdf_title=False,
               split_header=True),
    )
}
_MARGIN = 56.0


def render_report(path: Path, text: str, layout: Layout, *, title: str, subject: str = "") -> Path:
    """``path``, now ``text`` (a report in the bundled ``.txt`` shape) as a PDF in ``layout``.

    ``title`` is the report's title: the opening lines that spell it are set large, and it is the
    running header when the layout says '{title}'. Tab-separated lines become ruled tables that
    reportlab splits across pages where they fall.
    """
    font = register_font()
    lines = [line.strip(" \u3000\r") for line in text.splitlines() if line.strip()]
    opening = _title_lines(lines, title)
    header = layout.header.format(title=title)
    doc = SimpleDocTemplate(
        str(path), pagesize=A4, leftMargin=_MARGIN, rightMargin=_MARGIN, topMargin=64, bottomMargin=64,
        title=title if layout.pdf_title else "", subject=subject, author="", creator="nianbao tests",
    )
    cover = layout.title_page

    def furniture(c: canvas.Canvas, _doc: SimpleDocTemplate) -> None:
        if cover and c.getPageNumber() == 1:
            return
        c.setFont(font, 9)
        if header:
            c.drawCentredString(A4[0] / 2, A4[1] - 36, header)
            c.line(_MARGIN, A4[1] - 42, A4[0] - _MARGIN, A4[1] - 42)
        if layout.footer:
            c.drawCentredString(A4[0] / 2, 30, layout.footer.format(page=c.getPageNumber()))

    flow = _report_flowables(lines, opening, font, layout)
    doc.build(flow, onFirstPage=furniture, onLaterPages=furniture)
    return path


def _title_lines(lines: list[str], title: str) -> int:
    """How many opening lines spell (part of) the title."""
    squashed = "".join(title.split())
    count = 0
    for line in lines[:6]:
        if "".join(line.split()) not in squashed:
            break
        count += 1
    return count


def _report_flowables(lines: list[str], opening: int, font: str, layout: Layout) -> list[Flowable]:
    big = ParagraphStyle("t", fontName=font, fontSize=22, leading=30, spaceAfter=10, wordWrap="CJK")
    body = ParagraphStyle("b", fontName=font, fontSize=10.5, leading=16, spaceAfter=3, wordWrap="CJK")
    out: list[Flowable] = [Paragraph(_escape(line), big) for line in lines[:opening]]
    if layout.title_page:
        out.append(PageBreak())
    rows: list[list[str]] = []
    for line in lines[opening:]:
        if "\t" in line:
            rows.append(line.split("\t"))
            continue
        if rows:
            out += [*_report_table(rows, font, layout), Spacer(1, 6)]
            rows = []
        out.append(Paragraph(_escape(line), body))
    if rows:
        out += _report_table(rows, font, layout)
    return out


def _report_table(rows: list[list[str]], font: str, layout: Layout) -> list[Flowable]:
    """A ruled table fitted to the page width; cells wrap when the layout says so or it is too wide."""
    style = ParagraphStyle("c", fontName=font, fontSize=8, leading=10, wordWrap="CJK")
    width = max(len(r) for r in rows)
    padded = [r + [""] * (width - len(r)) for r in rows]
    natural = [max(_text_width(r[j]) for r in padded) + 14 for j in range(width)]
    if layout.wrap_cells and width > 1:
        natural[0] = min(natural[0], 4 * 8 + 14)
    free = A4[0] - 2 * _MARGIN
    if sum(natural) > free:
        numbers = [max(_text_width(r[j]) for r in padded[1:] or padded) + 14 for j in range(width)]
        floor = [min(n, max(24.0, m)) for n, m in zip(natural, numbers, strict=True)]
        spare = free - sum(floor)
        extra = [n - f for n, f in zip(natural, floor, strict=True)]
        share = spare / sum(extra) if sum(extra) > 0 and spare > 0 else 0
        natural = [f + e * share for f, e in zip(floor, extra, strict=True)]
    cells = [[Paragraph(_escape(cell), style) for cell in row] for row in padded]
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    if layout.split_header and len(cells) > 1:
        return [Table(part, colWidths=natural, style=grid) for part in (cells[:1], cells[1:])]
    return [Table(cells, colWidths=natural, repeatRows=1 if layout.repeat_header else 0, style=grid)]


def _text_width(text: str) -> float:
    """Rough width in points of ``text`` at 8 pt: CJK characters are square, others half as wide."""
    return sum(8.0 if ord(ch) > 0x2E80 else 4.6 for ch in text)


def render_corpus(out: Path, layout: Layout, reports: Path) -> list[Path]:
    """The ``.txt`` reports in ``reports`` rendered into ``out`` as PDFs in ``layout`` (same stems)."""
    from ingestion.loaders import load
    from ingestion.parse import parse

    out.mkdir(parents=True, exist_ok=True)
    made = []
    for source in sorted(reports.glob("*.txt")):
        title = parse(load(source)).info.title
        text = source.read_text(encoding="utf-8")
        made.append(render_report(out / f"{source.stem}.pdf", text, layout, title=title))
    return made


def main(argv: list[str] | None = None) -> int:
    """``python tests/pdfs.py OUT --layout header-title``: render the bundled reports as PDFs."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from rag.settings import BUNDLED_REPORTS

    parser = argparse.ArgumentParser(description="render the bundled reports as PDFs")
    parser.add_argument("out", type=Path)
    parser.add_argument("--layout", choices=sorted(LAYOUTS), default="header-title")
    parser.add_argument("--reports", type=Path, default=BUNDLED_REPORTS)
    args = parser.parse_args(argv)
    for path in render_corpus(args.out, LAYOUTS[args.layout], args.reports):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
