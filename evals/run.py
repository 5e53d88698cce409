"""The result of one eval run: the graded answers of this project and of the baseline (and of the
conversations, when some were asked). `runner` produces it, `report` renders it."""

from __future__ import annotations

from dataclasses import dataclass, field

from evals.cell_check import CellResult
from evals.summary import Scored


@dataclass(frozen=True)
class EvalRun:
    questions_file: str
    mode: str
    started: str
    seconds: float
    system: list[Scored]
    baseline: list[Scored]
    cells: list[CellResult] = field(default_factory=list)
    """Ground-truth table cells checked against the facts in the index."""
