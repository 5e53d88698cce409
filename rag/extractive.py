"""The rules ("extractive") answerer's entry point: a list sentence, a computation, a stated value
or the refusal, from what ``rag.lookup`` and ``rag.computed`` choose."""

from __future__ import annotations

import re
from collections.abc import Callable

from rag import compose
from rag.compose import refusal
from rag.computed import band_total, computed_answer, listed_total, one_of_rows_alike, total_less_left_out
from rag.frames import line_at, sentences
from rag.lookup import MARGIN, exact_for, find, from_next_year, stated_growth
from rag.query import Query
from rag.rank.lexical import canonical, coverage
from rag.retriever import Lexicon, Retrieval
from rag.types import Answer, Chunk

LIST_THRESHOLD = 0.5
COUNTED_LIST = 0.2
"""Bonus for a sentence stating the count a list question asks for (哪两个 … 「A、B 2 个专业」)."""
_COUNTED_ASK = re.compile(r"哪([两二三四五六七八九十])(个|门|所|项|种|家|部|本|名|位|类)?([\u4e00-\u9fff])")


def answer(query: Query, retrieve: Callable[[Query], Retrieval], lexicon: Lexicon) -> Answer:
    """An extractive Answer for ``query``: stated, computed, a list, or a refusal."""
    retrieval = retrieve(query)
    if retrieval.refusal:
        return refusal(query, retrieval, retrieval.refusal)
    if query.is_list:
        return list_answer(query, retrieval, lexicon)
    if query.operation != "lookup" and query.parts:
        computed = computed_answer(query, retrieval, retrieve, lexicon)
        if computed is None and query.operation == "share":
            # A share a year before the report's: its stated share and the change in points.
            computed = from_next_year(query, retrieval, lexicon)
        if computed is None and query.operation == "growth":
            computed = stated_growth(query, retrieval, lexicon)
        return computed or refusal(query, retrieval)
    found = find(query, retrieval, lexicon, margin=MARGIN)
    if found is not None and not one_of_rows_alike(query, found.fact, retrieval):
        chosen = exact_for(query, found, retrieval, lexicon) or found
        return compose.stated(query, retrieval, chosen, chosen.score)
    computed = (from_next_year(query, retrieval, lexicon) or listed_total(query, retrieval, lexicon)
                or total_less_left_out(query, retrieval, lexicon) or band_total(query, retrieval, lexicon))
    return computed or refusal(query, retrieval)


def list_answer(query: Query, retrieval: Retrieval, lexicon: Lexicon) -> Answer:
    """The sentence that best enumerates what a 有哪些 question asks for, or a refusal."""
    weights = lexicon.weights(canonical(query.measure))
    best: tuple[float, Chunk, str, int] | None = None
    chunks = [c for doc in retrieval.documents for c in retrieval.chunks_by_doc.get(doc.doc_id, ())]
    counted = _asked_count(query)
    for chunk in chunks or [h.chunk for h in retrieval.hits]:
        if chunk.kind == "table_row" or not _of_asked_years(query, chunk):
            continue
        for sentence, offset in sentences(chunk.text):
            score = coverage(weights, sentence) + 0.05 * min(len(re.findall(r"[、]|和|及", sentence)), 4)
            score += 0.15 if re.search(r"分别[是为]|包括|[有为是]：", sentence) else 0.0
            score += COUNTED_LIST if counted and counted.search(sentence) else 0.0
            if best is None or score > best[0]:
                best = (score, chunk, sentence, offset)
    if best is None or best[0] < LIST_THRESHOLD:
        return refusal(query, retrieval)
    _, chunk, sentence, offset = best
    return compose.sentence(query, retrieval, chunk, sentence.strip(), line_at(chunk, offset))


def _of_asked_years(query: Query, chunk: Chunk) -> bool:
    return not query.years or chunk.year is None or chunk.year in query.years


def _asked_count(query: Query) -> re.Pattern[str] | None:
    """For 「哪两个专业」, the count of them a sentence listing them states (2 个专业, 两门课), else None."""
    found = _COUNTED_ASK.search(query.norm)
    if found is None:
        return None
    n = "一两三四五六七八九十".find(found.group(1).replace("二", "两")) + 1
    spelled = "两二" if n == 2 else found.group(1)
    return re.compile(rf"(?:(?<!\d){n}|[{spelled}])\s*{found.group(2) or ''}{found.group(3)}")
