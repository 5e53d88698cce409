"""`nianbao ingest [PATHS…] [--rebuild]`: index reports (default: the recorded corpus)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ingestion import corpus
from ingestion.pipeline import IngestReport, ingest
from rag.index import Index, open_index
from rag.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("ingest", help="index reports (.txt .md .pdf files or folders)")
    parser.add_argument("paths", nargs="*", type=Path,
                        help="files or folders (default: the corpus: bundled and uploaded, not deleted)")
    parser.add_argument("--rebuild", action="store_true", help="start from an empty index")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Ingest, print what was found; exit status 1 when any file failed (the rest are still indexed)."""
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
    return corpus.paths(settings, corpus.load(settings, indexed=[d.file for d in index.documents()]))


def summary(report: IngestReport) -> str:
    """The lines printed after a run."""
    done = len(report.files) - len(report.failed)
    lines = [
        f"ingested {done} of {len(report.files)} files in {report.seconds:.1f} s "
        f"({report.embedded} texts embedded)",
        f"index: {report.documents} documents, {report.tables} tables, {report.facts} facts, "
        f"{report.chunks} chunks",
    ]
    lines += [f"failed: {f.message} [{f.code}]" for f in report.failed]
    return "\n".join(lines)


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
