"""The SQLite store of one index generation: documents, chunks (with their keyword tokens), tables,
table facts, each document's audit findings (JSON) and cached vectors. It is the source of truth
for exact lookups; Chroma and BM25 are rebuilt or checked against it. The keyword index's own
tables are written by ``rag.index.keyword``."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from rag.errors import IndexError_
from rag.types import Chunk, ReportInfo, Table, TableFact, TableRow

TOKEN_SEPARATOR = "\x1f"
SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, file TEXT NOT NULL, title TEXT NOT NULL, region TEXT NOT NULL,
    report_year INTEGER, data_year INTEGER, level TEXT NOT NULL, content_hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS document_meta (
    doc_id TEXT PRIMARY KEY, sources TEXT NOT NULL, evidence TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, ord INTEGER NOT NULL, file TEXT NOT NULL,
    kind TEXT NOT NULL, text TEXT NOT NULL, context TEXT NOT NULL, section TEXT NOT NULL,
    line_start INTEGER NOT NULL, line_end INTEGER NOT NULL, region TEXT NOT NULL, year INTEGER,
    tbl TEXT NOT NULL, page INTEGER, tokens TEXT NOT NULL, text_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id, ord);
CREATE TABLE IF NOT EXISTS tables (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, ord INTEGER NOT NULL, body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tables_doc ON tables(doc_id, ord);
CREATE TABLE IF NOT EXISTS facts (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, file TEXT NOT NULL, region TEXT NOT NULL, year INTEGER,
    tbl TEXT NOT NULL, title TEXT NOT NULL, row TEXT NOT NULL, col TEXT NOT NULL, raw TEXT NOT NULL,
    value REAL, unit TEXT NOT NULL, line INTEGER NOT NULL, page INTEGER
);
CREATE INDEX IF NOT EXISTS facts_doc ON facts(doc_id, line);
CREATE INDEX IF NOT EXISTS facts_region ON facts(region, year);
CREATE TABLE IF NOT EXISTS grams (gram TEXT PRIMARY KEY, texts INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS audits (doc_id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS vectors (
    embedder TEXT NOT NULL, text_hash TEXT NOT NULL, vector BLOB NOT NULL,
    PRIMARY KEY (embedder, text_hash)
);
"""

_CHUNK_COLUMNS = (
    "id, doc_id, file, kind, text, context, section, line_start, line_end, region, year, tbl, page"
)
_FACT_COLUMNS = "id, doc_id, file, region, year, tbl, title, row, col, raw, value, unit, line, page"


def connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
    """A connection to the store at ``path`` (created when writable)."""
    try:
        if readonly:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        else:
            conn = sqlite3.connect(path, check_same_thread=False)
            conn.executescript(SCHEMA)
            conn.commit()
    except sqlite3.Error as exc:
        raise IndexError_(f"无法打开索引存储 {path.name}：{exc}") from exc
    return conn


def copy(source: Path, target: Path) -> None:
    """Copy the store at ``source`` to a new file ``target`` (SQLite's online backup: never torn)."""
    try:
        with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src, \
                closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
    except sqlite3.Error as exc:
        raise IndexError_(f"无法复制索引存储 {source.parent.name}：{exc}") from exc


def documents(conn: sqlite3.Connection) -> list[ReportInfo]:
    """Every document, ordered by file name, with where its metadata came from."""
    columns = "d.doc_id, file, title, region, report_year, data_year, level, content_hash"
    try:
        rows = conn.execute(
            f"SELECT {columns}, m.sources, m.evidence FROM documents d"
            " LEFT JOIN document_meta m ON m.doc_id = d.doc_id ORDER BY file"
        ).fetchall()
    except sqlite3.OperationalError:  # a generation written before document_meta existed
        plain = conn.execute(f"SELECT {columns} FROM documents d ORDER BY file")
        rows = [(*row, None, None) for row in plain]
    return [_info(row) for row in rows]


def _info(row: Sequence[Any]) -> ReportInfo:
    doc_id, file, title, region, report_year, data_year, level, content_hash, sources, evidence = row
    return ReportInfo(doc_id, file, title, region, report_year, data_year, level, content_hash,
                      sources=_pairs(sources), evidence=_pairs(evidence))


def _pairs(text: str | None) -> tuple[tuple[str, str], ...]:
    return tuple((str(a), str(b)) for a, b in json.loads(text)) if text else ()


def document_by_file(conn: sqlite3.Connection, file: str) -> ReportInfo | None:
    """The document stored for ``file``, if any."""
    return next((d for d in documents(conn) if d.file == file), None)


def chunk(conn: sqlite3.Connection, chunk_id: str) -> Chunk | None:
    """One chunk by id."""
    row = conn.execute(f"SELECT {_CHUNK_COLUMNS} FROM chunks WHERE id = ?", (chunk_id,)).fetchone()
    return _chunk(row) if row else None


def chunks(conn: sqlite3.Connection, doc_id: str) -> list[Chunk]:
    """A document's chunks in document order."""
    rows = conn.execute(f"SELECT {_CHUNK_COLUMNS} FROM chunks WHERE doc_id = ? ORDER BY ord", (doc_id,))
    return [_chunk(row) for row in rows]


def all_chunks(conn: sqlite3.Connection) -> list[Chunk]:
    """Every chunk, grouped by document in document order."""
    return [_chunk(row) for row in conn.execute(f"SELECT {_CHUNK_COLUMNS} FROM chunks ORDER BY doc_id, ord")]


def chunks_by_ids(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, Chunk]:
    """The chunks with these ids, keyed by id."""
    found: dict[str, Chunk] = {}
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        marks = ",".join("?" * len(part))
        for row in conn.execute(f"SELECT {_CHUNK_COLUMNS} FROM chunks WHERE id IN ({marks})", part):
            found[row[0]] = _chunk(row)
    return found


def chunk_ids(conn: sqlite3.Connection) -> list[str]:
    """The id of every chunk."""
    return [chunk_id for (chunk_id,) in conn.execute("SELECT id FROM chunks")]


def tables(conn: sqlite3.Connection, doc_id: str) -> list[Table]:
    """A document's tables in document order."""
    rows = conn.execute("SELECT body FROM tables WHERE doc_id = ? ORDER BY ord", (doc_id,))
    return [_table(json.loads(body)) for (body,) in rows]


def facts(
    conn: sqlite3.Connection, *, doc_id: str | None, region: str | None, year: int | None, table: str | None
) -> list[TableFact]:
    """Table facts matching every given field, in document order."""
    clauses, params = [], []
    for column, value in (("doc_id", doc_id), ("region", region), ("year", year), ("tbl", table)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = conn.execute(f"SELECT {_FACT_COLUMNS} FROM facts{where} ORDER BY file, line, id", params)
    return [TableFact(*row) for row in rows]


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Numbers of documents, tables, facts and chunks."""
    return {
        name: conn.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0]
        for name in ("documents", "tables", "facts", "chunks")
    }


def document_counts(conn: sqlite3.Connection, doc_id: str) -> dict[str, int]:
    """Numbers of one document's tables and facts."""
    return {
        name: conn.execute(f"SELECT COUNT(*) FROM {name} WHERE doc_id = ?", (doc_id,)).fetchone()[0]
        for name in ("tables", "facts")
    }


def insert_document(
    conn: sqlite3.Connection, info: ReportInfo, rows: Iterable[tuple[Chunk, str, str]],
    tables_: Sequence[Table], facts_: Sequence[TableFact],
) -> None:
    """Store a document with its (chunk, tokens, text hash) rows, tables and facts (no commit); the
    rows are read one at a time."""
    conn.execute("INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?)", _info_row(info))
    conn.execute(
        "INSERT OR REPLACE INTO document_meta VALUES (?, ?, ?)",
        (info.doc_id, json.dumps(info.sources, ensure_ascii=False),
         json.dumps(info.evidence, ensure_ascii=False)),
    )
    conn.executemany(
        "INSERT OR REPLACE INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (_chunk_row(c, n, tokens, text_hash) for n, (c, tokens, text_hash) in enumerate(rows)),
    )
    conn.executemany(
        "INSERT OR REPLACE INTO tables VALUES (?, ?, ?, ?)",
        [(t.id, info.doc_id, n, json.dumps(asdict(t), ensure_ascii=False)) for n, t in enumerate(tables_)],
    )
    conn.executemany(
        f"INSERT OR REPLACE INTO facts ({_FACT_COLUMNS}) VALUES ({','.join('?' * 14)})",
        [_fact_row(f) for f in facts_],
    )


def delete_document(conn: sqlite3.Connection, doc_id: str) -> None:
    """Delete a document and everything from it (no commit)."""
    for table in ("documents", "document_meta", "chunks", "tables", "facts", "audits"):
        conn.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))


def save_audit(conn: sqlite3.Connection, doc_id: str, body: str) -> None:
    """Store a document's audit, encoded by ``rag.audit.stored`` (no commit)."""
    conn.execute("INSERT OR REPLACE INTO audits VALUES (?, ?)", (doc_id, body))


def audit(conn: sqlite3.Connection, doc_id: str) -> str | None:
    """A document's stored audit, or None (not stored, or a generation written before audits were)."""
    try:
        row = conn.execute("SELECT body FROM audits WHERE doc_id = ?", (doc_id,)).fetchone()
    except sqlite3.OperationalError:
        return None
    return row[0] if row else None


def unaudited(conn: sqlite3.Connection) -> list[str]:
    """The documents no audit is stored for (every one in a generation written before audits were)."""
    try:
        rows = conn.execute("SELECT doc_id FROM documents WHERE doc_id NOT IN (SELECT doc_id FROM audits)")
        return [doc_id for (doc_id,) in rows]
    except sqlite3.OperationalError:
        return [doc_id for (doc_id,) in conn.execute("SELECT doc_id FROM documents")]


def save_gram_counts(conn: sqlite3.Connection, counts: dict[str, int], total: int) -> None:
    """Replace the stored bigram document frequencies; '' holds the number of texts (no commit)."""
    conn.execute("DELETE FROM grams")
    conn.executemany("INSERT INTO grams VALUES (?, ?)", [("", total), *counts.items()])


def gram_counts(conn: sqlite3.Connection) -> tuple[dict[str, int], int] | None:
    """The stored bigram document frequencies and number of texts, or None (an older index)."""
    try:
        counts = dict(conn.execute("SELECT gram, texts FROM grams"))
    except sqlite3.OperationalError:
        return None
    total = counts.pop("", None)
    return (counts, total) if total is not None else None


def cached_vectors(conn: sqlite3.Connection, embedder: str, hashes: Sequence[str]) -> dict[str, list[float]]:
    """Vectors already computed by ``embedder`` for these text hashes."""
    found: dict[str, list[float]] = {}
    for start in range(0, len(hashes), 500):
        part = list(hashes[start : start + 500])
        marks = ",".join("?" * len(part))
        query = f"SELECT text_hash, vector FROM vectors WHERE embedder = ? AND text_hash IN ({marks})"
        for text_hash, blob in conn.execute(query, [embedder, *part]):
            found[text_hash] = np.frombuffer(blob, dtype="<f4").astype(float).tolist()
    return found


def cached_hashes(conn: sqlite3.Connection, embedder: str, hashes: Sequence[str]) -> set[str]:
    """Which of these text hashes ``embedder`` already has a vector for (the vectors are not read)."""
    found: set[str] = set()
    for start in range(0, len(hashes), 500):
        part = list(hashes[start : start + 500])
        marks = ",".join("?" * len(part))
        query = f"SELECT text_hash FROM vectors WHERE embedder = ? AND text_hash IN ({marks})"
        found.update(text_hash for (text_hash,) in conn.execute(query, [embedder, *part]))
    return found


def cache_vectors(conn: sqlite3.Connection, embedder: str, vectors: dict[str, list[float]]) -> None:
    """Remember vectors by text hash (no commit)."""
    conn.executemany(
        "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
        [(embedder, h, np.asarray(v, dtype="<f4").tobytes()) for h, v in vectors.items()],
    )


def prune_vectors(conn: sqlite3.Connection) -> None:
    """Forget cached vectors of texts no chunk has any more (no commit)."""
    conn.execute("DELETE FROM vectors WHERE text_hash NOT IN (SELECT text_hash FROM chunks)")


def _info_row(info: ReportInfo) -> tuple[object, ...]:
    return (info.doc_id, info.file, info.title, info.region, info.report_year, info.data_year,
            info.level, info.content_hash)


def _chunk_row(c: Chunk, n: int, tokens: str, text_hash: str) -> tuple[object, ...]:
    return (c.id, c.doc_id, n, c.file, c.kind, c.text, c.context, c.section, c.line_start, c.line_end,
            c.region, c.year, c.table, c.page, tokens, text_hash)


def _fact_row(f: TableFact) -> tuple[object, ...]:
    return (f.id, f.doc_id, f.file, f.region, f.year, f.table, f.title, f.row, f.column, f.raw, f.value,
            f.unit, f.line, f.page)


def _chunk(row: Sequence[Any]) -> Chunk:
    return Chunk(*row)


def _table(body: dict[str, Any]) -> Table:
    rows = tuple(TableRow(r["label"], tuple(r["cells"]), r["line"]) for r in body.pop("rows"))
    return Table(rows=rows, **{**body, "columns": tuple(body["columns"])})
