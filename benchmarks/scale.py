"""Scale: synthetic corpora of 5–100 reports (districts renamed, report and data years shifted).

    .venv/bin/python benchmarks/scale.py                    # sizes 5 20 50 100
    .venv/bin/python benchmarks/scale.py --sizes 5 20 --questions 30
    .venv/bin/python benchmarks/scale.py --cold-start       # one-off `nianbao ask`: wall, CPU s, parts

The three district reports (昌平, 朝阳, 东城) are copied for the other Beijing districts by renaming
the district, and copied again with every year moved k years later (a report of 2024 becomes one
of 2025, its 2022–2024 tables 2023–2025), so most districts end up with reports of several years
whose tables overlap. The copies' older figures disagree with the older reports' (they are the
shifted figures), so only the latest report of a district is the right source for its years: the
questions check that the latest report is preferred and cited.

Questions: the dev/extra/probe questions about one district report that have a stated answer
(cross-document ones left out), each asked of the latest copy of a district made from that report,
with the district name and the years swapped; a question counts as right when `evals.scoring.grade`
accepts it and every citation names the latest copy (but those of the figures other reports state
differently, which an answer shows beside the preferred one). "comparisons" are those comparing two
years; "showing disagreeing reports" counts the answers that showed reports disagreeing.

Each size runs in its own process (peak RSS from wait4): ingest, unchanged re-ingest, index size,
answers (warm p50/p95 after one warm-up answer), then a separate `nianbao ask` process for the
first-question latency of a one-off question.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DISTRICTS = {  # stem → file-name prefix
    "东城": "dongcheng", "西城": "xicheng", "朝阳": "chaoyang", "海淀": "haidian", "丰台": "fengtai",
    "石景山": "shijingshan", "门头沟": "mentougou", "房山": "fangshan", "通州": "tongzhou",
    "顺义": "shunyi", "昌平": "changping", "大兴": "daxing", "怀柔": "huairou", "平谷": "pinggu",
    "密云": "miyun", "延庆": "yanqing",
}
SOURCES = {"昌平": "changping-zhongzhi-2023.txt", "朝阳": "chaoyang-zhongzhi-2022.txt",
           "东城": "dongcheng-zhongzhi-2024.txt"}
QUESTION_FILES = ("dev-questions.jsonl", "questions-extra.jsonl", "questions-probe.jsonl")
_YEAR = re.compile(r"(?<![\d.,])((?:19|20)\d\d)(?![\d.,%])(?=\s*(?:年|学年|级|届|[-—－–~～）)]))"
                   r"|(?<=[-—－–~～（(])((?:19|20)\d\d)(?![\d.,%])")
_COMPARE = re.compile(r"比(?:20\d\d|上一?年|去年).*(?:多|少|增|减|降|高|低)")


@dataclass(frozen=True)
class Copy:
    """One synthetic report: ``source`` renamed to district ``stem`` and moved ``shift`` years."""

    stem: str
    source_stem: str
    shift: int

    @property
    def file(self) -> str:
        name = SOURCES[self.source_stem]
        year = int(re.findall(r"\d{4}", name)[0]) + self.shift
        return f"{DISTRICTS[self.stem]}-zhongzhi-{year}.txt"


def plan(size: int) -> list[Copy]:
    """The reports of a corpus of ``size``: the five bundled ones, then copies, shift by shift."""
    stems = list(DISTRICTS)
    source_of = {s: list(SOURCES)[n % 3] for n, s in enumerate(s for s in stems if s not in SOURCES)}
    source_of.update({s: s for s in SOURCES})
    copies = [Copy(s, s, 0) for s in SOURCES]
    for shift in range(0, 40):
        for stem in stems:
            if len(copies) >= size - 2:  # + the two 北京市 reports
                return copies
            if (stem, shift) not in {(c.stem, c.shift) for c in copies}:
                copies.append(Copy(stem, source_of[stem], shift))
    return copies


def shift_years(text: str, shift: int) -> str:
    """``text`` with every year (2022年, 2021-2022学年, （2023）, 2021级) moved ``shift`` years."""
    if not shift:
        return text
    return _YEAR.sub(lambda m: str(int(m.group(1) or m.group(2)) + shift), text)


def rename(text: str, old: str, new: str) -> str:
    return text if old == new else text.replace(old, new)


def build_corpus(size: int, folder: Path) -> list[Copy]:
    """Write the corpus of ``size`` reports into ``folder``; the copies come back."""
    from rag.settings import BUNDLED_REPORTS

    folder.mkdir(parents=True, exist_ok=True)
    for name in ("beijing-zhiye-2025.txt", "beijing-zhongzhi-2020.txt"):
        shutil.copyfile(BUNDLED_REPORTS / name, folder / name)
    copies = plan(size)
    for copy in copies:
        text = (BUNDLED_REPORTS / SOURCES[copy.source_stem]).read_text(encoding="utf-8")
        text = shift_years(rename(text, copy.source_stem, copy.stem), copy.shift)
        (folder / copy.file).write_text(text, encoding="utf-8")
    return copies


def questions_for(copies: list[Copy], limit: int) -> list[tuple[Any, Copy]]:
    """Swapped questions for the latest copy of each district, at most ``limit``, spread over districts."""
    from evals.questions import load_questions

    by_source: dict[str, list[Any]] = {}
    for name in QUESTION_FILES:
        for q in load_questions(REPO / "evals" / name):
            stem = next((s for s, f in SOURCES.items() if q.source.file == f), None)
            if stem and q.kind != "cross_doc" and not q.unanswerable and stem in q.question:
                by_source.setdefault(stem, []).append(q)
    latest: dict[str, Copy] = {}
    for copy in copies:
        if copy.shift >= latest.get(copy.stem, copy).shift:
            latest[copy.stem] = copy
    pools = [[(swap(q, c), c) for q in by_source[c.source_stem]] for c in latest.values()]
    compared = _spread([[x for x in p if _COMPARE.search(x[0].question)] for p in pools])
    others = _spread([[x for x in p if not _COMPARE.search(x[0].question)] for p in pools])
    return compared[: limit // 3] + others[: limit - min(len(compared), limit // 3)]


def _spread(pools: list[list[tuple[Any, Copy]]]) -> list[tuple[Any, Copy]]:
    """Round-robin over the districts' pools, so every district gets questions."""
    chosen: list[tuple[Any, Copy]] = []
    for n in range(max((len(p) for p in pools), default=0)):
        chosen += [p[(n * 7 + i) % len(p)] for i, p in enumerate(pools) if n < len(p)]
    return chosen


def swap(question: Any, copy: Copy) -> Any:
    """``question`` asked of ``copy``: district renamed, years shifted, source file replaced."""
    def moved(text: str) -> str:
        return shift_years(rename(text, copy.source_stem, copy.stem), copy.shift)

    return replace(question, question=moved(question.question),
                   keywords=tuple(moved(k) for k in question.keywords),
                   source=replace(question.source, file=copy.file))


def run_size(size: int, work: Path, limit: int) -> dict[str, Any]:
    """Every figure of one corpus size (run in a child process of its own)."""
    from evals.scoring import grade, squash_source
    from ingestion.pipeline import ingest
    from rag.answering import answer, answer_to_json
    from rag.services import build_services
    from rag.settings import Settings

    corpus, home = work / "reports", work / "home"
    copies = build_corpus(size, corpus)
    settings = replace(Settings.from_env(), home=home, reports_dir=corpus)
    services = build_services(settings)
    try:
        first = ingest([corpus], services.index)
        again = ingest([corpus], services.index)
        asked = questions_for(copies, limit)
        sources = {p.name: squash_source(p.read_text(encoding="utf-8")) for p in corpus.iterdir()}
        answer("2022年昌平区中职学校招生多少人？", services)  # warm-up: dictionaries, indexes
        latencies, right, compared, compared_right, disagreeing, wrong = [], 0, 0, 0, [], []
        for question, copy in asked:
            started = time.perf_counter()
            result = answer_to_json(answer(question.question, services))
            latencies.append((time.perf_counter() - started) * 1000)
            files = {c["file"] for c in result["citations"] if c["n"] not in _other_reports(result)}
            ok = grade(question, result, sources=sources).correct and files == {copy.file}
            right += ok
            if any(d["scope"] == "reports" for d in result["disagreements"]):
                disagreeing.append(f"{question.id}@{copy.file}: {question.question} → "
                                   f"{result['answer'].splitlines()[-1][:160]} ({'ok' if ok else 'wrong'})")
            if _COMPARE.search(question.question):
                compared += 1
                compared_right += ok
            if not ok:
                wrong.append(f"{question.id}@{copy.file}: {question.question} → {result['answer'][:60]}"
                             f" [{', '.join(sorted(files))}]")
    finally:
        services.index.close()
    return {
        "reports": first.documents, "failed": len(first.failed), "ingest_s": first.seconds,
        "again_s": again.seconds, "index_mb": _size_mb(home), "p50_ms": _pct(latencies, 50),
        "p95_ms": _pct(latencies, 95), "asked": len(asked), "right": right, "compared": compared,
        "compared_right": compared_right, "disagreeing": disagreeing, "wrong": wrong,
    }


def _other_reports(result: dict[str, Any]) -> set[int]:
    """The citations of the figures other reports state differently (shown beside the preferred one)."""
    shown = [d["figures"][1:] for d in result["disagreements"] if d["scope"] == "reports"]
    return {f["citation"] for figures in shown for f in figures}


def first_question(home: Path, corpus: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of a one-off `nianbao ask` process on the built index."""
    return _timed(["-m", "cli.main", "ask", "2022年昌平区中职学校招生多少人？"], home, corpus)


COLD_PARTS = {
    "interpreter start": "pass",
    "import cli.main (every module of `nianbao ask` but chromadb)": "import cli.main",
    "import chromadb": "import chromadb",
    "import chromadb, open the generation's collection and count it": (
        "from rag.index import open_index; from rag.settings import Settings; "
        "index = open_index(Settings()); index.verify()"
    ),
}
"""What parts of a one-off ask cost, each run alone in a process of its own."""


def _timed(arguments: list[str], home: Path, corpus: Path) -> tuple[float, float]:
    env = {**os.environ, "NIANBAO_HOME": str(home), "NIANBAO_REPORTS_DIR": str(corpus)}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, *arguments], cwd=REPO, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{arguments} failed with status {os.waitstatus_to_exitcode(status)}")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime


def cold_start(runs: int) -> str:
    """The median wall and CPU seconds of ``runs`` one-off `nianbao ask` processes at the bundled
    reports (ingested first into a temporary home), then the median CPU seconds of its parts."""
    from rag.settings import BUNDLED_REPORTS

    with tempfile.TemporaryDirectory(prefix="nianbao-cold-") as tmp:
        home = Path(tmp) / "home"
        env = {**os.environ, "NIANBAO_HOME": str(home)}
        subprocess.run([sys.executable, "-m", "cli.main", "ingest"], cwd=REPO, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
        times = [first_question(home, BUNDLED_REPORTS) for _ in range(runs)]
        parts = {name: statistics.median(_timed(["-c", code], home, BUNDLED_REPORTS)[1] for _ in range(runs))
                 for name, code in COLD_PARTS.items()}
    wall = statistics.median(t[0] for t in times)
    cpu = statistics.median(t[1] for t in times)
    reports = len(list(BUNDLED_REPORTS.glob("*.txt")))
    lines = [f"one-off nianbao ask at the {reports} bundled reports, median of {runs}: wall {wall:.2f} s, "
             f"CPU {cpu:.2f} s (load average {os.getloadavg()[0]:.1f})",
             "CPU s of its parts, each alone in a process (median):"]
    return "\n".join(lines + [f"  {seconds:.2f}  {name}" for name, seconds in parts.items()])


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def _pct(values: list[float], pct: int) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def _child(size: int, work: Path, limit: int) -> tuple[dict[str, Any], float]:
    """run_size in a new process: (its figures, its peak RSS in MB)."""
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", str(size), "--work", str(work), "--questions", str(limit)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"size {size} failed with status {os.waitstatus_to_exitcode(status)}")
    return json.loads(output.decode().strip().splitlines()[-1]), usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 20, 50, 100])
    parser.add_argument("--questions", type=int, default=40, help="questions asked per size (default 40)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--verbose", action="store_true",
                        help="list the questions answered wrongly and those showing disagreeing reports")
    parser.add_argument("--cold-start", action="store_true",
                        help="only time one-off `nianbao ask` processes (bundled reports) and their parts")
    parser.add_argument("--runs", type=int, default=5, help="processes per --cold-start median (default 5)")
    args = parser.parse_args()
    if args.cold_start:
        print(cold_start(args.runs))
        return 0
    if args.child:
        print(json.dumps(run_size(args.child, args.work, args.questions), ensure_ascii=False))
        return 0
    print(f"load average {os.getloadavg()[0]:.1f}; {args.questions} questions per size")
    print("| reports | ingest s | unchanged re-ingest s | peak RSS MB | index MB | warm p50 / p95 ms "
          "| first question s | swapped questions right | of which year comparisons "
          "| showing disagreeing reports |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size, f, peak, first in _runs(args.sizes, args.questions):
        print(f"| {f['reports']} | {f['ingest_s']:.1f} | {f['again_s']:.1f} | {peak:.0f} "
              f"| {f['index_mb']:.0f} | {f['p50_ms']:.0f} / {f['p95_ms']:.0f} | {first:.1f} "
              f"| {f['right']}/{f['asked']} | {f['compared_right']}/{f['compared']} "
              f"| {len(f['disagreeing'])} |", flush=True)
        if args.verbose:
            for line in f["wrong"]:
                print(f"    wrong ({size}): {line}", flush=True)
            for line in f["disagreeing"]:
                print(f"    reports disagree ({size}): {line}", flush=True)
    return 0


def _runs(sizes: list[int], limit: int) -> Iterator[tuple[int, dict[str, Any], float, float]]:
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix=f"nianbao-scale-{size}-") as tmp:
            work = Path(tmp)
            figures, peak = _child(size, work, limit)
            first = statistics.median(first_question(work / "home", work / "reports")[0] for _ in range(3))
            yield size, figures, peak, first


if __name__ == "__main__":
    raise SystemExit(main())
