"""`nianbao ingest [PATHS…] [--rebuild]`: index reports (default: the recorded corpus)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rag.errors import IndexError_
from rag.index import Index, open_index
from rag.settings import Settings

if TYPE_CHECKING:
    from ingestion.pipeline import IngestReport


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("ingest", help="导入报告（.txt .md .pdf 文件或目录）")
    parser.add_argument("paths", nargs="*", type=Path,
                        help="文件或目录（默认：文档库记录的报告：内置与上传，不含已删除）")
    parser.add_argument("--rebuild", action="store_true", help="清空索引后重新导入")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Ingest, print what was found; exit status 1 when any file failed (the rest are still indexed)."""
    from ingestion import corpus  # the parsers load only for the commands that parse
    from ingestion.pipeline import ingest

    index = open_index(settings)
    try:
        with corpus.CorpusLock(settings):
            paths = list(args.paths) or corpus_paths(settings, index)
            report = ingest(paths, index, progress=_progress, rebuild=args.rebuild)
    finally:
        index.close()
    print(summary(report))
    return 0 if report.ok else 1


def corpus_paths(settings: Settings, index: Index) -> list[Path]:
    """The recorded corpus's files (what the server's re-index rebuilds too)."""
    from ingestion import corpus

    return corpus.paths(settings, corpus.load(settings, indexed=[d.file for d in index.documents()]))


def complete(index: Index, settings: Settings, say: Callable[[str], None]) -> None:
    """Add what an index written by an older version lacks (``Index.missing_parts``) by ingesting the
    recorded corpus as `nianbao ingest` does (files whose content and audit are stored are not parsed
    again), instead of failing every question; when it cannot write now, the index is used as it is."""
    missing = index.missing_parts()
    if not missing:
        return
    from ingestion import corpus
    from ingestion.pipeline import ingest

    say(f"索引由旧版本写入，缺少{'、'.join(missing)}：正在补建（与 nianbao ingest 相同）…")
    try:
        with corpus.CorpusLock(settings):
            report = ingest(corpus_paths(settings, index), index, progress=say)
    except IndexError_ as exc:  # e.g. another process is writing: answer from the index as it is
        say(f"未能补建（{exc.message}），按现有索引回答")
        return
    say(summary(report))


def summary(report: IngestReport) -> str:
    """The lines printed after a run."""
    done = len(report.files) - len(report.failed)
    lines = [
        f"已导入 {done}/{len(report.files)} 个文件，用时 {report.seconds:.1f} 秒"
        f"（向量化 {report.embedded} 段文字）",
        f"索引：{report.documents} 份报告，{report.tables} 张表，{report.facts} 个表格数据，"
        f"{report.chunks} 个片段",
    ]
    lines += [f"失败：{f.message} [{f.code}]" for f in report.failed]
    return "\n".join(lines)


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
