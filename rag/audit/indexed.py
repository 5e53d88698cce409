"""The audit of a report already in the index (its chunks, tables and facts as stored), and a cache
of audits per index generation for callers that need them often (the API, an answerer): the
findings the index's writer stored with the generation, computed here only for a generation written
before they were stored."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

from rag.audit import AuditReport, audit_document, stored
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


class AuditCache:
    """The latest audits, keyed by (index generation, doc id): each read (or computed) once per
    generation."""

    def __init__(self, index: Index, *, lines_of: LinesOf | None = None, keep: int = 64) -> None:
        self._index = index
        self._lines_of = lines_of
        self._keep = keep
        self._lock = threading.Lock()
        self._audits: OrderedDict[tuple[str | None, str], AuditReport] = OrderedDict()

    def get(self, doc_id: str) -> AuditReport:
        """The audit of ``doc_id`` in the index's current generation."""
        key = (self._index.generation(), doc_id)
        with self._lock:
            if key in self._audits:
                return self._audits[key]
        report = self._stored(doc_id) or audit_indexed(self._index, doc_id, lines_of=self._lines_of)
        with self._lock:
            self._audits[key] = report
            while len(self._audits) > self._keep:
                self._audits.popitem(last=False)
        return report

    def _stored(self, doc_id: str) -> AuditReport | None:
        """The audit the writer stored for ``doc_id``, or None (a generation written before)."""
        body = self._index.stored_audit(doc_id)
        if body is None:
            return None
        info = next((i for i in self._index.documents() if i.doc_id == doc_id), None)
        return stored.decode(info, body) if info else None
