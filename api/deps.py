"""Dependencies the routes declare: settings, services, engine and the authorised caller (any key or
an admin key)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.engine import Engine
from api.security import authorize
from rag.errors import IndexError_
from rag.services import Services
from rag.settings import Settings


def get_settings(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def get_services(request: Request) -> Services:
    """The app's services; IndexError_ (503) while they are still starting."""
    services: Services | None = request.app.state.services
    if services is None:
        raise IndexError_("服务正在启动，请稍后再试。", code="starting")
    return services


def get_engine(request: Request) -> Engine:
    """The answer engine."""
    engine: Engine = request.app.state.engine
    return engine


_BEARER = HTTPBearer(auto_error=False, description="An API key: read keys ask, admin keys also write.")
_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False, description="The same key, as a header.")
# Declared so the OpenAPI schema names the key scheme ("Authorize" in /docs); checked by authorize().
_Schemes = (Security(_BEARER), Security(_HEADER))


def require_caller(
    request: Request, settings: Annotated[Settings, Depends(get_settings)],
    _bearer: Annotated[HTTPAuthorizationCredentials | None, _Schemes[0]],
    _header: Annotated[str | None, _Schemes[1]],
) -> str:
    """The authorised caller's id, any key (raises 401 or 429)."""
    state = request.app.state
    return authorize(request, settings, state.limiter, failures=state.failed_keys)


def require_admin(
    request: Request, settings: Annotated[Settings, Depends(get_settings)],
    _bearer: Annotated[HTTPAuthorizationCredentials | None, _Schemes[0]],
    _header: Annotated[str | None, _Schemes[1]],
) -> str:
    """The authorised caller's id, an admin key (raises 401, 403 or 429)."""
    state = request.app.state
    return authorize(request, settings, state.limiter, failures=state.failed_keys, admin=True)


SettingsDep = Annotated[Settings, Depends(get_settings)]
ServicesDep = Annotated[Services, Depends(get_services)]
EngineDep = Annotated[Engine, Depends(get_engine)]
Caller = Annotated[str, Depends(require_caller)]
Admin = Annotated[str, Depends(require_admin)]
