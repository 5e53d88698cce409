"""The stored keyword index: built by the writer, equal to bm25s's in-memory BM25 it replaced, read
without building anything."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import bm25s
import numpy as np
import pytest
from indexfakes import CountingEmbedder, make_doc

from rag.errors import IndexError_
from rag.index import Index, generations, open_index, store
from rag.index.tokenize import tokenize
from rag.settings import BUNDLED_REPORTS, Settings
from rag.types import SearchFilter

LINES = [
    line.strip()
    for line in (BUNDLED_REPORTS / "changping-zhongzhi-2023.txt").read_text(encoding="utf-8").splitlines()
    if line.strip()
]
QUERIES = ["2022年昌平区中职学校招生多少人？", "双师型教师比例", "招生 招生 总人数", "校企合作 专业", "1061",
           "与 的", "没有这个词zzz"]


@pytest.fixture
def index(settings: Settings) -> Index:
    index = open_index(settings, embedder=CountingEmbedder())
    index.upsert(make_doc("changping.txt", LINES[:150], table_rows=(("招生规模·总人数", "1061"),)))
    index.upsert(make_doc("other.txt", [*LINES[150:300], "——"], region="朝阳区", year=2021))
    return index


def _store(settings: Settings) -> Path:
    layout = generations.Layout(settings.home)
    return layout.folder(str(generations.current(layout))) / generations.STORE


def _bm25s_search(
    settings: Settings, query: str, k: int, doc_ids: tuple[str, ...] = ()
) -> list[tuple[str, float]]:
    """The search as it was: bm25s built in memory over every chunk's stored tokens."""
    conn = store.connect(_store(settings), readonly=True)
    rows = conn.execute("SELECT id, doc_id, tokens FROM chunks ORDER BY doc_id, ord").fetchall()
    conn.close()
    bm25 = bm25s.BM25()
    bm25.index([t.split(store.TOKEN_SEPARATOR) if t else [""] for _, _, t in rows], show_progress=False)
    tokens = tokenize(query)
    if not tokens:
        return []
    scores = np.asarray(bm25.get_scores(tokens), dtype=np.float64)
    if doc_ids:
        scores[~np.isin([d for _, d, _ in rows], doc_ids)] = 0.0
    top = np.argsort(-scores, kind="stable")[:k]
    return [(rows[i][0], float(scores[i])) for i in top if scores[i] > 0]


def test_scores_and_order_equal_bm25s_in_memory(index: Index, settings: Settings) -> None:
    changping = next(d.doc_id for d in index.documents() if d.file == "changping.txt")
    for query in QUERIES:
        for k, doc_ids in ((10, ()), (300, ()), (30, (changping,))):
            where = SearchFilter(doc_ids=doc_ids) if doc_ids else None
            found = [(h.chunk.id, h.score) for h in index.keyword_search(query, k=k, where=where)]
            assert found == _bm25s_search(settings, query, k, doc_ids), (query, k)
    assert index.keyword_search("招生", k=300)  # the comparison compared something


def test_the_keyword_index_is_written_with_the_generation(index: Index, settings: Settings) -> None:
    conn = sqlite3.connect(_store(settings))
    terms = conn.execute("SELECT COUNT(*) FROM keyword_terms").fetchone()[0]
    chunks = conn.execute("SELECT COUNT(*) FROM keyword_chunks").fetchone()[0]
    conn.close()
    assert terms > 500
    assert chunks == index.stats()["chunks"]


def test_a_generation_without_it_is_refused_then_repaired_by_ingesting_again(
    index: Index, settings: Settings
) -> None:
    conn = sqlite3.connect(_store(settings))
    conn.executescript("DROP TABLE keyword_terms; DROP TABLE keyword_chunks;")
    conn.close()
    reader = open_index(settings, embedder=CountingEmbedder())
    with pytest.raises(IndexError_, match="nianbao ingest"):
        reader.keyword_search("招生", k=5)
    doc = next(d for d in index.documents() if d.file == "changping.txt")
    assert index.unchanged(doc.file, doc.content_hash) is not None  # what `nianbao ingest` does first
    assert reader.keyword_search("招生", k=5)
