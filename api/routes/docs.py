"""The OpenAPI page at ``/docs``, served with Swagger UI 5's files from the Python package
``swagger-ui-bundle-v2`` (FastAPI's default page loads them from a CDN, unreachable on an intranet;
Swagger UI 3 and 4 cannot read the OpenAPI 3.1 schema FastAPI emits)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs-assets"
router = APIRouter(include_in_schema=False)


@router.get("/docs")
async def swagger_ui() -> HTMLResponse:
    """Swagger UI for ``/openapi.json``, loading nothing from other servers."""
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="nianbao 年报问答 API",
        swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
    )


def install(app: FastAPI) -> None:
    """Serve the Swagger UI files and the ``/docs`` page on ``app``."""
    from swagger_ui_bundle import swagger_ui_path

    app.mount(ASSETS, StaticFiles(directory=swagger_ui_path), name="docs-assets")
    app.include_router(router)
