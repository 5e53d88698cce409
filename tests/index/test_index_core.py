"""The index contract: reads, searches, idempotent upserts, replacement, removal — on an embedded
Chroma folder and on a real `chroma run` server (NIANBAO_CHROMA_URL)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from chromaserver import ChromaServer
from indexfakes import CountingEmbedder, make_doc

from rag.index import Index, open_index
from rag.settings import Settings
from rag.types import SearchFilter

CHANGPING = [
    "2022年昌平区中等职业学校招生人数1061人，比上一年减少139人。",
    "昌平区双师型教师占专任教师比例为65.2%。",
    "学校开设专业覆盖信息技术、医药卫生和文化艺术。",
]
CHAOYANG = [
    "2021年朝阳区中等职业学校招生2,345人。",
    "朝阳区职业学校固定资产总值12.3亿元。",
]
ROWS = (("招生规模·总人数", "1061"), ("在校生规模·总人数", "3155"))


@pytest.fixture(params=["embedded", "server"])
def settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    """The shared settings, once with an embedded Chroma folder and once with a Chroma server."""
    if request.param == "embedded":
        return settings
    server: ChromaServer = request.getfixturevalue("chroma_server")
    return replace(settings, chroma_url=server.url)


@pytest.fixture
def embedder() -> CountingEmbedder:
    return CountingEmbedder()


@pytest.fixture
def index(settings: Settings, embedder: CountingEmbedder) -> Iterator[Index]:
    index = open_index(settings, embedder=embedder)
    yield index
    index.close()


def test_empty_index_reads_without_creating_anything(index: Index, settings: Settings) -> None:
    assert index.documents() == []
    assert index.keyword_search("招生", k=5) == []
    assert index.dense_search("招生", k=5) == []
    assert index.stats() == {"documents": 0, "tables": 0, "facts": 0, "chunks": 0}
    assert not settings.home.exists()


def test_upsert_stores_documents_chunks_tables_and_facts(index: Index) -> None:
    doc = make_doc("changping.txt", CHANGPING, table_rows=ROWS)
    result = index.upsert(doc)
    assert (result.status, result.chunks, result.tables, result.facts) == ("added", 5, 1, 2)
    assert index.documents() == [doc.info]
    assert index.chunks(doc.info.doc_id) == list(doc.chunks)
    assert index.chunk(doc.chunks[1].id) == doc.chunks[1]
    assert index.tables(doc.info.doc_id) == list(doc.tables)
    assert index.facts(region="昌平区", year=2022, table="1-1") == list(doc.facts)
    assert index.facts(region="朝阳区") == []
    assert index.stats() == {"documents": 1, "tables": 1, "facts": 2, "chunks": 5}


def test_keyword_search_matches_whole_numbers_and_terms(index: Index) -> None:
    index.upsert(make_doc("changping.txt", CHANGPING, table_rows=ROWS))
    index.upsert(make_doc("chaoyang.txt", CHAOYANG, region="朝阳区", year=2021))
    found = {h.chunk.text for h in index.keyword_search("1061", k=5)}
    assert found == {CHANGPING[0], "招生规模·总人数\t1061"}
    assert index.keyword_search("2345人", k=1)[0].chunk.file == "chaoyang.txt"
    top = index.keyword_search("双师型教师比例", k=3)[0]
    assert top.chunk.text == CHANGPING[1]
    assert top.ranks == {"bm25": 1}


def test_searches_respect_filters(index: Index) -> None:
    changping = make_doc("changping.txt", CHANGPING, table_rows=ROWS)
    index.upsert(changping)
    index.upsert(make_doc("chaoyang.txt", CHAOYANG, region="朝阳区", year=2021))
    only_chaoyang = SearchFilter(regions=("朝阳区",))
    for search in (index.keyword_search, index.dense_search):
        assert {h.chunk.region for h in search("中等职业学校招生", k=10, where=only_chaoyang)} == {"朝阳区"}
        rows = search("招生 总人数", k=10, where=SearchFilter(kinds=("table_row",)))
        assert rows and {h.chunk.kind for h in rows} == {"table_row"}
        by_doc = search("招生", k=10, where=SearchFilter(doc_ids=(changping.info.doc_id,)))
        assert by_doc and {h.chunk.file for h in by_doc} == {"changping.txt"}


def test_dense_search_ranks_similar_text_first(index: Index) -> None:
    index.upsert(make_doc("changping.txt", CHANGPING))
    hits = index.dense_search("双师型教师占专任教师比例", k=3)
    assert hits[0].chunk.text == CHANGPING[1]
    assert hits[0].ranks == {"dense": 1}
    assert hits[0].score > hits[1].score


def test_reingesting_the_same_document_embeds_nothing_and_changes_nothing(
    index: Index, embedder: CountingEmbedder
) -> None:
    doc = make_doc("changping.txt", CHANGPING, table_rows=ROWS)
    index.upsert(doc)
    embedded, generation = len(embedder.texts), index.generation()
    again = index.upsert(doc)
    assert again.status == "unchanged" and again.embedded == 0
    assert len(embedder.texts) == embedded == 5
    assert index.generation() == generation


def test_a_changed_file_replaces_its_old_chunks_everywhere(index: Index, embedder: CountingEmbedder) -> None:
    old = make_doc("changping.txt", CHANGPING, table_rows=ROWS)
    index.upsert(old)
    changed = [CHANGPING[0], CHANGPING[1], "昌平区新增智能制造专业群。"]
    new = make_doc("changping.txt", changed, version="v2")
    embedder.texts.clear()
    result = index.upsert(new)
    assert result.status == "replaced"
    assert [d.doc_id for d in index.documents()] == [new.info.doc_id]
    assert index.chunks(old.info.doc_id) == [] and index.chunk(old.chunks[2].id) is None
    assert index.facts() == [] and index.tables(new.info.doc_id) == []
    assert "覆盖信息技术" not in " ".join(h.chunk.text for h in index.keyword_search("信息技术", k=10))
    assert {h.chunk.doc_id for h in index.dense_search("学校开设专业", k=10)} == {new.info.doc_id}
    assert index.stats()["chunks"] == 3
    # texts already embedded under the same context come from the vector cache
    assert embedder.texts == [new.chunks[2].text]


def test_remove_deletes_from_every_store(index: Index) -> None:
    doc = make_doc("changping.txt", CHANGPING, table_rows=ROWS)
    index.upsert(doc)
    index.upsert(make_doc("chaoyang.txt", CHAOYANG, region="朝阳区", year=2021))
    assert index.remove(doc.info.doc_id) is True
    assert index.remove(doc.info.doc_id) is False
    assert [d.file for d in index.documents()] == ["chaoyang.txt"]
    assert index.facts(doc_id=doc.info.doc_id) == []
    assert all(h.chunk.doc_id != doc.info.doc_id for h in index.keyword_search("招生 1061", k=10))
    assert all(h.chunk.doc_id != doc.info.doc_id for h in index.dense_search("昌平区招生", k=10))


def test_rebuild_starts_from_an_empty_index(index: Index) -> None:
    index.upsert(make_doc("changping.txt", CHANGPING))
    with index.writing(rebuild=True):
        index.upsert(make_doc("chaoyang.txt", CHAOYANG, region="朝阳区", year=2021))
    assert [d.file for d in index.documents()] == ["chaoyang.txt"]
    assert {h.chunk.file for h in index.dense_search("招生", k=10)} == {"chaoyang.txt"}


def test_a_failed_write_leaves_the_index_as_it_was(index: Index, settings: Settings) -> None:
    index.upsert(make_doc("changping.txt", CHANGPING))
    before = index.generation()
    with pytest.raises(RuntimeError), index.writing():
        index.upsert(make_doc("chaoyang.txt", CHAOYANG, region="朝阳区", year=2021))
        raise RuntimeError("crash in the middle of a batch")
    assert index.generation() == before
    assert [d.file for d in index.documents()] == ["changping.txt"]
    assert [p.name for p in (settings.home / "generations").iterdir()] == [before]


def test_another_reader_sees_each_switch_and_never_a_half_written_batch(
    index: Index, settings: Settings
) -> None:
    reader = open_index(settings, embedder=CountingEmbedder())
    with index.writing():
        index.upsert(make_doc("changping.txt", CHANGPING))
        assert reader.documents() == []
        index.upsert(make_doc("chaoyang.txt", CHAOYANG, region="朝阳区", year=2021))
        assert reader.stats()["chunks"] == 0
    assert [d.file for d in reader.documents()] == ["changping.txt", "chaoyang.txt"]
    assert reader.dense_search("固定资产", k=1)[0].chunk.file == "chaoyang.txt"
    reader.close()


def test_verify_reports_a_consistent_index(index: Index) -> None:
    assert index.verify() == []
    index.upsert(make_doc("changping.txt", CHANGPING, table_rows=ROWS))
    index.upsert(make_doc("changping.txt", CHANGPING[:2], version="v2"))
    assert index.verify() == []


def test_reads_from_many_threads_while_another_index_switches_generations(
    index: Index, settings: Settings
) -> None:
    import threading

    index.upsert(make_doc("changping.txt", CHANGPING, table_rows=ROWS))
    reader = open_index(settings, embedder=CountingEmbedder())
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        try:
            while not stop.is_set():
                files = {d.file for d in reader.documents()}
                assert "changping.txt" in files
                assert reader.keyword_search("1061", k=3)
                assert reader.dense_search("招生人数", k=3)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for n in range(4):
        index.upsert(make_doc(f"other{n}.txt", CHAOYANG, region="朝阳区", year=2021, version=str(n)))
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    reader.close()
    assert errors == []
    assert len(reader.documents()) == 5


def test_switching_embedders_is_repaired_by_ingesting_again(
    index: Index, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    doc = make_doc("changping.txt", CHANGPING)
    index.upsert(doc)

    class Other(CountingEmbedder):
        @property
        def name(self) -> str:
            return "another-model"

    other = open_index(settings, embedder=Other())
    assert other.dense_search("招生", k=3) == []
    assert "another embedder" in caplog.text
    assert other.verify() == ["3 chunks have no vector"]
    result = other.upsert(doc)
    assert (result.status, result.embedded) == ("unchanged", 3)
    assert other.dense_search("招生", k=3) and other.verify() == []
    other.close()


def test_a_chroma_server_keeps_only_the_collections_of_live_generations(
    index: Index, settings: Settings
) -> None:
    if not settings.chroma_url:
        pytest.skip("server mode only")
    from rag.index.vectors import _http_client

    seen = []
    for n in range(3):
        index.upsert(make_doc(f"r{n}.txt", CHANGPING, version=str(n)))
        seen.append(index.generation())
    names = {c.name.split("_", 1)[0][1:] for c in _http_client(settings.chroma_url).list_collections()}
    assert seen[0] not in names
    assert {seen[1], seen[2]} <= names
    assert not (settings.home / "generations" / str(seen[2]) / "chroma").exists()


def test_a_reader_does_not_bring_back_a_collected_generation_on_a_chroma_server(
    index: Index, settings: Settings, embedder: CountingEmbedder
) -> None:
    if not settings.chroma_url:
        pytest.skip("server mode only")
    from rag.errors import IndexError_
    from rag.index.vectors import VectorStore, _http_client

    index.upsert(make_doc("r0.txt", CHANGPING))
    collected = index.generation()
    for n in range(1, 3):
        index.upsert(make_doc(f"r{n}.txt", CHANGPING, version=str(n)))
    with pytest.raises(IndexError_):
        VectorStore(settings.home, embedder, server=settings.chroma_url, generation=str(collected),
                    create=False)
    names = {c.name.split("_", 1)[0][1:] for c in _http_client(settings.chroma_url).list_collections()}
    assert str(collected) not in names


def test_bigram_frequencies_are_stored_with_each_generation(index: Index) -> None:
    from rag.grams import document_frequencies

    assert index.gram_counts() is None
    doc = make_doc("changping.txt", CHANGPING, table_rows=ROWS)
    index.upsert(doc)
    index.upsert(make_doc("chaoyang.txt", CHAOYANG, region="朝阳区", year=2021))
    chunks = [c for d in index.documents() for c in index.chunks(d.doc_id)]
    assert index.gram_counts() == document_frequencies(c.search_text for c in chunks)
    index.remove(doc.info.doc_id)
    rest = index.chunks(index.documents()[0].doc_id)
    assert index.gram_counts() == document_frequencies(c.search_text for c in rest)
