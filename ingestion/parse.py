"""Turning loaded text into a ParsedDocument: repairs, report metadata, tables with facts, chunks."""

from __future__ import annotations

from ingestion.chunks import prose_chunks, section_paths, table_chunks
from ingestion.normalize import clean_lines
from ingestion.overrides import Override, apply
from ingestion.reports import describe
from ingestion.tables import find_blocks, recover
from rag.types import LoadedText, ParsedDocument


def parse(loaded: LoadedText, *, override: Override | None = None) -> ParsedDocument:
    """Chunks, tables and table facts recovered from ``loaded``; ``override`` corrects its metadata."""
    lines = clean_lines(loaded)
    info = apply(describe(loaded, lines), override)
    blocks = find_blocks(lines)
    in_tables = {line.n for start, end in blocks for line in lines[start:end]}
    paths = section_paths(lines, in_tables)
    recovered = []
    for start, end in blocks:
        table = recover(lines, start, end, info, section=paths.get(lines[start].n, ""))
        if table.table.rows:
            recovered.append(table)
    skip = {line.n for table in recovered for line in table.lines}
    chunks = [chunk for table in recovered for chunk in table_chunks(table, info)]
    chunks += prose_chunks(lines, info, paths, skip)
    chunks.sort(key=lambda chunk: (chunk.line_start, chunk.kind != "table"))
    return ParsedDocument(
        info=info,
        chunks=tuple(chunks),
        tables=tuple(t.table for t in recovered),
        facts=tuple(fact for t in recovered for fact in t.facts),
    )
