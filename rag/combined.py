"""The combined extractive answerer (``NIANBAO_ANSWERER=combined``): the learned ranker picks the
value, and one calibrated decision says whether to state it, reading the ranker's own signals and
what the rules answerer (``rag.extractive``) says of the same value: whether it states that value
too, or another one, and how well it scores it. Nothing here is tuned by hand: the calibrator and
its threshold are fitted by ``nianbao train`` (``training/train.py``); see ``docs/ranker.md``."""

from __future__ import annotations

import math
from collections.abc import Sequence

from rag import extractive, lookup, ranked
from rag.compose import refusal, stated
from rag.computed import one_of_rows_alike
from rag.evidence import Evidence
from rag.numbers import Quantity, base_unit
from rag.query import Query
from rag.rank import Decision, Ranker, amount, decide
from rag.rank import model as ranker_model
from rag.rank.decide import Amount
from rag.retriever import Lexicon, Retrieval
from rag.types import Answer

Reading = tuple[Amount, float]
"""A value the rules answerer locates and the best score it gives any passage stating it."""
SCORE_CAP = 3.0
"""Rules scores are read within ±this (they fall in about −1..2.5; a value it does not locate reads 0)."""


def answer(
    query: Query, retrieve: ranked.Retrieve, lexicon: Lexicon, *, ranker: Ranker | None = None
) -> Answer:
    """An extractive Answer for ``query``: stated, computed, a list, or a refusal."""
    ranker = ranker or ranker_model.default()
    retrieval = retrieve(query)
    if retrieval.refusal:
        return refusal(query, retrieval, retrieval.refusal)
    if query.is_list:
        return extractive.list_answer(query, retrieval, lexicon)
    if query.operation != "lookup" and query.parts:
        return _computed(query, retrieve, lexicon, ranker)
    decision = decide(query, retrieval, lexicon, ranker)
    confidence = vetted(decision, readings(query, retrieval, lexicon), ranker)
    best = decision.best
    if best is not None and confidence >= ranker.vetting.threshold \
            and not one_of_rows_alike(query, best.fact, retrieval):
        return stated(query, retrieval, best, confidence)
    return ranked.from_next_year(query, retrieval, lexicon, ranker) or refusal(query, retrieval)


def _computed(query: Query, retrieve: ranked.Retrieve, lexicon: Lexicon, ranker: Ranker) -> Answer:
    """The rules answerer's computation (measured: it computes several times as many questions right
    as the ranked one, with no more wrong numbers), refused when the ranker reads an operand, surely,
    as another value than the rules' best reading of it."""
    found = extractive.answer(query, retrieve, lexicon)
    if found.refused or not any(_contradicted(part, retrieve(part), lexicon, ranker) for part in query.parts):
        return found
    return refusal(query, retrieve(query))


def _contradicted(part: Query, retrieval: Retrieval, lexicon: Lexicon, ranker: Ranker) -> bool:
    found = readings(part, retrieval, lexicon)
    decision = decide(part, retrieval, lexicon, ranker)
    if decision.best is None or not found:
        return False
    sure = vetted(decision, found, ranker) >= ranker.vetting.threshold
    return sure and not same(amount(decision.best), found[0][0])


def vetted(decision: Decision, found: Sequence[Reading], ranker: Ranker) -> float:
    """The calibrated p(correct) of stating the ranker's best value, the rules' readings considered."""
    if decision.best is None:
        return 0.0
    return ranker.vetting.confidence((*decision.signals, *rules_view(found, amount(decision.best))))


def readings(query: Query, retrieval: Retrieval, lexicon: Lexicon) -> tuple[Reading, ...]:
    """Every value the rules answerer locates for ``query``, whatever its score, best first."""
    best: dict[Amount, float] = {}
    for found in lookup.candidates(query, retrieval, lexicon, threshold=-math.inf):
        best.setdefault(evidence_amount(found), found.score)
    return tuple(best.items())


def evidence_amount(found: Evidence) -> Amount:
    """What a rules reading states, comparable with ``rag.rank.amount`` of a frame."""
    if found.value is None:
        return found.ratio
    value, unit = Quantity(found.value, found.unit, found.raw, 0, 0).base()
    return round(value, 6), base_unit(unit)


def rules_choice(found: Sequence[Reading]) -> Amount | None:
    """The value the rules answerer states for a lookup (``lookup.find`` with its margin): its best
    reading when that scores the threshold and no other value scoring it comes within the margin."""
    good = [(value, score) for value, score in found if score >= lookup.THRESHOLD]
    if not good or (len(good) > 1 and good[0][1] - good[1][1] < lookup.MARGIN):
        return None
    return good[0][0]


def rules_view(found: Sequence[Reading], value: Amount) -> tuple[float, float, float, float]:
    """``RULES_NAMES`` for the ranker's best ``value``: the rules state it, state another value, score
    it (0 when they do not locate it), and lead with it over their best other value."""
    choice = rules_choice(found)
    mine = max((score for v, score in found if same(v, value)), default=0.0)
    other = max((score for v, score in found if not same(v, value)), default=0.0)
    agree = choice is not None and same(choice, value)
    return (float(agree), float(choice is not None and not agree), _capped(mine), _capped(mine - other))


def same(a: Amount, b: Amount) -> bool:
    """The same value: equal, or one of the two without a unit (a cell's bare 1061 and 1061人)."""
    if a == b or isinstance(a, str) or isinstance(b, str):
        return a == b
    return a[0] == b[0] and not (a[1] and b[1])


def _capped(score: float) -> float:
    # Rounded: the rules' scores are float sums whose last bits vary with the hash seed, and the
    # artefact must not.
    return round(max(-SCORE_CAP, min(SCORE_CAP, score)), 6)
