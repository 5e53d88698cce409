"""The audit of a report already in the index (its chunks, tables and facts as stored)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rag.audit import AuditReport, audit_document
from rag.errors import InputError
from rag.index import Index
from rag.types import ReportInfo

LinesOf = Callable[[ReportInfo], Sequence[str] | None]
"""The source file's lines for a report (None when the file is gone: prose is cited at its chunk)."""


def audit_indexed(index: Index, doc_id: str, *, lines_of: LinesOf | None = None) -> AuditReport:
    """The audit of the indexed report ``doc_id``; InputError (not_found) when there is none."""
    info = next((i for i in index.documents() if i.doc_id == doc_id), None)
    if info is None:
        raise InputError("未找到该文档。", code="not_found")
    return audit_document(
        info,
        chunks=index.chunks(doc_id),
        facts=index.facts(doc_id=doc_id),
        tables=index.tables(doc_id),
        lines=lines_of(info) if lines_of else None,
    )
