"""The chat model behind the LLM answerer: LangChain ``ChatOpenAI`` against any OpenAI-compatible
server, with one wall-clock deadline per exchange and a bounded number of attempts.

Every exchange (all its attempts, streamed or not) runs on a worker thread and gets at most
``settings.llm_timeout_s`` seconds in total: the caller stops waiting when the deadline passes,
whatever the connection does (a server queueing the request keeps the socket alive with SSE
pings, which would reset any read timeout). The exchange's sockets are then shut down, so a
streaming server sees the client leave and stops generating; ``max_tokens`` is always sent, so a
non-streamed request that a server cannot cancel still ends soon.

The retries are made here rather than by the openai client (built with ``max_retries=0``) so
that a retry never outlives the deadline. openai, httpx and parsing errors are translated into
``LLMError`` here, once.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import queue
import socket
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import closing
from functools import cache
from typing import Any, cast

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
_local = threading.local()


class Deadline:
    """Seconds left of a fixed budget."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self._end - time.monotonic())

    def expired(self) -> bool:
        return self.remaining() <= 0.0


class Exchange:
    """The sockets one LLM exchange reads from, shut down at once when it is abandoned."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.cancelled = False

    def attach(self, response: httpx.Response) -> None:
        """Remember the socket ``response`` arrives on (shut at once if already cancelled)."""
        stream = response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if not isinstance(sock, socket.socket):
            return
        with self._lock:
            self._sockets.append(sock)
            cancelled = self.cancelled
        if cancelled:
            _shut(sock)

    def cancel(self) -> None:
        """Stop the exchange: its sockets are shut, so a blocked read returns and the server sees EOF."""
        with self._lock:
            self.cancelled = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


@cache
def _http_client() -> httpx.Client:
    """One connection pool for every ChatClient (as LangChain shares its default one), never
    garbage-collected with connections open; requests pass their own timeouts."""
    client = httpx.Client(event_hooks={"response": [_attach_response]})
    atexit.register(client.close)
    return client


def _attach_response(response: httpx.Response) -> None:
    """httpx response hook: runs on the thread making the request, i.e. the exchange's worker."""
    exchange = getattr(_local, "exchange", None)
    if exchange is not None:
        exchange.attach(response)


class ChatClient:
    """JSON-mode chat completions with one deadline per exchange and bounded retries."""

    def __init__(self, settings: Settings) -> None:
        self.timeout_s = settings.llm_timeout_s
        self.max_retries = max(0, settings.llm_max_retries)
        common: dict[str, Any] = {
            "model": settings.llm_model,
            "base_url": settings.llm_base_url or None,
            "api_key": SecretStr(settings.llm_api_key or "not-needed"),
            "timeout": settings.llm_timeout_s,
            "max_retries": 0,
            "temperature": 0,
            "http_client": _http_client(),
        }
        # Plain body fields: given as ``response_format`` LangChain switches to the openai beta
        # parse/stream helpers (whose first import costs seconds), and its ``max_tokens`` may be
        # renamed to ``max_completion_tokens``, which llama.cpp-style servers ignore.
        self._model = ChatOpenAI(
            **common, extra_body={"response_format": JSON_OBJECT, "max_tokens": settings.llm_max_tokens}
        )
        self._probe = ChatOpenAI(**common, extra_body={"max_tokens": 1})

    def complete(self, messages: Sequence[BaseMessage]) -> str:
        """The reply text of one completion; LLMError on any failure after the allowed retries.

        Streamed underneath: a server such as llama.cpp's cannot cancel a non-streamed request, so
        one that timed out would keep generating while every request behind it waits.
        """
        deadline = Deadline(self.timeout_s)
        return "".join(_bounded(lambda: self._stream(messages, deadline), deadline))

    def stream(self, messages: Sequence[BaseMessage]) -> Generator[str, None, None]:
        """Reply text pieces as they arrive; LLMError on failure (retried only before the first piece)."""
        deadline = Deadline(self.timeout_s)
        yield from _bounded(lambda: self._stream(messages, deadline), deadline)

    def probe(self, messages: Sequence[BaseMessage], *, timeout_s: float) -> None:
        """One tiny completion (a single token) within ``timeout_s``; LLMError when it fails."""
        deadline = Deadline(timeout_s)

        def once() -> Iterator[str]:
            self._probe.invoke(list(messages), timeout=max(deadline.remaining(), _MIN_ATTEMPT_S))
            yield from ()

        try:
            for _ in _bounded(once, deadline):
                pass
        except (openai.OpenAIError, httpx.HTTPError, ValueError) as exc:
            raise translate(exc) from exc

    def _stream(self, messages: Sequence[BaseMessage], deadline: Deadline) -> Iterator[str]:
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


class _Done:
    pass


def _bounded(produce: Callable[[], Iterator[str]], deadline: Deadline) -> Generator[str, None, None]:
    """The items of ``produce()``, run on a worker thread, until ``deadline``: then LLMError.

    However the connection behaves, the caller gets its answer or its error by the deadline; an
    exchange that is abandoned (deadline, error, or the caller closing this generator) is cancelled.
    """
    exchange = Exchange()
    items: queue.Queue[str | BaseException | _Done] = queue.Queue()

    def work() -> None:
        _local.exchange = exchange
        try:
            with closing(cast(Generator[str, None, None], produce())) as pieces:
                for piece in pieces:
                    if exchange.cancelled:
                        return
                    items.put(piece)
            items.put(_Done())
        except BaseException as exc:  # handed to the caller, which re-raises it
            items.put(exc)
        finally:
            _local.exchange = None

    threading.Thread(target=work, name="nianbao-llm", daemon=True).start()
    finished = False
    try:
        while True:
            try:
                item = items.get(timeout=deadline.remaining())
            except queue.Empty:
                late = f"大模型未在 {deadline.seconds:g} 秒内完成回答"
                raise LLMError(late, code="llm_timeout") from None
            if isinstance(item, _Done):
                finished = True
                return
            if isinstance(item, BaseException):
                finished = True
                raise item
            yield item
    finally:
        if not finished:
            exchange.cancel()


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
