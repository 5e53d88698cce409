"""Access control: API keys, per-key rate limits, the CORS allowlist and the question-length limit."""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time
from collections import deque
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from starlette.datastructures import Headers
from starlette.responses import Response

from api.errors import ApiError, error_response
from rag.errors import InputError
from rag.settings import Settings

Clock = Callable[[], float]


class RateLimiter:
    """Sliding one-minute window of request times per caller."""

    def __init__(self, per_minute: int, *, clock: Clock = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, caller: str) -> float:
        """Record one request; 0.0 if allowed, else the seconds to wait before retrying."""
        if self.per_minute <= 0:
            return 0.0
        now = self._clock()
        with self._lock:
            times = self._seen.setdefault(caller, deque())
            while times and times[0] <= now - 60.0:
                times.popleft()
            if len(times) >= self.per_minute:
                return max(times[0] + 60.0 - now, 0.001)
            times.append(now)
            return 0.0


def presented_key(request: Request) -> str:
    """The API key sent as ``Authorization: Bearer …`` or ``X-API-Key``, or ''."""
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    return request.headers.get("x-api-key", "").strip()


def key_matches(key: str, allowed: tuple[str, ...]) -> bool:
    """Whether ``key`` is one of ``allowed``, compared in constant time."""
    found = False
    for candidate in allowed:
        found |= hmac.compare_digest(key.encode(), candidate.encode())
    return found


def authorize(request: Request, settings: Settings, limiter: RateLimiter) -> str:
    """The caller id (a key fingerprint or client address); ApiError 401 or 429 otherwise."""
    key = presented_key(request)
    if settings.api_keys and not key_matches(key, settings.api_keys):
        raise ApiError(401, headers={"WWW-Authenticate": "Bearer"})
    caller = _fingerprint(key) if key else f"ip:{request.client.host if request.client else '-'}"
    wait = limiter.check(caller)
    if wait:
        raise ApiError(429, headers={"Retry-After": str(math.ceil(wait))})
    return caller


def check_question(question: str, settings: Settings) -> str:
    """The stripped question; InputError when empty or longer than the limit."""
    text = question.strip()
    if not text:
        raise InputError("问题不能为空。", code="empty_question")
    if len(text) > settings.max_question_chars:
        raise InputError(f"问题过长（最多 {settings.max_question_chars} 字）。", code="question_too_long")
    return text


def install_cors(app: FastAPI, settings: Settings) -> None:
    """Allow the configured widget host pages (and only those) to call the API from a browser."""
    app.add_middleware(
        _CORS,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=["Authorization", "X-API-Key", "Content-Type"],
        max_age=600,
    )


def _fingerprint(key: str) -> str:
    return "key:" + hashlib.sha256(key.encode()).hexdigest()[:16]


class _CORS(CORSMiddleware):
    """Starlette's CORS middleware, refusing a preflight in the API's one error shape."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        keep = ("access-control", "vary")
        allow = {k: v for k, v in response.headers.items() if k.lower().startswith(keep)}
        return error_response(400, "cors_refused", "该来源不在允许列表中。", allow)
