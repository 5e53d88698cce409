"""``GET /api/documents/{doc_id}/audit`` (a report's consistency findings) and ``GET /api/admin/documents``
(the admin page's list: origin, counts, findings). Audits are kept per index generation."""

from __future__ import annotations

import threading
from collections import OrderedDict

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from api.audit_schemas import AdminDocumentOut, AuditOut, audit_out
from api.deps import Caller, ServicesDep
from api.schemas import document_out
from ingestion.sources import locate, source_lines
from rag.audit import AuditReport
from rag.audit.indexed import audit_indexed
from rag.services import Services

router = APIRouter(tags=["audit"])
AdminCaller = Caller
"""Who may audit and manage reports. Until admin roles land this is any API key; switch it to the
admin dependency there (one line)."""
_KEEP = 64


class AuditCache:
    """The latest audits, keyed by (index generation, doc id), so a page reload costs nothing."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._audits: OrderedDict[tuple[str | None, str], AuditReport] = OrderedDict()

    def get(self, services: Services, doc_id: str) -> AuditReport:
        """The audit of ``doc_id`` in the current generation (computed once)."""
        key = (services.index.generation(), doc_id)
        with self._lock:
            if key in self._audits:
                return self._audits[key]
        report = audit_indexed(services.index, doc_id, lines_of=lambda i: source_lines(services.settings, i))
        with self._lock:
            self._audits[key] = report
            while len(self._audits) > _KEEP:
                self._audits.popitem(last=False)
        return report


@router.get("/api/documents/{doc_id}/audit", response_model=AuditOut)
async def audit_document(
    doc_id: str, request: Request, caller: AdminCaller, services: ServicesDep
) -> AuditOut:
    """Where the report states one figure differently: both citations and the difference for each."""
    report = await run_in_threadpool(_cache(request).get, services, doc_id)
    return audit_out(report)


@router.get("/api/admin/documents", response_model=list[AdminDocumentOut])
async def admin_documents(
    request: Request, caller: AdminCaller, services: ServicesDep
) -> list[AdminDocumentOut]:
    """Every indexed report with where its file lives, its counts and its number of findings."""
    return await run_in_threadpool(_admin_list, _cache(request), services)


def _admin_list(cache: AuditCache, services: Services) -> list[AdminDocumentOut]:
    index = services.index
    out = []
    for info in sorted(index.documents(), key=lambda i: i.file):
        origin, _ = locate(services.settings, info.file)
        out.append(
            AdminDocumentOut(
                document=document_out(info),
                origin=origin,
                tables=len(index.tables(info.doc_id)),
                facts=len(index.facts(doc_id=info.doc_id)),
                chunks=len(index.chunks(info.doc_id)),
                findings=len(cache.get(services, info.doc_id).findings),
            )
        )
    return out


def _cache(request: Request) -> AuditCache:
    state = request.app.state
    with _CACHE_LOCK:
        if getattr(state, "audits", None) is None:
            state.audits = AuditCache()
    cache: AuditCache = state.audits
    return cache


_CACHE_LOCK = threading.Lock()
