"""Numbered sources for the prompt (table facts first, then passages) and citations back to them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rag.numbers import find_quantities, find_ratios
from rag.tokens import count_tokens
from rag.types import Chunk, Citation, Hit, TableFact

ChunkAt = Callable[[str, int], "Chunk | None"]
"""Finds the chunk of a document that holds a given line (for citing a table fact)."""

MAX_SOURCE_TOKENS = 3500
MAX_FACTS = 24
MAX_HITS = 8
_MARKERS = {"<资料>": "［资料］", "</资料>": "［/资料］"}


@dataclass(frozen=True)
class Source:
    """One numbered source as the model sees it, with what it came from."""

    n: int
    text: str
    chunk: Chunk | None
    fact: TableFact | None = None

    @property
    def body(self) -> str:
        """The source's own text, in which cited numbers are checked."""
        if self.fact is not None:
            return f"{self.fact.raw} {self.text}"
        return self.chunk.text if self.chunk is not None else self.text


def number_sources(
    hits: Sequence[Hit], facts: Sequence[TableFact], *, chunk_at: ChunkAt | None = None,
    max_tokens: int = MAX_SOURCE_TOKENS,
) -> tuple[Source, ...]:
    """Facts then hits, numbered from 1, until the token budget is spent."""
    candidates: list[tuple[str, Chunk | None, TableFact | None]] = [
        (render_fact(f), _fact_chunk(f, hits, chunk_at), f) for f in facts[:MAX_FACTS]
    ]
    candidates += [(render_chunk(h.chunk), h.chunk, None) for h in hits[:MAX_HITS]]
    sources: list[Source] = []
    spent = 0
    for text, chunk, fact in candidates:
        cost = count_tokens(text) + 4
        if sources and spent + cost > max_tokens:
            continue
        spent += cost
        sources.append(Source(len(sources) + 1, text, chunk, fact))
    return tuple(sources)


def render_sources(sources: Sequence[Source]) -> str:
    """The sources block of the prompt: one ``[n] …`` entry per source."""
    return "\n\n".join(f"[{s.n}] {s.text}" for s in sources)


def render_fact(fact: TableFact) -> str:
    """``北京市昌平区｜表1-1 学生总体规模｜招生规模·总人数｜2022年：1061 人``."""
    table = fact.table if not fact.table or fact.table.startswith("表") else f"表{fact.table}"
    value = fact.raw.strip()
    if fact.unit and not value.endswith(fact.unit):
        value = f"{value} {fact.unit}"
    parts = [fact.region, f"{table} {fact.title}".strip(), fact.row, f"{fact.column}：{value}"]
    return _neutral("｜".join(p for p in parts if p))


def render_chunk(chunk: Chunk) -> str:
    """A passage with its one-line context header."""
    header = "｜".join(line.strip() for line in chunk.context.splitlines() if line.strip())
    return _neutral(f"{header}\n{chunk.text}" if header else chunk.text)


def cite(source: Source, n: int, values: Sequence[float]) -> Citation:
    """A citation numbered ``n`` quoting the line of the source that holds one of ``values``."""
    chunk, fact = source.chunk, source.fact
    if chunk is None and fact is not None:
        quote = render_fact(fact)
        return Citation(n, fact.id, fact.doc_id, fact.file, fact.title, "", fact.table, fact.page,
                        fact.line, quote)
    assert chunk is not None
    line, quote = _quote(chunk, fact.line if fact else None, values)
    title = chunk.context.split("\n")[0]
    return Citation(n, chunk.id, chunk.doc_id, chunk.file, title, chunk.section, chunk.table, chunk.page,
                    line, quote)


def numbers_in(text: str) -> list[float]:
    """Every number stated in ``text``: as written, with 万/亿 folded in, and ratio parts."""
    out: list[float] = []
    for q in find_quantities(text):
        out += [q.value, q.base()[0]]
    for ratio in find_ratios(text):
        out += list(ratio.parts)
    return out


def holds(text: str, value: float) -> bool:
    """True when ``value`` is one of the numbers stated in ``text``."""
    return any(same_number(value, v) for v in numbers_in(text))


def same_number(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def _quote(chunk: Chunk, fact_line: int | None, values: Sequence[float]) -> tuple[int, str]:
    lines = chunk.text.split("\n")
    if fact_line is not None and 0 <= fact_line - chunk.line_start < len(lines):
        return fact_line, lines[fact_line - chunk.line_start].strip()
    for i, line in enumerate(lines):
        if any(holds(line, v) for v in values):
            return chunk.line_start + i, line.strip()
    first = next((i for i, line in enumerate(lines) if line.strip()), 0)
    return chunk.line_start + first, lines[first].strip()[:200]


def _fact_chunk(fact: TableFact, hits: Sequence[Hit], chunk_at: ChunkAt | None) -> Chunk | None:
    for hit in hits:
        c = hit.chunk
        if c.doc_id == fact.doc_id and c.line_start <= fact.line <= c.line_end and c.kind != "prose":
            return c
    return chunk_at(fact.doc_id, fact.line) if chunk_at is not None else None


def _neutral(text: str) -> str:
    """Source text cannot close the sources block early (it is data, not prompt structure)."""
    for marker, replacement in _MARKERS.items():
        text = text.replace(marker, replacement)
    return text
