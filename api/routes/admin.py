"""The admin page (``/admin``, ``/admin.js``): manage the reports and review their audits."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from api.routes.widget import STATIC

router = APIRouter(tags=["admin"], include_in_schema=False)


@router.get("/admin")
async def admin_page() -> FileResponse:
    """The page itself (it asks for the admin key; pass one as ``/admin#key=…``)."""
    return FileResponse(
        STATIC / "admin.html", media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-cache"}
    )


@router.get("/admin.js")
async def admin_js() -> FileResponse:
    """The page's script (no build step, no external resources)."""
    return FileResponse(
        STATIC / "admin.js",
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "no-cache"},
    )
