"""The Index: SQLite (truth and BM25 keywords) + Chroma (vectors), one generation at a time.

Reads go to the generation named by ``home/CURRENT``; every read first checks that pointer (one
``stat``) and, when another process switched it, one thread opens the new generation outside the
read lock (as far as the old one was opened: keyword index, vectors) while the others keep reading
the old one, so a switch does not stall readers. Writes happen inside ``writing()``: under the
exclusive writer lock, on a copy of the current generation (or an empty one for a rebuild), switched
to atomically at the end; everything a reader needs (the keyword index too) is built before the switch,
so a reader only opens files. Reads are thread-safe (one lock around the open generation).
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

from rag.embedders import Embedder, build_embedder
from rag.errors import IndexError_
from rag.grams import document_frequencies
from rag.index import generations, keyword, store
from rag.index import tokenize as tokenize_module
from rag.index.generations import Layout
from rag.index.tokenize import tokenize
from rag.index.vectors import MAX_BATCH, VectorStore, drop_generation
from rag.settings import Settings
from rag.types import Chunk, Hit, ParsedDocument, ReportInfo, SearchFilter, Table, TableFact

T = TypeVar("T")
_log = logging.getLogger(__name__)
EMBED_BATCH = 256


@dataclass(frozen=True)
class UpsertResult:
    """What one upsert did."""

    doc_id: str
    file: str
    status: Literal["added", "replaced", "unchanged"]
    chunks: int
    tables: int
    facts: int
    embedded: int
    """Texts sent to the embedder (0 when every vector was already stored or cached)."""


class Index:
    """Hybrid-searchable store of parsed reports; see the module docstring for the write protocol."""

    def __init__(self, settings: Settings, *, embedder: Embedder | None = None) -> None:
        self._settings = settings
        self._layout = Layout(settings.home)
        self._embedder = embedder
        self._owns_embedder = embedder is None
        self._lock = threading.RLock()
        self._snapshot: _Snapshot | None = None
        self._stamp: tuple[int, int] | None = None
        self._writer: _Writer | None = None
        self._writer_thread = 0
        self._write_mutex = threading.Lock()
        self._opening = threading.Lock()
        """Held by the one thread opening a new generation for reads."""

    @property
    def home(self) -> Path:
        """The index home (where the metadata overrides live)."""
        return self._settings.home

    @property
    def embedder(self) -> Embedder:
        """The embedder for dense search (built on first use)."""
        with self._lock:
            if self._embedder is None:
                self._embedder = build_embedder(self._settings)
            return self._embedder

    # -- reads -------------------------------------------------------------------------------

    def documents(self) -> list[ReportInfo]:
        """Every indexed report."""
        return self._read(lambda s: store.documents(s.conn) if s.conn else [])

    def chunk(self, chunk_id: str) -> Chunk | None:
        """One chunk by id, or None."""
        return self._read(lambda s: store.chunk(s.conn, chunk_id) if s.conn else None)

    def chunks(self, doc_id: str) -> list[Chunk]:
        """A report's chunks in document order."""
        return self._read(lambda s: store.chunks(s.conn, doc_id) if s.conn else [])

    def tables(self, doc_id: str) -> list[Table]:
        """A report's recovered tables in document order."""
        return self._read(lambda s: store.tables(s.conn, doc_id) if s.conn else [])

    def facts(
        self, *, doc_id: str | None = None, region: str | None = None, year: int | None = None,
        table: str | None = None,
    ) -> list[TableFact]:
        """Table facts matching every given field (table = the table number, e.g. '1-1')."""
        def read(s: _Snapshot) -> list[TableFact]:
            return store.facts(s.conn, doc_id=doc_id, region=region, year=year, table=table) if s.conn else []

        return self._read(read)

    def stats(self) -> dict[str, int]:
        """Counts of documents, tables, facts and chunks."""
        empty = {"documents": 0, "tables": 0, "facts": 0, "chunks": 0}
        return self._read(lambda s: store.counts(s.conn) if s.conn else empty)

    def keyword_search(self, query: str, *, k: int, where: SearchFilter | None = None) -> list[Hit]:
        """Best ``k`` chunks by BM25 over jieba tokens, score = BM25 score."""
        if self.generation() is None:
            return []  # nothing to tokenise for: jieba's cache is not written into a home not yet made
        tokens = tokenize(query)
        return self._read(lambda s: _hits(s, s.keyword_search(tokens, k=k, where=where), "bm25"))

    def dense_search(self, query: str, *, k: int, where: SearchFilter | None = None) -> list[Hit]:
        """Nearest ``k`` chunks by embedding, score = cosine similarity."""
        vector = self.embedder.embed_query(query)

        def search(s: _Snapshot) -> list[Hit]:
            vectors = s.vectors(self.embedder)
            return _hits(s, vectors.query(vector, k=k, where=where), "dense") if vectors else []

        return self._read(search)

    def stored_audit(self, doc_id: str) -> str | None:
        """The audit the writer stored for ``doc_id`` (``rag.audit.stored``'s JSON), or None."""
        return self._read(lambda s: store.audit(s.conn, doc_id) if s.conn else None)

    def gram_counts(self) -> tuple[dict[str, int], int] | None:
        """Bigram document frequencies of every chunk's search text (stored at write time), or None."""
        return self._read(lambda s: store.gram_counts(s.conn) if s.conn else None)

    def verify(self) -> list[str]:
        """Inconsistencies between the stores of the current generation (empty when consistent)."""

        def check(s: _Snapshot) -> list[str]:
            if s.conn is None:
                return []
            ids = store.chunk_ids(s.conn)
            vectors = s.vectors(self.embedder)
            stored = vectors.existing(ids) if vectors else set()
            problems = [f"{len(ids) - len(stored)} chunks have no vector"] if len(stored) < len(ids) else []
            extra = (vectors.count() if vectors else 0) - len(stored)
            return problems + ([f"{extra} vectors belong to no chunk"] if extra else [])

        return self._read(check)

    def missing_parts(self) -> list[str]:
        """What of the current generation an older version did not write (names for people: 关键词索引,
        审计结果, 分词词表); any writer adds them, see ``_Writer``. Empty for an empty index."""
        def check(s: _Snapshot) -> list[str]:
            if s.conn is None:
                return []
            parts = [] if keyword.stored(s.conn) else ["关键词索引"]
            parts += ["审计结果"] if store.unaudited(s.conn) else []
            return parts + ([] if tokenize_module.word_file_written() else ["分词词表"])

        return self._read(check)

    def generation(self) -> str | None:
        """The id of the generation reads currently use."""
        return self._read(lambda s: s.generation)

    # -- writes ------------------------------------------------------------------------------

    @contextmanager
    def writing(self, *, rebuild: bool = False) -> Iterator[None]:
        """Group writes into one new generation, switched to on success, discarded on error."""
        if self._writer is not None and self._writer_thread == threading.get_ident():
            yield
            return
        lock = self._lock_writers()
        try:
            self._collect_garbage()
            base = None if rebuild else generations.current(self._layout)
            generation, writer = self._begin(base)
            try:
                yield
                writer.commit()
            except BaseException:
                writer.close()
                self._discard(generation)
                raise
            writer.close()
            if writer.changed or rebuild or base is None:
                generations.switch(self._layout, generation)
                self._collect_garbage()
            else:
                self._discard(generation)
        finally:
            self._writer = None
            lock.release()
            self._write_mutex.release()

    def _collect_garbage(self) -> None:
        for generation in generations.collect_garbage(self._layout):
            self._drop_vectors(generation)

    def _discard(self, generation: str) -> None:
        generations.discard(self._layout, generation)
        self._drop_vectors(generation)

    def _drop_vectors(self, generation: str) -> None:
        """A dead generation's collections leave the Chroma server (its folder held everything else)."""
        if self._settings.chroma_url:
            try:
                drop_generation(self._settings.chroma_url, generation)
            except IndexError_ as exc:  # garbage left behind must not fail the write
                _log.warning("could not delete generation %s from the Chroma server: %s", generation, exc)

    def _lock_writers(self) -> generations.WriteLock:
        """Both writer locks (this process's threads, then other processes), or IndexError_ at once."""
        if not self._write_mutex.acquire(blocking=False):
            raise IndexError_("索引正在被另一个任务写入，请稍后再试", code="index_locked")
        lock = generations.WriteLock(self._layout)
        try:
            lock.acquire()
        except BaseException:
            self._write_mutex.release()
            raise
        self._writer_thread = threading.get_ident()
        return lock

    def _begin(self, base: str | None) -> tuple[str, _Writer]:
        """A new generation holding a copy of ``base``'s store (or nothing) and its writer."""
        generation = generations.new_generation(self._layout)
        folder = self._layout.folder(generation)
        if base is not None:
            store.copy(self._layout.folder(base) / generations.STORE, folder / generations.STORE)
        self._writer = _Writer(folder, self.embedder, server=self._settings.chroma_url)
        return generation, self._writer

    def upsert(self, doc: ParsedDocument, *, lines: Sequence[str] | None = None) -> UpsertResult:
        """Store ``doc`` with its audit, replacing an older version of its file; unchanged chunks are
        not re-embedded. ``lines`` (the file as loaded) give the audit's prose figures their lines."""
        with self.writing():
            assert self._writer is not None
            return self._writer.upsert(doc, lines)

    def unchanged(self, file: str, content_hash: str) -> UpsertResult | None:
        """What upserting ``file`` would do when its content is already stored with its audit (so it
        need not be loaded or parsed again): an "unchanged" result, or None when it must be parsed."""
        with self.writing():
            assert self._writer is not None
            return self._writer.unchanged(file, content_hash)

    def remove(self, doc_id: str) -> bool:
        """Remove a report from every store; False when it was not indexed."""
        with self.writing():
            assert self._writer is not None
            return self._writer.remove(doc_id)

    def close(self) -> None:
        """Release open files (the index stays on disk)."""
        with self._lock:
            if self._snapshot is not None:
                self._snapshot.close()
            self._snapshot, self._stamp = None, None
            close = getattr(self._embedder, "close", None)
            if self._owns_embedder and close is not None:
                close()
                self._embedder = None

    def _read(self, read: Callable[[_Snapshot], T]) -> T:
        for retry in (False, True):
            self._follow_current(wait=retry)
            with self._lock:
                try:
                    if self._snapshot is None:  # closed meanwhile
                        self._snapshot = self._open_snapshot(generations.current(self._layout))
                    return read(self._snapshot)
                except sqlite3.Error as exc:
                    raise IndexError_(f"索引存储出错：{exc}") from exc
                except IndexError_:
                    # Writers switched twice while this read's generation was still being read from,
                    # and collected it (a Chroma server drops its collection): read the current one.
                    if retry or self._snapshot is None or (
                            self._snapshot.generation == generations.current(self._layout)):
                        raise
        raise AssertionError("unreachable")

    def _follow_current(self, *, wait: bool = False) -> None:
        """Switch reads to the generation CURRENT names, opened outside the read lock as far as the
        one it replaces was (keyword index, vectors): meanwhile other threads keep reading that one
        (unless ``wait``: then this thread waits for the one opening it)."""
        with self._lock:
            if self._snapshot is not None and generations.stamp(self._layout) == self._stamp:
                return
            first = self._snapshot is None
        if not self._opening.acquire(blocking=first or wait):
            return  # another thread is opening the new generation
        try:
            stamp = generations.stamp(self._layout)
            generation = generations.current(self._layout)
            with self._lock:
                old = self._snapshot
                if old is not None and old.generation == generation:
                    self._stamp = stamp
                    return
            fresh = self._open_snapshot(generation)
            if old is not None:
                fresh.warm_like(old, self.embedder)
            with self._lock:
                if self._snapshot is not None:
                    self._snapshot.close()
                self._snapshot, self._stamp = fresh, stamp
        finally:
            self._opening.release()

    def _open_snapshot(self, generation: str | None) -> _Snapshot:
        # a writer may switch (and collect the generation just read from CURRENT) meanwhile: reread
        for _attempt in range(3):
            try:
                return _Snapshot.open(self._layout, generation, self._settings.chroma_url)
            except IndexError_:
                latest = generations.current(self._layout)
                if latest == generation:
                    raise
                generation = latest
        return _Snapshot.open(self._layout, generation, self._settings.chroma_url)


def open_index(settings: Settings, *, embedder: Embedder | None = None) -> Index:
    """The index under ``settings.home`` (empty when nothing was ingested yet); jieba's cache goes
    there too."""
    tokenize_module.use_cache_dir(Layout(settings.home).cache)
    return Index(settings, embedder=embedder)


class _Snapshot:
    """One generation opened for reading."""

    def __init__(
        self, layout: Layout, generation: str | None, conn: sqlite3.Connection | None, server: str = ""
    ) -> None:
        self.generation = generation
        self.conn = conn
        self._layout = layout
        self._server = server
        self._keyword: keyword.KeywordIndex | None = None
        self._vectors: VectorStore | None = None

    @classmethod
    def open(cls, layout: Layout, generation: str | None, server: str = "") -> _Snapshot:
        if generation is None:
            return cls(layout, None, None)
        path = layout.folder(generation) / generations.STORE
        if not path.exists():
            raise IndexError_(f"索引版本 {generation} 缺失，请运行 nianbao ingest --rebuild 重建索引")
        return cls(layout, generation, store.connect(path, readonly=True), server)

    def keyword_search(
        self, tokens: list[str], *, k: int, where: SearchFilter | None
    ) -> list[tuple[str, float]]:
        if self.conn is None:
            return []
        if self._keyword is None:
            self._keyword = keyword.KeywordIndex(self.conn)
        return self._keyword.search(tokens, k=k, where=where)

    def vectors(self, embedder: Embedder) -> VectorStore | None:
        if self.generation is None:
            return None
        if self._vectors is None:
            self._vectors = self._open_vectors(embedder)
            if self._vectors.count() == 0 and self.conn is not None and store.counts(self.conn)["chunks"]:
                _log.warning("dense search finds nothing: this index was embedded with another embedder "
                             "than %s; run 'nianbao ingest' to embed it again", embedder.name)
        return self._vectors

    def _open_vectors(self, embedder: Embedder) -> VectorStore:
        assert self.generation is not None
        folder, generation = self._layout.folder(self.generation) / generations.CHROMA, self.generation
        try:
            return VectorStore(folder, embedder, server=self._server, generation=generation, create=False)
        except IndexError_:
            if generations.current(self._layout) != self.generation:
                raise  # collected by a writer meanwhile: the read retries on the current generation
            # the current generation has no collection for this embedder: dense search finds nothing
            return VectorStore(folder, embedder, server=self._server, generation=generation)

    def warm_like(self, other: _Snapshot, embedder: Embedder) -> None:
        """Open the keyword index and the vectors when ``other`` had them open."""
        if other._keyword is not None and self.conn is not None and keyword.stored(self.conn):
            self._keyword = keyword.KeywordIndex(self.conn)
        if other._vectors is not None:
            self.vectors(embedder)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        if self._vectors is not None:
            self._vectors.close()


class _Writer:
    """Applies upserts and removals to one new generation.

    Vectors are cached in SQLite by text hash as documents arrive; the generation's Chroma folder is
    built from that cache at commit. Nothing of Chroma is copied between generations: readers in
    other processes modify their Chroma files, so a copy could be torn, while SQLite is the truth.
    Each document's audit is stored with it; the keyword index, bigram statistics and jieba's word
    file are written too, so a generation from an older version is completed by any write.
    """

    def __init__(self, folder: Path, embedder: Embedder, *, server: str = "") -> None:
        self._folder = folder
        self._server = server
        self._embedder = embedder
        self._conn = store.connect(folder / generations.STORE, readonly=False)
        self.changed = not keyword.stored(self._conn)  # a generation written before it was stored
        self._context_tokens: dict[str, list[str]] = {}
        tokenize_module.ensure_word_file()

    def upsert(self, doc: ParsedDocument, lines: Sequence[str] | None) -> UpsertResult:
        info = doc.info
        chunks = list({c.id: c for c in doc.chunks}.values())
        old = store.document_by_file(self._conn, info.file)
        unchanged = old == info  # same file content and same metadata (an override changes the latter)
        if not unchanged:
            for stale in {old.doc_id if old else None, info.doc_id} - {None}:
                self._delete(str(stale))
            tokenize_module.load_whole_dictionary()  # a whole report is tokenised
            rows = ((c, store.TOKEN_SEPARATOR.join(self._tokens(c)), _text_hash(c)) for c in chunks)
            store.insert_document(self._conn, info, rows, doc.tables, doc.facts)
        audited = not unchanged or store.audit(self._conn, info.doc_id) is None
        if audited:
            self._save_audit(info.doc_id, lines)
        embedded = self._embed_missing(chunks)
        self._conn.commit()
        self.changed = self.changed or audited or embedded > 0
        status: Literal["added", "replaced", "unchanged"] = (
            "unchanged" if unchanged else "replaced" if old else "added"
        )
        return UpsertResult(info.doc_id, info.file, status, len(chunks), len(doc.tables), len(doc.facts),
                            embedded)

    def unchanged(self, file: str, content_hash: str) -> UpsertResult | None:
        old = store.document_by_file(self._conn, file)
        if old is None or old.content_hash != content_hash or store.audit(self._conn, old.doc_id) is None:
            return None
        chunks = store.chunks(self._conn, old.doc_id)
        embedded = self._embed_missing(chunks)  # vectors of another embedder are still made
        self._conn.commit()
        self.changed = self.changed or embedded > 0
        counts = store.document_counts(self._conn, old.doc_id)
        return UpsertResult(old.doc_id, file, "unchanged", len(chunks), counts["tables"], counts["facts"],
                            embedded)

    def _save_audit(self, doc_id: str, lines: Sequence[str] | None) -> None:
        """Audit the stored document (as ``rag.audit.indexed`` would) and store the findings."""
        from rag.audit import AuditReport, audit_document  # the checks: writers only
        from rag.audit.stored import encode

        info = next(d for d in store.documents(self._conn) if d.doc_id == doc_id)
        try:
            report = audit_document(
                info,
                chunks=store.chunks(self._conn, doc_id),
                facts=store.facts(self._conn, doc_id=doc_id, region=None, year=None, table=None),
                tables=store.tables(self._conn, doc_id),
                lines=lines,
            )
        except Exception:  # a bug of the audit on one odd report must not fail its ingest
            _log.exception("audit of %s failed: stored without findings", info.file)
            report = AuditReport(info=info, findings=(), seconds=0.0)
        store.save_audit(self._conn, doc_id, encode(report))

    def _tokens(self, chunk: Chunk) -> list[str]:
        # the tokens of search_text = context + newline + text; many chunks share one context
        if chunk.context not in self._context_tokens:
            self._context_tokens[chunk.context] = tokenize(chunk.context)
        return self._context_tokens[chunk.context] + tokenize(chunk.text)

    def remove(self, doc_id: str) -> bool:
        found = self._delete(doc_id)
        self._conn.commit()
        self.changed = self.changed or found
        return found

    def commit(self) -> None:
        """Audit the documents stored without an audit (a generation written before audits were, files
        not parsed again: prose figures are cited at their chunk), build the generation's vector store
        (from the cache) and keyword index when anything changed, and commit."""
        for doc_id in store.unaudited(self._conn):
            self._save_audit(doc_id, lines=None)
            self.changed = True
        if self.changed:
            self._embed_missing(store.all_chunks(self._conn))
            self._fill_vectors()
            store.prune_vectors(self._conn)
            texts = (c.search_text for c in store.all_chunks(self._conn))
            store.save_gram_counts(self._conn, *document_frequencies(texts))
            keyword.build(self._conn)
        self._conn.commit()

    def close(self) -> None:
        self._conn.close()

    def _delete(self, doc_id: str) -> bool:
        known = self._conn.execute("SELECT 1 FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        store.delete_document(self._conn, doc_id)
        return known is not None

    def _embed_missing(self, chunks: Sequence[Chunk]) -> int:
        """Embed and cache the texts no vector is cached for; how many were embedded comes back."""
        name = self._embedder.name
        texts = {_text_hash(c): dense_text(c) for c in chunks}
        known = store.cached_hashes(self._conn, name, list(texts))
        todo = [(h, t) for h, t in texts.items() if h not in known]
        for start in range(0, len(todo), EMBED_BATCH):
            part = todo[start : start + EMBED_BATCH]
            vectors = self._embedder.embed_documents([t for _, t in part])
            store.cache_vectors(self._conn, name, dict(zip([h for h, _ in part], vectors, strict=True)))
        return len(todo)

    def _fill_vectors(self) -> None:
        """Copy the cached vectors of every chunk into the generation's vector store, one batch of
        vectors in memory at a time."""
        chunks = store.all_chunks(self._conn)
        vectors = VectorStore(self._folder / generations.CHROMA, self._embedder, server=self._server,
                              generation=self._folder.name)
        try:
            for start in range(0, len(chunks), MAX_BATCH):
                part = chunks[start : start + MAX_BATCH]
                hashes = [_text_hash(c) for c in part]
                cached = store.cached_vectors(self._conn, self._embedder.name, hashes)
                vectors.add(part, [cached[h] for h in hashes])
        finally:
            vectors.close()


def dense_text(chunk: Chunk) -> str:
    """What is embedded for a chunk: its own text. Region, year and report are metadata filters;
    adding the context to the embedded text made fused recall worse (benchmarks/retrieval_recall.py)."""
    return chunk.text


def _text_hash(chunk: Chunk) -> str:
    return hashlib.sha256(dense_text(chunk).encode("utf-8")).hexdigest()


def _hits(snapshot: _Snapshot, scored: list[tuple[str, float]], retriever: str) -> list[Hit]:
    if snapshot.conn is None or not scored:
        return []
    found = store.chunks_by_ids(snapshot.conn, [i for i, _ in scored])
    hits = [(found.get(i), score) for i, score in scored]
    return [
        Hit(chunk, score, {retriever: rank})
        for rank, (chunk, score) in enumerate(((c, s) for c, s in hits if c is not None), start=1)
    ]
