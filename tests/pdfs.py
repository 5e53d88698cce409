"""Real PDFs for tests, made with reportlab and an embedded CJK font (no downloads).

Import as ``from pdfs import make_report_pdf`` (tests/ is on sys.path, like ``fake_openai``).
``make_report_pdf`` takes lines in the same shape as the bundled ``.txt`` reports: the first
line is the heading, lines with tabs are table rows (drawn as one ruled table per run of
such lines), every other line is a paragraph.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

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
