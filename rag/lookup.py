"""Choosing the one stated value that answers a lookup: the best-fitting number with a clear lead,
the exact figure an approximate one rounds, last year's value from this year's change."""

from __future__ import annotations

import re
from dataclasses import replace

from rag import arithmetic, compose
from rag.change_words import FALL, RISE, either
from rag.evidence import Evidence
from rag.frames import APPROXIMATE
from rag.numbers import Quantity, base_unit, split_multiplier
from rag.prose_evidence import sentence_evidence
from rag.query import Query, included, wants_ratio
from rag.retriever import Lexicon, Retrieval
from rag.table_evidence import fact_evidence, left_out_totals
from rag.types import Answer

THRESHOLD = 0.85
"""Least score for stating a number; measured: right answers score 0.87–2.05; most wrong ones below 0.8."""
MATCH_MIN = 0.3
MARGIN = 0.03
"""Least lead of the chosen number over a different one; closer than this, the answer refuses."""
_ASKED_CHANGE = re.compile(
    rf"(?:({either(RISE)}|增|升)|{either(FALL)}|降|减|跌|掉)[率幅]?\s*$"
)
"""The change a % change question ends its measure with; group 1 when it is a rise."""


def find(
    query: Query, retrieval: Retrieval, lexicon: Lexicon, *, threshold: float = THRESHOLD,
    margin: float = 0.0,
) -> Evidence | None:
    """The best-fitting located number for ``query``, or None when nothing is good enough."""
    good = candidates(query, retrieval, lexicon, threshold=threshold)
    if not good:
        return None
    rival = next((e for e in good if _amount(e) != _amount(good[0])), None)
    # Two different numbers fit about equally well: stating either could be wrong.
    # Rounded: sums of the same bonuses in another order differ in the last bits.
    return None if rival is not None and round(good[0].score - rival.score, 9) < margin else good[0]


def candidates(query: Query, retrieval: Retrieval, lexicon: Lexicon, *, threshold: float) -> list[Evidence]:
    """The located numbers that fit ``query`` well enough, best first."""
    totals = left_out_totals(query, retrieval)
    found = [*fact_evidence(query, retrieval.facts, retrieval, lexicon),
             *(e for e in sentence_evidence(query, retrieval, lexicon) if e.value not in totals)]
    if wants_ratio(query):
        found = [e for e in found if e.ratio]
    if groups := included(query.norm):
        found = [e for e in found if not retrieval.section_leaves_out(e.chunk, groups)]
    return sorted((e for e in found if e.match >= MATCH_MIN and e.score >= threshold), key=lambda e: -e.score)


def _amount(found: Evidence) -> tuple[float, str] | str:
    if found.value is None:
        return found.ratio
    value, unit = Quantity(found.value, found.unit, found.raw, 0, 0).base()
    return round(value, 6), base_unit(unit)


def exact_for(query: Query, found: Evidence, retrieval: Retrieval, lexicon: Lexicon) -> Evidence | None:
    """The exact figure that an approximate one (超5.8万人次, 近100%) rounds, when another source
    states it for the question (58840 人次 in a table): the first candidate in the same unit that
    the approximation allows and that is not approximate itself; None for an exact ``found``."""
    if found.qualifier not in APPROXIMATE or found.value is None:
        return None
    pool = candidates(query, retrieval, lexicon, threshold=0.0)
    return next((e for e in pool if e.value is not None and not e.qualifier and _rounds(found, e)), None)


def _rounds(approximate: Evidence, exact: Evidence) -> bool:
    """Whether ``exact`` is a value the approximate figure stands for: in the same unit, within
    one step of its last digit (5.8万: 1000), above it after 超过 and not above it after 近."""
    (near, unit), (value, stated) = _base(approximate), _base(exact)
    if unit != stated or value == near:
        return value == near and unit == stated
    digits = approximate.raw.split(".")[1] if "." in approximate.raw else ""
    step = 10 ** -len(re.sub(r"\D.*", "", digits)) * split_multiplier(approximate.unit)[0]
    above = APPROXIMATE[approximate.qualifier] == "超过"
    below = APPROXIMATE[approximate.qualifier] == "接近"
    return abs(value - near) < step and not (above and value < near) and not (below and value > near)


def _base(found: Evidence) -> tuple[float, str]:
    value, unit = Quantity(found.value or 0.0, found.unit, found.raw, 0, 0).base()
    return value, base_unit(unit)


def from_next_year(query: Query, retrieval: Retrieval, lexicon: Lexicon) -> Answer | None:
    """Last year's value from a sentence stating this year's value and its change (较上一年减少 243 人)."""
    years = {d.data_year for d in retrieval.documents}
    if query.year is None or len(years) != 1 or years != {query.year + 1}:
        return None
    current = find(replace(query, years=(query.year + 1,)), retrieval, lexicon)
    if current is None or current.fact is not None or current.value is None:
        return None
    result = arithmetic.before_change(current.value, current.unit, _after(current))
    return compose.from_change(query, retrieval, current, result, query.year + 1) if result else None


def stated_growth(query: Query, retrieval: Retrieval, lexicon: Lexicon) -> Answer | None:
    """The % change against the year before that a sentence states right after the later year's
    value (「1.33万人，（…）较上一年减少883人，降幅6.22%」), in the direction asked; for a % change
    whose two values are not both stated."""
    base, later = query.parts
    if base.year is None or later.year != base.year + 1:
        return None
    current = find(later, retrieval, lexicon)
    if current is None or current.fact is not None or current.value is None:
        return None
    rate = arithmetic.stated_rate(_after(current))
    asked = _ASKED_CHANGE.search(query.measure)
    if rate is None or (asked is not None and bool(asked.group(1)) != rate[2]):
        return None
    value, raw, _ = rate
    return compose.stated(query, retrieval, replace(current, value=value, unit="%", raw=raw), current.score)


def _after(found: Evidence) -> str:
    """The text of ``found``'s sentence after its number (where a change or a rate of it follows)."""
    return found.quote[found.quote.find(found.raw) + len(found.raw):]
