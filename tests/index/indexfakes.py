"""Deterministic embedders and small hand-made parsed documents for index tests."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from fake_openai import embed_text

from rag.types import Chunk, ParsedDocument, ReportInfo, Table, TableFact, TableRow


class BigramEmbedder:
    """Hashed character uni+bigrams: texts sharing characters get similar vectors."""

    name = "test-bigram-64"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [embed_text(t, 64) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return embed_text(text, 64)


@dataclass
class CountingEmbedder:
    """Wraps an embedder and records every text it is asked to embed."""

    inner: BigramEmbedder = field(default_factory=BigramEmbedder)
    texts: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.inner.name

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.texts.extend(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def make_doc(file: str, paragraphs: list[str], *, region: str = "昌平区", year: int = 2022,
             version: str = "v1", table_rows: tuple[tuple[str, str], ...] = ()) -> ParsedDocument:
    """A parsed report with one prose chunk per paragraph and, optionally, a one-column table."""
    content_hash = hashlib.sha256(f"{file}:{version}:{paragraphs}:{table_rows}".encode()).hexdigest()
    doc_id = content_hash[:16]
    info = ReportInfo(doc_id, file, f"{region}{year + 1}年中职质量报告", region, year + 1, year, "中职",
                      content_hash)
    chunks = [
        Chunk(_id(doc_id, text), doc_id, file, "prose", text, f"{region} {year}年", "1. 基本情况", n, n,
              region, year)
        for n, text in enumerate(paragraphs, start=1)
    ]
    tables: tuple[Table, ...] = ()
    facts: tuple[TableFact, ...] = ()
    if table_rows:
        start = len(paragraphs) + 1
        rows = tuple(TableRow(label, (value,), start + i + 1) for i, (label, value) in enumerate(table_rows))
        table = Table(f"{doc_id}-t1", doc_id, "1-1", f"{region}学生总体规模", "人", (f"{year}年",), rows,
                      start, start + len(rows), section="1. 基本情况")
        tables = (table,)
        facts = tuple(
            TableFact(f"{doc_id}-f{i}", doc_id, file, region, year, "1-1", table.title, r.label, f"{year}年",
                      r.cells[0], float(r.cells[0]), "人", r.line)
            for i, r in enumerate(rows)
        )
        context = f"{region} {year}年 表1-1 {table.title}"
        chunks.extend(
            Chunk(_id(doc_id, text), doc_id, file, "table_row", text, context, "1. 基本情况", r.line, r.line,
                  region, year, "1-1")
            for r in rows
            for text in [f"{r.label}\t{r.cells[0]}"]
        )
    return ParsedDocument(info, tuple(chunks), tables, facts)


def _id(doc_id: str, text: str) -> str:
    return hashlib.sha256(f"{doc_id}\0{text}".encode()).hexdigest()[:24]
