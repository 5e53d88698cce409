"""Liveness and readiness probes (no API key needed)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from rag.services import Services

router = APIRouter(tags=["health"])


@router.get("/livez")
async def livez() -> dict[str, str]:
    """Always ok while the process serves requests; touches nothing."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """ok, degraded (index usable, LLM down) or unavailable (503)."""
    services = request.app.state.services
    if services is None:
        return _ready(503, "starting", index="starting", llm="unknown")
    try:
        stats = await run_in_threadpool(services.index.stats)
    except Exception:  # any failure of the index means not ready; the probe itself must answer
        return _ready(503, "unavailable", index="error", llm="unknown")
    llm = llm_status(services)
    status = "degraded" if llm == "down" else "ok"
    return _ready(200, status, index="ok", llm=llm, documents=stats.get("documents", 0))


def llm_status(services: Services) -> str:
    """'off' (none configured), 'ok' or 'down' (its circuit breaker is open)."""
    if services.llm is None:
        return "off"
    return "ok" if services.llm.available() else "down"


def _ready(status_code: int, status: str, **parts: Any) -> JSONResponse:
    return JSONResponse({"status": status, **parts}, status_code=status_code)
