"""``GET /api/documents/{doc_id}/audit`` (a report's consistency findings) and ``GET /api/admin/documents``
(the admin page's list: origin, counts, findings). Audits are kept per index generation."""

from __future__ import annotations

import threading

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from api.audit_schemas import AdminDocumentOut, AuditOut, audit_out
from api.deps import Admin, ServicesDep
from api.schemas import document_out
from ingestion.sources import locate, source_lines
from rag.audit.indexed import AuditCache
from rag.services import Services

router = APIRouter(tags=["audit"])
_CACHE_LOCK = threading.Lock()
AdminCaller = Admin
"""Who may audit and manage reports: an admin key (``NIANBAO_ADMIN_KEYS``)."""


@router.get("/api/documents/{doc_id}/audit", response_model=AuditOut)
async def audit_document(
    doc_id: str, request: Request, caller: AdminCaller, services: ServicesDep
) -> AuditOut:
    """Where the report states one figure differently: both citations and the difference for each."""
    report = await run_in_threadpool(_cache(request, services).get, doc_id)
    return audit_out(report)


@router.get("/api/admin/documents", response_model=list[AdminDocumentOut])
async def admin_documents(
    request: Request, caller: AdminCaller, services: ServicesDep
) -> list[AdminDocumentOut]:
    """Every indexed report with where its file lives, its counts and its number of findings."""
    return await run_in_threadpool(_admin_list, _cache(request, services), services)


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
                findings=len(cache.get(info.doc_id).findings),
            )
        )
    return out


def _cache(request: Request, services: Services) -> AuditCache:
    """The services' audit cache (the answers' too); one made on first use for services built without."""
    if services.audits is not None:
        return services.audits
    state = request.app.state
    with _CACHE_LOCK:
        if getattr(state, "audits", None) is None:
            settings = services.settings
            state.audits = AuditCache(services.index, lines_of=lambda info: source_lines(settings, info))
    cache: AuditCache = state.audits
    return cache
