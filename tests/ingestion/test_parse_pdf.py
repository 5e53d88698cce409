"""The parser on a PDF made by the test: tables from ruled cells, page numbers dropped."""

from __future__ import annotations

from pathlib import Path

from pdfs import make_report_pdf

from ingestion.loaders import load
from ingestion.parse import parse


def test_pdf_report_gives_facts_and_chunks_without_page_numbers(tmp_path: Path) -> None:
    doc = parse(load(make_report_pdf(tmp_path / "haidian.pdf", footer="- {page} -")))
    assert (doc.info.region, doc.info.report_year, doc.info.data_year) == ("昌平区", 2023, 2022)
    facts = {(f.row, f.column): f for f in doc.facts}
    fact = facts[("招生总人数", "2022年")]
    assert (fact.value, fact.raw, fact.unit, fact.year) == (1061, "1,061", "人", 2022)
    assert (fact.table, fact.page) == ("1-1", 1)
    assert facts[("在校生总人数（人）", "增长率")].value == 14.50
    texts = [c.text for c in doc.chunks]
    assert not any("- 1 -" in text for text in texts)
    assert any("0.26 : 0.74" in text for text in texts)
