"""`nianbao serve` as a user starts it: a subprocess that ingests the reports on first start."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from liveserver import free_port

from rag.settings import BUNDLED_REPORTS

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parent.parent.parent


def test_serve_ingests_on_first_start_and_answers(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    shutil.copyfile(BUNDLED_REPORTS / "changping-zhongzhi-2023.txt", reports / "changping-zhongzhi-2023.txt")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NIANBAO_", "OPENAI_"))}
    env.update(NIANBAO_HOME=str(tmp_path / "home"), NIANBAO_REPORTS_DIR=str(reports), NIANBAO_API_KEYS="k1")
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "--port", str(port)],
                                  cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 240
        while not _ready(url):
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        answer = httpx.post(f"{url}/api/ask", json={"question": "2022年昌平区中职学校招生多少人？"},
                            headers={"X-API-Key": "k1"}, timeout=60).json()
        assert "1061" in answer["answer"] and answer["citations"]
        assert httpx.get(f"{url}/livez").json() == {"status": "ok"}
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = log.read_text()
    assert "索引为空：正在导入" in text and "[1/1] changping-zhongzhi-2023.txt" in text
    assert text.index("Uvicorn running on") < text.index(f"服务已启动：http://127.0.0.1:{port}")
    assert "DEBUG" not in text


def test_serve_on_a_taken_port_says_so_and_never_says_serving(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NIANBAO_", "OPENAI_"))}
    env.update(NIANBAO_HOME=str(tmp_path / "home"), NIANBAO_REPORTS_DIR=str(tmp_path), NIANBAO_API_KEYS="k1")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "cli.main", "serve", "--no-ingest", "--port", str(port)],
                              cwd=REPO, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 1
    assert f"nianbao: 无法在 127.0.0.1:{port} 上监听" in done.stderr
    assert "服务已启动" not in done.stderr and "Traceback" not in done.stderr


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
