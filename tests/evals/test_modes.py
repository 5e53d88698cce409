"""``nianbao eval``'s per-mode counts: LLM answers, fallbacks, flagged, wrong numbers unflagged."""

from __future__ import annotations

from typing import Any

from evals.questions import Question, Source
from evals.report import render_report
from evals.runner import EvalRun, summary
from evals.scoring import grade
from evals.summary import Scored, by_mode

TABLE = Question(id="T1", question="招生多少人？", kind="table", value=1061, unit="人",
                 source=Source(file="c.txt", line=55, quote="总人数\t1200\t1061"))


def _scored(**answer: Any) -> Scored:
    data = {"id": "T1", "answer": "", "value": None, "unit": "人", "refused": False, "mode": "llm",
            "citations": [], "retrieved": [], "latency_ms": 1.0, "grounded": True, **answer}
    return Scored(TABLE, data, grade(TABLE, data))


def test_counts_per_mode() -> None:
    answers = [
        _scored(answer="1061人", value=1061),
        _scored(answer="（未能核实）4人", value=4, grounded=False),
        _scored(answer="1200人", value=1200),
        _scored(answer="1061人", value=1061, mode="fallback"),
        _scored(answer="报告中没有找到该问题的答案。", refused=True, mode="fallback"),
    ]
    modes = by_mode(answers)
    assert modes["llm"] == {"n": 3, "correct": 1, "flagged": 1, "wrong_numbers": 2, "wrong_unflagged": 1}
    assert modes["fallback"] == {"n": 2, "correct": 1, "flagged": 0, "wrong_numbers": 0, "wrong_unflagged": 0}
    run = EvalRun("q.jsonl", "llm", "2026-01-01T00:00:00+00:00", 1.0, answers, answers)
    report = render_report(run, summary(run))
    assert "## By answer mode" in report and "| fallback | 2 | 1 | 0 | 0 | 0 |" in report
