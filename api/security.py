"""Access control: read and admin keys, per-key rate limits, failed-key throttling per address, the
Host and Origin checks, the CORS allowlist and the question and history limits."""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from starlette.datastructures import Headers
from starlette.responses import Response

from api.errors import ApiError, error_response
from rag.errors import InputError
from rag.settings import Settings

Clock = Callable[[], float]
_SURROGATE = re.compile("[\ud800-\udfff]")


class RateLimiter:
    """Sliding one-minute window of request times per caller."""

    def __init__(self, per_minute: int, *, clock: Clock = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait(self, caller: str) -> float:
        """Seconds until ``caller`` may make another request (0.0 now), recording nothing."""
        if self.per_minute <= 0:
            return 0.0
        now = self._clock()
        with self._lock:
            times = [t for t in self._seen.get(caller, ()) if t > now - 60.0]
        return max(times[0] + 60.0 - now, 0.001) if len(times) >= self.per_minute else 0.0

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


def role(key: str, settings: Settings) -> str | None:
    """'admin', 'read', or None for a key that is neither (every caller is admin in open mode)."""
    if settings.open_mode or key_matches(key, settings.admin_keys):
        return "admin"
    return "read" if key_matches(key, settings.api_keys) else None


def client_address(request: Request) -> str:
    """The caller's address as a rate-limit id."""
    return f"ip:{request.client.host if request.client else '-'}"


def check_key(request: Request, settings: Settings, failures: RateLimiter) -> str:
    """The presented key's role; ApiError 401 for a wrong key, 429 while its address is throttled.

    An address that presented ``failed_auth_per_minute`` wrong keys gets 429 for every key until the
    minute has passed, so guessing is throttled and a right guess is not told apart from a wrong one.
    """
    if settings.open_mode:
        return "admin"
    address = client_address(request)
    wait = failures.wait(address)
    if wait:
        raise ApiError(429, headers={"Retry-After": str(math.ceil(wait))})
    found = role(presented_key(request), settings)
    if found is None:
        failures.check(address)
        raise ApiError(401, headers={"WWW-Authenticate": "Bearer"})
    return found


def authorize(
    request: Request, settings: Settings, limiter: RateLimiter, *, failures: RateLimiter,
    admin: bool = False,
) -> str:
    """The caller id (a key fingerprint or client address); ApiError 401, 403 or 429 otherwise."""
    found = check_key(request, settings, failures)
    if admin and found != "admin":
        raise ApiError(403, "该操作需要管理员密钥。", code="admin_required")
    key = presented_key(request)
    caller = _fingerprint(key) if key else client_address(request)
    wait = limiter.check(caller)
    if wait:
        raise ApiError(429, headers={"Retry-After": str(math.ceil(wait))})
    return caller


def check_question(question: str, settings: Settings) -> str:
    """The stripped question; InputError (400) when empty, too long or not valid Unicode text."""
    text = check_text(question).strip()
    if not text:
        raise InputError("问题不能为空。", code="empty_question")
    if len(text) > settings.max_question_chars:
        raise InputError(f"问题过长（最多 {settings.max_question_chars} 字）。", code="question_too_long")
    return text


def check_history(history: Sequence[tuple[str, str]], settings: Settings) -> list[tuple[str, str]]:
    """Earlier turns as given; InputError (400) when they hold more than ``max_history_chars``."""
    turns = [(check_text(q), check_text(a)) for q, a in history]
    if sum(len(q) + len(a) for q, a in turns) > settings.max_history_chars:
        raise InputError(f"对话历史过长（最多 {settings.max_history_chars} 字）。", code="history_too_long")
    return turns


def check_text(text: str) -> str:
    """``text``; InputError (400) when it holds a lone surrogate (not encodable, so not text)."""
    if _SURROGATE.search(text):
        raise InputError("文本包含无效字符。", code="invalid_text")
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
