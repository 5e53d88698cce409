"""Load test of ``POST /api/ask`` on loopback: requests/s and latency percentiles, extractive mode.

    .venv/bin/python benchmarks/load.py                      # start a server on a temp home, 16 clients
    .venv/bin/python benchmarks/load.py --url http://127.0.0.1:8000 --key KEY
    .venv/bin/python benchmarks/load.py --soak               # 60 s while a full re-index runs; every
                                                             # citation is fetched back from the server
    .venv/bin/python benchmarks/load.py --no-cache --workers 1 2   # one line per `serve --workers N`

Bounded: at most ``--requests`` requests and ``--seconds`` seconds; only 127.0.0.1/localhost URLs.
Exit status 1 when any request failed or p95 is over ``--target-p95-ms``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = REPO / "evals" / "dev-questions.jsonl"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    resolved: int = 0

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


def questions() -> list[str]:
    """The dev questions, in file order."""
    lines = QUESTIONS.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


async def client(
    n: int, http: httpx.AsyncClient, qs: list[str], tally: Tally, budget: list[int], stop_at: float,
    *, resolve: bool,
) -> None:
    """One client asking questions back to back until the shared budget or the time runs out."""
    turn = n
    while budget[0] > 0 and time.monotonic() < stop_at:
        budget[0] -= 1
        question = qs[turn % len(qs)]
        turn += 16
        started = time.perf_counter()
        try:
            response = await http.post("/api/ask", json={"question": question})
        except httpx.HTTPError as exc:
            tally.error(type(exc).__name__)
            continue
        tally.latencies_ms.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200 or "citations" not in response.json():
            tally.error(f"HTTP {response.status_code}")
        elif resolve:
            await resolve_citations(http, response.json()["citations"], tally)


async def resolve_citations(http: httpx.AsyncClient, citations: list[dict[str, Any]], tally: Tally) -> None:
    """Fetch each cited passage back; count the ones that do not resolve."""
    for c in citations:
        try:
            passage = await http.get(f"/api/documents/{c['doc_id']}/passages/{c['chunk_id']}")
        except httpx.HTTPError as exc:
            tally.error(f"citation {type(exc).__name__}")
            continue
        tally.resolved += 1
        if passage.status_code != 200:
            tally.error(f"citation HTTP {passage.status_code}")


async def run_load(
    url: str, key: str, *, concurrency: int, requests: int, seconds: float, soak: bool = False
) -> dict[str, Any]:
    """Figures of one bounded load run against ``url``."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    tally, budget, qs = Tally(), [requests], questions()
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30.0, limits=limits) as http:
        await http.post("/api/ask", json={"question": qs[0]})  # warm-up (first query loads jieba etc.)
        if soak:
            (await http.post("/api/documents/reindex")).raise_for_status()
        started = time.perf_counter()
        stop_at = time.monotonic() + seconds
        await asyncio.gather(*(client(n, http, qs, tally, budget, stop_at, resolve=soak)
                               for n in range(concurrency)))
        elapsed = time.perf_counter() - started
        reindex = (await http.get("/api/documents/reindex")).json() if soak else None
    lat = sorted(tally.latencies_ms)
    done = len(lat)
    return {
        "concurrency": concurrency, "requests": done, "errors": sum(tally.errors.values()),
        "seconds": round(elapsed, 2), "requests_per_s": round(done / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(statistics.median(lat), 1) if lat else 0.0,
        "p95_ms": round(lat[min(int(0.95 * done), done - 1)], 1) if lat else 0.0,
        "max_ms": round(lat[-1], 1) if lat else 0.0,
        "error_kinds": tally.errors,
        **({"citations_resolved": tally.resolved, "reindex": reindex} if soak else {}),
    }


def start_server(home: Path, port: int, *, cache: bool, workers: int = 1) -> subprocess.Popen[bytes]:
    """``nianbao serve --workers N`` on 127.0.0.1:port with no LLM (extractive mode) and no API keys."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NIANBAO_", "OPENAI_"))}
    env.update(NIANBAO_HOME=str(home), NIANBAO_RATE_LIMIT_PER_MINUTE="0")
    if not cache:
        env["NIANBAO_ANSWER_CACHE_SIZE"] = "0"
    command = [sys.executable, "-m", "cli.main", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(workers)]
    log = (home / "serve.log").open("wb")
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout_s: float) -> None:
    """Block until ``/readyz`` answers 200 (the first start ingests the bundled reports)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with status {process.returncode}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("server did not become ready in time")


def main() -> int:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--url", help="an already running server (loopback only)")
    parser.add_argument("--key", default=os.environ.get("NIANBAO_KEY", ""), help="API key, if needed")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--requests", type=int, default=800, help="at most this many requests")
    parser.add_argument("--seconds", type=float, default=60.0, help="at most this long")
    parser.add_argument("--target-p95-ms", type=float, default=1000.0)
    parser.add_argument("--no-cache", action="store_true",
                        help="start the server with its answer cache off (every request answered afresh)")
    parser.add_argument("--soak", action="store_true",
                        help="run for --seconds while a full re-index runs, resolving every citation")
    parser.add_argument("--workers", type=int, nargs="+", default=[1], metavar="N",
                        help="worker processes of the started server; several values run one after another")
    args = parser.parse_args()
    if args.requests > 10_000 or args.seconds > 600:
        raise SystemExit("load.py is bounded: at most 10000 requests and 600 seconds")
    if args.url or len(args.workers) == 1:
        return _one_run(args, args.workers[0])
    status = 0
    for workers in args.workers:
        print(f"--workers {workers}:", flush=True)
        status = max(status, _one_run(args, workers))
    return status


def _one_run(args: argparse.Namespace, workers: int) -> int:
    process = None
    with tempfile.TemporaryDirectory(prefix="nianbao-load-") as tmp:
        url = args.url
        if url is None:
            from socket import socket

            with socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
            url = f"http://127.0.0.1:{port}"
            process = start_server(Path(tmp), port, cache=not args.no_cache, workers=workers)
        if urlsplit(url).hostname not in LOOPBACK:
            raise SystemExit("load.py only targets loopback (127.0.0.1/localhost)")
        try:
            if process is not None:
                wait_ready(url, process, timeout_s=600)
            load = run_load(url, args.key, concurrency=args.concurrency, requests=args.requests,
                            seconds=args.seconds, soak=args.soak)
            figures = asyncio.run(load)
        finally:
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
    print(json.dumps(figures, ensure_ascii=False))
    if args.soak:
        ok = figures["errors"] == 0
        print(f"{'PASS' if ok else 'FAIL'}: soak {figures['seconds']} s during a re-index, "
              f"{figures['requests']} requests, {figures['errors']} errors, "
              f"{figures['citations_resolved']} citations fetched back")
        return 0 if ok else 1
    ok = figures["errors"] == 0 and figures["p95_ms"] < args.target_p95_ms
    print(f"{'PASS' if ok else 'FAIL'}: {figures['requests']} requests, {figures['requests_per_s']} req/s, "
          f"p95 {figures['p95_ms']} ms, {figures['errors']} errors ({args.concurrency} clients, extractive, "
          f"{workers} worker{'s' if workers > 1 else ''})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
