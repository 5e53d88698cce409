"""`nianbao metadata [FILE --title … --region … --report-year N --data-year N --level L | --clear]`:
show each report's metadata with where every field came from, or correct one report's.

A correction is stored in the home's override file (``ingestion.overrides``), so it survives
re-indexing, and the report is re-ingested at once from the reports folder or the uploads.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rag.errors import InputError
from rag.index import open_index
from rag.settings import Settings

_FIELDS = {"title": "title", "region": "region", "report_year": "report_year",
           "data_year": "data_year", "level": "level"}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("metadata", help="show report metadata and its sources, or correct it")
    parser.add_argument("file", nargs="?", help="report file name (as listed) to correct")
    parser.add_argument("--title")
    parser.add_argument("--region")
    parser.add_argument("--report-year", dest="report_year", type=int)
    parser.add_argument("--data-year", dest="data_year", type=int)
    parser.add_argument("--level", choices=("中职", "高职", "职业教育"))
    parser.add_argument("--clear", action="store_true", help="drop the file's earlier corrections first")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """List every report's metadata, or store a correction for one and re-ingest it."""
    from ingestion.overrides import OVERRIDES_FILE, save_override  # parsers only for this command
    from ingestion.pipeline import describe_info, ingest

    changes: dict[str, Any] = {k: getattr(args, k) for k in _FIELDS if getattr(args, k) is not None}
    if args.file is None:
        if changes or args.clear:
            raise InputError("请指定要更正的报告文件名")
        return _show(settings)
    name = Path(args.file).name
    if not changes and not args.clear:
        raise InputError("请至少给出一个要更正的字段（--title、--region、--report-year、--data-year、"
                         "--level）")
    override = save_override(settings.home, name, changes, clear=args.clear)
    print(f"{OVERRIDES_FILE}: {name} → {override or '（无更正）'}")
    source = _find(settings, name)
    if source is None:
        print(f"{name} 不在报告目录或上传目录中；下次导入时生效")
        return 0
    index = open_index(settings)
    try:
        report = ingest([source], index)
    finally:
        index.close()
    for outcome in report.files:
        print(describe_info(outcome.info) if outcome.ok else f"失败 [{outcome.code}] {outcome.message}")
    return 0 if report.ok else 1


def _show(settings: Settings) -> int:
    from ingestion.pipeline import describe_info

    index = open_index(settings)
    try:
        documents = index.documents()
    finally:
        index.close()
    for info in documents:
        print(f"{info.file}\n    {describe_info(info)}")
    if not documents:
        print("索引为空")
    return 0


def _find(settings: Settings, name: str) -> Path | None:
    for folder in (settings.reports_dir, settings.home / "uploads"):
        if (folder / name).is_file():
            return folder / name
    return None
