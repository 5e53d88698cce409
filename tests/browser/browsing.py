"""Headless Debian Chromium driven by Playwright, with hooks that record script runs and requests."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image
from playwright.sync_api import Browser, Dialog, Page, Request, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]
HOOKS = """
window.__xss = 0;
window.alert = window.confirm = window.prompt = function () { window.__xss = (window.__xss || 0) + 1; };
"""


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium (the test is skipped when Debian's chromium is not installed)."""
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Watch:
    """What a page did that it should not: dialogs, and requests to other origins."""

    origin: str
    allowed: tuple[str, ...] = ()
    dialogs: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    def on_request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if f"{parts.scheme}://{parts.netloc}" not in (self.origin, *self.allowed):
            self.foreign.append(request.url)

    def on_dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


def watched_page(
    browser: Browser, origin: str, *, width: int = 1280, height: int = 860, allowed: tuple[str, ...] = ()
) -> tuple[Page, Watch]:
    """A new page that records dialogs and requests to origins other than ``origin`` and ``allowed``
    (which are blocked)."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    watch = Watch(origin, allowed)
    page.add_init_script(HOOKS)
    page.on("request", watch.on_request)
    page.on("dialog", watch.on_dialog)
    page.route(lambda url: not url.startswith((origin, *allowed)), lambda route: route.abort())
    return page, watch


def screenshot(page: Page, name: str) -> Path:
    """Save a screenshot under test-artifacts/; the path written."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path))
    return path


def panel_png(page: Page) -> bytes:
    """A PNG of the widget's panel alone."""
    box = page.get_by_role("dialog").bounding_box()
    assert box is not None
    return page.screenshot(clip=box)


def side_by_side(pngs: list[bytes], path: Path) -> None:
    """Write the images next to each other as one small palette PNG (docs/widget.png is a copy)."""
    images = [Image.open(io.BytesIO(png)).convert("RGB") for png in pngs]
    gap = 16
    width = sum(i.width for i in images) + gap * (len(images) + 1)
    height = max(i.height for i in images) + 2 * gap
    sheet = Image.new("RGB", (width, height), (248, 249, 250))
    x = gap
    for image in images:
        sheet.paste(image, (x, gap))
        x += image.width + gap
    path.parent.mkdir(exist_ok=True)
    sheet.quantize(colors=64).save(path, optimize=True)
