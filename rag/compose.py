"""Answer text and citations for the extractive answerer: a stated value, a computation over
cited inputs, a list sentence, or the fixed refusal."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

from rag.arithmetic import Result, with_unit
from rag.change_words import FALL, SPOKEN_FALL, either
from rag.frames import APPROXIMATE
from rag.numbers import parse_quantity
from rag.query import Query
from rag.retriever import Retrieval
from rag.types import Answer, Chunk, Citation, Hit, TableFact

REFUSAL = "报告中没有找到该问题的答案。"


class Located(Protocol):
    """A number (or ratio) as its source writes it, on a line of a chunk: a ``Frame``, or the rules
    answerer's ``Evidence``."""

    @property
    def value(self) -> float | None: ...
    @property
    def unit(self) -> str: ...
    @property
    def raw(self) -> str: ...
    @property
    def ratio(self) -> str: ...
    @property
    def qualifier(self) -> str: ...
    @property
    def fact(self) -> TableFact | None: ...
    @property
    def chunk(self) -> Chunk: ...
    @property
    def line(self) -> int: ...
    @property
    def quote(self) -> str: ...


_ASKS_FALL = re.compile(rf"{either(FALL, SPOKEN_FALL)}|降幅|减幅|跌幅|下降率")


def refusal(query: Query, retrieval: Retrieval, reason: str = "") -> Answer:
    """The fixed refusal, with the reason when one is known."""
    text = f"{REFUSAL}{reason}" if reason else REFUSAL
    return Answer(query.text, text, None, "", True, "extractive", (), retrieval.hits)


def stated(query: Query, retrieval: Retrieval, found: Located, confidence: float) -> Answer:
    """The answer that states ``found``'s number with its source; a fall the question asks for
    (降幅, 下降了百分之几) stated as a negative change is answered as its size (下降 0.95%)."""
    value, shown = found.value, found.ratio or display(found)
    if value is not None and value < 0 and _ASKS_FALL.search(query.measure):
        value, shown = -value, f"下降 {shown.lstrip('-−')}"
    text = f"答：{shown}。\n{where(found.fact, found.quote, found.chunk)}[1]"
    if found.qualifier in APPROXIMATE:
        text += f"\n注意：原文写作“{found.qualifier}{found.raw}”，是{APPROXIMATE[found.qualifier]}值。"
    return Answer(
        question=query.text, text=text, value=value, unit=found.unit, refused=False,
        mode="extractive", citations=(cite(1, found),), retrieved=evidence_first(retrieval.hits, [found]),
        confidence=round(confidence, 4),
    )


def computed(
    query: Query, retrieval: Retrieval, inputs: Sequence[Located], result: Result, confidence: float
) -> Answer:
    """The answer that shows ``result`` with its formula, each distinct source cited once."""
    citations, marks = _distinct_citations(inputs)
    text = computed_text(result, marks)
    return Answer(
        question=query.text, text=text, value=result.size, unit=result.unit, refused=False,
        mode="extractive", citations=citations, retrieved=evidence_first(retrieval.hits, inputs),
        computation=result.formula, confidence=round(confidence, 4),
    )


def computed_text(result: Result, marks: str) -> str:
    """A computed answer's text: the result, then its formula with the citation marks of its inputs."""
    return f"答：{computed_phrase(result)}。\n计算：{result.formula}（输入见{marks}）"


def computed_phrase(result: Result) -> str:
    """How an answer states a computed result: its size with the direction (前者比后者少 139 人,
    下降 13.08%)."""
    shown = with_unit(result.size, result.unit)
    if result.direction == "持平":
        return f"两者相同，相差 {shown}"
    if result.direction in ("多", "少"):
        return f"前者比后者{result.direction} {shown}"
    return f"{result.direction} {shown}" if result.direction else shown


def from_change(query: Query, retrieval: Retrieval, found: Located, result: Result, year: int) -> Answer:
    """Last year's value computed from this year's value and its stated change."""
    shown = with_unit(result.value, result.unit)
    text = f"答：{shown}。\n计算：{result.formula}（{year}年的数及其变化见[1]）"
    return Answer(
        question=query.text, text=text, value=result.value, unit=result.unit, refused=False,
        mode="extractive", citations=(cite(1, found),), retrieved=evidence_first(retrieval.hits, [found]),
        computation=result.formula,
    )


def sentence(query: Query, retrieval: Retrieval, chunk: Chunk, text: str, line: int) -> Answer:
    """An answer that is one cited sentence (a list)."""
    return Answer(
        question=query.text, text=f"{text}[1]", value=None, unit="", refused=False, mode="extractive",
        citations=(cite_at(1, chunk, line, text),), retrieved=chunks_first(retrieval.hits, [chunk]),
    )


def display(found: Located) -> str:
    """The number as the source writes it, with its unit (and its qualifier: 近100%)."""
    return written(found.raw, found.unit, found.qualifier)


def written(raw: str, unit: str, qualifier: str) -> str:
    """``raw`` as the source writes it, with ``unit`` when it has none of its own, after the
    ``qualifier`` that makes it approximate (近100%)."""
    quantity = parse_quantity(raw)
    shown = raw if quantity is not None and quantity.unit else f"{raw} {unit}".strip()
    return f"{qualifier}{shown}" if qualifier in APPROXIMATE else shown


def where(fact: TableFact | None, quote: str, chunk: Chunk) -> str:
    """Where a stated number comes from: the quoted sentence, or the table cell it sits in."""
    if fact is None:
        return f"原文：“{quote}”"
    table = f"表 {fact.table}" if fact.table else "表格"
    cells = "，".join(f"“{x}”" for x in (fact.row, fact.column) if x)
    return f"出处：《{doc_title(chunk)}》{table}《{fact.title}》中 {cells}"


def doc_title(chunk: Chunk) -> str:
    return chunk.context.split("｜")[0].split("\n")[0].strip() or chunk.file


def cite(n: int, found: Located) -> Citation:
    return cite_at(n, found.chunk, found.line, found.quote)


def cite_at(n: int, chunk: Chunk, line: int, quote: str) -> Citation:
    """Citation ``n``: ``quote`` on ``line`` of ``chunk``'s report."""
    return Citation(
        n=n, chunk_id=chunk.id, doc_id=chunk.doc_id, file=chunk.file, title=doc_title(chunk),
        section=chunk.section, table=chunk.table, page=chunk.page, line=line, quote=quote,
    )


def _distinct_citations(inputs: Sequence[Located]) -> tuple[tuple[Citation, ...], str]:
    """One citation per distinct source line, and the markers of the inputs in order."""
    seen: dict[tuple[str, int], int] = {}
    citations: list[Citation] = []
    for frame in inputs:
        key = (frame.chunk.id, frame.line)
        if key not in seen:
            seen[key] = len(citations) + 1
            citations.append(cite(seen[key], frame))
    marks = "".join(f"[{n}]" for n in dict.fromkeys(seen[(f.chunk.id, f.line)] for f in inputs))
    return tuple(citations), marks


def evidence_first(hits: Sequence[Hit], found: Sequence[Located]) -> tuple[Hit, ...]:
    """The retrieved hits with the chunks the answer rests on moved to the front."""
    return chunks_first(hits, [f.chunk for f in found])


def chunks_first(hits: Sequence[Hit], chunks: Sequence[Chunk]) -> tuple[Hit, ...]:
    """The retrieved hits with ``chunks`` (what an answer cites) in front, in their order."""
    used = list(dict.fromkeys(c.id for c in chunks))
    by_id = {c.id: c for c in chunks}
    front = [Hit(by_id[cid], 1.0, {"evidence": i + 1}) for i, cid in enumerate(used)]
    rest = [h for h in hits if h.chunk.id not in used]
    return tuple(replace(h) for h in [*front, *rest])
