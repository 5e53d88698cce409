"""Benchmark questions as calibration items: (question, file, the answer's amount or None)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from evals.questions import Question, load_questions
from rag.numbers import Quantity, base_unit
from rag.rank.decide import Amount

QUESTION_FILES = ("evals/dev-questions.jsonl", "evals/validation-questions.jsonl")

Item = tuple[str, str, Amount | None]


def gold_amount(question: Question) -> Amount | None:
    """The amount a right answer states (None for an unanswerable question)."""
    if question.unanswerable:
        return None
    if question.text:
        return re.sub(r"\s", "", question.text)
    if question.value is None:
        return None
    value, unit = Quantity(question.value, question.unit, "", 0, 0).base()
    return round(value, 6), base_unit(unit)


def calibration_items(root: Path, files: Sequence[str] = QUESTION_FILES) -> list[Item]:
    """The lookup-kind and unanswerable questions of the benchmark files under ``root``."""
    out: list[Item] = []
    for name in files:
        for q in load_questions(root / name):
            if q.kind in ("table", "prose", "unanswerable"):
                out.append((q.question, q.report, gold_amount(q)))
    return out
