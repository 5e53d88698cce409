"""Reports as PDFs, laid out as real ones are: running headers, footers, title pages, tables split
across pages. Each PDF is rendered by ``pdfs.render_report``; the filler counts put a sentence or a
table where the page breaks (each test first checks that the break really falls there)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from pdfs import LAYOUTS, Layout, render_report

from ingestion.loaders import load
from ingestion.normalize import band_furniture
from ingestion.parse import parse
from rag.types import LoadedText, ParsedDocument

TITLE = "海淀区中等职业教育质量年度报告（2023）"
SENTENCE = (
    "全区中等职业学校共有专任教师一千二百三十四人，其中双师型教师占比达到百分之六十七点八，比上年提高三个百分点，"
    "兼职教师队伍也进一步壮大，企业技术骨干担任兼职教师的人数达到三百二十一人。"
)
TABLE = [
    "表 1-1 海淀区职业教育规模",
    "项目\t2021年\t2022年\t增长率",
    *[f"指标{k}\t{100 + k}\t{200 + k}\t{k}.5%" for k in range(1, 9)],
    "数据来源：区教委。",
]


def _filler(count: int) -> list[str]:
    return [f"第{n}段：本区持续推进职业教育改革。" for n in range(count)]


def _render(tmp_path: Path, lines: list[str], layout: Layout, name: str = "haidian.pdf") -> tuple[
    LoadedText, ParsedDocument
]:
    path = render_report(tmp_path / name, "\n".join(lines), layout, title=TITLE)
    loaded = load(path)
    return loaded, parse(loaded)


def _squash(text: str) -> str:
    return re.sub(r"\s", "", text)


def test_a_title_equal_to_the_running_header_is_kept_and_the_headers_go(tmp_path: Path) -> None:
    loaded, doc = _render(tmp_path, [TITLE, *_filler(90)], LAYOUTS["header-title"])
    assert max(loaded.pages) >= 3
    assert [line for line in loaded.lines if _squash(line) == _squash(TITLE)] == [TITLE]
    assert not any(re.fullmatch(r"- \d+ -", line.strip()) for line in loaded.lines)
    assert (doc.info.title, doc.info.region, doc.info.report_year) == (TITLE, "海淀区", 2023)
    assert ("running_header", TITLE) in loaded.evidence


def test_a_header_other_than_the_title_and_its_page_footers_go(tmp_path: Path) -> None:
    loaded, doc = _render(tmp_path, [TITLE, *_filler(90)], LAYOUTS["header-other"])
    assert not any(line.strip() == "职业教育质量年度报告" or "页" in line for line in loaded.lines)
    assert ("running_header", "职业教育质量年度报告") in loaded.evidence
    assert doc.info.title == TITLE


@pytest.mark.parametrize(
    ("layout", "with_title_line", "source"),
    [
        (Layout("meta", header="", pdf_title=True), False, "pdf_title"),
        (Layout("big", header="", pdf_title=False), True, "largest_text"),
        (Layout("cover", header="", pdf_title=False, title_page=True), True, "largest_text"),
        (Layout("header", header="{title}", pdf_title=False), False, "running_header"),
    ],
)
def test_the_title_comes_from_the_strongest_evidence(
    tmp_path: Path, layout: Layout, with_title_line: bool, source: str
) -> None:
    lines = ([TITLE] if with_title_line else []) + _filler(90)
    _, doc = _render(tmp_path, lines, layout)
    info = doc.info
    assert (info.title, info.region, info.report_year, info.level) == (TITLE, "海淀区", 2023, "中职")
    assert dict(info.sources)["title"] == source
    assert dict(info.sources)["region"] == source
    assert (source, TITLE) in info.evidence


def test_the_file_name_gives_the_year_when_nothing_else_does(tmp_path: Path) -> None:
    layout = Layout("bare", header="", pdf_title=False)
    _, doc = _render(tmp_path, _filler(10), layout, name="xicheng-zhongzhi-2021.pdf")
    assert doc.info.report_year == 2021
    assert dict(doc.info.sources)["report_year"] == "file_name"


def test_a_sentence_across_a_page_break_is_whole_in_a_chunk_and_in_the_text(tmp_path: Path) -> None:
    lines = [TITLE, *_filler(33), SENTENCE[:40], SENTENCE[40:]]
    loaded, doc = _render(tmp_path, lines, LAYOUTS["header-title"])
    pages = {loaded.pages[i] for i, line in enumerate(loaded.lines) if line and line[:8] in SENTENCE}
    assert pages == {1, 2}, "the sentence no longer straddles the page break"
    assert _squash(SENTENCE) in _squash("".join(loaded.lines))  # a quote of it matches the file
    chunk = next(c for c in doc.chunks if c.kind == "prose" and SENTENCE in c.text)
    assert chunk.page == 1


@pytest.mark.parametrize("layout", ["header-title", "header-other"])
def test_a_table_continued_on_the_next_page_is_one_table(tmp_path: Path, layout: str) -> None:
    loaded, doc = _render(tmp_path, [TITLE, *_filler(31), *TABLE], LAYOUTS[layout])
    rows = [loaded.pages[i] for i, line in enumerate(loaded.lines) if line.startswith("指标")]
    assert rows[0] == 1 and rows[-1] == 2, "the table no longer splits across the page break"
    assert LAYOUTS[layout].repeat_header == any(
        line.startswith("项目") and page == 2 for line, page in zip(loaded.lines, loaded.pages, strict=True)
    )
    (table,) = doc.tables
    assert table.columns == ("2021年", "2022年", "增长率")
    assert [row.label for row in table.rows] == [f"指标{k}" for k in range(1, 9)]
    facts = {(f.row, f.column): f.value for f in doc.facts}
    assert facts[("指标8", "2022年")] == 208
    assert facts[("指标1", "增长率")] == 1.5


def test_a_header_row_left_alone_at_a_page_bottom_joins_the_body(tmp_path: Path) -> None:
    layout = dataclasses.replace(LAYOUTS["title-page"], wrap_cells=False)
    loaded, doc = _render(tmp_path, [TITLE, *_filler(35), *TABLE], layout)
    page_of = dict(zip(loaded.lines, loaded.pages, strict=True))
    assert page_of["项目\t2021年\t2022年\t增长率"] == 2 and page_of["指标1\t101\t201\t1.5%"] == 3
    (table,) = doc.tables
    assert table.columns == ("2021年", "2022年", "增长率")
    facts = {(f.row, f.column): (f.value, f.year) for f in doc.facts}
    assert facts[("指标1", "2022年")] == (201, 2022)
    assert len(doc.facts) == 24


def test_wrapped_cells_are_joined(tmp_path: Path) -> None:
    long_rows = ["项目\t2022年", "中等职业学校在校学生总人数\t3150", "数据来源：区教委。"]
    lines = [TITLE, "表 1-2 海淀区在校生", *long_rows]
    loaded, doc = _render(tmp_path, lines, LAYOUTS["title-page"])
    assert "中等职业学校在校学生总人数\t3150" in loaded.lines
    assert {(f.row, f.value) for f in doc.facts} == {("中等职业学校在校学生总人数", 3150)}


def test_band_furniture_needs_repetition_or_a_page_number() -> None:
    bands = [["年度报告", "- 1 -"], ["年度报告", "- 2 -"], ["年度报告", "3"], ["独有的一行"]]
    assert band_furniture(bands) == {"年度报告", "-#-", "#"}
