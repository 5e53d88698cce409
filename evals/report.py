"""`report.md`: the figures side by side with the baseline, and every failed question explained."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from evals.run import EvalRun
from evals.scoring import expected_text
from evals.summary import Scored

HEADLINES = (
    ("accuracy", "Accuracy (all questions)"),
    ("answerable_accuracy", "Accuracy (answerable)"),
    ("citation_accuracy", "Citation accuracy (correct answers citing the value or its inputs)"),
    ("correct_and_cited", "Correct and cited (answerable)"),
    ("refusal_accuracy", "Refusal accuracy (unanswerable)"),
    ("recall_at_5", "Retrieval recall@5"),
)


def render_report(run: EvalRun, data: Mapping[str, Any]) -> str:
    """The whole Markdown report for one eval run."""
    mine, base = data["system"], data["baseline"]
    parts = [
        "# nianbao eval report",
        f"{run.started} · questions: `{run.questions_file}` ({mine['questions']}) · mode: **{run.mode}**"
        f" · {run.seconds:.1f} s",
        "",
        _headlines(mine, base, data.get("accuracy_ratio")),
        _modes(mine.get("by_mode", {})),
        _breakdown("By kind", mine["by_kind"], base["by_kind"]),
        _breakdown("By report", mine["by_report"], base["by_report"]),
        _breakdown("By follow-up (conversations)", mine["by_follow"], base.get("by_follow", {}))
        if mine.get("by_follow") else "",
        "![accuracy by kind and by report](accuracy.png)",
        "![risk–coverage: accuracy of the answered questions against the share answered](risk-coverage.png)",
        _cells(data["cells"], run),
        _failures(run.system),
        _uncited(run.system),
        _baseline_note(),
    ]
    return "\n\n".join(p for p in parts if p) + "\n"


def _headlines(mine: Mapping[str, Any], base: Mapping[str, Any], ratio: float | None) -> str:
    rows = ["| measure | nianbao | baseline |", "| --- | ---: | ---: |"]
    for key, label in HEADLINES:
        rows.append(f"| {label} | {_pct(mine[key])} | {_pct(base[key])} |")
    rows.append(f"| Correct answers | {_count(mine)} | {_count(base)} |")
    rows.append(f"| Answerable questions refused | {mine['false_refusals']} | {base['false_refusals']} |")
    rows.append(f"| Wrong numbers stated | {mine['wrong_numbers']} | {base['wrong_numbers']} |")
    rows.append(f"| Answers that showed a disagreement of their sources | {mine['showed_disagreement']} "
                f"| {base['showed_disagreement']} |")
    lat, blat = mine["latency_ms"], base["latency_ms"]
    rows.append(f"| Latency p50 / p95 (ms) | {lat['p50']:.0f} / {lat['p95']:.0f} "
                f"| {blat['p50']:.0f} / {blat['p95']:.0f} |")
    times = f"{ratio:.1f}×" if ratio is not None else "n/a (baseline scored 0)"
    return "## Headline figures\n\n" + "\n".join(rows) + f"\n\nAccuracy ratio nianbao / baseline: **{times}**"


def _modes(modes: Mapping[str, Any]) -> str:
    rows = ["## By answer mode", "", "| mode | answers | correct | flagged ungrounded | wrong number "
            "| wrong number, not flagged |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for mode, m in modes.items():
        rows.append(f"| {mode} | {m['n']} | {m['correct']} | {m['flagged']} | {m['wrong_numbers']} "
                    f"| {m['wrong_unflagged']} |")
    return "\n".join(rows) if modes else ""


def _breakdown(title: str, mine: Mapping[str, Any], base: Mapping[str, Any]) -> str:
    rows = [f"## {title}", "", "| | n | nianbao | baseline |", "| --- | ---: | ---: | ---: |"]
    for name, m in mine.items():
        b = base.get(name, {})
        rows.append(f"| {name} | {m['n']} | {m['correct']} ({_pct(m['accuracy'])}) "
                    f"| {b.get('correct', 0)} ({_pct(b.get('accuracy'))}) |")
    return "\n".join(rows)


def _cells(cells: Mapping[str, Any], run: EvalRun) -> str:
    title = "## Table extraction vs hand-checked cells"
    if not cells["total"]:
        return f"{title}\n\nNo report with ground-truth cells (`evals/ground_truth/`) is in the index."
    lines = [title, "", f"**{_pct(cells['accuracy'])}** of {cells['total']} cells in {len(cells['tables'])} "
             "tables match what the index holds (`python -m evals.cell_check` for every cell)."]
    imperfect = [t for t in cells["tables"] if t["correct"] < t["cells"]]
    if imperfect:
        lines += ["", "| report | table | cells | correct |", "| --- | --- | ---: | ---: |"]
        lines += [f"| {t['file']} | {t['table']} | {t['cells']} | {t['correct']} |" for t in imperfect]
    wrong = [r for r in run.cells if not r.ok][:10]
    if wrong:
        lines += ["", "First wrong cells:", ""]
        lines += [f"- {r.cell.file} 表{r.cell.table} {r.cell.row or '(row)'} / {r.cell.column}: "
                  f"expected {r.cell.value}, extracted {_snippet(r.found, 60)}" for r in wrong]
    return "\n".join(lines)


def _failures(system: Sequence[Scored]) -> str:
    failed = [s for s in system if not s.grade.correct]
    if not failed:
        return "## Failed questions\n\nNone."
    blocks = [f"## Failed questions ({len(failed)})"]
    for s in failed:
        blocks.append(_failure(s))
    return "\n\n".join(blocks)


def _failure(s: Scored) -> str:
    q = s.question
    lines = [
        f"### {q.id} · {q.kind} · {q.report}",
        *([f"- earlier turns: {' → '.join(q.before)}"] if q.before else []),
        f"- question: {q.question}",
        f"- expected: **{expected_text(q)}**" + (f" (source line {q.source.line})" if q.source.line else ""),
        f"- got: **{s.grade.got or '(nothing)'}** — {s.grade.reason}",
    ]
    if s.grade.recall is not None:
        lines.append(f"- gold source in the top 5 retrieved: {'yes' if s.grade.recall else 'no'}")
    if q.note:
        lines.append(f"- note: {q.note}")
    warnings = [str(w) for w in s.answer.get("warnings") or ()]
    if warnings:
        lines.append("- warnings: " + "; ".join(warnings))
    lines += _sources(s.answer)
    return "\n".join(lines)


def _sources(answer: Mapping[str, Any], limit: int = 3) -> list[str]:
    retrieved = list(answer.get("retrieved") or ())[:limit]
    if not retrieved:
        return ["- retrieved: (nothing)"]
    lines = ["- top retrieved:"]
    for n, hit in enumerate(retrieved, start=1):
        lines.append(f"  {n}. `{hit.get('file', '')}` {_snippet(str(hit.get('text', '')))}")
    return lines


def _uncited(system: Sequence[Scored]) -> str:
    bad = [s for s in system if s.grade.correct and s.grade.cited is False]
    if not bad:
        return ""
    rows = ["## Correct but not supported by the citations", "",
            "| id | expected | cited quotes |", "| --- | --- | --- |"]
    for s in bad:
        quotes = " / ".join(_snippet(str(c.get("quote", "")), 40) for c in s.answer.get("citations") or ())
        rows.append(f"| {s.question.id} | {expected_text(s.question)} | {quotes or '(none)'} |")
    return "\n".join(rows)


def _baseline_note() -> str:
    return (
        "## About the baseline\n\nLangChain `RecursiveCharacterTextSplitter` (500 characters, overlap 50) "
        "over the same reports, jieba + BM25 keyword retrieval, answer = the first number (not a year) of "
        "the top hit. It never refuses and never computes. Both are scored by the same functions "
        "(`evals/scoring.py`)."
    )


def _count(m: Mapping[str, Any]) -> str:
    return f"{m['correct']}/{m['questions']}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _snippet(text: str, limit: int = 90) -> str:
    flat = " ".join(text.split()).replace("|", "/")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
