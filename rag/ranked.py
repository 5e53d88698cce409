"""The ranked extractive answerer (``NIANBAO_ANSWERER=ranked``): understand → retrieve → frames →
rank → compose. It states the value the learned ranker is sure enough of, computes over operands
it is sure of, and otherwise refuses. Not yet the default: see ``docs/ranker.md`` for its figures."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from rag import arithmetic, compose
from rag.compose import refusal
from rag.extractive import list_answer, names_operands, one_scope
from rag.frames import Frame
from rag.numbers import find_quantities, format_number
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
        return _computed_answer(query, retrieval, retrieve, lexicon, ranker) or refusal(query, retrieval)
    decision = decide(query, retrieval, lexicon, ranker)
    if decision.answers(ranker) and decision.best is not None:
        return compose.stated(query, retrieval, decision.best, decision.confidence)
    return _from_next_year(query, retrieval, lexicon, ranker) or refusal(query, retrieval)


def top_facts(query: Query, retrieval: Retrieval, lexicon: Lexicon, *, n: int) -> list[TableFact]:
    """The ``n`` table facts that fit the question best (sources for an LLM)."""
    ranked = score_frames(query, retrieval, lexicon, ranker_model.default())
    return [s.frame.fact for s in ranked if s.frame.fact is not None][:n]


def _computed_answer(
    query: Query, retrieval: Retrieval, retrieve: Retrieve, lexicon: Lexicon, ranker: Ranker
) -> Answer | None:
    """The computed answer, or None: a computation whose operands are not found refuses."""
    if one_scope(query) and query.operation in ("ratio", "share", "growth"):
        direct = decide(query, retrieval, lexicon, ranker)
        best = direct.best
        if direct.answers(ranker) and best is not None and names_operands(query.parts, best.quote):
            return compose.stated(query, retrieval, best, direct.confidence)
    decisions = [decide(part, retrieve(part), lexicon, ranker) for part in query.parts]
    inputs = [d.best for d in decisions if d.answers(ranker) and d.best is not None]
    if len(inputs) != len(query.parts) or _repeats(inputs):
        return None
    operands = [(f.value, f.unit) for f in inputs if f.value is not None]
    if len(operands) != len(inputs):
        return None
    result = arithmetic.compute(query.operation, operands)  # type: ignore[arg-type]
    if result is None:
        return None
    return compose.computed(query, retrieval, inputs, result, min(d.confidence for d in decisions))


def _repeats(inputs: Sequence[Frame]) -> bool:
    """True when two operands are the same stated number (the question was not understood)."""
    keys = [(f.chunk.id, f.raw, f.label) for f in inputs]
    return len(set(keys)) != len(keys)


def _from_next_year(query: Query, retrieval: Retrieval, lexicon: Lexicon, ranker: Ranker) -> Answer | None:
    """Last year's value from a sentence stating this year's value and its change (较上一年减少 243 人)."""
    years = {d.data_year for d in retrieval.documents}
    if query.year is None or len(years) != 1 or years != {query.year + 1}:
        return None
    current: Decision = decide(replace(query, years=(query.year + 1,)), retrieval, lexicon, ranker)
    frame = current.best
    if not current.answers(ranker) or frame is None or frame.fact is not None or frame.value is None:
        return None
    tail = frame.quote[frame.quote.find(frame.raw) + len(frame.raw):]
    change = re.match(r"[，,]?\s*(?:(?:较|比)(?:上一?年|去年))?(增加|增长|减少|下降)了?\s*", tail)
    delta = find_quantities(tail[change.end():])[:1] if change else []
    if not change or not delta or delta[0].start != 0 or delta[0].unit != frame.unit:
        return None
    rose = change.group(1) in ("增加", "增长")
    value = frame.value - delta[0].value if rose else frame.value + delta[0].value
    sign = "-" if rose else "+"
    moved = format_number(delta[0].value)
    formula = f"{format_number(frame.value)} {sign} {moved} = {format_number(value)} {frame.unit}"
    result = arithmetic.Result(value, frame.unit, formula.strip())
    return compose.from_change(query, retrieval, frame, result, query.year + 1)
