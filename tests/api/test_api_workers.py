"""`nianbao serve --workers 2` as a user starts it: every worker answers from the current index
generation and follows a re-index done by a worker or by the CLI; one writer across all of them.
Run with the embedded Chroma folder and with a real `chroma run` server (NIANBAO_CHROMA_URL)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from chromaserver import ChromaServer
from liveserver import free_port

from rag.index.generations import Layout, WriteLock
from rag.settings import BUNDLED_REPORTS

pytestmark = [pytest.mark.integration, pytest.mark.slow]
REPO = Path(__file__).resolve().parent.parent.parent
AUTH = {"Authorization": "Bearer k1"}
CHANGPING = ("2022年昌平区中职学校招生多少人？", "1061")
DONGCHENG = ("2024年东城区中职学校在校生总共有多少人？", "783")
CHAOYANG = ("朝阳区2022年度中职质量报告里，专任教师中研究生及以上学历的有多少人？", "140")


@pytest.fixture(params=["embedded", "server"])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, dict[str, str], Path]]:
    """(url, environment, log) of a started `nianbao serve --workers 2` on the 昌平 report."""
    reports = tmp_path / "reports"
    reports.mkdir()
    shutil.copyfile(BUNDLED_REPORTS / "changping-zhongzhi-2023.txt", reports / "changping-zhongzhi-2023.txt")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NIANBAO_", "OPENAI_"))}
    env.update(NIANBAO_HOME=str(tmp_path / "home"), NIANBAO_REPORTS_DIR=str(reports), NIANBAO_API_KEYS="k1",
               NIANBAO_ANSWER_CACHE_SIZE="0")
    if request.param == "server":
        server: ChromaServer = request.getfixturevalue("chroma_server")
        env["NIANBAO_CHROMA_URL"] = server.url
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--workers", "2"],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while len(_workers(log)) < 2 or not _ready(url):
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        yield url, env, log
    finally:
        process.terminate()
        process.wait(timeout=60)


def test_every_worker_follows_each_new_generation_and_writers_are_exclusive(
    served: tuple[str, dict[str, str], Path], tmp_path: Path
) -> None:
    url, env, log = served
    assert len(_workers(log)) == 2
    _all_answer(url, *CHANGPING)

    # a re-index by one worker (an upload) is seen by all of them
    with (BUNDLED_REPORTS / "dongcheng-zhongzhi-2024.txt").open("rb") as handle:
        files = {"file": ("dongcheng-zhongzhi-2024.txt", handle, "text/plain")}
        assert httpx.post(f"{url}/api/documents", files=files, headers=AUTH, timeout=300).status_code == 201
    _all_answer(url, *DONGCHENG)

    # and so is one by the CLI in another process
    extra = tmp_path / "chaoyang-zhongzhi-2022.txt"
    shutil.copyfile(BUNDLED_REPORTS / "chaoyang-zhongzhi-2022.txt", extra)
    cli = subprocess.run([sys.executable, "-m", "cli.main", "ingest", str(extra)], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=300)
    assert cli.returncode == 0, cli.stderr
    _all_answer(url, *CHAOYANG)
    _all_answer(url, *CHANGPING)

    # while someone else holds the writer lock, no worker writes
    lock = WriteLock(Layout(Path(env["NIANBAO_HOME"])))
    lock.acquire()
    try:
        with (BUNDLED_REPORTS / "beijing-zhongzhi-2020.txt").open("rb") as handle:
            files = {"file": ("beijing-zhongzhi-2020.txt", handle, "text/plain")}
            refused = httpx.post(f"{url}/api/documents", files=files, headers=AUTH, timeout=60)
    finally:
        lock.release()
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "index_locked"


def _all_answer(url: str, question: str, expected: str) -> None:
    """Enough requests on fresh connections that both workers answer; each answer has the figure."""
    for _ in range(12):
        with httpx.Client(timeout=120) as client:
            body = client.post(f"{url}/api/ask", json={"question": question}, headers=AUTH).json()
        assert expected in body["answer"] and body["citations"], body


def _workers(log: Path) -> set[str]:
    return set(re.findall(r"Started server process \[(\d+)\]", log.read_text(errors="replace")))


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
