"""The widget in headless Chromium on real components: bundled reports ingested into a temp home,
a live server, and reports / file names / LLM replies that carry markup and script payloads."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from browsing import ARTIFACTS, chromium, panel_png, screenshot, side_by_side, watched_page
from fake_openai import FakeOpenAI, json_reply
from liveserver import LiveServer
from playwright.sync_api import Browser, Page, expect
from xss_payloads import PAYLOADS

from api.app import create_app
from ingestion.pipeline import ingest
from rag.services import Services, build_services
from rag.settings import BUNDLED_REPORTS, Settings

pytestmark = [pytest.mark.browser, pytest.mark.integration]
KEY = "widget-key"
QUESTION = "2022年昌平区中职学校招生多少人？"
CHANGPING = "changping-zhongzhi-2023.txt"
HOSTILE_NAME = "changping-zhongzhi-2023-<img src=x onerror=alert(1)><script>window.__xss=1<\\script>.txt"


def serve_reports(home: Path, files: list[Path], **overrides: Any) -> tuple[Services, Settings]:
    settings = Settings(home=home, api_keys=(KEY,), rate_limit_per_minute=10_000, **overrides)
    services = build_services(settings)
    report = ingest(files, services.index)
    assert report.ok, report.failed
    return services, settings


def hostile_report(folder: Path) -> Path:
    """The 昌平 report with payloads in its prose, a table title and its file name.

    (A payload in the title of table 1-1 itself stops the parser recognising that table, so it goes
    in the title of table 1-3; the answer to QUESTION cites table 1-1, shown beside that prose.)
    """
    lines = (BUNDLED_REPORTS / CHANGPING).read_text(encoding="utf-8").splitlines()
    out = []
    for line in lines:
        if line.startswith("表 1-3 "):
            line = f"{line}{PAYLOADS[1]}{PAYLOADS[0]}"
        elif line.startswith("从学生总体规模来看"):
            line = "".join(PAYLOADS[:12]) + line
        out.append(line)
    path = folder / HOSTILE_NAME
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def clean_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    files = [BUNDLED_REPORTS / CHANGPING, BUNDLED_REPORTS / "chaoyang-zhongzhi-2022.txt"]
    services, settings = serve_reports(tmp_path_factory.mktemp("clean") / "home", files)
    with LiveServer(create_app(settings, services)) as live:
        yield live
    services.index.close()


@pytest.fixture(scope="module")
def hostile_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    folder = tmp_path_factory.mktemp("hostile")
    services, _ = serve_reports(folder / "home", [hostile_report(folder)])
    yield services
    services.index.close()


def open_and_ask(page: Page, server: LiveServer, question: str) -> None:
    page.goto(f"{server.url}/demo#key={KEY}")
    page.get_by_role("button", name="打开年报问答").click()
    box = page.get_by_label("输入问题")
    box.fill(question)
    box.press("Enter")


def test_widget_answers_from_real_reports(browser: Browser, clean_server: LiveServer) -> None:
    page, watch = watched_page(browser, clean_server.url, width=1100, height=760)
    open_and_ask(page, clean_server, QUESTION)
    expect(page.locator(".msg.bot .text").last).to_contain_text("1061", timeout=30_000)
    expect(page.locator(".cite").first).to_contain_text(CHANGPING)
    screenshot(page, "widget-real-answer.png")
    answer_view = panel_png(page)
    page.locator(".cite").first.click()
    expect(page.locator(".source mark.num").first).to_have_text("1061")
    screenshot(page, "widget-real-source.png")
    side_by_side([answer_view, panel_png(page)], ARTIFACTS / "widget-readme.png")
    assert watch.foreign == [] and watch.dialogs == []


def test_follow_up_in_widget(browser: Browser, clean_server: LiveServer) -> None:
    page, _ = watched_page(browser, clean_server.url, width=375, height=740)
    open_and_ask(page, clean_server, QUESTION)
    expect(page.locator(".msg.bot .cite")).not_to_have_count(0, timeout=30_000)
    box = page.get_by_label("输入问题")
    box.fill("那朝阳区呢？")
    box.press("Enter")
    expect(page.locator(".msg.bot")).to_have_count(2)
    expect(page.locator(".msg.bot").last.locator(".text")).not_to_have_text("正在查找…", timeout=30_000)
    screenshot(page, "widget-real-phone-follow-up.png")


def test_document_payloads_render_as_text(browser: Browser, hostile_services: Services) -> None:
    with LiveServer(create_app(hostile_services.settings, hostile_services)) as live:
        page, watch = watched_page(browser, live.url)
        open_and_ask(page, live, QUESTION)
        cites = page.locator(".msg.bot .cite")
        expect(cites).not_to_have_count(0, timeout=30_000)
        expect(cites.first).to_contain_text("<img src=x onerror=alert(1)>")
        shown = []
        for n in range(cites.count()):
            cites.nth(n).click()
            expect(page.locator(".source .main")).to_be_visible()
            shown.append(page.locator(".source .body").inner_text())
            screenshot(page, f"widget-real-hostile-source-{n + 1}.png")
            page.get_by_role("button", name="返回对话").click()
        assert any("<script>window.__xss=1</script>" in text for text in shown)
        assert_clean(page, watch.foreign, watch.dialogs)


def test_llm_output_payloads_render_as_text(
    browser: Browser, hostile_services: Services, fake_openai: FakeOpenAI
) -> None:
    payload = "".join(PAYLOADS[:20])
    fake_openai.default = json_reply(
        {"answer": f"{payload} 2022年昌平区中职学校招生1061人[1]。", "value": 1061, "unit": "人",
         "citations": [1], "refused": False})
    settings = fake_openai.llm_settings(replace(hostile_services.settings))
    llm_services = build_services(settings)
    try:
        with LiveServer(create_app(settings, llm_services)) as live:
            page, watch = watched_page(browser, live.url)
            open_and_ask(page, live, QUESTION)
            expect(page.locator(".msg.bot .text").last).not_to_have_text("正在查找…", timeout=30_000)
            page.wait_for_timeout(500)
            screenshot(page, "widget-real-llm-payload.png")
            assert_clean(page, watch.foreign, watch.dialogs)
        assert fake_openai.chat_requests(), "the LLM was not called"
    finally:
        llm_services.index.close()


def assert_clean(page: Page, foreign: list[str], dialogs: list[str]) -> None:
    assert page.evaluate("window.__xss") == 0
    assert dialogs == [] and foreign == []
    active = "script, img, iframe, object, embed, svg, video, audio, a, link"
    count = page.evaluate(
        "(sel) => document.querySelector('#nianbao-widget').shadowRoot.querySelectorAll(sel).length", active)
    assert count == 0
