"""The widget in headless Chromium against fake services: asking, streaming, citations, keyboard, XSS."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

import pytest
from apifakes import DOC, FakeIndex, FakeServices, fake_answer, fake_engine
from browsing import Watch, chromium, screenshot, watched_page
from liveserver import LiveServer
from playwright.sync_api import Browser, Page, expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route
from xss_payloads import PAYLOADS

from api.app import create_app
from api.engine import Engine
from rag.settings import Settings
from rag.types import Answer, Chunk, Citation, Hit

pytestmark = pytest.mark.browser
KEY = "browser-key"


def payload_chunks() -> list[Chunk]:
    return [Chunk(f"x{n}", DOC.doc_id, DOC.file, "prose", f"原文：{p} 共1061人。", "", p, n * 10, n * 10,
                  "昌平区", 2022, table=p) for n, p in enumerate(PAYLOADS)]


def xss_engine() -> Engine:
    """Answers 'xss N' with payload N in the text, file name, title, table and quote."""
    base = fake_engine(["2022年昌平区", "中职学校招生", "1061人。"])

    def answer(question: str, services: Any, history: Sequence[tuple[str, str]]) -> Answer:
        if not question.startswith("xss "):
            return fake_answer(question, services, history)
        n = int(question.split()[1])
        p = PAYLOADS[n]
        cite = Citation(1, f"x{n}", DOC.doc_id, f"{p}.txt", p, p, p, None, n * 10, p)
        chunk = payload_chunks()[n]
        return Answer(question, f"回答：{p}", 1061.0, "人", False, "llm", (cite,), (Hit(chunk, 1.0),),
                      warnings=(p,))

    def stream(question: str, services: Any, history: Sequence[tuple[str, str]]) -> Iterator[str | Answer]:
        if question.startswith("xss "):
            yield PAYLOADS[int(question.split()[1])]
            yield answer(question, services, history)
            return
        for token in ("2022年昌平区", "中职学校招生", "1061人。"):
            time.sleep(0.05)
            yield token
        yield fake_answer(question, services, history)

    return replace(base, answer=answer, stream=stream)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = Settings(home=tmp_path_factory.mktemp("home"), api_keys=(KEY,), rate_limit_per_minute=10_000)
    index = FakeIndex(chunk_list=[*FakeIndex().chunk_list, *payload_chunks()])
    with LiveServer(create_app(settings, FakeServices(index=index), engine=xss_engine())) as live:
        yield live


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


def open_widget(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/demo#key={KEY}")
    page.get_by_role("button", name="打开年报问答").click()
    expect(page.get_by_role("dialog")).to_be_visible()


def ask(page: Page, question: str) -> None:
    box = page.get_by_label("输入问题")
    box.fill(question)
    box.press("Enter")


def test_ask_stream_cite_and_open_source(browser: Browser, server: LiveServer) -> None:
    page, watch = watched_page(browser, server.url)
    open_widget(page, server)
    expect(page.get_by_label("输入问题")).to_be_focused()
    ask(page, "2022年昌平区中职学校招生多少人？")
    expect(page.locator(".msg.bot .text").last).to_contain_text("1061")
    cite = page.locator(".cite").first
    expect(cite).to_contain_text("[1]")
    screenshot(page, "widget-fake-answer.png")
    cite.click()
    expect(page.locator(".source mark.num").first).to_have_text("1061")
    expect(page.locator(".source .main")).to_contain_text("招生人数")
    screenshot(page, "widget-fake-source.png")
    page.keyboard.press("Escape")
    expect(page.locator(".source")).to_be_hidden()
    expect(cite).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(page.get_by_role("button", name="打开年报问答")).to_be_focused()
    assert watch.foreign == [] and watch.dialogs == []


def test_phone_width_copy_and_clear(browser: Browser, server: LiveServer) -> None:
    page, _ = watched_page(browser, server.url, width=375, height=740)
    open_widget(page, server)
    box = page.get_by_role("dialog").bounding_box()
    assert box is not None and box["width"] <= 375 and box["x"] >= 0
    ask(page, "2022年昌平区中职学校招生多少人？")
    expect(page.locator(".cite").first).to_be_visible()
    page.get_by_role("button", name="复制回答").click()
    expect(page.get_by_role("status")).to_have_text("已复制回答")
    screenshot(page, "widget-fake-phone.png")
    page.get_by_role("button", name="清空对话").click()
    expect(page.locator(".msg")).to_have_count(0)


def test_xss_payloads_render_as_text(browser: Browser, server: LiveServer) -> None:
    page, watch = watched_page(browser, server.url)
    open_widget(page, server)
    for n, payload in enumerate(PAYLOADS):
        ask(page, f"xss {n}")
        message = page.locator(".msg.bot").last
        expect(message.locator(".cite")).to_have_count(1)
        expect(message.locator(".text")).to_have_text(f"回答：{payload}")
        message.locator(".cite").click()
        expect(page.locator(".source .main")).to_contain_text(payload)
        page.get_by_role("button", name="返回对话").click()
        if n % 10 == 9:
            page.get_by_role("button", name="清空对话").click()
    assert_clean(page, watch)


def assert_clean(page: Page, watch: Watch) -> None:
    """No script ran, no dialog opened, no other origin was asked, no active element was created."""
    assert page.evaluate("window.__xss") == 0
    assert watch.dialogs == []
    assert watch.foreign == []
    active = "script, img, iframe, object, embed, svg, video, audio, a, link, form form"
    active += ", style:not(:first-child)"
    count = page.evaluate(
        "(sel) => document.querySelector('#nianbao-widget').shadowRoot.querySelectorAll(sel).length", active)
    assert count == 0
    assert page.evaluate("document.querySelectorAll('script, img, iframe, object, embed').length") == 2


def test_keyboard_only_use(browser: Browser, server: LiveServer) -> None:
    page, _ = watched_page(browser, server.url)
    page.goto(f"{server.url}/demo#key={KEY}")
    bubble = page.get_by_role("button", name="打开年报问答")
    bubble.focus()
    page.keyboard.press("Enter")
    box = page.get_by_label("输入问题")
    expect(box).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="发送问题")).to_be_focused()
    box.focus()
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("button", name="关闭对话窗口")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("button", name="清空对话")).to_be_focused()
    box.focus()
    page.keyboard.type("2022年昌平区中职学校招生多少人？")
    page.keyboard.press("Enter")
    cite = page.locator(".cite").first
    expect(cite).to_be_visible()
    cite.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="返回对话")).to_be_focused()
    page.keyboard.press("Escape")
    expect(cite).to_be_focused()
    for label in ("对话记录", "引用出处"):
        assert page.get_by_label(label).count() >= 1


def host_page_app(api_url: str, key: str) -> Starlette:
    """An intranet page on another origin that embeds the widget from the API server."""
    page = (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>门户</title></head>'
            f'<body><h1>门户</h1><script src="{api_url}/widget.js" data-api="{api_url}" '
            f'data-key="{key}" data-open="true"></script></body></html>')

    async def home(request: Request) -> HTMLResponse:
        return HTMLResponse(page)

    return Starlette(routes=[Route("/", home)])


@pytest.mark.parametrize("allowed", [True, False])
def test_widget_on_another_origin_needs_cors_allowlist(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory, allowed: bool
) -> None:
    from liveserver import free_port

    host_port = free_port()
    host_origin = f"http://127.0.0.1:{host_port}"
    origins = (host_origin,) if allowed else ("http://elsewhere.example",)
    settings = Settings(home=tmp_path_factory.mktemp("cors"), api_keys=(KEY,), cors_origins=origins)
    api = LiveServer(create_app(settings, FakeServices(), engine=fake_engine()))
    host = LiveServer(host_page_app(api.url, KEY), port=host_port)
    with api, host:
        page, watch = watched_page(browser, host.url, allowed=(api.url,))
        page.goto(host.url)
        ask(page, "2022年昌平区中职学校招生多少人？")
        message = page.locator(".msg.bot").last
        if allowed:
            expect(message.locator(".cite")).to_have_count(1)
        else:
            expect(message).to_have_class(re.compile("error"))
    assert watch.foreign == [] and watch.dialogs == []
