"""What every request passes before routing: the Host allowlist, the cross-site refusal for
state-changing requests, the key check for requests with a body, and the body-size limit.

All of it runs before a body byte is read, so an unauthenticated or oversized body costs nothing:
FastAPI reads a JSON body before the route's dependencies (and so the key check) run.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import ApiError, error_response
from api.security import RateLimiter, check_key
from rag.settings import Settings

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
UPLOAD_PATH = "/api/documents"
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class RequestGuard:
    """ASGI middleware applying the checks in the module docstring, in that order."""

    def __init__(self, app: ASGIApp, *, settings: Settings, failures: RateLimiter) -> None:
        self.app = app
        self.settings = settings
        self.failures = failures

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        try:
            check_host(request, self.settings)
            if scope["method"] in _UNSAFE:
                check_same_site(request, self.settings)
                check_key(request, self.settings, self.failures)
                receive = await self._bounded(request, receive)
        except ApiError as exc:
            await error_response(exc.status, exc.code, exc.message, exc.headers)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _bounded(self, request: Request, receive: Receive) -> Receive:
        """A receive replaying the whole body, read up to the limit (uploads count their own)."""
        if request.url.path == UPLOAD_PATH:
            return receive
        limit = self.settings.max_body_bytes
        declared = request.headers.get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > limit:
            raise _too_large(limit)
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return _replay(bytes(body), receive, first=message)
            body += message.get("body", b"")
            if len(body) > limit:
                raise _too_large(limit)
            if not message.get("more_body", False):
                return _replay(bytes(body), receive)


def check_host(request: Request, settings: Settings) -> None:
    """ApiError 400 unless the Host header names an allowed host (defeats DNS rebinding)."""
    allowed = settings.allowed_hosts or (LOOPBACK_HOSTS if settings.open_mode else ())
    if not allowed or "*" in allowed:
        return
    host = _hostname(request.headers.get("host", ""))
    if host not in {h.lower() for h in allowed}:
        raise ApiError(400, "不允许的主机名（Host）。", code="bad_host")


def check_same_site(request: Request, settings: Settings) -> None:
    """ApiError 403 for a state-changing request a browser sent from another site.

    Browsers send ``Origin`` with every cross-origin POST (forms included), and ``Sec-Fetch-Site``;
    a request from the service's own pages or an allowlisted origin passes, as do clients that are
    not browsers (they send neither).
    """
    origin = request.headers.get("origin")
    if origin is not None:
        if origin in settings.cors_origins or _hostport(origin) == request.headers.get("host", "").lower():
            return
        raise ApiError(403, "拒绝跨站请求。", code="cross_site")
    if request.headers.get("sec-fetch-site", "").lower() == "cross-site":
        raise ApiError(403, "拒绝跨站请求。", code="cross_site")


def _replay(body: bytes, receive: Receive, *, first: Message | None = None) -> Receive:
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]
    if first is not None:
        pending = [first]

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed


def _hostname(host: str) -> str:
    """The host part of a Host header value, lower-case, without port or IPv6 brackets."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _hostport(origin: str) -> str:
    try:
        return urlsplit(origin).netloc.lower()
    except ValueError:
        return ""


def _too_large(limit: int) -> ApiError:
    return ApiError(413, f"请求内容过大（上限 {limit // 1024} KB）。", code="too_large",
                    headers={"Connection": "close"})
