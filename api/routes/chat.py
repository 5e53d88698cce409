"""The OpenAI-compatible endpoints: ``/v1/chat/completions`` and ``/v1/models``."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from api.deps import Caller, EngineDep, ServicesDep, SettingsDep
from api.engine import Engine
from api.errors import error_body, status_for
from api.routes.ask import SSE_HEADERS, answer_payload
from api.schemas import (
    ChatMessage,
    ChatRequest,
    completion,
    completion_chunk,
    completion_id,
    models,
)
from api.security import check_history, check_question
from api.sources import chat_content, strip_sources
from api.streaming import iterate_in_thread
from rag.errors import InputError, NianbaoError
from rag.services import Services

log = logging.getLogger("nianbao.api")
router = APIRouter(prefix="/v1", tags=["openai"])


@router.get("/models")
async def list_models(caller: Caller) -> dict[str, Any]:
    """This service, listed as one model."""
    return models()


@router.post("/chat/completions", response_model=None)
async def chat_completions(
    body: ChatRequest, request: Request, caller: Caller, settings: SettingsDep, services: ServicesDep,
    engine: EngineDep,
) -> dict[str, Any] | StreamingResponse:
    """The last user message answered, earlier turns as context; the content ends with a 「来源」 list,
    and the citations are also in ``citations``."""
    question, history = conversation(body.messages)
    question, history = check_question(question, settings), check_history(history, settings)
    if body.stream:
        chunks = completion_chunks(question, history, services, engine, request, model=body.model)
        return StreamingResponse(chunks, media_type="text/event-stream", headers=SSE_HEADERS)
    answer = await run_in_threadpool(engine.answer, question, services, history)
    return completion(answer, answer_payload(engine, answer), model=body.model)


def conversation(messages: Sequence[ChatMessage]) -> tuple[str, list[tuple[str, str]]]:
    """The last user message, and earlier (user, assistant) pairs as history."""
    turns = [m for m in messages if m.role in ("user", "assistant")]
    if not turns or turns[-1].role != "user":
        raise InputError("最后一条消息必须来自用户（role: user）。", code="no_question")
    history: list[tuple[str, str]] = []
    pending: str | None = None
    for message in turns[:-1]:
        if message.role == "user":
            pending = message.text()
        elif pending is not None:
            history.append((pending, strip_sources(message.text())))
            pending = None
    return turns[-1].text(), history


async def completion_chunks(
    question: str, history: Sequence[tuple[str, str]], services: Services, engine: Engine, request: Request,
    *, model: str,
) -> AsyncIterator[str]:
    """``chat.completion.chunk`` events, the last one carrying the citations, then ``[DONE]``.

    Only checked text is sent: an OpenAI client appends every delta and cannot take text back, so
    the model's unchecked preview is never streamed, only the final answer once it has passed the checks.
    """
    cid = completion_id()
    yield _data(completion_chunk(cid, model=model, delta={"role": "assistant", "content": ""}))
    try:
        async for item in iterate_in_thread(lambda: engine.stream(question, services, history), request):
            if isinstance(item, str):
                continue  # a preview
            payload = answer_payload(engine, item)
            yield _data(completion_chunk(cid, model=model, delta={"content": chat_content(item)}))
            extra = {"citations": payload["citations"], "nianbao": payload}
            yield _data(completion_chunk(cid, model=model, delta={}, finish="stop", extra=extra))
    except NianbaoError as exc:
        yield _data(error_body(status_for(exc), exc.code, exc.message))
    except Exception:  # the stream has started: report a generic error in-band, details to the log
        log.exception("chat stream failed")
        yield _data(error_body(500, "internal", "服务内部错误。"))
    yield "data: [DONE]\n\n"


def _data(obj: dict[str, Any]) -> str:
    return f"data: {json.dumps(obj, ensure_ascii=False)}\n\n"
