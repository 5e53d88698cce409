"""Lists read from a table: for 「E有哪些X」 where E is one named school, the X cells of the rows that
name E in the table that best lists X (a 名单 table gives one row per item, so no sentence holds them)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.compose import chunks_first, cite_at, doc_title
from rag.query import Query
from rag.rank.lexical import canonical, content_words
from rag.retriever import Retrieval
from rag.types import Answer, Chunk

_SCHOOL_SUFFIX = re.compile(r"(职业技术学院|职业学院|职业学校|职业高中|学校|学院|大学|中心)$")
_GENERIC = re.compile(r"(中等|职业|中职|高职|技工|普通|成人|各类|所有|公办|民办|其他|合计|总计)+")
_ASKS = re.compile(r"哪(?:所|个|家|些|几|种|类)")
_NUMBER = re.compile(r"[\d.,%\s]+\D{0,3}")
LISTING_THRESHOLD = 0.5
"""Least share of the asked measure's words that the table's title and the listed column hold (the
rows are already those of the school the question names)."""


@dataclass(frozen=True)
class Listing:
    """The rows of one table that name the school, and which of their cells lists the asked items."""

    items: tuple[tuple[Chunk, str], ...]
    """Each row naming the school, with its cell under ``column``."""
    school: str
    title: str
    """The rows' table as their search text names it (区 年 表号 标题)."""
    column: str
    score: float


@dataclass(frozen=True)
class Row:
    """A table row as ``ingestion.chunks`` renders it for search: ``题｜单位｜行标签｜列：值｜…``."""

    title: str
    label: str
    cells: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, chunk: Chunk) -> Row:
        title, *parts = chunk.context.rsplit("\n", 1)[-1].split("｜")
        label = next((p for p in parts if "：" not in p), "")
        cells = tuple((c.strip(), v.strip()) for c, sep, v in (p.partition("：") for p in parts)
                      if sep and c.strip() and v.strip() and c.strip() != "单位")
        return cls(title, label, cells)


def table_listing(query: Query, retrieval: Retrieval) -> Answer | None:
    """A list answer from a table's rows for a question naming one school the rows are labelled
    with, or None when no table lists what is asked for a school the question names."""
    found = [listing for rows in _tables(retrieval).values()
             if _of_asked_year(rows, query) and (listing := _listing(rows, query)) is not None]
    best = max(found, key=lambda listing: listing.score, default=None)
    if best is None or best.score < LISTING_THRESHOLD:
        return None
    return _answer(query, retrieval, best)


def school_of(label: str) -> str:
    """The school a row label names, without its number or the city in front
    (「3·北京市电气工程学校」 → 电气工程学校), or '' for a label that names no one school."""
    name = re.sub(r"^[\d.、·\s]+", "", label).strip()
    name = re.sub(r"^北京市?", "", name)
    stem = _SCHOOL_SUFFIX.sub("", name)
    return name if stem != name and len(stem) >= 2 and not _GENERIC.fullmatch(stem) else ""


def _tables(retrieval: Retrieval) -> dict[tuple[str, str], list[Chunk]]:
    tables: dict[tuple[str, str], list[Chunk]] = {}
    for doc in retrieval.documents:
        for chunk in retrieval.chunks_by_doc.get(doc.doc_id, ()):
            if chunk.kind == "table_row" and chunk.table:
                tables.setdefault((chunk.doc_id, chunk.table), []).append(chunk)
    return tables


def _of_asked_year(rows: Sequence[Chunk], query: Query) -> bool:
    """False for a table of another year than the question asks about (2025's plan for 2022's list)."""
    years = {chunk.year for chunk in rows} - {None}
    return not query.years or not years or bool(years & set(query.years))


def _listing(rows: Sequence[Chunk], query: Query) -> Listing | None:
    """In the rows labelled with the school ``query`` names, the cells under the column that
    best covers the asked measure (the school's name not counted as part of the measure)."""
    parsed = [(chunk, row, school_of(row.label)) for chunk in rows for row in (Row.of(chunk),)]
    schools = {school for _, _, school in parsed if school and school in query.text}
    if not schools:
        return None
    school = max(schools, key=len)
    named = [(chunk, row) for chunk, row, of in parsed if of == school]
    # A row the question singles out by another of its cells (the school's 文物保护技术 专业).
    cells = {value for _, row in named for _, value in row.cells if len(value) >= 4 and value in query.text}
    named = [(c, r) for c, r in named if cells & {value for _, value in r.cells}] or named
    measure = query.measure.replace(school, " ")
    for value in cells:
        measure = measure.replace(value, " ")
    asked = content_words(measure)
    title = named[0][1].title
    columns = [c for c, value in named[0][1].cells if school not in value and not _NUMBER.fullmatch(value)]
    if not columns or not asked:
        return None

    def covered(column: str) -> float:
        where = canonical(f"{title} {column}")
        return sum(word in where for word in asked) / len(asked)

    # A column of names (专业名称) lists items; a column of kinds (专业类别) beside it only groups them.
    scored = {c: covered(c) for c in columns}
    column = max(columns, key=lambda c: (scored[c], "名称" in c))
    if len(_ASKS.findall(query.norm)) >= 2:
        return _several(named, school, title, [c for c in columns if scored[c] >= LISTING_THRESHOLD])
    picked = [(chunk, value) for chunk, row in named for c, value in row.cells if c == column]
    return Listing(tuple(picked), school, title, column, scored[column]) if picked else None


def _several(
    named: Sequence[tuple[Chunk, Row]], school: str, title: str, columns: list[str]
) -> Listing | None:
    """For a question asking several things of a row (哪所本科院校、哪个本科专业), each row's cells
    under every column that covers an ask, in the table's order."""
    if len(columns) < 2:
        return None
    picked = [(chunk, "，".join(f"{c}：{v}" for c, v in row.cells if c in columns)) for chunk, row in named]
    return Listing(tuple(picked), school, title, "、".join(columns), LISTING_THRESHOLD)


def _answer(query: Query, retrieval: Retrieval, listing: Listing) -> Answer:
    first_row = listing.items[0][0]
    table_title = listing.title.split(f"表{first_row.table} ", 1)[-1]
    shown = "；".join(f"{value}[{n}]" for n, (_, value) in enumerate(listing.items, start=1))
    citations = tuple(cite_at(n, chunk, chunk.line_start, " ".join(chunk.text.split()))
                      for n, (chunk, _) in enumerate(listing.items, start=1))
    source = f"据《{doc_title(first_row)}》表 {first_row.table}《{table_title}》"
    return Answer(
        question=query.text, text=f"{source}，{listing.school}的“{listing.column}”为：{shown}。",
        value=None, unit="", refused=False, mode="extractive", citations=citations,
        retrieved=chunks_first(retrieval.hits, [chunk for chunk, _ in listing.items]),
    )
