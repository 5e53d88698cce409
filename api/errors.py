"""The API's one error shape: ``{"error": {"status", "code", "message"}}``.

Every error leaves the service through the handlers registered here. Messages come from
``NianbaoError.message`` (written to be shown) or from a fixed table; an unexpected exception is
logged with its traceback and answered with a generic message, never its text.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from rag.errors import ConfigError, DocumentError, IndexError_, InputError, LLMError, NianbaoError

log = logging.getLogger("nianbao.api")

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    408: "timeout",
    411: "length_required",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    500: "internal",
    502: "upstream",
    503: "unavailable",
}
_STATUS_MESSAGES = {
    400: "请求无效。",
    401: "需要有效的 API 密钥。",
    403: "无权访问。",
    404: "未找到。",
    405: "不支持该请求方法。",
    413: "请求内容过大。",
    415: "不支持的文件类型。",
    422: "请求格式不正确。",
    429: "请求过于频繁，请稍后再试。",
    500: "服务内部错误。",
    502: "上游服务出错。",
    503: "服务暂不可用。",
}
_BY_CLASS: tuple[tuple[type[NianbaoError], int], ...] = (
    (InputError, 400),
    (DocumentError, 422),
    (IndexError_, 503),
    (LLMError, 502),
    (ConfigError, 500),
)
_BY_CODE = {
    "index_locked": 409, "not_found": 404, "too_large": 413, "unsupported_media_type": 415,
    "rate_limited": 429,
}


class ApiError(NianbaoError):
    """An HTTP-level refusal (auth, rate limit, size) with its status and headers."""

    def __init__(
        self, status: int, message: str | None = None, *, code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message or _STATUS_MESSAGES.get(status, "请求失败。"),
                         code=code or _STATUS_CODES.get(status, "error"))
        self.status = status
        self.headers = headers or {}


def error_body(status: int, code: str, message: str) -> dict[str, Any]:
    """The pinned JSON error object."""
    return {"error": {"status": status, "code": code, "message": message}}


def status_for(exc: NianbaoError) -> int:
    """HTTP status for a nianbao error: by explicit status, then by code, then by class."""
    if isinstance(exc, ApiError):
        return exc.status
    if exc.code in _BY_CODE:
        return _BY_CODE[exc.code]
    return next((status for cls, status in _BY_CLASS if isinstance(exc, cls)), 500)


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """A JSONResponse in the pinned error shape."""
    return JSONResponse(error_body(status, code, message), status_code=status, headers=headers)


async def _nianbao(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, NianbaoError)
    status = status_for(exc)
    if status >= 500:
        log.warning("%s %s -> %d %s: %s", request.method, request.url.path, status, exc.code, exc.message)
    headers = exc.headers if isinstance(exc, ApiError) else None
    return error_response(status, exc.code, exc.message, headers)


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    message = _STATUS_MESSAGES.get(status, "请求失败。")
    return error_response(status, _STATUS_CODES.get(status, "error"), message, dict(exc.headers or {}))


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_response(422, "invalid_request", _describe(exc))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal", _STATUS_MESSAGES[500])


def _describe(exc: RequestValidationError) -> str:
    """Where the request is wrong, naming fields only (never echoing the input)."""
    fields = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(part) for part in err.get("loc", ()) if part not in ("body", "query", "path"))
        fields.append(f"{loc or '请求体'}（{err.get('type', 'invalid')}）")
    return "请求格式不正确：" + "，".join(fields)


def install(app: FastAPI) -> None:
    """Register the one handler set on ``app``."""
    app.add_exception_handler(NianbaoError, _nianbao)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(Exception, _unexpected)
