"""Liveness and readiness probes (no API key needed)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

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


def llm_status(services: Any) -> str:
    """'off' (none configured), 'ok' or 'down' (its circuit breaker is open)."""
    llm = getattr(services, "llm", None)
    if llm is None:
        return "off"
    available = getattr(llm, "available", None)
    if callable(available):
        return "ok" if available() else "down"
    return "ok"


def _ready(status_code: int, status: str, **parts: Any) -> JSONResponse:
    return JSONResponse({"status": status, **parts}, status_code=status_code)
