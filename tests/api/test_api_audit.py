"""``GET /api/documents/{id}/audit`` and ``GET /api/admin/documents`` on real components: two bundled
reports ingested into a temp home (one as an upload), a live server."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from corpora import copy_reports, ingested
from liveserver import LiveServer

from api.app import create_app
from rag.services import Services
from rag.settings import Settings

pytestmark = pytest.mark.integration
KEY = "audit-key"
CHAOYANG = "chaoyang-zhongzhi-2022.txt"
CHANGPING = "changping-zhongzhi-2023.txt"


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    root = tmp_path_factory.mktemp("audit")
    reports = copy_reports(root / "reports", [CHAOYANG])
    uploads = copy_reports(root / "home" / "uploads", [CHANGPING])
    settings = Settings(
        home=root / "home", reports_dir=reports, api_keys=(KEY,), admin_keys=(KEY,),
        rate_limit_per_minute=10_000,
    )
    with ingested(settings, reports, uploads) as built:
        yield built


@pytest.fixture(scope="module")
def http(services: Services) -> Iterator[httpx.Client]:
    with (
        LiveServer(create_app(services.settings, services)) as live,
        httpx.Client(base_url=live.url, headers={"Authorization": f"Bearer {KEY}"}, timeout=60) as client,
    ):
        yield client


def doc_id(http: httpx.Client, file: str) -> str:
    docs = http.get("/api/documents").json()
    return str(next(d["doc_id"] for d in docs if d["file"] == file))


def test_the_audit_gives_each_finding_both_citations_and_its_difference(http: httpx.Client) -> None:
    response = http.get(f"/api/documents/{doc_id(http, CHAOYANG)}/audit")
    assert response.status_code == 200
    findings = response.json()["findings"]
    assert [(f["kind"], f["first"]["line"], f["second"]["line"], f["difference"]) for f in findings] == [
        ("text_vs_table", 73, 69, 1.0),
        ("text_vs_table", 103, 32, -290.0),
    ]
    assert findings[1]["second"]["raw"] == "873 + 490 = 1363" and "1653" in findings[1]["first"]["quote"]


def test_a_cited_line_opens_with_the_passages_endpoint(http: httpx.Client) -> None:
    doc = doc_id(http, CHAOYANG)
    first = http.get(f"/api/documents/{doc}/audit").json()["findings"][1]["first"]
    passage = http.get(f"/api/documents/{first['doc_id']}/passages/{first['line']}").json()
    assert "1653" in passage["passage"]["text"]


def test_the_admin_list_says_where_each_file_lives_with_its_counts_and_findings(http: httpx.Client) -> None:
    rows = {r["document"]["file"]: r for r in http.get("/api/admin/documents").json()}
    assert (rows[CHAOYANG]["origin"], rows[CHANGPING]["origin"]) == ("bundled", "uploaded")
    assert (rows[CHAOYANG]["findings"], rows[CHANGPING]["findings"]) == (2, 2)
    assert all(r["tables"] > 0 and r["facts"] > 0 and r["chunks"] > 0 for r in rows.values())


def test_the_audit_needs_a_key_and_an_indexed_report(http: httpx.Client) -> None:
    doc = doc_id(http, CHAOYANG)
    assert httpx.get(f"{str(http.base_url).rstrip('/')}/api/documents/{doc}/audit").status_code == 401
    assert httpx.get(f"{str(http.base_url).rstrip('/')}/api/admin/documents").status_code == 401
    missing = http.get("/api/documents/nope/audit")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_the_admin_page_and_script_are_served_without_external_resources(http: httpx.Client) -> None:
    page, script = http.get("/admin"), http.get("/admin.js")
    assert page.status_code == 200 and "/admin.js" in page.text
    assert script.status_code == 200 and "innerHTML" not in script.text
    assert "http://" not in page.text + script.text and "https://" not in page.text + script.text
