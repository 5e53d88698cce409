"""The ingest pipeline and `nianbao ingest`: batches, broken files, idempotence, rebuild."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fake_openai import embed_text

from cli.main import main
from ingestion import pipeline
from ingestion.pipeline import expand, ingest
from rag.index import open_index
from rag.settings import Settings

CHANGPING = "昌平区2023年中等职业教育质量报告\n1. 基本情况\n2022年昌平区中等职业学校招生人数1061人。\n"
CHAOYANG = "朝阳区2022年中等职业教育质量报告\n1. 基本情况\n2021年朝阳区中职学校招生2345人。\n"


@dataclass
class CountingEmbedder:
    """Hashed character n-grams (similar texts, similar vectors); records what it embeds."""

    name: str = "test-bigram-64"
    texts: list[str] = field(default_factory=list)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.texts.extend(texts)
        return [embed_text(t, 64) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return embed_text(text, 64)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    (folder / "sub").mkdir(parents=True)
    (folder / "changping.txt").write_text(CHANGPING, encoding="utf-8")
    (folder / "sub" / "chaoyang.md").write_text(CHAOYANG, encoding="utf-8")
    (folder / "notes.docx").write_bytes(b"ignored: not a report format")
    return folder


def test_expand_finds_reports_in_folders_and_keeps_named_files(folder: Path, tmp_path: Path) -> None:
    odd = tmp_path / "named.bin"
    assert [p.name for p in expand([folder, odd, folder / "changping.txt"])] == [
        "changping.txt", "chaoyang.md", "named.bin"
    ]


def test_ingest_reports_each_file_and_the_index_totals(folder: Path, settings: Settings) -> None:
    messages: list[str] = []
    index = open_index(settings, embedder=CountingEmbedder())
    report = ingest([folder], index, progress=messages.append)
    assert report.ok and [f.status for f in report.files] == ["added", "added"]
    assert report.documents == 2 and report.chunks == index.stats()["chunks"] > 0
    assert report.embedded == sum(f.embedded for f in report.files) > 0
    assert any("changping.txt" in m for m in messages)
    assert {d.file for d in index.documents()} == {"changping.txt", "chaoyang.md"}


def test_reingesting_unchanged_files_embeds_nothing(folder: Path, settings: Settings) -> None:
    embedder = CountingEmbedder()
    index = open_index(settings, embedder=embedder)
    ingest([folder], index)
    calls, generation = len(embedder.texts), index.generation()
    report = ingest([folder], index)
    assert [f.status for f in report.files] == ["unchanged", "unchanged"]
    assert report.embedded == 0 and len(embedder.texts) == calls
    assert index.generation() == generation


def test_a_broken_file_fails_alone(folder: Path, settings: Settings) -> None:
    (folder / "junk.txt").write_bytes(bytes(range(256)) * 64)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog")
    index = open_index(settings, embedder=CountingEmbedder())
    report = ingest([folder], index)
    failed = {Path(f.path).name: f for f in report.failed}
    assert set(failed) == {"junk.txt", "empty.txt", "broken.pdf"}
    assert all(f.code and f.message for f in failed.values())
    assert {d.file for d in index.documents()} == {"changping.txt", "chaoyang.md"}


def test_a_parser_crash_fails_that_file_only(
    folder: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_parse = pipeline.parse

    def fragile(loaded, **options):  # type: ignore[no-untyped-def]
        if loaded.file == "chaoyang.md":
            raise ValueError("parser bug")
        return real_parse(loaded, **options)

    monkeypatch.setattr(pipeline, "parse", fragile)
    report = ingest([folder], open_index(settings, embedder=CountingEmbedder()))
    assert [(Path(f.path).name, f.code) for f in report.failed] == [("chaoyang.md", "parse_failed")]
    assert report.documents == 1


def test_rebuild_keeps_only_the_files_of_this_run(folder: Path, settings: Settings) -> None:
    index = open_index(settings, embedder=CountingEmbedder())
    ingest([folder], index)
    ingest([folder / "changping.txt"], index, rebuild=True)
    assert [d.file for d in index.documents()] == ["changping.txt"]


def test_cli_ingest_prints_what_it_found_and_fails_on_a_broken_file(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NIANBAO_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NIANBAO_REPORTS_DIR", str(folder))
    monkeypatch.setattr("rag.index.index.build_embedder", lambda _settings: CountingEmbedder())
    assert main(["ingest"]) == 0
    out, err = capsys.readouterr()
    assert "已导入 2/2 个文件" in out and "2 份报告" in out and "个片段" in out
    assert "changping.txt：新增，" in err
    (folder / "empty.txt").write_bytes(b"")
    assert main(["ingest", "--rebuild"]) == 1
    out, _ = capsys.readouterr()
    assert "已导入 2/3 个文件" in out and "失败：empty.txt：文件为空 [empty]" in out


@pytest.mark.slow
def test_the_bundled_reports_ingest_offline_and_reingest_embeds_nothing(
    settings: Settings, reports_dir: Path
) -> None:
    index = open_index(settings)
    first = ingest([reports_dir], index)
    assert first.ok and first.documents == 5 and first.chunks > 100 and first.embedded > 0
    again = ingest([reports_dir], index)
    assert again.embedded == 0 and {f.status for f in again.files} == {"unchanged"}
    assert index.dense_search("昌平区中职学校招生人数", k=5)
    index.close()


def test_unchanged_files_are_skipped_by_content_hash_before_loading(
    folder: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = open_index(settings, embedder=CountingEmbedder())
    first = ingest([folder], index)
    (folder / "changping.txt").write_text(CHANGPING + "2022年昌平区专任教师500人。\n", encoding="utf-8")
    loaded: list[str] = []
    real = pipeline.load_isolated
    monkeypatch.setattr(pipeline, "load_isolated", lambda path: loaded.append(path.name) or real(path))
    again = ingest([folder], index)
    index.close()
    assert loaded == ["changping.txt"]
    statuses = {Path(f.path).name: f.status for f in again.files}
    assert statuses == {"changping.txt": "replaced", "chaoyang.md": "unchanged"}
    skipped = next(f for f in again.files if f.path.endswith("chaoyang.md"))
    before = next(f for f in first.files if f.path.endswith("chaoyang.md"))
    assert (skipped.chunks, skipped.tables, skipped.facts) == (before.chunks, before.tables, before.facts)


def test_a_rebuild_parses_unchanged_files_again(folder: Path, settings: Settings,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    index = open_index(settings, embedder=CountingEmbedder())
    ingest([folder], index)
    loaded: list[str] = []
    real = pipeline.load_isolated
    monkeypatch.setattr(pipeline, "load_isolated", lambda path: loaded.append(path.name) or real(path))
    report = ingest([folder], index, rebuild=True)
    index.close()
    assert loaded == ["changping.txt", "chaoyang.md"]
    assert report.documents == 2
