"""Admin corrections of report metadata: stored beside the index, applied on every (re-)ingest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_openai import embed_text

from cli.main import main
from ingestion.overrides import OVERRIDES_FILE, load_overrides, save_override
from ingestion.pipeline import ingest
from rag.errors import InputError
from rag.index import open_index
from rag.settings import Settings

PREFACE = "前言\n1. 基本情况\n2024年东城区中等职业学校招生人数 812 人。\n东城区的职业教育持续发展。\n"


class BigramEmbedder:
    """Hashed character n-grams (similar texts, similar vectors), as in tests/ingestion/test_pipeline.py."""

    name = "test-bigram-64"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [embed_text(t, 64) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return embed_text(text, 64)


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "dongcheng.txt").write_text(PREFACE, encoding="utf-8")
    return folder


def test_a_correction_survives_a_rebuild_and_names_its_source(reports: Path, settings: Settings) -> None:
    index = open_index(settings, embedder=BigramEmbedder())
    first = ingest([reports], index)
    assert first.files[0].info is not None and first.files[0].info.region == ""
    save_override(settings.home, "dongcheng.txt", {"title": "东城区中等职业教育质量年度报告（2024年度）",
                                                   "region": "东城区", "report_year": 2024})
    corrected = ingest([reports], index)
    assert corrected.files[0].status == "replaced"  # same bytes, new metadata: re-indexed
    ingest([reports], index, rebuild=True)
    (info,) = index.documents()
    title = "东城区中等职业教育质量年度报告（2024年度）"
    assert (info.title, info.region, info.report_year) == (title, "东城区", 2024)
    sources = dict(info.sources)
    assert sources["title"] == sources["region"] == sources["report_year"] == "override"
    assert sources["data_year"] == "text"
    assert ("text", "前言") in info.evidence
    chunk = index.chunks(info.doc_id)[0]
    assert chunk.region == "东城区" and "东城区中等职业教育质量年度报告" in chunk.context
    index.close()


def test_bad_corrections_are_refused_in_chinese(settings: Settings) -> None:
    with pytest.raises(InputError, match="未知的元数据字段"):
        save_override(settings.home, "a.txt", {"author": "x"})
    with pytest.raises(InputError, match="年份"):
        save_override(settings.home, "a.txt", {"report_year": 24})
    with pytest.raises(InputError, match="level"):
        save_override(settings.home, "a.txt", {"level": "本科"})
    settings.home.mkdir(parents=True, exist_ok=True)
    (settings.home / OVERRIDES_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_overrides(settings.home)
    assert caught.value.code == "bad_overrides"


def test_clearing_a_correction_removes_it(settings: Settings) -> None:
    save_override(settings.home, "a.txt", {"region": "东城区"})
    assert save_override(settings.home, "a.txt", {}, clear=True) == {}
    assert json.loads((settings.home / OVERRIDES_FILE).read_text(encoding="utf-8")) == {}


def test_cli_metadata_shows_sources_and_applies_a_correction(
    reports: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NIANBAO_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NIANBAO_REPORTS_DIR", str(reports))
    monkeypatch.setattr("rag.index.index.build_embedder", lambda _settings: BigramEmbedder())
    assert main(["ingest"]) == 0
    assert "「前言」 [text]" in capsys.readouterr().err
    assert main(["metadata", "dongcheng.txt", "--region", "东城区", "--report-year", "2024"]) == 0
    assert "地区 东城区 [override]，报告年份 2024 [override]" in capsys.readouterr().out
    assert main(["metadata"]) == 0
    out = capsys.readouterr().out
    assert "dongcheng.txt" in out and "东城区 [override]" in out
    assert main(["metadata", "--region", "东城区"]) == 1
    assert "请指定" in capsys.readouterr().err
