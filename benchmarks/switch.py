"""Readers at a generation switch: how long a read waits when another process re-indexes.

    .venv/bin/python benchmarks/switch.py [--readers 4] [--switches 3]

Ingests the bundled reports into a temporary home, opens the index in this process with reader
threads searching it (keyword and dense, as every question does; warmed up first as the server
is), and has `nianbao ingest` in a
child process replace one report (its text changed; ``--copies`` distinct copies of it in one file
for a bigger generation)
``--switches`` times. Prints the median and
longest read, and the longest read after each switch, when the readers first saw the new generation.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from rag.index import open_index  # noqa: E402
from rag.index.tokenize import load_whole_dictionary  # noqa: E402
from rag.settings import BUNDLED_REPORTS, Settings  # noqa: E402

REPORT = "chaoyang-zhongzhi-2022.txt"
QUERIES = ("2022年朝阳区中职学校招生多少人", "专任教师 双师型", "校企合作 专业建设")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--switches", type=int, default=3)
    parser.add_argument("--copies", type=int, default=1,
                        help="the replaced report's text repeated this many times (a bigger generation)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nianbao-switch-") as tmp:
        home, changed = Path(tmp) / "home", Path(tmp) / "changed"
        env = {**os.environ, "NIANBAO_HOME": str(home)}
        _nianbao(["ingest"], env)
        index = open_index(Settings(home=home, reports_dir=BUNDLED_REPORTS))
        reads: list[tuple[float, float, str | None]] = []  # (started, seconds, generation seen)
        stop = threading.Event()
        load_whole_dictionary()  # as the server's warm-up does, then one read opens the generation
        index.keyword_search(QUERIES[0], k=10)
        index.dense_search(QUERIES[0], k=10)

        def read(n: int) -> None:
            while not stop.is_set():
                started = time.perf_counter()
                index.keyword_search(QUERIES[n % len(QUERIES)], k=10)
                index.dense_search(QUERIES[n % len(QUERIES)], k=10)
                reads.append((started, time.perf_counter() - started, index.generation()))

        threads = [threading.Thread(target=read, args=(n,)) for n in range(args.readers)]
        for thread in threads:
            thread.start()
        changed.mkdir()
        for n in range(args.switches):
            text = (BUNDLED_REPORTS / REPORT).read_text(encoding="utf-8")
            copies = (_numbered(text, copy) for copy in range(args.copies))
            (changed / REPORT).write_text("\n".join(copies) + f"\n本次修订 {n + 1}。\n", encoding="utf-8")
            _nianbao(["ingest", str(changed / REPORT)], env)
            time.sleep(2)
        stop.set()
        for thread in threads:
            thread.join()
        chunks = index.stats()["chunks"]
        index.close()
        shutil.rmtree(changed)
    seconds = [s for _, s, _ in reads]
    print(f"{len(reads)} reads by {args.readers} threads over {args.switches} switches to {chunks} chunks: "
          f"median {statistics.median(seconds) * 1000:.0f} ms, longest {max(seconds) * 1000:.0f} ms")
    first_seen: dict[str | None, float] = {}
    for started, _, generation in sorted(reads):
        first_seen.setdefault(generation, started)
    for generation, seen in list(first_seen.items())[1:]:
        after = [s for started, s, _ in reads if seen - 5 <= started <= seen + 5]
        print(f"  around the switch to {generation}: longest read {max(after) * 1000:.0f} ms")
    return 0


def _numbered(text: str, copy: int) -> str:
    """``text`` with every line marked by its copy, so the copies' chunks are distinct."""
    if copy == 0:
        return text
    return "\n".join(f"（副本{copy}）{line}" if line.strip() else line for line in text.splitlines())


def _nianbao(arguments: list[str], env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "cli.main", *arguments], cwd=REPO, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)


if __name__ == "__main__":
    raise SystemExit(main())
