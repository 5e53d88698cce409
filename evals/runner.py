"""Running the benchmark: every question through `rag.answering.answer` (the entry point the CLI
and API use) and through the naive baseline, graded by `evals.scoring`, written to a folder."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evals.baseline import build_baseline
from evals.cell_check import CellResult, check_index, load_ground_truth, overall, table_scores
from evals.questions import Question
from evals.run import EvalRun
from evals.scoring import grade, squash_source
from evals.summary import Scored, items, metrics, ratio
from rag.errors import NianbaoError
from rag.settings import Settings

if TYPE_CHECKING:
    from rag.services import Services

Progress = Callable[[str], None]


def run_eval(
    questions: Sequence[Question],
    settings: Settings,
    *,
    questions_file: str = "",
    progress: Progress | None = None,
    services: Services | None = None,
) -> EvalRun:
    """Every question answered by this project and by the baseline, and graded."""
    say = progress or (lambda _: None)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    clock = time.perf_counter()
    owned = services is None
    services = services or _services(settings, say)
    try:
        system = [_ask(q, services, n, len(questions), say) for n, q in enumerate(questions, start=1)]
        cells = check_index(load_ground_truth(), services.index)
    finally:
        if owned:
            services.index.close()
    say("baseline: splitting and indexing the reports")
    baseline = build_baseline(report_files(settings.reports_dir))
    # Quotes are checked against the report texts only now, once the baseline has loaded them.
    sources = {p.file: squash_source(p.text) for p in baseline.documents}
    system = [_graded(s.question, s.answer, sources) for s in system]
    scored_baseline = [_graded(q, {"id": q.id, **baseline.answer(q.question)}, sources) for q in questions]
    seconds = time.perf_counter() - clock
    return EvalRun(questions_file, _mode(system), started, seconds, system, scored_baseline, cells)


def _mode(system: Sequence[Scored]) -> str:
    modes = Counter(str(s.answer.get("mode", "")) for s in system)
    return ", ".join(f"{m} ({n})" for m, n in modes.most_common()) if len(modes) > 1 else "".join(modes)


def summary(run: EvalRun) -> dict[str, Any]:
    """The ``summary.json`` object: both systems' metrics, their ratio and per-question items."""
    mine, base = metrics(run.system), metrics(run.baseline)
    return {
        "questions_file": run.questions_file,
        "started": run.started,
        "seconds": round(run.seconds, 1),
        "mode": run.mode,
        "system": mine,
        "baseline": base,
        "accuracy_ratio": ratio(mine["accuracy"], base["accuracy"]),
        "cells": _cells_summary(run.cells),
        "items": items(run.system, run.baseline),
    }


def _cells_summary(cells: Sequence[CellResult]) -> dict[str, Any]:
    tables = [
        {"file": t.file, "table": t.table, "cells": t.cells, "correct": t.correct, "accuracy": t.accuracy}
        for t in table_scores(cells)
    ]
    accuracy = overall(cells) if cells else None
    return {"accuracy": accuracy, "correct": sum(c.ok for c in cells), "total": len(cells), "tables": tables}


def write_outputs(run: EvalRun, out: Path) -> dict[str, Any]:
    """Write answers.jsonl, baseline-answers.jsonl, summary.json, report.md and accuracy.png."""
    from evals.charts import accuracy_chart, risk_coverage_chart
    from evals.report import render_report

    out.mkdir(parents=True, exist_ok=True)
    _write_jsonl(out / "answers.jsonl", [s.answer for s in run.system])
    _write_jsonl(out / "baseline-answers.jsonl", [s.answer for s in run.baseline])
    data = summary(run)
    (out / "summary.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    (out / "report.md").write_text(render_report(run, data), encoding="utf-8")
    accuracy_chart(data, out / "accuracy.png")
    risk_coverage_chart(data, out / "risk-coverage.png")
    return data


def report_files(directory: Path) -> list[Path]:
    """The report files in ``directory``, chosen as `nianbao ingest` chooses them."""
    from ingestion.pipeline import expand

    return expand([directory])


def _services(settings: Settings, say: Progress) -> Services:
    from rag.services import build_services

    services = build_services(settings)
    if not services.index.documents():
        _ingest_bundled(settings, services, say)
    return services


def _ingest_bundled(settings: Settings, services: Services, say: Progress) -> None:
    from ingestion.pipeline import ingest

    say(f"index is empty: ingesting the reports in {settings.reports_dir}")
    report = ingest([settings.reports_dir], services.index, progress=say)
    say(f"ingested {report.documents} documents, {report.chunks} chunks in {report.seconds:.1f} s")


def _ask(question: Question, services: Services, n: int, total: int, say: Progress) -> Scored:
    from rag.answering import answer, answer_to_json

    history: list[tuple[str, str]] = []
    try:
        for earlier in question.before:
            history.append((earlier, answer(earlier, services, history=history).text))
        clock = time.perf_counter()
        data = answer_to_json(answer(question.question, services, history=history))
    except NianbaoError as exc:
        clock = time.perf_counter()
        data = _error_answer(question, exc)
    data.setdefault("latency_ms", (time.perf_counter() - clock) * 1000)
    scored = Scored(question, {"id": question.id, **data}, grade(question, data))
    mark = "ok " if scored.grade.correct else "BAD"
    say(f"[{n}/{total}] {mark} {question.id} {scored.latency_ms:.0f} ms  {scored.grade.reason}")
    return scored


def _error_answer(question: Question, exc: NianbaoError) -> dict[str, Any]:
    return {"question": question.question, "answer": f"error: {exc.message}", "value": None, "unit": "",
            "refused": False, "mode": "error", "citations": [], "retrieved": []}


def _graded(question: Question, answer: dict[str, Any], sources: dict[str, str]) -> Scored:
    return Scored(question, answer, grade(question, answer, sources=sources))


def _write_jsonl(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
