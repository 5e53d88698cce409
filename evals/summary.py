"""Aggregates over graded answers: accuracy by kind and by report, citations, refusals, recall, latency."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from evals.questions import Question
from evals.scoring import Grade, expected_text, percentile, shows_disagreement

WRONG_NUMBER = frozenset({"wrong value", "wrong unit", "wrong ratio", "answered instead of refusing",
                          "stated a number while refusing"})
"""Grades that mean the answer stated a number that is not the answer (counted apart from refusals)."""


@dataclass(frozen=True)
class Scored:
    """One question, the answer given (``answer_to_json`` shape plus ``id``) and its grade."""

    question: Question
    answer: dict[str, Any]
    grade: Grade

    @property
    def latency_ms(self) -> float:
        return float(self.answer.get("latency_ms") or 0.0)


def metrics(scored: Sequence[Scored]) -> dict[str, Any]:
    """Headline figures plus breakdowns by kind and by report for one system's answers."""
    answerable = [s for s in scored if not s.question.unanswerable]
    unanswerable = [s for s in scored if s.question.unanswerable]
    correct_answerable = [s for s in answerable if s.grade.correct and s.grade.cited is not None]
    with_recall = [s for s in scored if s.grade.recall is not None]
    latencies = [s.latency_ms for s in scored]
    return {
        "questions": len(scored),
        "correct": sum(s.grade.correct for s in scored),
        "accuracy": _share(scored, lambda s: s.grade.correct),
        "answerable_accuracy": _share(answerable, lambda s: s.grade.correct),
        "citation_accuracy": _share(correct_answerable, lambda s: bool(s.grade.cited)),
        "correct_and_cited": _share(answerable, lambda s: s.grade.correct and bool(s.grade.cited)),
        "refusal_accuracy": _share(unanswerable, lambda s: s.grade.correct),
        "false_refusals": sum(bool(s.answer.get("refused")) for s in answerable),
        "wrong_numbers": sum(wrong_number(s) for s in scored),
        "showed_disagreement": sum(shows_disagreement(s.answer) for s in scored),
        "risk_coverage": risk_coverage(scored),
        "recall_at_5": _share(with_recall, lambda s: bool(s.grade.recall)),
        "latency_ms": {
            "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95),
            "max": max(latencies, default=0.0),
        },
        "by_mode": by_mode(scored),
        "by_kind": _breakdown(scored, lambda s: s.question.kind),
        "by_report": _breakdown(scored, lambda s: s.question.report),
        "by_follow": _breakdown([s for s in scored if s.question.follow], lambda s: s.question.follow),
    }


def by_mode(scored: Sequence[Scored]) -> dict[str, dict[str, int]]:
    """Per answer mode (llm, fallback, extractive): answers, correct, flagged ungrounded, answers
    stating a wrong number, and those among them shown without the ungrounded flag."""
    groups: dict[str, list[Scored]] = {}
    for s in scored:
        groups.setdefault(str(s.answer.get("mode", "")), []).append(s)
    return {mode: _mode_counts(group) for mode, group in sorted(groups.items())}


def _mode_counts(group: Sequence[Scored]) -> dict[str, int]:
    wrong = [s for s in group if wrong_number(s)]
    return {
        "n": len(group),
        "correct": sum(s.grade.correct for s in group),
        "flagged": sum(not s.answer.get("grounded", True) for s in group),
        "wrong_numbers": len(wrong),
        "wrong_unflagged": sum(bool(s.answer.get("grounded", True)) for s in wrong),
    }


def wrong_number(s: Scored) -> bool:
    """True when the answer stated a number that is not the answer (a refusal or missing list item is not)."""
    return s.grade.reason in WRONG_NUMBER


def risk_coverage(scored: Sequence[Scored]) -> list[dict[str, float]]:
    """Accuracy of the answered questions against the share answered, the surest answers first."""
    answered = sorted((s for s in scored if not s.answer.get("refused")),
                      key=lambda s: -float(s.answer.get("confidence") or 0.0))
    points, right = [], 0
    for n, s in enumerate(answered, start=1):
        right += s.grade.correct
        points.append({"coverage": n / len(scored), "accuracy": right / n})
    return points


def items(system: Sequence[Scored], baseline: Sequence[Scored]) -> list[dict[str, Any]]:
    """Per-question results, with the baseline's verdict beside each."""
    base = {s.question.id: s for s in baseline}
    rows = []
    for s in system:
        other = base.get(s.question.id)
        rows.append({
            "id": s.question.id,
            "kind": s.question.kind,
            "report": s.question.report,
            "expected": expected_text(s.question),
            "got": s.grade.got,
            "correct": s.grade.correct,
            "cited": s.grade.cited,
            "recall": s.grade.recall,
            "reason": s.grade.reason,
            "latency_ms": round(s.latency_ms, 1),
            "baseline_correct": other.grade.correct if other else None,
        })
    return rows


def ratio(system: float | None, baseline: float | None) -> float | None:
    """system / baseline, or None when the baseline scored nothing."""
    if system is None or not baseline:
        return None
    return system / baseline


def _share(scored: Sequence[Scored], test: Callable[[Scored], bool]) -> float | None:
    return sum(test(s) for s in scored) / len(scored) if scored else None


def _breakdown(scored: Sequence[Scored], key: Callable[[Scored], str]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[Scored]] = {}
    for s in scored:
        groups.setdefault(key(s), []).append(s)
    return {
        name: {"n": len(group), "correct": sum(s.grade.correct for s in group),
               "accuracy": _share(group, lambda s: s.grade.correct)}
        for name, group in sorted(groups.items())
    }
