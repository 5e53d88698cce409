"""Turning loaded text into a ParsedDocument. (Placeholder: one prose chunk per paragraph, no
tables; the real parser replaces this.)"""

from __future__ import annotations

import hashlib

from rag.types import Chunk, LoadedText, ParsedDocument, ReportInfo


def parse(loaded: LoadedText) -> ParsedDocument:
    """Chunks, tables and table facts recovered from ``loaded``."""
    doc_id = loaded.content_hash[:16]
    title = next((line.strip() for line in loaded.lines if line.strip()), loaded.file)
    info = ReportInfo(doc_id, loaded.file, title, "", None, None, "", loaded.content_hash)
    chunks = tuple(
        Chunk(
            id=hashlib.sha256(f"{doc_id}:{n}:{line}".encode()).hexdigest()[:24],
            doc_id=doc_id,
            file=loaded.file,
            kind="prose",
            text=line,
            context=title,
            section="",
            line_start=n,
            line_end=n,
            region="",
            year=None,
        )
        for n, line in enumerate(loaded.lines, start=1)
        if line.strip()
    )
    return ParsedDocument(info, chunks, (), ())
