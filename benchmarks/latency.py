"""Latency of ``rag.answering.answer`` in extractive mode over the dev questions: p50, p95, max.

    .venv/bin/python benchmarks/latency.py                   # temp home, ingests the bundled reports
    .venv/bin/python benchmarks/latency.py --home .nianbao --repeat 3

The first answer (which opens the vector store and loads the segmenter) is timed separately as
"cold" and left out of the percentiles. Exit status 1 when p50 or p95 is over its target.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ingestion.pipeline import ingest  # noqa: E402
from rag.answering import answer  # noqa: E402
from rag.services import Services, build_services  # noqa: E402
from rag.settings import Settings  # noqa: E402

QUESTIONS = REPO / "evals" / "dev-questions.jsonl"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one JSON summary line."""
    args = _parser().parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="nianbao-latency-") as tmp:
        home = args.home or Path(tmp) / "home"
        settings = replace(Settings.from_env(), home=home, llm_base_url="", llm_api_key="", llm_model="")
        services = build_services(settings)
        try:
            summary = measure(services, questions_in(args.questions), repeat=args.repeat)
        finally:
            services.index.close()
    print(json.dumps(summary, ensure_ascii=False))
    ok = summary["p50_ms"] <= args.target_p50_ms and summary["p95_ms"] <= args.target_p95_ms
    return 0 if ok else 1


def measure(services: Services, questions: list[str], *, repeat: int = 1) -> dict[str, float]:
    """Cold and warm answer latencies in milliseconds (ingesting the bundled reports if needed)."""
    if not services.index.documents():
        ingest([services.settings.reports_dir], services.index)
    started = time.perf_counter()
    answer(questions[0], services)
    cold = (time.perf_counter() - started) * 1000
    times = []
    for _ in range(repeat):
        for question in questions:
            started = time.perf_counter()
            answer(question, services)
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "questions": len(questions),
        "answers": len(times),
        "cold_ms": round(cold, 1),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))], 1),
        "max_ms": round(times[-1], 1),
        "mean_ms": round(statistics.fmean(times), 1),
    }


def questions_in(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line)["question"] for line in lines if line.strip()]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="an existing home (default: a temp home, ingested)")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--target-p50-ms", type=float, default=150.0)
    parser.add_argument("--target-p95-ms", type=float, default=500.0)
    return parser


if __name__ == "__main__":
    sys.exit(main())
