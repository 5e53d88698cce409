"""``/api/ask``: one answer as JSON, or streamed as Server-Sent Events."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from api.deps import Caller, EngineDep, ServicesDep, SettingsDep
from api.engine import Engine
from api.errors import error_body, status_for
from api.schemas import AnswerOut, AskRequest, with_citation_ids
from api.security import check_history, check_question
from api.streaming import iterate_in_thread, sse
from rag.errors import NianbaoError
from rag.services import Services
from rag.types import Answer

log = logging.getLogger("nianbao.api")
router = APIRouter(prefix="/api", tags=["ask"])
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


@router.post("/ask", response_model=AnswerOut)
async def ask(
    body: AskRequest, caller: Caller, settings: SettingsDep, services: ServicesDep, engine: EngineDep
) -> dict[str, Any]:
    """The answer with citations (the same object as ``nianbao ask --json``)."""
    question, history = check_question(body.question, settings), check_history(body.history, settings)
    answer = await run_in_threadpool(engine.answer, question, services, history)
    return answer_payload(engine, answer)


@router.post("/ask/stream", response_class=StreamingResponse)
async def ask_stream(
    body: AskRequest, request: Request, caller: Caller, settings: SettingsDep, services: ServicesDep,
    engine: EngineDep,
) -> StreamingResponse:
    """SSE: ``token`` events (LLM mode: an unchecked preview, ``"preview": true``, that the ``answer``
    event replaces), then ``answer``, ``citations`` and ``done`` (or ``error``)."""
    question, history = check_question(body.question, settings), check_history(body.history, settings)
    events = answer_events(question, history, services, engine, request)
    return StreamingResponse(events, media_type="text/event-stream", headers=SSE_HEADERS)


def answer_payload(engine: Engine, answer: Answer) -> dict[str, Any]:
    """The ``ask --json`` object, citations carrying the ids the source view needs."""
    return with_citation_ids(engine.to_json(answer), answer)


async def answer_events(
    question: str, history: Sequence[tuple[str, str]], services: Services, engine: Engine, request: Request
) -> AsyncIterator[str]:
    """The SSE events of one streamed answer."""
    try:
        async for item in iterate_in_thread(lambda: engine.stream(question, services, history), request):
            if isinstance(item, str):
                yield sse("token", {"text": item, "preview": True})
                continue
            payload = answer_payload(engine, item)
            yield sse("answer", payload)
            yield sse("citations", payload["citations"])
            yield sse("done", {"latency_ms": payload.get("latency_ms", 0.0)})
    except NianbaoError as exc:
        yield sse("error", error_body(status_for(exc), exc.code, exc.message)["error"])
    except Exception:  # the stream has started: report a generic error in-band, details to the log
        log.exception("stream failed")
        yield sse("error", error_body(500, "internal", "服务内部错误。")["error"])
