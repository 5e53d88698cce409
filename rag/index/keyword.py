"""The BM25 keyword index of one generation: built by the writer into the generation's SQLite store
(a posting list per term, scores precomputed), so a reader only looks up the query's terms.

Scores are those of bm25s's Lucene variant (k1 1.5, b 0.75, float32), which built this index in
memory before; ``tests/index/test_keyword.py`` checks they are equal.
"""

from __future__ import annotations

import math
import sqlite3
from collections import Counter
from collections.abc import Iterator, Sequence

import numpy as np

from rag.errors import IndexError_
from rag.index.store import TOKEN_SEPARATOR
from rag.types import SearchFilter

K1, B = 1.5, 0.75
TABLES = (
    "CREATE TABLE IF NOT EXISTS keyword_chunks (n INTEGER PRIMARY KEY, chunk_id TEXT NOT NULL,"
    " doc_id TEXT NOT NULL, region TEXT NOT NULL, kind TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS keyword_terms (term TEXT PRIMARY KEY, chunks BLOB NOT NULL,"
    " scores BLOB NOT NULL)",
)
"""Created by the first build, so their absence tells a generation written before they existed."""


def stored(conn: sqlite3.Connection) -> bool:
    """Whether the store holds a keyword index (generations written before it was stored do not)."""
    found = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'keyword_terms'").fetchone()
    return found is not None


def build(conn: sqlite3.Connection) -> None:
    """Replace the stored keyword index by one over the tokens of every chunk (no commit).

    Two passes read the chunks one row at a time; what is held is the vocabulary and the postings
    as numpy arrays (12 bytes per distinct term of a chunk), never every chunk's token list."""
    for table in TABLES:  # (not executescript: it would commit the writer's open transaction)
        conn.execute(table)
    conn.execute("DELETE FROM keyword_chunks")
    conn.execute("DELETE FROM keyword_terms")
    vocabulary: dict[str, int] = {}
    containing: list[int] = []
    lengths: list[int] = []
    for tokens in _token_lists(conn):
        lengths.append(len(tokens))
        for token in set(tokens):
            term = vocabulary.setdefault(token, len(vocabulary))
            if term == len(containing):
                containing.append(0)
            containing[term] += 1
    if not lengths:
        return
    count = len(lengths)
    idf = np.array([math.log(1 + (count - df + 0.5) / (df + 0.5)) for df in containing], dtype=np.float32)
    average = np.array(lengths).mean()
    terms, chunks, scores = [], [], []
    for n, tokens in enumerate(_token_lists(conn)):
        frequencies = Counter(tokens)
        ids = np.array([vocabulary[t] for t in frequencies], dtype=np.int32)
        tf = np.array(list(frequencies.values()), dtype=np.float32)
        saturation = tf / (K1 * ((1 - B) + B * len(tokens) / average) + tf)
        terms.append(ids)
        chunks.append(np.full(len(ids), n, dtype=np.int32))
        scores.append((idf[ids] * saturation).astype(np.float32))
    _save(conn, vocabulary, np.concatenate(terms), np.concatenate(chunks), np.concatenate(scores))


def _token_lists(conn: sqlite3.Connection) -> Iterator[list[str]]:
    """Each chunk's tokens, in index order (a chunk without any is one empty token, as in bm25s)."""
    for (tokens,) in conn.execute("SELECT tokens FROM chunks ORDER BY doc_id, ord"):
        yield tokens.split(TOKEN_SEPARATOR) if tokens else [""]


def _save(conn: sqlite3.Connection, vocabulary: dict[str, int], terms: np.ndarray, chunks: np.ndarray,
          scores: np.ndarray) -> None:
    conn.execute(
        "INSERT INTO keyword_chunks SELECT row_number() OVER (ORDER BY doc_id, ord) - 1, id, doc_id,"
        " region, kind FROM chunks"
    )
    order = np.argsort(terms, kind="stable")  # chunks stay in index order within a term
    terms, chunks, scores = terms[order], chunks[order], scores[order]
    bounds = np.flatnonzero(np.diff(terms)) + 1
    starts = np.concatenate(([0], bounds))
    stops = np.concatenate((bounds, [len(terms)]))
    words = {term: token for token, term in vocabulary.items()}
    conn.executemany(
        "INSERT INTO keyword_terms VALUES (?, ?, ?)",
        ((words[int(terms[a])], chunks[a:z].astype("<i4").tobytes(), scores[a:z].astype("<f4").tobytes())
         for a, z in zip(starts, stops, strict=True)),
    )


class KeywordIndex:
    """The stored keyword index of one generation, read per query; the chunks' ids and filter columns
    are loaded once (a few bytes per chunk)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        if not stored(conn):
            raise IndexError_("索引缺少关键词索引（由旧版本写入），请运行 nianbao ingest 补建")
        self._conn = conn
        rows = conn.execute("SELECT chunk_id, doc_id, region, kind FROM keyword_chunks ORDER BY n").fetchall()
        self.ids = [row[0] for row in rows]
        self._doc_ids = np.array([row[1] for row in rows], dtype=object)
        self._regions = np.array([row[2] for row in rows], dtype=object)
        self._kinds = np.array([row[3] for row in rows], dtype=object)

    def search(self, tokens: list[str], *, k: int, where: SearchFilter | None) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) of the best ``k`` chunks with a positive score passing ``where``;
        ties in index order."""
        if not self.ids or not tokens or k <= 0:
            return []
        scores = self._scores(tokens)
        scores[~self._mask(where)] = 0.0
        found = np.flatnonzero(scores > 0)
        top = found[np.argsort(-scores[found], kind="stable")][:k]
        return [(self.ids[i], float(scores[i])) for i in top]

    def _scores(self, tokens: Sequence[str]) -> np.ndarray:
        """The summed scores of ``tokens`` (a repeated token counts again) for every chunk."""
        postings = dict(self._postings(set(tokens)))
        scores = np.zeros(len(self.ids), dtype=np.float32)
        for token in tokens:
            if token in postings:
                chunks, values = postings[token]
                np.add.at(scores, chunks, values)
        return scores.astype(np.float64)

    def _postings(self, tokens: set[str]) -> Iterator[tuple[str, tuple[np.ndarray, np.ndarray]]]:
        marks = ",".join("?" * len(tokens))
        query = f"SELECT term, chunks, scores FROM keyword_terms WHERE term IN ({marks})"
        for term, chunks, scores in self._conn.execute(query, sorted(tokens)):
            yield term, (np.frombuffer(chunks, dtype="<i4"), np.frombuffer(scores, dtype="<f4"))

    def _mask(self, where: SearchFilter | None) -> np.ndarray:
        mask = np.ones(len(self.ids), dtype=bool)
        if where is None:
            return mask
        for values, column in ((where.doc_ids, self._doc_ids), (where.regions, self._regions),
                               (where.kinds, self._kinds)):
            if values:
                mask &= np.isin(column, list(values))
        return mask
