"""The admin page in headless Chromium on real components: a temp home with two bundled reports, a
live server; upload (with progress, and the loader's message on failure), the audit view and its
cited passages, delete and re-index, with markup in an uploaded report rendered as text."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from browsing import ARTIFACTS, chromium, watched_page
from corpora import copy_reports, ingested
from liveserver import LiveServer
from PIL import Image
from playwright.sync_api import Browser, Locator, Page, expect
from xss_payloads import PAYLOADS

from api.app import create_app
from rag.services import Services
from rag.settings import BUNDLED_REPORTS, Settings

pytestmark = [pytest.mark.browser, pytest.mark.integration]
KEY = "admin-key"
CHAOYANG = "chaoyang-zhongzhi-2022.txt"
CHANGPING = "changping-zhongzhi-2023.txt"
UPLOADED = "chaoyang-marked-2022.txt"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    root = tmp_path_factory.mktemp("admin")
    settings = Settings(
        home=root / "home", reports_dir=copy_reports(root / "reports", (CHAOYANG, CHANGPING)),
        api_keys=(KEY,), admin_keys=(KEY,), rate_limit_per_minute=10_000,
    )
    with ingested(settings) as built:
        yield built


@pytest.fixture(scope="module")
def server(services: Services) -> Iterator[LiveServer]:
    with LiveServer(create_app(services.settings, services)) as live:
        yield live


def marked_report(folder: Path) -> Path:
    """The 朝阳 report (other content hash) with markup payloads just before a contradicted figure."""
    text = (BUNDLED_REPORTS / CHAOYANG).read_text(encoding="utf-8")
    path = folder / UPLOADED
    marked = text.replace("经过共同的努力，", "经过共同的努力" + PAYLOADS[1] + PAYLOADS[0] + "，")
    path.write_text(marked, encoding="utf-8")
    return path


def open_admin(browser: Browser, server: LiveServer) -> tuple[Page, list[str], list[str]]:
    page, watch = watched_page(browser, server.url, width=1400, height=900)
    page.goto(f"{server.url}/admin#key={KEY}")
    expect(page.locator("#docs tr[data-doc]")).to_have_count(2, timeout=30_000)
    return page, watch.foreign, watch.dialogs


def row(page: Page, file: str) -> Locator:
    return page.locator("#docs tr[data-doc]", has_text=file)


def test_the_list_shows_origin_region_years_and_counts(browser: Browser, server: LiveServer) -> None:
    page, foreign, dialogs = open_admin(browser, server)
    cells = row(page, CHAOYANG).locator("td")
    shown = [cells.nth(i).inner_text() for i in range(8)]
    assert shown[:4] == [CHAOYANG, "内置", "朝阳区", "2021 / 2022"] and shown[7] == "2"
    assert all(int(cells.nth(i).inner_text()) > 0 for i in range(4, 7))
    assert foreign == [] and dialogs == []


def test_upload_audit_view_passage_and_delete(
    browser: Browser, server: LiveServer, services: Services, tmp_path: Path
) -> None:
    page, foreign, dialogs = open_admin(browser, server)
    page.set_input_files("#file", str(marked_report(tmp_path)))
    page.click("#upload")
    expect(page.locator("#status")).to_contain_text(f"已导入：{UPLOADED}", timeout=60_000)
    expect(row(page, UPLOADED).locator("td").nth(1)).to_have_text("上传")

    row(page, UPLOADED).locator("button[data-action=audit]").click()
    findings = page.locator("ol.findings > li")
    expect(findings).to_have_count(2, timeout=30_000)
    expect(findings.nth(1)).to_contain_text("正文为 1653人，表1为 873 + 490 = 1363")
    cite = findings.nth(1).locator("button.cite").first
    expect(cite).to_contain_text("xss=1</script>，2020年")
    cite.click()
    expect(page.locator("#passage mark.num").first).to_have_text("1653", timeout=30_000)
    expect(page.locator("#passage pre[data-cited]")).to_contain_text(PAYLOADS[0])
    save_screenshot(page)

    row(page, UPLOADED).locator("button[data-action=delete]").click()
    expect(page.locator("#status")).to_contain_text(f"已删除：{UPLOADED}", timeout=30_000)
    expect(page.locator("#docs tr[data-doc]")).to_have_count(2)
    assert not (services.settings.home / "uploads" / UPLOADED).exists()
    assert page.evaluate("window.__xss") == 0
    assert page.locator("#audit img, #audit script, #passage img, #passage script").count() == 0
    assert foreign == [] and dialogs == []


def test_a_failed_upload_shows_the_loaders_message(
    browser: Browser, server: LiveServer, tmp_path: Path
) -> None:
    page, _, _ = open_admin(browser, server)
    empty = tmp_path / "empty-report.txt"
    empty.write_text("\n\n   \n", encoding="utf-8")
    page.set_input_files("#file", str(empty))
    page.click("#upload")
    expect(page.locator("#status.error")).to_contain_text(
        "上传失败：empty-report.txt：文件为空", timeout=30_000
    )
    expect(page.locator("#docs tr[data-doc]")).to_have_count(2)


def test_reindex_reports_its_status(browser: Browser, server: LiveServer) -> None:
    page, _, _ = open_admin(browser, server)
    page.click("#reindex")
    expect(page.locator("#status")).to_contain_text("重建索引完成：2 份报告", timeout=240_000)
    expect(page.locator("#reindex")).to_be_enabled()
    expect(page.locator("#docs tr[data-doc]")).to_have_count(2)


def save_screenshot(page: Page) -> None:
    """test-artifacts/admin.png (docs/admin.png is a copy): the list, an audit and a cited passage."""
    ARTIFACTS.mkdir(exist_ok=True)
    image = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    image.quantize(colors=64).save(ARTIFACTS / "admin.png", optimize=True)
