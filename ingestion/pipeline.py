"""Ingestion: files → load (in a limited child process) → parse → index, as one new index generation
per run; a broken file fails alone."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ingestion.isolation import load_isolated
from ingestion.loaders import DEFAULT_MAX_BYTES
from ingestion.overrides import Override, load_overrides
from ingestion.parse import parse
from rag.errors import NianbaoError
from rag.index import Index, UpsertResult
from rag.types import ReportInfo

SUFFIXES = (".txt", ".md", ".pdf")
Progress = Callable[[str], None]


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one input file."""

    path: str
    status: str
    """added, replaced, unchanged or failed."""
    message: str = ""
    code: str = ""
    chunks: int = 0
    tables: int = 0
    facts: int = 0
    embedded: int = 0
    seconds: float = 0.0
    info: ReportInfo | None = None
    """The report's metadata as read (with its sources), when the file was parsed."""

    @property
    def ok(self) -> bool:
        return self.status != "failed"


@dataclass(frozen=True)
class IngestReport:
    """Per-file outcomes and the index totals after the run."""

    files: tuple[FileOutcome, ...]
    documents: int
    tables: int
    facts: int
    chunks: int
    embedded: int
    seconds: float

    @property
    def failed(self) -> tuple[FileOutcome, ...]:
        return tuple(f for f in self.files if not f.ok)

    @property
    def ok(self) -> bool:
        return not self.failed


def ingest(
    paths: Sequence[Path], index: Index, *, progress: Progress | None = None, rebuild: bool = False
) -> IngestReport:
    """Ingest files and folders (.txt .md .pdf inside) into ``index`` as one atomic switch.

    With ``rebuild`` the index is replaced by exactly these files; otherwise they are added to it,
    replacing older versions of the same file names.
    """
    started = time.perf_counter()
    say = progress or (lambda _message: None)
    files = expand(paths)
    overrides = load_overrides(index.home)
    outcomes: list[FileOutcome] = []
    with index.writing(rebuild=rebuild):
        for n, path in enumerate(files, start=1):
            say(f"[{n}/{len(files)}] {path.name} 导入中…")
            outcome = ingest_file(path, index, override=overrides.get(path.name))
            say(f"[{n}/{len(files)}] {path.name}：{_describe(outcome)}")
            outcomes.append(outcome)
    totals = index.stats()
    return IngestReport(
        files=tuple(outcomes),
        documents=totals["documents"],
        tables=totals["tables"],
        facts=totals["facts"],
        chunks=totals["chunks"],
        embedded=sum(o.embedded for o in outcomes),
        seconds=time.perf_counter() - started,
    )


def ingest_file(path: Path, index: Index, *, override: Override | None = None) -> FileOutcome:
    """Load, parse and upsert one file; any failure is reported, never raised."""
    started = time.perf_counter()
    try:
        info: ReportInfo | None = None
        result = _skip_unchanged(path, index) if override is None else None
        if result is None:
            loaded = load_isolated(path)
            doc = parse(loaded, override=override)
            result, info = index.upsert(doc, lines=loaded.lines), doc.info
        else:
            info = next((d for d in index.documents() if d.file == path.name), None)
    except NianbaoError as exc:
        return FileOutcome(str(path), "failed", exc.message, exc.code, seconds=time.perf_counter() - started)
    except Exception as exc:  # a parser bug on one odd file must not stop the batch
        message = f"{path.name}：无法解析（{type(exc).__name__}）"
        return FileOutcome(
            str(path), "failed", message, "parse_failed", seconds=time.perf_counter() - started
        )
    return _outcome(path, result, time.perf_counter() - started, info)


def _skip_unchanged(path: Path, index: Index) -> UpsertResult | None:
    """The index's "unchanged" result when the file's bytes hash to a stored report's (no parsing)."""
    try:
        if path.stat().st_size > DEFAULT_MAX_BYTES:
            return None  # the loader refuses it with its own error
        content_hash = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None  # the loader reports why the file cannot be read
    return index.unchanged(path.name, content_hash)


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, plus the .txt/.md/.pdf files inside named folders (sorted, no repeats)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES))
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def _outcome(path: Path, result: UpsertResult, seconds: float, info: ReportInfo | None) -> FileOutcome:
    return FileOutcome(
        str(path),
        result.status,
        chunks=result.chunks,
        tables=result.tables,
        facts=result.facts,
        embedded=result.embedded,
        seconds=seconds,
        info=info,
    )


STATUS_NAMES = {"added": "新增", "replaced": "已更新", "unchanged": "未变", "failed": "失败"}
"""How each ``FileOutcome.status`` (a stable English code) is shown."""


def _describe(outcome: FileOutcome) -> str:
    if not outcome.ok:
        return f"失败 [{outcome.code}] {outcome.message}"
    return (
        f"{STATUS_NAMES.get(outcome.status, outcome.status)}，{outcome.tables} 张表，"
        f"{outcome.facts} 个表格数据，{outcome.chunks} 个片段，"
        f"向量化 {outcome.embedded} 段，{outcome.seconds:.1f} 秒\n    " + describe_info(outcome.info)
    )


def describe_info(info: ReportInfo | None) -> str:
    """One line for people: 「title」 region report/data year level, each with its source."""
    if info is None:
        return ""
    sources = dict(info.sources)

    def show(field: str, value: object) -> str:
        return f"{value if value not in (None, '') else '?'} [{sources.get(field, '?')}]"

    title = f"「{info.title}」 [{sources.get('title', '?')}]"
    return (f"{title}，地区 {show('region', info.region)}，报告年份 "
            f"{show('report_year', info.report_year)}，数据年份 {show('data_year', info.data_year)}，"
            f"层次 {show('level', info.level)}")
