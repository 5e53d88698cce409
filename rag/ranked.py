"""The ranked extractive answerer (``NIANBAO_ANSWERER=ranked``): understand → retrieve → frames →
rank → compose. It states the value the learned ranker is sure enough of, computes over operands
it is sure of, and otherwise refuses. Not yet the default: see ``docs/ranker.md`` for its figures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from rag import arithmetic, compose
from rag.compose import refusal
from rag.computed import one_of_rows_alike
from rag.extractive import list_answer
from rag.frames import Frame
from rag.numbers import base_unit
from rag.operands import names_operands, of_asked_year, one_scope, read_alike, states_whole
from rag.query import Query
from rag.rank import Decision, Ranker, decide, score_frames
from rag.rank import model as ranker_model
from rag.retriever import Lexicon, Retrieval
from rag.types import Answer, TableFact

Retrieve = Callable[[Query], Retrieval]


def answer(query: Query, retrieve: Retrieve, lexicon: Lexicon, *, ranker: Ranker | None = None) -> Answer:
    """An extractive Answer for ``query``: stated, computed, a list, or a refusal."""
    ranker = ranker or ranker_model.default()
    retrieval = retrieve(query)
    if retrieval.refusal:
        return refusal(query, retrieval, retrieval.refusal)
    if query.is_list:
        return list_answer(query, retrieval, lexicon)
    if query.operation != "lookup" and query.parts:
        computed = _computed_answer(query, retrieval, retrieve, lexicon, ranker)
        if computed is None and query.operation == "share":
            # A share a year before the report's: its stated share and the change in points.
            computed = from_next_year(query, retrieval, lexicon, ranker)
        return computed or refusal(query, retrieval)
    decision = decide(query, retrieval, lexicon, ranker)
    best = decision.best
    if decision.answers(ranker) and best is not None and not one_of_rows_alike(query, best.fact, retrieval):
        return compose.stated(query, retrieval, best, decision.confidence)
    return from_next_year(query, retrieval, lexicon, ranker) or refusal(query, retrieval)


def top_facts(query: Query, retrieval: Retrieval, lexicon: Lexicon, *, n: int) -> list[TableFact]:
    """The ``n`` table facts that fit the question best (sources for an LLM)."""
    ranked = score_frames(query, retrieval, lexicon, ranker_model.default())
    return [s.frame.fact for s in ranked if s.frame.fact is not None][:n]


def _computed_answer(
    query: Query, retrieval: Retrieval, retrieve: Retrieve, lexicon: Lexicon, ranker: Ranker
) -> Answer | None:
    """The answer a report states for the whole question (a total, share or ratio naming every
    operand), else the computation over operands chosen jointly, else a stated change for a
    difference; None when an operand is missing (never a lookup of one operand)."""
    direct = decide(query, retrieval, lexicon, ranker) if one_scope(query) else None
    best = direct.best if direct is not None and direct.answers(ranker) else None
    asked = base_unit(query.unit)
    if best is not None and query.unit and base_unit(best.unit) != asked:
        best = None
    # What the number itself is stated as (its cell, or its clause), not its neighbours.
    named = "" if best is None else f"{best.fact.title} {best.measure}" if best.fact else best.measure
    table = best is not None and best.fact is not None
    if direct is not None and best is not None and states_whole(query, best.label, named, table=table):
        return compose.stated(query, retrieval, best, direct.confidence)
    operation = arithmetic.operation(query.operation)
    decisions = [decide(part, retrieve(part), lexicon, ranker) for part in query.parts]
    options = [_options(part, d, ranker) for part, d in zip(query.parts, decisions, strict=True)]
    chosen = arithmetic.choose(operation, options) if operation else None
    if chosen is None:
        # A report may state the change itself (「增加 248 人」) without both counts.
        changed = best is not None and names_operands(query.parts, named, change=True)
        if direct is None or best is None or not changed or query.operation != "difference":
            return None
        return compose.stated(query, retrieval, best, direct.confidence)
    inputs, result = chosen
    if not read_alike(query.parts, [frame.label for frame in inputs]):
        return None
    return compose.computed(query, retrieval, inputs, result, min(d.confidence for d in decisions))


def _options(part: Query, decision: Decision, ranker: Ranker) -> list[arithmetic.Option[Frame]]:
    """An operand's candidates for the joint choice: the frames stating the value the ranker is
    sure of (exactly, or rounded: 13312 人 and 1.33万人), so the choice only picks among sources;
    none when that value is another year's cell."""
    best = decision.best
    if not decision.answers(ranker) or best is None or best.value is None:
        return []
    if not of_asked_year(part, best.fact):
        return []
    stated = (best.value, best.unit)
    same = [s for s in decision.ranked if s.frame is best or _states(s.frame, stated)]
    return [arithmetic.Option(s.frame, s.frame.value, s.frame.unit, s.score, _source(s.frame))
            for s in same if s.frame.value is not None]


def _states(frame: Frame, stated: tuple[float, str]) -> bool:
    if frame.value is None:
        return False
    mine = (frame.value, frame.unit)
    return mine == stated or arithmetic.rounds_to(mine, stated) or arithmetic.rounds_to(stated, mine)


def _source(frame: Frame) -> str:
    return f"{frame.chunk.doc_id}|{frame.fact.title}" if frame.fact is not None else frame.chunk.id


def from_next_year(query: Query, retrieval: Retrieval, lexicon: Lexicon, ranker: Ranker) -> Answer | None:
    """Last year's value from a sentence stating this year's value and its change (较上一年减少 243 人)."""
    years = {d.data_year for d in retrieval.documents}
    if query.year is None or len(years) != 1 or years != {query.year + 1}:
        return None
    current: Decision = decide(replace(query, years=(query.year + 1,)), retrieval, lexicon, ranker)
    frame = current.best
    if not current.answers(ranker) or frame is None or frame.fact is not None or frame.value is None:
        return None
    tail = frame.quote[frame.quote.find(frame.raw) + len(frame.raw):]
    result = arithmetic.before_change(frame.value, frame.unit, tail)
    return compose.from_change(query, retrieval, frame, result, query.year + 1) if result else None
