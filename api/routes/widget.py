"""The embeddable chat widget (``/widget.js``) and a demo host page (``/demo``)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

router = APIRouter(tags=["widget"], include_in_schema=False)
STATIC = Path(__file__).resolve().parent.parent / "static"


@router.get("/widget.js")
async def widget_js() -> FileResponse:
    """The widget script (no build step, no external resources)."""
    return FileResponse(STATIC / "widget.js", media_type="text/javascript; charset=utf-8",
                        headers={"Cache-Control": "no-cache"})


@router.get("/demo")
async def demo() -> FileResponse:
    """A host page that embeds the widget (pass a key as ``/demo#key=…``)."""
    return FileResponse(STATIC / "demo.html", media_type="text/html; charset=utf-8")
