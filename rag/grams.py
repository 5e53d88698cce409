"""Character bigrams: the unit of the lexicon's term statistics (see rag.retriever.Lexicon)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from rag.numbers import normalize

LATIN = re.compile(r"[A-Za-z]+(?:[+]+|-(?![A-Za-z0-9]))?")
"""A Latin word, with the sign of a grade (A+, C-) kept: A- is not A."""


@lru_cache(maxsize=200_000)
def grams(text: str) -> frozenset[str]:
    """Character bigrams of the Chinese letters and digits in ``text``."""
    clean = re.sub(r"[^\w\u4e00-\u9fff]+", " ", normalize(text)).replace("_", " ")
    out: set[str] = set()
    for piece in clean.split():
        out.update(piece[i: i + 2] for i in range(len(piece) - 1))
        if len(piece) == 1:
            out.add(piece)
    out.update(m.group(0) for m in LATIN.finditer(normalize(text)))
    return frozenset(out)


def document_frequencies(texts: Iterable[str]) -> tuple[dict[str, int], int]:
    """(in how many of ``texts`` each bigram occurs, how many texts there are)."""
    counts: dict[str, int] = {}
    total = 0
    for text in texts:
        total += 1
        for gram in grams(text):
            counts[gram] = counts.get(gram, 0) + 1
    return counts, total
