"""Dependencies the routes declare: settings, services, engine and the authorised caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

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


def require_caller(request: Request, settings: Annotated[Settings, Depends(get_settings)]) -> str:
    """The authorised caller's id (raises 401 or 429)."""
    return authorize(request, settings, request.app.state.limiter)


SettingsDep = Annotated[Settings, Depends(get_settings)]
ServicesDep = Annotated[Services, Depends(get_services)]
EngineDep = Annotated[Engine, Depends(get_engine)]
Caller = Annotated[str, Depends(require_caller)]
