"""The Chroma vector store of one index generation: one collection per embedder name, in the
generation's own folder (embedded ``PersistentClient``) or, with a server URL, in a Chroma server
(``HttpClient``) where each generation's collection carries the generation id in its name."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from rag.embedders import Embedder
from rag.errors import IndexError_
from rag.types import Chunk, SearchFilter

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

MAX_BATCH = 5000


@contextlib.contextmanager
def _translated(action: str) -> Iterator[None]:
    """Chroma's many exception types (its own, ValueError, RuntimeError from the Rust core) as IndexError_."""
    try:
        yield
    except IndexError_:
        raise
    except Exception as exc:
        raise IndexError_(f"向量库操作失败（{action}）：{type(exc).__name__}") from exc


class VectorStore:
    """Chunk vectors with filterable metadata, in a Chroma ``PersistentClient`` folder (``path``) or,
    when ``server`` is a URL, in the Chroma server's collection for ``generation``."""

    def __init__(self, path: Path, embedder: Embedder, *, server: str = "", generation: str = "",
                 create: bool = True) -> None:
        """``create=False`` opens a server's collection only if it exists: a reader must not bring
        back, empty, the collection of a generation that a writer has collected meanwhile."""
        self._shared = bool(server)
        name = collection_name(embedder.name, generation=generation if server else "")
        function = _ChromaFunction(embedder)
        with _translated("打开"):
            self._client = _http_client(server) if server else _embedded_client(path)
            if server and not create:
                self._collection = self._client.get_collection(name, embedding_function=function)  # type: ignore[arg-type]
            else:
                self._collection = self._client.get_or_create_collection(
                    name, embedding_function=function,  # type: ignore[arg-type]
                    configuration={"hnsw": {"space": "cosine"}},
                )

    def existing(self, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` are stored."""
        found: set[str] = set()
        with _translated("读取"):
            for start in range(0, len(ids), MAX_BATCH):
                part = list(ids[start : start + MAX_BATCH])
                found.update(self._collection.get(ids=part, include=[])["ids"])
        return found

    def add(self, chunks: Sequence[Chunk], vectors: Sequence[Sequence[float]]) -> None:
        """Store chunks with their vectors (same order)."""
        with _translated("写入向量"):
            for start in range(0, len(chunks), MAX_BATCH):
                part = chunks[start : start + MAX_BATCH]
                self._collection.upsert(
                    ids=[c.id for c in part],
                    embeddings=[list(v) for v in vectors[start : start + MAX_BATCH]],  # type: ignore[arg-type]
                    metadatas=[metadata(c) for c in part],
                )

    def delete(self, ids: Sequence[str]) -> None:
        """Remove these chunk ids (missing ones are ignored)."""
        with _translated("删除向量"):
            for start in range(0, len(ids), MAX_BATCH):
                self._collection.delete(ids=list(ids[start : start + MAX_BATCH]))

    def count(self) -> int:
        """Number of stored vectors."""
        with _translated("计数"):
            return self._collection.count()

    def query(
        self, vector: Sequence[float], *, k: int, where: SearchFilter | None
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the ``k`` nearest chunks passing ``where``."""
        k = min(k, self.count())
        if k <= 0:
            return []
        with _translated("检索"):
            result = self._collection.query(
                query_embeddings=[list(vector)],  # type: ignore[arg-type]
                n_results=k, where=chroma_where(where), include=["distances"]
            )
        distances = (result["distances"] or [[]])[0]
        return [(i, 1.0 - float(d)) for i, d in zip(result["ids"][0], distances, strict=True)]

    def close(self) -> None:
        """Release the client (its files stay)."""
        if self._shared:
            return  # one HTTP client per server and process, kept for the process's lifetime
        # closing must never mask the caller's outcome
        with contextlib.suppress(Exception):
            self._client.close()  # type: ignore[attr-defined]


def collection_name(embedder_name: str, *, generation: str = "") -> str:
    """A valid Chroma collection name (3–512 ASCII characters) for an embedder (and a generation)."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", embedder_name)[:40].strip("_-") or "embedder"
    name = f"chunks_{safe}_{hashlib.sha256(embedder_name.encode()).hexdigest()[:8]}"
    return f"g{generation}_{name}" if generation else name


def drop_generation(server: str, generation: str) -> None:
    """Delete every collection of ``generation`` from the Chroma server (missing ones are ignored)."""
    with _translated("删除索引版本"):
        client = _http_client(server)
        for collection in client.list_collections():
            if collection.name.startswith(f"g{generation}_"):
                client.delete_collection(collection.name)


def _embedded_client(path: Path) -> ClientAPI:
    """A client on the Chroma folder ``path``."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    return chromadb.PersistentClient(
        path=str(path), settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    )


@functools.cache
def _http_client(server: str) -> ClientAPI:
    """The client of the Chroma server at URL ``server`` (Chroma shares one per host and port anyway,
    and does not close its HTTP connections when a client is closed)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    url = urlsplit(server)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise IndexError_("NIANBAO_CHROMA_URL must be an http(s) URL such as http://127.0.0.1:8001")
    port = url.port or (443 if url.scheme == "https" else 80)
    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    return chromadb.HttpClient(host=url.hostname, port=port, ssl=url.scheme == "https", settings=settings)


def metadata(chunk: Chunk) -> dict[str, str | int]:
    """Chroma metadata for ``chunk`` (no None values: Chroma rejects them)."""
    return {
        "doc_id": chunk.doc_id, "file": chunk.file, "kind": chunk.kind, "region": chunk.region,
        "year": chunk.year if chunk.year is not None else -1, "table": chunk.table,
        "section": chunk.section[:500], "line_start": chunk.line_start, "line_end": chunk.line_end,
        "page": chunk.page if chunk.page is not None else -1,
    }


def chroma_where(where: SearchFilter | None) -> dict[str, Any] | None:
    """A Chroma ``where`` clause for a SearchFilter, or None."""
    if where is None:
        return None
    clauses: list[dict[str, Any]] = [
        {field: {"$in": list(values)}}
        for field, values in (("doc_id", where.doc_ids), ("region", where.regions), ("kind", where.kinds))
        if values
    ]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class _ChromaFunction:
    """Adapts an Embedder to Chroma's embedding-function protocol (so Chroma never loads its default)."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def __call__(self, input: list[str]) -> list[list[float]]:
        return self._embedder.embed_documents(list(input))

    def embed_query(self, input: list[str]) -> list[list[float]]:
        return [self._embedder.embed_query(text) for text in input]

    @staticmethod
    def name() -> str:
        return "nianbao"

    def get_config(self) -> dict[str, Any]:
        return {"embedder": self._embedder.name}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> _ChromaFunction:
        raise IndexError_("打开向量库时必须指定向量化模型（embedder）")

    def is_legacy(self) -> bool:
        # "legacy" keeps Chroma from persisting this function and trying to rebuild it on reopen
        return True

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine", "l2", "ip"]
