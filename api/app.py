"""The FastAPI application: ``create_app`` wires settings, services, routes and handlers."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import errors, security
from api.engine import Engine, default_engine, with_cache, with_slots
from api.guard import RequestGuard
from api.reindex import Reindexer
from api.routes import admin, ask, audit, chat, docs, documents, health, widget
from ingestion.sources import source_lines
from rag.services import Services, build_services
from rag.settings import Settings

_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


def create_app(
    settings: Settings | None = None, services: Services | None = None, *, engine: Engine | None = None
) -> FastAPI:
    """The service; builds its services on startup unless given them."""
    settings = settings or Settings.from_env()
    app = FastAPI(
        title="nianbao 年报问答",
        version="0.1.0",
        description="职业教育质量年度报告问答：每个回答都附有来源（报告、表格或章节、行号）。",
        lifespan=_lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.services = services
    app.state.owns_services = services is None
    app.state.engine = _engine(engine or default_engine(), settings)
    app.state.limiter = security.RateLimiter(settings.rate_limit_per_minute)
    app.state.failed_keys = security.RateLimiter(settings.failed_auth_per_minute)
    app.state.reindexer = Reindexer()
    errors.install(app)
    for module in (health, ask, chat, documents, widget, audit, admin):
        app.include_router(module.router)
    docs.install(app)
    app.add_middleware(RequestGuard, settings=settings, failures=app.state.failed_keys)
    security.install_cors(app, settings)
    app.add_middleware(_SecurityHeaders)
    return app


def _engine(engine: Engine, settings: Settings) -> Engine:
    """The engine with its slots, and (extractive mode) its answer cache in front."""
    limited = with_slots(engine, answer_slots(settings))
    if settings.llm_enabled or settings.answer_cache_size <= 0:
        return limited
    return with_cache(limited, settings.answer_cache_size)


def service_services(settings: Settings) -> Services:
    """The services a server answers from: audits read a report's lines as ingestion loaded them
    (so a PDF's prose figures are cited at their lines)."""
    return build_services(settings, report_lines=partial(source_lines, settings))


def answer_slots(settings: Settings) -> int:
    """How many answers may be computed at once: one per core, many when waiting on an LLM."""
    return 32 if settings.llm_enabled else max(2, os.cpu_count() or 2)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    if app.state.services is None:
        app.state.services = await run_in_threadpool(service_services, app.state.settings)
    try:
        yield
    finally:
        if app.state.owns_services:
            await run_in_threadpool(app.state.services.index.close)


class _SecurityHeaders:
    """Adds headers that stop browsers sniffing or framing the service's responses."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *_HEADERS]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
