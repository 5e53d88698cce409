"""Value-level decisions: frames scored by the ranker, frames stating the same value pooled (a
table cell and a sentence that agree reinforce each other), and the calibrated confidence of the
best value over the next one."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rag.frames import Frame
from rag.numbers import Quantity, base_unit
from rag.query import Query, included, wants_ratio
from rag.rank.features import Context, features, measure_weights, prefilter
from rag.rank.model import DECISION_NAMES, Ranker
from rag.retriever import Lexicon, Retrieval

MIN_COVERAGE = 0.15
"""Frames sharing less of the asked measure's weight than this are not scored at all."""
MAX_SCORED = 120
"""Frames scored per question, the best-covering first (training sees the same candidates)."""
CONTRADICTIONS = (
    "year_conflict", "year_not_reported", "level_conflict", "unit_conflict", "excludes_part",
    "case_unasked", "school_unasked", "asked_numbers_missing",
)
"""What a frame can contradict in the question: a number for another year (or, when no year is asked,
for another year than the report's own), level or kind of unit; one the text says
leaves out part of what was asked; one school's or one case's number for a question about the
region; one that lacks a number the question names (35-39岁). Such a frame is not a candidate."""

SOLE_GAP = 10.0
"""The score lead recorded when no other value is a candidate (and the cap on any lead)."""

Amount = tuple[float, str] | str


@dataclass(frozen=True)
class Scored:
    frame: Frame
    score: float
    features: dict[str, float]


@dataclass(frozen=True)
class Decision:
    """The best value for a question and how sure the ranker is of it."""

    best: Frame | None
    confidence: float
    signals: tuple[float, ...]
    """What the calibrator read (see ``rag.rank.model.DECISION_NAMES``)."""
    ranked: tuple[Scored, ...]

    def answers(self, ranker: Ranker) -> bool:
        return self.best is not None and self.confidence >= ranker.threshold


def amount(frame: Frame) -> Amount:
    """What a frame states, comparable across frames: (value, base unit) or the ratio text."""
    if frame.value is None:
        return frame.ratio
    value, unit = Quantity(frame.value, frame.unit, frame.raw, 0, 0).base()
    return round(value, 6), base_unit(unit)


def context(query: Query, retrieval: Retrieval, lexicon: Lexicon) -> Context:
    return Context(
        weights=measure_weights(query, lexicon),
        data_years={d.doc_id: d.data_year for d in retrieval.documents},
        hit_ranks={h.chunk.id: rank for rank, h in enumerate(retrieval.hits, start=1)},
        report_levels={d.doc_id: d.level for d in retrieval.documents},
        columns=row_columns(retrieval.frames),
    )


def row_columns(frames: Sequence[Frame]) -> dict[tuple[str, str, str], tuple[str, ...]]:
    """The column labels of each table row among ``frames``, by (doc id, table title, row label)."""
    out: dict[tuple[str, str, str], list[str]] = {}
    for frame in frames:
        if (fact := frame.fact) is not None:
            out.setdefault((frame.chunk.doc_id, fact.title, fact.row), []).append(fact.column)
    return {key: tuple(columns) for key, columns in out.items()}


def score_frames(query: Query, retrieval: Retrieval, lexicon: Lexicon, ranker: Ranker) -> list[Scored]:
    """The candidate frames of ``retrieval`` with their features and scores, best first."""
    ctx = context(query, retrieval, lexicon)
    ratio = wants_ratio(query)
    groups = included(query.norm)
    kept = [(c, f) for f in retrieval.frames if bool(f.ratio) == ratio
            and (c := prefilter(ctx, f)) >= MIN_COVERAGE
            and not (groups and retrieval.section_leaves_out(f.chunk, groups))]
    kept.sort(key=lambda cf: -cf[0])
    scored = []
    for _, frame in kept[:MAX_SCORED]:
        named = features(query, frame, ctx)
        if any(named[name] for name in CONTRADICTIONS):
            continue
        scored.append(Scored(frame, ranker.score(named), named))
    scored.sort(key=lambda s: -s.score)
    return scored


def decide(query: Query, retrieval: Retrieval, lexicon: Lexicon, ranker: Ranker) -> Decision:
    """The best-supported value among the candidates and its calibrated confidence."""
    return pooled(score_frames(query, retrieval, lexicon, ranker), ranker)


def pooled(ranked: Sequence[Scored], ranker: Ranker) -> Decision:
    """The decision over scored frames: softmax mass pooled per stated value (a table cell and a
    sentence that state the same value reinforce each other)."""
    if not ranked:
        return Decision(None, 0.0, tuple(0.0 for _ in DECISION_NAMES), ())
    top_score = ranked[0].score
    mass: dict[Amount, float] = {}
    best: dict[Amount, Scored] = {}
    for s in ranked:
        key = amount(s.frame)
        mass[key] = mass.get(key, 0.0) + math.exp(s.score - top_score)
        best.setdefault(key, s)
    total = sum(mass.values())
    values = sorted(mass, key=lambda k: -mass[k])
    first = mass[values[0]] / total
    second = mass[values[1]] / total if len(values) > 1 else 0.0
    top = best[values[0]]
    gap = top.score - best[values[1]].score if len(values) > 1 else SOLE_GAP
    own = (top.features[n] for n in DECISION_NAMES[4:])
    signals = (first, first - second, top.score, min(gap, SOLE_GAP), *own)
    return Decision(best[values[0]].frame, ranker.confidence(signals), signals, tuple(ranked))
