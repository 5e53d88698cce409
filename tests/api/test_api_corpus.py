"""One corpus state on real components (a real index in a temp home, a live server): bundled
reports protected, refused uploads leave nothing, deletes remove every name, and a re-index and
``nianbao ingest --rebuild`` rebuild exactly the recorded set."""

from __future__ import annotations

import argparse
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from liveserver import LiveServer

from api.app import create_app
from cli import ingest as ingest_cli
from ingestion import corpus
from ingestion.pipeline import ingest
from rag.index import generations, open_index
from rag.services import build_services
from rag.settings import BUNDLED_REPORTS, Settings

pytestmark = pytest.mark.integration
READ, ADMIN = "read-key", "admin-key"
REPORTS = ("changping-zhongzhi-2023.txt", "chaoyang-zhongzhi-2022.txt")
FAKE = "北京市昌平区中等职业教育质量年度报告（2023年）\n一、招生\n2022年昌平区中职学校招生 9999 人。\n"
HAIDIAN = ("北京市海淀区测试职业教育质量年度报告（2023）\n一、基本情况\n"
           "2022年海淀区测试学校共有专任教师 777 人。\n")


@dataclass
class Live:
    settings: Settings
    admin: httpx.Client
    read: httpx.Client

    def files(self) -> set[str]:
        return {d["file"] for d in self.read.get("/api/documents").json()}

    def leftovers(self) -> list[str]:
        home = self.settings.home
        folders = [home / name for name in ("uploads", "staging") if (home / name).is_dir()]
        return sorted(str(p.relative_to(home)) for f in folders for p in f.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("corpus")
    (root / "reports").mkdir()
    for name in REPORTS:
        shutil.copyfile(BUNDLED_REPORTS / name, root / "reports" / name)
    settings = Settings(home=root / "home", reports_dir=root / "reports", api_keys=(READ,),
                        admin_keys=(ADMIN,), rate_limit_per_minute=10_000)
    index = open_index(settings)
    try:
        assert ingest([settings.reports_dir], index).ok
    finally:
        index.close()
    return settings


@pytest.fixture
def live(template: Settings, tmp_path: Path) -> Iterator[Live]:
    home = tmp_path / "home"
    shutil.copytree(template.home, home, ignore=shutil.ignore_patterns("*.lock"))
    settings = Settings(home=home, reports_dir=template.reports_dir, api_keys=(READ,), admin_keys=(ADMIN,),
                        rate_limit_per_minute=10_000)
    services = build_services(settings)
    try:
        with LiveServer(create_app(settings, services)) as server, \
                httpx.Client(base_url=server.url, headers={"X-API-Key": ADMIN}, timeout=120) as admin, \
                httpx.Client(base_url=server.url, headers={"X-API-Key": READ}, timeout=120) as read:
            yield Live(settings, admin, read)
    finally:
        services.index.close()


def upload(client: httpx.Client, name: str, text: str | bytes, **params: str) -> httpx.Response:
    data = text.encode() if isinstance(text, str) else text
    return client.post("/api/documents", files={"file": (name, data, "text/plain")}, params=params)


def reindex(client: httpx.Client) -> dict[str, object]:
    assert client.post("/api/documents/reindex").status_code == 202
    deadline = time.monotonic() + 300
    while (status := client.get("/api/documents/reindex").json())["running"]:
        assert time.monotonic() < deadline, "re-index did not finish"
        time.sleep(0.2)
    last: dict[str, object] = status["last"]
    return last


def test_bundled_reports_are_not_replaced_or_shadowed_unless_asked(live: Live) -> None:
    before = live.files()
    assert upload(live.admin, REPORTS[0], FAKE).json()["error"]["code"] == "bundled_report"
    assert upload(live.admin, "CHANGPING-zhongzhi-2023.md", FAKE).status_code == 409
    same_bytes = (BUNDLED_REPORTS / REPORTS[1]).read_bytes()
    assert upload(live.admin, "copy-of-chaoyang.txt", same_bytes).json()["error"]["code"] == "bundled_report"
    assert upload(live.read, "haidian.txt", HAIDIAN).status_code == 403
    assert live.files() == before and live.leftovers() == []

    replaced = upload(live.admin, REPORTS[0], FAKE, replace="true")
    assert replaced.status_code == 201, replaced.text
    listed = {d["file"]: d["origin"] for d in live.read.get("/api/documents").json()}
    assert listed == {REPORTS[0]: "uploaded", REPORTS[1]: "bundled"}


def test_a_refused_upload_leaves_nothing_behind(live: Live) -> None:
    with corpus.CorpusLock(live.settings):
        assert upload(live.admin, "haidian.txt", HAIDIAN).json()["error"]["code"] == "index_locked"
    writer = generations.WriteLock(generations.Layout(live.settings.home))
    writer.acquire()  # as `nianbao ingest` in another process would
    try:
        assert upload(live.admin, "haidian.txt", HAIDIAN).json()["error"]["code"] == "index_locked"
        assert live.admin.post("/api/documents/reindex").json()["error"]["code"] == "index_locked"
    finally:
        writer.release()
    pdf = {"file": ("broken.pdf", b"%PDF-1.7\n junk", "application/pdf")}
    broken = live.admin.post("/api/documents", files=pdf)
    assert broken.status_code == 422
    assert live.leftovers() == [] and "haidian.txt" not in live.files()
    assert corpus.load(live.settings).uploads == {}


def test_deleted_documents_never_come_back_and_rebuilds_agree(live: Live) -> None:
    first = upload(live.admin, "haidian-a.txt", HAIDIAN).json()["document"]
    assert upload(live.admin, "haidian-b.txt", HAIDIAN).status_code == 201
    assert upload(live.admin, "kept.txt", HAIDIAN.replace("777", "778")).status_code == 201
    assert live.admin.delete(f"/api/documents/{first['doc_id']}").status_code == 204
    bundled = next(d for d in live.read.get("/api/documents").json() if d["file"] == REPORTS[1])
    assert live.admin.delete(f"/api/documents/{bundled['doc_id']}").status_code == 204
    assert live.leftovers() == ["uploads/kept.txt"]
    expected = {REPORTS[0], "kept.txt"}
    assert live.files() == expected

    assert reindex(live.admin)["ok"] is True
    assert live.files() == expected
    args = argparse.Namespace(paths=[], rebuild=True)
    assert ingest_cli.run(args, live.settings) == 0
    assert live.files() == expected


def test_concurrent_same_name_uploads_tell_the_truth(live: Live) -> None:
    texts = [HAIDIAN.replace("777", str(n)) for n in (701, 702)]
    replies: list[httpx.Response] = []
    barrier = threading.Barrier(2)

    def send(text: str) -> None:
        barrier.wait()
        replies.append(upload(live.admin, "same.txt", text))

    threads = [threading.Thread(target=send, args=(t,)) for t in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert sorted(r.status_code for r in replies) in ([201, 201], [201, 409])
    told = [r.json()["document"]["doc_id"] for r in replies if r.status_code == 201]
    indexed = next(d for d in live.read.get("/api/documents").json() if d["file"] == "same.txt")
    assert indexed["doc_id"] == told[-1] or (len(told) == 2 and indexed["doc_id"] in told)
    stored = corpus.sha256_of(live.settings.home / "uploads" / "same.txt")
    assert stored.startswith(indexed["doc_id"]) and live.leftovers() == ["uploads/same.txt"]
