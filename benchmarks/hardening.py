"""Memory and latency under hostile requests, against a real `nianbao serve` on 127.0.0.1 (bounded).

    .venv/bin/python benchmarks/hardening.py history   # 40 asks carrying 20 turns of 100k chars each
    .venv/bin/python benchmarks/hardening.py unauth    # 4 unauthenticated posts declaring 250 MB
    .venv/bin/python benchmarks/hardening.py upload    # 4 clients asking while a 20 MB report uploads,
                                                       # then one new question on the new generation
    --repo DIR runs the server from another checkout (e.g. main, for the figures before a change).

Each prints one JSON line: the server's RSS before and after (MB, after = 2 s after the last
request), its peak, and the timings; upload also the peak RSS of the ingest worker (sampled every
0.5 s, so its last half second may be missed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import select
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
READ, ADMIN = "bench-read", "bench-admin"
QUESTION = "2022年昌平区中职学校招生多少人？"
FIRST_AFTER = "昌平区中职学校专任教师有多少人？"
"""Asked once the upload is in: not in the answer cache, so it reads the new generation."""


def rss_mb(pid: int) -> dict[str, float]:
    """Resident and peak resident memory of ``pid``."""
    status = Path(f"/proc/{pid}/status").read_text()
    field = {line.split(":")[0]: [*line.split(), "0"][1] for line in status.splitlines() if ":" in line}
    return {"rss_mb": int(field["VmRSS"]) / 1024, "peak_mb": int(field["VmHWM"]) / 1024}


def descendants_peak_mb(pid: int) -> float:
    """The largest peak resident memory among ``pid``'s descendants now (the ingest worker and its
    loader child), 0 when there are none."""
    peaks = [0.0]
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in task.read_text().split():
            try:
                peaks += [rss_mb(int(child))["peak_mb"], descendants_peak_mb(int(child))]
            except (FileNotFoundError, ProcessLookupError, KeyError):
                continue  # it ended meanwhile
    return max(peaks)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start(repo: Path, home: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NIANBAO_", "OPENAI_"))}
    env.update(NIANBAO_HOME=str(home), NIANBAO_API_KEYS=f"{READ},{ADMIN}", NIANBAO_ADMIN_KEYS=ADMIN,
               NIANBAO_RATE_LIMIT_PER_MINUTE="0", NIANBAO_MAX_UPLOAD_BYTES=str(21 * 1024 * 1024),
               PYTHONPATH=str(repo))
    log = (home.parent / f"serve-{port}.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "--port", str(port)], cwd=repo,
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with status {process.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    process.kill()
    raise SystemExit("server did not become ready")


def history_flood(url: str) -> dict[str, Any]:
    codes: dict[int, int] = {}
    with httpx.Client(base_url=url, headers={"X-API-Key": READ}, timeout=120) as http:
        for n in range(40):  # every history different, as an attacker's would be
            history = [[f"问{n}-{turn}" + "问" * 100_000, "答" * 100_000] for turn in range(20)]
            code = http.post("/api/ask", json={"question": QUESTION, "history": history}).status_code
            codes[code] = codes.get(code, 0) + 1
    return {"requests": 40, "status": codes}


def unauthenticated(url: str) -> dict[str, Any]:
    """4 posts declaring 250 MB, each sending 1 MB blocks until the server answers (at most 250)."""
    port = int(url.rsplit(":", 1)[1])
    seconds, statuses, sent_mb = [], [], []
    head = (b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 262144000\r\n\r\n")
    for _ in range(4):
        started = time.perf_counter()
        sent = 0
        with socket.create_connection(("127.0.0.1", port), timeout=300) as sock:
            sock.sendall(head)
            while sent < 250 and not select.select([sock], [], [], 0)[0]:
                try:
                    sock.sendall(b"x" * (1 << 20))
                except OSError:
                    break
                sent += 1
            reply = sock.recv(4096)
        seconds.append(round(time.perf_counter() - started, 2))
        statuses.append(reply.split(b" ", 2)[1].decode() if reply else "none")
        sent_mb.append(sent)
    return {"status": statuses, "seconds": seconds, "sent_mb": sent_mb}


def big_report(path: Path, size: int) -> Path:
    text = (REPO / "data" / "reports" / "changping-zhongzhi-2023.txt").read_text(encoding="utf-8")
    body = text.split("\n", 1)[1]
    parts = ["北京市测试区中等职业教育质量年度报告（2023年）\n"]
    n, total = 0, 0
    while total < size:
        chunk = body.replace("昌平", f"测试{n}")
        parts.append(chunk)
        total += len(chunk.encode())
        n += 1
    path.write_bytes("".join(parts).encode()[:size].decode(errors="ignore").encode())
    return path


async def asks_during_upload(url: str, report: Path, server: int) -> dict[str, Any]:
    latencies: list[float] = []
    errors: list[str] = []
    writer_peaks = [0.0]
    done = asyncio.Event()

    async def watch_writer() -> None:
        while not done.is_set():
            writer_peaks.append(descendants_peak_mb(server))
            await asyncio.sleep(0.5)

    async def asker(http: httpx.AsyncClient) -> None:
        while not done.is_set():
            started = time.perf_counter()
            try:
                response = await http.post("/api/ask", json={"question": QUESTION})
            except httpx.HTTPError as exc:
                errors.append(type(exc).__name__)
                continue
            if response.status_code != 200:
                errors.append(f"HTTP {response.status_code}")
            latencies.append((time.perf_counter() - started) * 1000)

    # idle connections are dropped before uvicorn's 5 s keep-alive ends (no POST on a closing socket)
    limits = httpx.Limits(max_connections=8, max_keepalive_connections=8, keepalive_expiry=2.0)
    headers = {"X-API-Key": ADMIN}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=600, limits=limits) as http:
        await http.post("/api/ask", json={"question": QUESTION})
        askers = [asyncio.create_task(asker(http)) for _ in range(4)]
        askers.append(asyncio.create_task(watch_writer()))
        started = time.perf_counter()
        files = {"file": (report.name, report.read_bytes(), "text/plain")}
        upload = await http.post("/api/documents", files=files)
        upload_s = time.perf_counter() - started
        done.set()
        await asyncio.gather(*askers)
        started = time.perf_counter()
        first = await http.post("/api/ask", json={"question": FIRST_AFTER})
        first_ms = (time.perf_counter() - started) * 1000
    ordered = sorted(latencies)
    return {"upload_status": upload.status_code, "upload_s": round(upload_s, 1), "asks": len(ordered),
            "errors": errors, "writer_peak_mb": round(max(writer_peaks)),
            "first_after_status": first.status_code, "first_after_ms": round(first_ms, 1),
            "ask_p50_ms": round(statistics.median(ordered), 1),
            "ask_p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
            "ask_max_ms": round(ordered[-1], 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", choices=("history", "unauth", "upload"))
    parser.add_argument("--repo", type=Path, default=REPO, help="checkout whose server to run")
    parser.add_argument("--home", type=Path, help="an index home to copy (skips the first ingest)")
    parser.add_argument("--upload-mb", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nianbao-hardening-") as tmp:
        home = Path(tmp) / "home"
        if args.home:
            skip = shutil.ignore_patterns("*.lock", "uploads", "staging", "corpus.json")
            shutil.copytree(args.home, home, ignore=skip)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = start(args.repo.resolve(), home, port)
        try:
            warm = {"question": QUESTION}
            httpx.post(f"{url}/api/ask", json=warm, headers={"X-API-Key": READ}, timeout=120)
            before = rss_mb(server.pid)
            if args.scenario == "history":
                result = history_flood(url)
            elif args.scenario == "unauth":
                result = unauthenticated(url)
            else:
                report = big_report(Path(tmp) / "big-test-2023.txt", int(args.upload_mb * 1e6))
                result = asyncio.run(asks_during_upload(url, report, server.pid))
            time.sleep(2)
            after = rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=60)
    print(json.dumps({"scenario": args.scenario, "repo": str(args.repo), **result,
                      "rss_before_mb": round(before["rss_mb"]), "rss_after_mb": round(after["rss_mb"]),
                      "peak_mb": round(after["peak_mb"])}, ensure_ascii=False))


if __name__ == "__main__":
    main()
