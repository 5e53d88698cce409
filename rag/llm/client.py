"""The chat model behind the LLM answerer: LangChain ``ChatOpenAI`` against any OpenAI-compatible
server, with one deadline per request and a bounded number of attempts.

Every request gets at most ``settings.llm_timeout_s`` seconds in total and at most
``1 + settings.llm_max_retries`` upstream calls. The retries are made here rather than by the
openai client (which is built with ``max_retries=0``) so that a retry never outlives the deadline:
the client's own retries would each get a fresh timeout. openai, httpx and parsing errors are
translated into ``LLMError`` here, once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Generator, Sequence
from contextlib import closing
from typing import cast

import httpx
import openai
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from rag.errors import LLMError
from rag.settings import Settings

JSON_OBJECT = {"type": "json_object"}
BAD_FINISH = {
    "length": "因长度上限被截断",
    "content_filter": "被内容过滤拦截",
    "tool_calls": "调用了工具而没有回答",
    "function_call": "调用了函数",
}
_BACKOFF_S = 0.25
_MAX_RETRY_AFTER_S = 10.0
_MIN_ATTEMPT_S = 0.05


class Deadline:
    """Seconds left of a fixed budget."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self._end - time.monotonic())

    def expired(self) -> bool:
        return self.remaining() <= 0.0


class ChatClient:
    """JSON-mode chat completions with a per-request deadline and bounded retries."""

    def __init__(self, settings: Settings) -> None:
        self.timeout_s = settings.llm_timeout_s
        self.max_retries = max(0, settings.llm_max_retries)
        self._model = ChatOpenAI(
            model=settings.llm_model,
            base_url=settings.llm_base_url or None,
            api_key=SecretStr(settings.llm_api_key or "not-needed"),
            timeout=settings.llm_timeout_s,
            max_retries=0,
            temperature=0,
            # Sent as a plain body field: given as ``response_format``, LangChain switches to the
            # openai beta parse/stream helpers, whose first import costs seconds of the deadline.
            extra_body={"response_format": JSON_OBJECT},
        )

    def complete(self, messages: Sequence[BaseMessage]) -> str:
        """The reply text of one completion; LLMError on any failure after the allowed retries."""
        deadline = Deadline(self.timeout_s)
        for attempt in range(self.max_retries + 1):
            try:
                reply = self._model.invoke(list(messages), timeout=max(deadline.remaining(), _MIN_ATTEMPT_S))
            except (openai.OpenAIError, httpx.HTTPError, ValueError) as exc:
                self._pause_or_raise(exc, attempt, deadline)
                continue
            _check_finish(reply.response_metadata.get("finish_reason"))
            return _text(reply.content)
        raise LLMError("大模型没有回答")  # unreachable: the last attempt raises

    def stream(self, messages: Sequence[BaseMessage]) -> Generator[str, None, None]:
        """Reply text pieces as they arrive; LLMError on failure (retried only before the first piece)."""
        deadline = Deadline(self.timeout_s)
        for attempt in range(self.max_retries + 1):
            started = False
            finish: str | None = None
            try:
                chunks = cast(
                    Generator[AIMessageChunk, None, None],
                    self._model.stream(list(messages), timeout=max(deadline.remaining(), _MIN_ATTEMPT_S)),
                )
                with closing(chunks):  # an early exit closes the upstream response at once
                    for chunk in chunks:
                        if deadline.expired():
                            raise LLMError(
                                f"大模型未在 {self.timeout_s:g} 秒内完成回答", code="llm_timeout"
                            )
                        finish = chunk.response_metadata.get("finish_reason") or finish
                        piece = _text(chunk.content)
                        if piece:
                            started = True
                            yield piece
            except (openai.OpenAIError, httpx.HTTPError, ValueError) as exc:
                if started:
                    raise translate(exc) from exc
                self._pause_or_raise(exc, attempt, deadline)
                continue
            _check_finish(finish)
            return

    def _pause_or_raise(self, exc: Exception, attempt: int, deadline: Deadline) -> None:
        """Sleep before the next attempt, or raise the translated error when none is allowed."""
        error = translate(exc)
        wait = retry_wait(exc, attempt)
        if wait is None or attempt >= self.max_retries or wait + _MIN_ATTEMPT_S >= deadline.remaining():
            raise error from exc
        time.sleep(wait)


def translate(exc: Exception) -> LLMError:
    """The LLMError (with a message safe to show) for an openai, httpx or parsing failure."""
    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
        return LLMError("大模型未能及时回答", code="llm_timeout")
    if isinstance(exc, openai.RateLimitError):
        return LLMError("大模型服务限流（HTTP 429）", code="llm_rate_limited")
    if isinstance(exc, openai.APIStatusError):
        return LLMError(f"大模型服务返回 HTTP {exc.status_code}", code="llm_status")
    if isinstance(exc, openai.APIConnectionError | httpx.HTTPError):
        return LLMError("无法连接大模型服务", code="llm_connection")
    if isinstance(exc, openai.LengthFinishReasonError):
        return LLMError(f"大模型的回复{BAD_FINISH['length']}", code="llm_cut_off")
    if isinstance(exc, openai.ContentFilterFinishReasonError):
        return LLMError(f"大模型的回复{BAD_FINISH['content_filter']}", code="llm_bad_reply")
    if isinstance(exc, json.JSONDecodeError | ValueError):
        return LLMError("大模型服务返回的响应格式不正确", code="llm_bad_reply")
    return LLMError("大模型请求失败")


def retry_wait(exc: Exception, attempt: int) -> float | None:
    """Seconds to wait before retrying after ``exc``, or None when retrying cannot help."""
    if isinstance(exc, openai.RateLimitError):
        header = exc.response.headers.get("retry-after", "")
        try:
            return min(max(float(header), 0.0), _MAX_RETRY_AFTER_S)
        except ValueError:
            return _BACKOFF_S * 2**attempt
    if isinstance(exc, openai.APIStatusError):
        return _BACKOFF_S * 2**attempt if exc.status_code >= 500 or exc.status_code == 408 else None
    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
        return None
    if isinstance(exc, openai.APIConnectionError | httpx.TransportError):
        return _BACKOFF_S * 2**attempt
    return None


def _check_finish(finish: object) -> None:
    if isinstance(finish, str) and finish in BAD_FINISH:
        code = "llm_cut_off" if finish == "length" else "llm_bad_reply"
        raise LLMError(f"大模型的回复{BAD_FINISH[finish]}", code=code)


def _text(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            p if isinstance(p, str) else str(p.get("text", "")) for p in content if isinstance(p, str | dict)
        )
    return ""
