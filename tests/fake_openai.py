"""A real HTTP server on 127.0.0.1 speaking the OpenAI wire protocol, with scripted replies.

Usage (tests/ is on sys.path, so ``from fake_openai import ...``; the ``fake_openai`` fixture
in conftest.py yields a started server)::

    with FakeOpenAI() as server:
        server.script(json_reply({"answer": "1061人"}), status(429, retry_after=1), hang(5))
        settings = server.llm_settings(base_settings)      # base_url, api_key, model filled in
        ...
        assert len(server.chat_requests()) == 2
        assert "[1]" in server.chat_requests()[0].body["messages"][0]["content"]

Endpoints: ``POST /v1/chat/completions`` (JSON, or SSE when ``stream: true``; tools and
``response_format`` accepted), ``POST /v1/embeddings`` (float or base64 little-endian float32;
deterministic vectors from hashed character bigrams, so similar texts get similar vectors),
``GET /v1/models``. Chat replies are taken from a queue (``script``); when it is empty the
``default`` reply is used. A reply may also be a function of the request body (``respond``),
e.g. an obedient model that repeats whatever the prompt asks for. Every request is recorded.

Behaviours: ``text``, ``json_reply``, ``tool_call``, ``slow`` (delay per streamed token),
``hang`` (no bytes for a while), ``status`` (HTTP error with optional Retry-After),
``disconnect`` (connection dropped, mid-stream after some tokens), ``malformed`` (a 200 whose
body is not JSON). ``finish_reason`` can be set on text replies (e.g. ``"length"``).

Server behaviours found in llama.cpp's server (``FakeOpenAI(slots=1, ping_s=…, context_tokens=…)``):
``slots`` requests are generated at once and the rest wait; a waiting *stream* has its headers
sent at once and gets ``: ping`` comments every ``ping_s`` (so a read timeout never fires); a
non-streamed request keeps its slot for the whole reply even when its client has gone (no
cancellation); a prompt whose tokens plus ``max_tokens`` exceed ``context_tokens`` gets
``400 context_length_exceeded``.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import math
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

from rag.settings import Settings

ReplyKind = Literal["text", "tool", "hang", "status", "disconnect", "malformed"]

FAKE_API_KEY = "sk-fake-test-key-9f3c2a7e"
CHAT_MODEL = "fake-chat"
EMBED_MODEL = "fake-embed"


@dataclass(frozen=True)
class Reply:
    """One scripted upstream behaviour for a single request."""

    kind: ReplyKind = "text"
    content: str = ""
    finish_reason: str = "stop"
    token_delay_s: float = 0.0
    """Pause before each streamed token (for non-stream replies: the sum, before replying)."""
    seconds: float = 0.0
    """For ``hang``: how long to send nothing (the server's stop also ends it)."""
    status: int = 200
    retry_after: float | None = None
    after_tokens: int = 0
    """For ``disconnect``: tokens streamed (or body bytes sent) before the connection drops."""
    tool_name: str = ""
    tool_arguments: str = ""
    chunk_chars: int = 2
    """Characters per streamed token."""


Responder = Callable[[dict[str, Any]], Reply]
Scripted = Reply | Responder


def text(content: str, *, finish_reason: str = "stop", chunk_chars: int = 2) -> Reply:
    """A plain assistant message."""
    return Reply(content=content, finish_reason=finish_reason, chunk_chars=chunk_chars)


def json_reply(payload: Any, *, finish_reason: str = "stop") -> Reply:
    """An assistant message whose content is ``payload`` as JSON (Chinese kept readable)."""
    return Reply(content=json.dumps(payload, ensure_ascii=False), finish_reason=finish_reason)


def tool_call(name: str, arguments: Any) -> Reply:
    """An assistant message calling one tool; ``arguments`` may be a dict or a raw string."""
    raw = arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)
    return Reply(kind="tool", tool_name=name, tool_arguments=raw, finish_reason="tool_calls")


def slow(content: str, *, token_delay_s: float, chunk_chars: int = 2) -> Reply:
    """A message whose streamed tokens each arrive after ``token_delay_s``."""
    return Reply(content=content, token_delay_s=token_delay_s, chunk_chars=chunk_chars)


def hang(seconds: float = 30.0) -> Reply:
    """Accept the request and send nothing for ``seconds``, then close the connection."""
    return Reply(kind="hang", seconds=seconds)


def status(code: int, *, retry_after: float | None = None, message: str = "scripted error") -> Reply:
    """An HTTP error with an OpenAI-style error body (and Retry-After when given)."""
    return Reply(kind="status", status=code, retry_after=retry_after, content=message)


def disconnect(content: str = "", *, after_tokens: int = 0) -> Reply:
    """Drop the connection: mid-stream after ``after_tokens`` tokens of ``content``."""
    return Reply(kind="disconnect", content=content, after_tokens=after_tokens)


def malformed(body: str = '{"id": "chatcmpl-broken", "choices": [') -> Reply:
    """A 200 response whose body (or SSE event) is not valid JSON."""
    return Reply(kind="malformed", content=body)


@dataclass(frozen=True)
class Recorded:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    raw: bytes = b""
    at: float = field(default=0.0)

    def messages_text(self) -> str:
        """All message contents of a chat request joined by newlines."""
        parts = [str(m.get("content") or "") for m in self.body.get("messages", [])]
        return "\n".join(parts)


class FakeOpenAI:
    """A scripted OpenAI-protocol server on 127.0.0.1 (random port), run in a thread."""

    def __init__(
        self, *, default: Scripted | None = None, dims: int = 64, slots: int = 0, ping_s: float = 15.0,
        context_tokens: int = 0,
    ) -> None:
        self.default: Scripted = default if default is not None else text("好的。")
        self.dims = dims
        self.slots = threading.BoundedSemaphore(slots) if slots else None
        self.ping_s = ping_s
        self.context_tokens = context_tokens
        self.pings = 0
        self.requests: list[Recorded] = []
        self._chat: deque[Scripted] = deque()
        self._embed: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL to give an OpenAI client, ending in ``/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("FakeOpenAI is not started")
        return int(self._httpd.server_address[1])

    def start(self) -> FakeOpenAI:
        """Bind a free port and serve in a daemon thread; returns self."""
        handler = type("Handler", (_Handler,), {"fake": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-openai", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; hanging replies are released."""
        self._stop.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def script(self, *replies: Scripted) -> None:
        """Queue chat replies, used one per chat request in order."""
        with self._lock:
            self._chat.extend(replies)

    def respond(self, responder: Responder) -> None:
        """Queue one reply computed from the request body."""
        self.script(responder)

    def script_embeddings(self, *replies: Reply) -> None:
        """Queue behaviours for embedding requests (a ``text`` reply means: answer normally)."""
        with self._lock:
            self._embed.extend(replies)

    def pending(self) -> int:
        """Scripted chat replies not used yet."""
        with self._lock:
            return len(self._chat)

    def chat_requests(self) -> list[Recorded]:
        """Recorded chat-completion requests, in arrival order."""
        return self.calls("/chat/completions")

    def embedding_requests(self) -> list[Recorded]:
        return self.calls("/embeddings")

    def calls(self, path_suffix: str) -> list[Recorded]:
        """Recorded requests whose path ends with ``path_suffix``."""
        with self._lock:
            return [r for r in self.requests if r.path.endswith(path_suffix)]

    def reset(self) -> None:
        """Forget recorded requests and queued replies."""
        with self._lock:
            self.requests.clear()
            self._chat.clear()
            self._embed.clear()

    def llm_settings(self, base: Settings, **overrides: Any) -> Settings:
        """``base`` (a Settings) pointed at this server for chat, with a fake key and model."""
        fields = {"llm_base_url": self.url, "llm_api_key": FAKE_API_KEY, "llm_model": CHAT_MODEL}
        return replace(base, **{**fields, **overrides})

    def embed_settings(self, base: Settings, **overrides: Any) -> Settings:
        """``base`` (a Settings) pointed at this server for embeddings."""
        fields = {"embed_base_url": self.url, "embed_api_key": FAKE_API_KEY, "embed_model": EMBED_MODEL}
        return replace(base, **{**fields, **overrides})

    def embed(self, text_: str) -> list[float]:
        """The vector this server returns for ``text_`` (unit length)."""
        return embed_text(text_, self.dims)

    def _record(self, request: Recorded) -> None:
        with self._lock:
            self.requests.append(request)

    def _next_chat(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            item = self._chat.popleft() if self._chat else self.default
        return item if isinstance(item, Reply) else item(body)

    def _next_embed(self) -> Reply | None:
        with self._lock:
            return self._embed.popleft() if self._embed else None


def embed_text(text_: str, dims: int) -> list[float]:
    """Unit vector of hashed character unigrams and bigrams: shared n-grams mean high cosine."""
    vec = [0.0] * dims
    grams = list(text_) + [text_[i : i + 2] for i in range(len(text_) - 1)]
    for gram in grams:
        digest = hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest()
        slot = int.from_bytes(digest[:4], "little") % dims
        vec[slot] += 1.0 if digest[4] & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vec)) or 1.0
    return [v / norm for v in vec]


class _Handler(BaseHTTPRequestHandler):
    fake: FakeOpenAI
    protocol_version = "HTTP/1.1"
    _sse_started = False

    def log_message(self, format: str, *args: Any) -> None:
        return

    def setup(self) -> None:
        super().setup()
        # Small SSE writes must not wait for delayed ACKs (Nagle), or "slow" would be slower than scripted.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle(self) -> None:
        try:
            super().handle()
        except (ConnectionError, TimeoutError):
            self.close_connection = True  # the client went away (timeouts, dropped streams): expected

    def do_GET(self) -> None:
        self._record(b"", {})
        if self.path.rstrip("/").endswith("/models"):
            models = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"}
                      for m in (CHAT_MODEL, EMBED_MODEL)]
            self._send_json(200, {"object": "list", "data": models})
        else:
            self._send_json(404, _error_body("not found", "invalid_request_error"))

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self._record(raw, {})
            self._send_json(400, _error_body("request body is not JSON", "invalid_request_error"))
            return
        self._record(raw, body)
        if self.path.endswith("/chat/completions"):
            self._chat(body)
        elif self.path.endswith("/embeddings"):
            self._embeddings(body)
        else:
            self._send_json(404, _error_body("not found", "invalid_request_error"))

    def _record(self, raw: bytes, body: dict[str, Any]) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.fake._record(Recorded(self.command, self.path, headers, body, raw, time.monotonic()))

    def _chat(self, body: dict[str, Any]) -> None:
        self._sse_started = False
        limit = self.fake.context_tokens
        if limit and prompt_tokens(body) + int(body.get("max_tokens") or 0) > limit:
            error = _error_body(f"Requested tokens exceed context window of {limit}", "invalid_request_error")
            error["error"]["code"] = "context_length_exceeded"
            self._send_json(400, error)
            return
        reply = self.fake._next_chat(body)
        with self._slot(bool(body.get("stream"))):
            if self._common_failure(reply):
                return
            if body.get("stream"):
                self._stream(reply, body)
            else:
                self._complete(reply, body)

    @contextlib.contextmanager
    def _slot(self, stream: bool) -> Iterator[None]:
        """Wait for a free slot; a stream gets its headers at once and pings while it waits."""
        slots = self.fake.slots
        if slots is None:
            yield
            return
        if stream:
            self._sse_headers()
        while not slots.acquire(timeout=self.fake.ping_s):
            if self.fake._stop.is_set():
                raise ConnectionError("server stopping")
            if stream:
                self._chunk(b": ping\n\n")
                self.fake.pings += 1
        try:
            yield
        finally:
            slots.release()

    def _sse_headers(self) -> None:
        if self._sse_started:
            return
        self._sse_started = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _common_failure(self, reply: Reply) -> bool:
        """Handle hang / status / non-stream malformed; True when the reply is fully handled."""
        if reply.kind == "hang":
            self.fake._stop.wait(reply.seconds)
            self.close_connection = True
            return True
        if reply.kind == "status":
            extra = {} if reply.retry_after is None else {"Retry-After": _fmt_seconds(reply.retry_after)}
            kind = "rate_limit_error" if reply.status == 429 else "server_error"
            self._send_json(reply.status, _error_body(reply.content, kind), extra)
            return True
        return False

    def _complete(self, reply: Reply, body: dict[str, Any]) -> None:
        model = str(body.get("model") or CHAT_MODEL)
        if reply.kind == "malformed":
            self._send_raw(200, reply.content.encode("utf-8"), "application/json")
            return
        if reply.kind == "disconnect":
            self._send_partial_and_drop(reply)
            return
        if reply.token_delay_s:
            self.fake._stop.wait(reply.token_delay_s * len(_tokens(reply)))
        message: dict[str, Any] = {"role": "assistant", "content": reply.content or None}
        if reply.kind == "tool":
            message = {"role": "assistant", "content": None, "tool_calls": [_tool_call_obj(reply)]}
        else:
            message["content"] = reply.content
        payload = {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "message": message, "finish_reason": reply.finish_reason,
                         "logprobs": None}],
            "usage": _usage(body, reply),
        }
        self._send_json(200, payload)

    def _stream(self, reply: Reply, body: dict[str, Any]) -> None:
        model = str(body.get("model") or CHAT_MODEL)
        self._sse_headers()
        base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()),
                "model": model}
        if reply.kind == "malformed":
            self._event(reply.content)
            self._end_chunked()
            return
        self._event_json({**base, "choices": [_delta({"role": "assistant", "content": ""})]})
        if reply.kind == "tool":
            self._stream_tool(reply, base)
            return
        for i, token in enumerate(_tokens(reply)):
            if reply.kind == "disconnect" and i >= reply.after_tokens:
                self._drop()
                return
            if reply.token_delay_s and self.fake._stop.wait(reply.token_delay_s):
                self._drop()
                return
            self._event_json({**base, "choices": [_delta({"content": token})]})
        if reply.kind == "disconnect":
            self._drop()
            return
        self._finish_stream(base, body, reply)

    def _stream_tool(self, reply: Reply, base: dict[str, Any]) -> None:
        call = _tool_call_obj(reply)
        first = {"index": 0, "id": call["id"], "type": "function",
                 "function": {"name": reply.tool_name, "arguments": ""}}
        self._event_json({**base, "choices": [_delta({"tool_calls": [first]})]})
        args = reply.tool_arguments
        for i in range(0, len(args), 8):
            part = {"index": 0, "function": {"arguments": args[i : i + 8]}}
            self._event_json({**base, "choices": [_delta({"tool_calls": [part]})]})
        self._finish_stream(base, {}, reply)

    def _finish_stream(self, base: dict[str, Any], body: dict[str, Any], reply: Reply) -> None:
        self._event_json({**base, "choices": [_delta({}, finish_reason=reply.finish_reason)]})
        if (body.get("stream_options") or {}).get("include_usage"):
            self._event_json({**base, "choices": [], "usage": _usage(body, reply)})
        self._event("[DONE]")
        self._end_chunked()

    def _embeddings(self, body: dict[str, Any]) -> None:
        behaviour = self.fake._next_embed()
        if behaviour is not None:
            if self._common_failure(behaviour):
                return
            if behaviour.kind == "malformed":
                self._send_raw(200, behaviour.content.encode("utf-8"), "application/json")
                return
            if behaviour.kind == "disconnect":
                self._send_partial_and_drop(behaviour)
                return
        inputs: Any = body.get("input") or []
        items = [inputs] if isinstance(inputs, str) or _is_token_list(inputs) else list(inputs)
        data = []
        for i, item in enumerate(items):
            text_ = item if isinstance(item, str) else " ".join(str(t) for t in item)
            vector = embed_text(text_, self.fake.dims)
            encoded: Any = vector
            if body.get("encoding_format") == "base64":
                encoded = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")
            data.append({"object": "embedding", "index": i, "embedding": encoded})
        tokens = sum(len(str(item)) for item in items)
        self._send_json(200, {"object": "list", "data": data, "model": str(body.get("model") or EMBED_MODEL),
                              "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})

    def _send_json(self, code: int, payload: Any, extra: dict[str, str] | None = None) -> None:
        self._send_raw(code, json.dumps(payload, ensure_ascii=False).encode("utf-8"), "application/json",
                       extra)

    def _send_raw(
        self, code: int, data: bytes, content_type: str, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _send_partial_and_drop(self, reply: Reply) -> None:
        """Promise a body, send part of it (or nothing), then drop the connection."""
        data = json.dumps({"id": "chatcmpl-fake", "choices": [{"message": {"content": reply.content}}]},
                          ensure_ascii=False).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: min(reply.after_tokens, len(data) - 1)])
        self._drop()

    def _event_json(self, payload: dict[str, Any]) -> None:
        self._event(json.dumps(payload, ensure_ascii=False))

    def _event(self, data: str) -> None:
        self._chunk(f"data: {data}\n\n".encode())

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode("ascii") + data + b"\r\n")
        self.wfile.flush()

    def _end_chunked(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _drop(self) -> None:
        """Close the socket without finishing the response (a peer that died)."""
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(2)


def prompt_tokens(body: dict[str, Any]) -> int:
    """The request's prompt length in cl100k tokens (how the fake counts its context)."""
    from rag.tokens import count_tokens

    return sum(count_tokens(str(m.get("content") or "")) + 4 for m in body.get("messages", []))


def _tokens(reply: Reply) -> list[str]:
    size = max(1, reply.chunk_chars)
    return [reply.content[i : i + size] for i in range(0, len(reply.content), size)]


def _delta(delta: dict[str, Any], *, finish_reason: str | None = None) -> dict[str, Any]:
    return {"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}


def _tool_call_obj(reply: Reply) -> dict[str, Any]:
    return {"id": "call_fake_1", "type": "function",
            "function": {"name": reply.tool_name, "arguments": reply.tool_arguments}}


def _usage(body: dict[str, Any], reply: Reply) -> dict[str, int]:
    prompt = sum(len(str(m.get("content") or "")) for m in body.get("messages", []))
    completion = len(reply.content) + len(reply.tool_arguments)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _error_body(message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


def _is_token_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, int) for v in value)


def _fmt_seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def serving(**kwargs: Any) -> Iterator[FakeOpenAI]:
    """Generator for a pytest fixture: a started server, stopped afterwards."""
    with FakeOpenAI(**kwargs) as server:
        yield server
