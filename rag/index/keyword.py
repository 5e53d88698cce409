"""The BM25 keyword index, rebuilt in memory from the stored tokens of a generation's chunks."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rag.types import SearchFilter


class KeywordIndex:
    """BM25 (bm25s, Lucene variant) over pre-tokenised chunks, with filters on doc, region and kind."""

    def __init__(self, rows: Sequence[tuple[str, str, str, str, list[str]]]) -> None:
        self.ids = [row[0] for row in rows]
        self._doc_ids = np.array([row[1] for row in rows], dtype=object)
        self._regions = np.array([row[2] for row in rows], dtype=object)
        self._kinds = np.array([row[3] for row in rows], dtype=object)
        self._bm25 = None
        if rows:
            import bm25s

            self._bm25 = bm25s.BM25()
            self._bm25.index([row[4] or [""] for row in rows], show_progress=False)

    def search(self, tokens: list[str], *, k: int, where: SearchFilter | None) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) of the best ``k`` chunks with a positive score passing ``where``."""
        if self._bm25 is None or not tokens or k <= 0:
            return []
        scores = np.asarray(self._bm25.get_scores(tokens), dtype=np.float64)
        scores[~self._mask(where)] = 0.0
        top = np.argsort(-scores, kind="stable")[:k]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def _mask(self, where: SearchFilter | None) -> np.ndarray:
        mask = np.ones(len(self.ids), dtype=bool)
        if where is None:
            return mask
        for values, column in ((where.doc_ids, self._doc_ids), (where.regions, self._regions),
                               (where.kinds, self._kinds)):
            if values:
                mask &= np.isin(column, list(values))
        return mask
