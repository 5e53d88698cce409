"""A passage answer in the widget (headless Chromium, real components): grouped under section
headings, each sentence with its own clickable citation that opens the highlighted source."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browsing import ARTIFACTS, chromium, panel_png, side_by_side, watched_page
from corpora import ingested
from liveserver import LiveServer
from playwright.sync_api import Page, expect

from api.app import create_app
from rag.settings import BUNDLED_REPORTS, Settings

pytestmark = [pytest.mark.browser, pytest.mark.integration]
KEY = "passage-key"
REPORT = "changping-zhongzhi-2023.txt"
QUESTION = "昌平区中职学校是怎么开展校企合作的？"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    home = tmp_path_factory.mktemp("passages") / "home"
    settings = Settings(home=home, api_keys=(KEY,), rate_limit_per_minute=10_000)
    with ingested(settings, BUNDLED_REPORTS / REPORT) as services, \
            LiveServer(create_app(settings, services)) as live:
        yield live


def test_passage_answer_is_grouped_and_every_sentence_cites(
    browser_page: tuple[Page, LiveServer]
) -> None:
    page, _ = browser_page
    groups = page.locator(".msg.bot .group")
    expect(groups.first.locator("h4")).to_have_text("校企合作开展情况和效果")
    report = "北京市昌平区中等职业教育质量年度报告（2023）"
    expect(page.locator(".msg.bot .text").last).to_contain_text(report)
    cites = page.locator(".msg.bot .group .cite.inline")
    assert 3 <= cites.count() <= 6
    expect(groups.first.locator("li").first).to_contain_text("产教融合")
    answer_view = panel_png(page)
    cites.nth(1).click()
    expect(page.locator(".source mark").first).to_be_visible()
    expect(page.locator(".source .meta")).to_contain_text("4.1 校企合作开展情况和效果")
    side_by_side([answer_view, panel_png(page)], ARTIFACTS / "widget-passages.png")


@pytest.fixture
def browser_page(server: LiveServer) -> Iterator[tuple[Page, LiveServer]]:
    with chromium() as browser:
        page, watch = watched_page(browser, server.url, width=1100, height=900)
        ask(page, server, QUESTION)
        expect(page.locator(".msg.bot .group")).not_to_have_count(0, timeout=30_000)
        yield page, server
        assert watch.foreign == [] and watch.dialogs == []


def ask(page: Page, server: LiveServer, question: str) -> None:
    page.goto(f"{server.url}/demo#key={KEY}")
    page.get_by_role("button", name="打开年报问答").click()
    box = page.get_by_label("输入问题")
    box.fill(question)
    box.press("Enter")
