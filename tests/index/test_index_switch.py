"""A reader follows a new generation without stalling: the new one is opened (store, keyword index,
vectors) outside the read lock, while other threads keep reading the old one."""

from __future__ import annotations

import threading

import pytest
from indexfakes import CountingEmbedder, make_doc

from rag.embedders import Embedder
from rag.index import open_index
from rag.index.index import _Snapshot
from rag.settings import Settings


def test_readers_keep_the_old_generation_while_the_new_one_is_opened(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = open_index(settings, embedder=CountingEmbedder())
    writer.upsert(make_doc("a.txt", ["2022年招生 1061 人。"]))
    reader = open_index(settings, embedder=CountingEmbedder())
    assert reader.dense_search("招生", k=5) and reader.keyword_search("招生", k=5)
    writer.upsert(make_doc("b.txt", ["2022年毕业 900 人。"], region="朝阳区"))

    opening, release = threading.Event(), threading.Event()
    warm_like = _Snapshot.warm_like

    def slow_warm(snapshot: _Snapshot, other: _Snapshot, embedder: Embedder) -> None:
        warm_like(snapshot, other, embedder)
        assert snapshot._vectors is not None and snapshot._keyword is not None  # opened as the old was
        opening.set()
        release.wait(timeout=30)

    monkeypatch.setattr(_Snapshot, "warm_like", slow_warm)
    switching = threading.Thread(target=reader.documents)
    switching.start()
    assert opening.wait(timeout=30)
    assert [d.file for d in reader.documents()] == ["a.txt"]  # answered at once, from the old one
    assert reader.dense_search("毕业", k=5)
    release.set()
    switching.join(timeout=30)
    assert [d.file for d in reader.documents()] == ["a.txt", "b.txt"]
    reader.close()
    writer.close()
