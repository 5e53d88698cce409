"""Where an indexed report's file lives, its lines for the audit's citations, and the audit of a PDF."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pdfs import SAMPLE_LINES, make_report_pdf

from ingestion.loaders import load
from ingestion.parse import parse
from ingestion.sources import locate, source_lines
from rag.audit import audit_document
from rag.settings import Settings


def settings_with(tmp_path: Path) -> Settings:
    (tmp_path / "reports").mkdir()
    (tmp_path / "home" / "uploads").mkdir(parents=True)
    return Settings(home=tmp_path / "home", reports_dir=tmp_path / "reports")


def test_a_file_is_found_among_the_uploads_or_the_bundled_reports(tmp_path: Path) -> None:
    settings = settings_with(tmp_path)
    (settings.reports_dir / "a.txt").write_text("甲\n", encoding="utf-8")
    (settings.home / "uploads" / "b.txt").write_text("乙\n", encoding="utf-8")
    assert locate(settings, "a.txt") == ("bundled", settings.reports_dir / "a.txt")
    assert locate(settings, "b.txt") == ("uploaded", settings.home / "uploads" / "b.txt")
    assert locate(settings, "c.txt") == ("missing", None)


def test_source_lines_are_those_ingested_and_none_once_the_file_changed(tmp_path: Path) -> None:
    settings = settings_with(tmp_path)
    path = settings.reports_dir / "r.txt"
    path.write_text("\n".join(SAMPLE_LINES) + "\n", encoding="utf-8")
    info = parse(load(path)).info
    assert source_lines(settings, info) == load(path).lines
    assert source_lines(settings, replace(info, content_hash="other")) is None


def test_a_pdf_is_audited_with_the_lines_of_its_extracted_text(tmp_path: Path) -> None:
    settings = settings_with(tmp_path)
    lines = [*SAMPLE_LINES, "2022年，昌平区中等职业学校毕业生人数 800 人，比上一年减少 12 人。"]
    pdf = make_report_pdf(settings.home / "uploads" / "r.pdf", lines)
    loaded = load(pdf)
    doc = parse(loaded)
    assert source_lines(settings, doc.info) == loaded.lines
    findings = audit_document(
        doc.info, chunks=doc.chunks, facts=doc.facts, tables=doc.tables, lines=loaded.lines
    ).findings
    assert [(f.first.raw, f.second.raw) for f in findings] == [("800 人", "790")]
    first, second = findings[0].first.line, findings[0].second.line
    assert "800" in loaded.lines[first - 1] and "790" in loaded.lines[second - 1]
