"""`nianbao audit [REPORT…] [--json | --markdown]`: where the reports contradict themselves.

A REPORT is a file (audited as ingestion would parse it) or an indexed report's file name or doc id;
with none, every indexed report (or, when the index is empty, the bundled reports' files)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from rag.errors import InputError
from rag.index import Index, open_index
from rag.settings import Settings

if TYPE_CHECKING:
    from rag.audit import AuditReport


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("audit", help="list the places where a report states one figure differently")
    parser.add_argument(
        "reports",
        nargs="*",
        metavar="REPORT",
        help="report files, or indexed file names / doc ids (default: every indexed report)",
    )
    style = parser.add_mutually_exclusive_group()
    style.add_argument("--json", action="store_true", help="print one JSON object")
    style.add_argument("--markdown", action="store_true", help="print a Markdown report")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Audit the reports and print the findings; exit status 0 whether or not any were found."""
    # the parsers and the auditor are imported here: other commands (a one-off ask) need none of them
    index = open_index(settings)
    try:
        reports = [_audit(ref, index, settings) for ref in args.reports] or _audit_all(index, settings)
    finally:
        index.close()
    print(render(reports, style="json" if args.json else "markdown" if args.markdown else "text"))
    return 0


def render(reports: list[AuditReport], *, style: str) -> str:
    """The audits as text, Markdown or one JSON object."""
    from rag.audit.render import markdown, report_json, text

    if style == "json":
        payload = {
            "reports": [
                report_json(r.info.file, r.info.doc_id, r.info.title, r.findings, r.seconds) for r in reports
            ],
            "findings": sum(len(r.findings) for r in reports),
        }
        return json.dumps(payload, ensure_ascii=False)
    if style == "markdown":
        head = [
            "# 年报一致性检查",
            "",
            f"{len(reports)} 份报告，共 {sum(len(r.findings) for r in reports)} 处不一致。",
            "",
        ]
        return "\n".join(
            [*head, "\n\n".join(markdown(r.info.title, r.info.file, r.findings) for r in reports)]
        )
    return "\n\n".join(text(r.info.title, r.info.file, r.findings) for r in reports)


def _audit(ref: str, index: Index, settings: Settings) -> AuditReport:
    from ingestion.sources import source_lines
    from rag.audit.indexed import audit_indexed

    path = Path(ref)
    if path.is_file():
        return _audit_file(path)
    info = next((i for i in index.documents() if ref in (i.doc_id, i.file)), None)
    if info is None:
        raise InputError(f"未找到报告：{ref}", code="not_found")
    return audit_indexed(index, info.doc_id, lines_of=lambda i: source_lines(settings, i))


def _audit_all(index: Index, settings: Settings) -> list[AuditReport]:
    from ingestion.sources import source_lines
    from rag.audit.indexed import audit_indexed

    infos = index.documents()
    if not infos:
        return [_audit_file(p) for p in sorted(settings.reports_dir.glob("*")) if p.suffix in (".txt", ".md")]
    return [
        audit_indexed(index, i.doc_id, lines_of=lambda i: source_lines(settings, i))
        for i in sorted(infos, key=lambda i: i.file)
    ]


def _audit_file(path: Path) -> AuditReport:
    from ingestion.loaders import load
    from ingestion.parse import parse
    from rag.audit import audit_document

    loaded = load(path)
    doc = parse(loaded)
    return audit_document(doc.info, chunks=doc.chunks, facts=doc.facts, tables=doc.tables, lines=loaded.lines)
