"""The OpenAPI page at ``/docs`` in headless Chromium: it renders the schema FastAPI emits (OpenAPI
3.1) as a list of operations, loading nothing from other servers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from apifakes import FakeServices, fake_engine
from browsing import chromium, screenshot, watched_page
from liveserver import LiveServer
from playwright.sync_api import Browser, expect

from api.app import create_app
from rag.settings import Settings

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = Settings(home=tmp_path_factory.mktemp("home"), api_keys=("docs-key",))
    with LiveServer(create_app(settings, FakeServices(), engine=fake_engine())) as live:
        yield live


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


def test_openapi_page_lists_the_operations(browser: Browser, server: LiveServer) -> None:
    page, watch = watched_page(browser, server.url)
    page.goto(f"{server.url}/docs")
    operations = page.locator(".opblock-summary-path")
    expect(operations.first).to_be_visible(timeout=30_000)
    paths = {text.strip().replace("\u200b", "") for text in operations.all_inner_texts()}
    assert {"/api/ask", "/api/ask/stream", "/v1/chat/completions", "/api/documents"} <= paths
    assert page.locator(".opblock-post").count() >= 3
    expect(page.locator(".info .title")).to_contain_text("年报问答")
    expect(page.get_by_text("Unable to render this definition")).to_have_count(0)
    assert page.locator(".version-stamp").first.inner_text().strip().startswith("OAS 3.1")
    screenshot(page, "openapi-docs.png")
    assert watch.foreign == [] and watch.dialogs == []


def test_an_operation_opens_with_its_request_schema(browser: Browser, server: LiveServer) -> None:
    page, watch = watched_page(browser, server.url)
    page.goto(f"{server.url}/docs")
    ask = page.locator(".opblock-post", has=page.locator(".opblock-summary-path", has_text="/api/ask"))
    ask.first.locator(".opblock-summary").click()
    expect(ask.first.locator(".opblock-body")).to_contain_text("question")
    assert watch.foreign == []
