"""Computed answers: a whole the report states for a computed question, else arithmetic over
operands chosen jointly, and a total summed from the parts one source lists."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from itertools import pairwise

from rag import arithmetic, compose
from rag.evidence import Evidence
from rag.frames import Frame, left_out_groups, quantities, stated_year
from rag.lookup import MARGIN, THRESHOLD, candidates, find
from rag.numbers import Quantity, base_unit
from rag.operands import (
    clause_of,
    names_operands,
    of_asked_year,
    one_scope,
    read_alike,
    shared_start,
    states_whole,
)
from rag.query import EXCLUDES, Query
from rag.rank.lexical import TOTAL, all_words
from rag.retriever import Lexicon, Retrieval
from rag.table_evidence import fact_evidence
from rag.types import Answer, TableFact

PART_THRESHOLD = 0.5
"""Least score for each input of a computation (the formula and both citations are shown)."""
STRONG = 0.8
OTHER_OPTIONS = 4
"""Candidates of each kind an operand offers the joint choice (a handful: the choice is a product)."""
_TOTAL_ASK = re.compile(r"一共|总共|合计|共计|总计|加起来|总数|总人数|总量")
_YEAR_SPAN = re.compile(r"(?:19|20)\d\d\s*年?\s*[—–\-－~～至到]\s*(?:19|20)\d\d\s*年?")
_STATED_TOTAL = re.compile(r"(?:共|合计|总计|累计)(?:获得?|有|计|达)?\s*\d")
_CLAUSE_END = re.compile(r"[，,；;。：:]")
_BATCHES = re.compile(r"(?:前|头|这|那|近)?([两二三四五六七八九十])批")
_LEFT_OVER = re.compile(r"(?:和|与|及|跟|、|以及)")


def computed_answer(
    query: Query, retrieval: Retrieval, retrieve: Callable[[Query], Retrieval], lexicon: Lexicon
) -> Answer | None:
    """The answer a report states for the whole question (a total, share or ratio naming every
    operand), else the computation over operands chosen jointly, else a stated change for a
    difference; None when an operand is missing (never a lookup of one operand)."""
    batches = _batches(query)
    found = find(query, retrieval, lexicon) if one_scope(query) else None
    direct = found
    if direct is not None and (direct.score < STRONG or not _in_asked_unit(query, direct.unit) or batches):
        direct = None
    # What the number itself is stated as (its cell, or its clause), not its neighbours; a table
    # title's span of years (2015—2020年) says which years its columns cover, not that a cell spans them.
    named = ""
    if direct is not None and direct.fact is None:
        # The clause's year may be its sentence's (「2019 年，…支出达到 66304.61元，较 2018年增长 23.10%」).
        year = stated_year(direct.label)
        named = clause_of(direct.label) + (f" {year}年" if year is not None else "")
    elif direct is not None:
        named = _YEAR_SPAN.sub("", direct.label)
    if direct is not None and states_whole(query, direct.label, named, table=direct.fact is not None):
        return compose.stated(query, retrieval, direct, direct.score)
    operation = arithmetic.operation(query.operation)
    if any(_LEFT_OVER.match(part.measure) for part in query.parts):
        return None  # 「中专和职高的…，2025年比2020年」: items the plan did not split are no operand
    options = [_options(part, retrieve(part), lexicon) for part in query.parts]
    if query.operation == "share" and found is not None and _share_in_row(found, options[0]):
        return compose.stated(query, retrieval, found, found.score)
    chosen = arithmetic.choose(operation, options) if operation is not None else None
    if chosen is None:
        # A report may state the change itself (「增加 248 人」) without both counts.
        if direct is None or query.operation != "difference":
            return None
        changed = names_operands(query.parts, named, change=True)
        return compose.stated(query, retrieval, direct, direct.score) if changed else None
    inputs, result = chosen
    if not read_alike(query.parts, [e.label for e in inputs]):
        return None
    if query.operation == "share" and len({e.value for e in inputs}) < len(inputs):
        return None  # the part's number read as the whole's too (258 ÷ 258): the whole is not found
    if batches and len({(e.chunk.id, e.line) for e in inputs}) < batches:
        return None  # 前两批…一共: operands read from one batch's sentence leave the other out
    return compose.computed(query, retrieval, inputs, result, min(e.score for e in inputs))


def _share_in_row(found: Evidence, part: Sequence[arithmetic.Option[Evidence]]) -> bool:
    """Whether ``found`` is a share a table states in the row and year of the part's best cell
    (未定职级 398 6.90%): the table's share of its own whole, not one computed over another table's."""
    cell, best = found.fact, part[0].item.fact if part else None
    if cell is None or best is None or found.unit != "%":
        return False
    return (cell.doc_id, cell.table, cell.line, cell.year) == (best.doc_id, best.table, best.line, best.year)


def _batches(query: Query) -> int:
    """How many batches (rounds) a question adds over (「前两批…一共」), or 0 when it names none."""
    found = _BATCHES.search(query.norm)
    return "一两三四五六七八九十".find(found.group(1).replace("二", "两")) + 1 if found else 0


def listed_total(query: Query, retrieval: Retrieval, lexicon: Lexicon) -> Answer | None:
    """A total the question asks for (一共拿了多少个奖) that no source states, as the sum of the parts
    one source lists: a sentence's list of kinds of the asked thing (7 个一等奖、3 个二等奖、4 个
    三等奖), or the cells of a table column whose rows read alike (one school's several majors)."""
    if not _TOTAL_ASK.search(query.norm):
        return None
    for found in candidates(query, retrieval, lexicon, threshold=PART_THRESHOLD):
        if found.fact is None:
            inputs, numbers = [found], [(q.value, q.unit) for q in _listed_parts(query, found)]
        else:
            inputs = _rows_alike(query, found, retrieval, lexicon)
            numbers = [(e.value, e.unit) for e in inputs if e.value is not None]
        result = arithmetic.compute("sum", numbers)
        if result is not None:
            return compose.computed(query, retrieval, inputs, result, min(e.score for e in inputs))
    return None


def one_of_rows_alike(query: Query, fact: TableFact | None, retrieval: Retrieval) -> bool:
    """Whether a total is asked (一共计划招多少人) and ``fact`` is the cell of one of several rows
    that read alike (one school's majors): one of the parts, not their total."""
    if not _TOTAL_ASK.search(query.norm) or fact is None:
        return False
    key = (fact.doc_id, fact.table, fact.row, fact.column, fact.year)
    return len({f.line for f in retrieval.facts if (f.doc_id, f.table, f.row, f.column, f.year) == key}) >= 2


def _rows_alike(query: Query, found: Evidence, retrieval: Retrieval, lexicon: Lexicon) -> list[Evidence]:
    """The cells of ``found``'s column and year, one per table row, whose row reads as its row does
    (the row names the school, another column the major); none unless the lookup sees every one of
    them, and none for rates (each row's rate has its own whole; two rates on one line are a part
    and its group's total, B+ 22.73% and B档 29.54%)."""
    if found.fact is None or found.unit == "%":
        return []
    key = (found.fact.doc_id, found.fact.table, found.fact.row, found.fact.column, found.fact.year)
    same = [f for f in retrieval.facts if (f.doc_id, f.table, f.row, f.column, f.year) == key]
    cells = fact_evidence(query, same, retrieval, lexicon)
    one_per_row = len({f.line for f in same}) == len(same)
    return cells if len(same) >= 2 and len(cells) == len(same) and one_per_row else []


def _listed_parts(query: Query, found: Evidence) -> list[Quantity]:
    """The numbers of the list in ``found``'s clause when each item has one number in one unit and
    a name ending like the others' (…一等奖、…二等奖) in what the question asks for (奖); none when
    the sentence states a total itself or breaks down something else (其中 …)."""
    if found.fact is not None or _STATED_TOTAL.search(found.quote) or "其中" in found.quote:
        return []
    end = len(found.label.lstrip())
    start = max((m.end() for m in _CLAUSE_END.finditer(found.quote, 0, end)), default=0)
    stop = next((m.start() for m in _CLAUSE_END.finditer(found.quote, end)), len(found.quote))
    items = re.split(r"以及|、|和|及", found.quote[start:stop])
    counted = [[q for q in quantities(item) if q.unit not in ("年", "月", "日")] for item in items]
    if len(items) < 2 or any(len(numbers) != 1 for numbers in counted):
        return []
    parts = [numbers[0] for numbers in counted]
    if len({base_unit(q.unit) for q in parts}) != 1:
        return []
    names = [item.replace(q.raw, "").strip() for item, q in zip(items, parts, strict=True)]
    kind = names[0][len(names[0]) - shared_start([n[::-1] for n in names]):]
    leads = [item[: item.index(q.raw)] for item, q in zip(items, parts, strict=True)]
    return parts if len(kind) >= 2 and kind[-1] in query.measure and not _names_some(query, leads) else []


def _names_some(query: Query, leads: list[str]) -> bool:
    """True when each listed item names its own thing before its number and the question names
    some of them but not all (学前教育 of 「学前教育专业引进 10 门课程、会计专业引进了 6 门课程」):
    it asks for those, not for the whole list."""
    own = [[w for w in all_words(lead) if len(w) >= 2] for lead in leads]
    if not all(own):
        return False  # 「…比赛 7 个一等奖、3 个二等奖」: the later items share the first one's subject
    # Each item's name is as long as the shortest one's: the first item's lead also holds the
    # sentence's subject (「班主任基本功比赛决出特等奖 3 人、一等奖 8 人」).
    names = [set(words[-min(map(len, own)):]) for words in own]
    shared = set.intersection(*names)
    named = [any(w in query.measure for w in name - shared) for name in names]
    return any(named) and not all(named)


def _in_asked_unit(query: Query, unit: str) -> bool:
    return not query.unit or base_unit(unit) == base_unit(query.unit)


def _options(part: Query, retrieval: Retrieval, lexicon: Lexicon) -> list[arithmetic.Option[Evidence]]:
    """An operand's candidates for the joint choice: those as good as its best number (the same
    quantity, exactly or rounded, or within the answerer's margin) and, to fall back on when no
    combination of those computes, the next ones in their units."""
    good = [e for e in candidates(part, retrieval, lexicon, threshold=PART_THRESHOLD)
            if e.value is not None and of_asked_year(part, e.fact)]
    if not good:
        return []
    best = good[0]
    near = [e for e in good if e.score > best.score - MARGIN or _same_quantity(e, best)]
    others = [e for e in good if e not in near][:OTHER_OPTIONS]
    return [arithmetic.Option(e, e.value, e.unit, e.score, _source(e), near=e in near, at=_place(e))
            for e in [*near[:OTHER_OPTIONS], *others] if e.value is not None]


def _place(found: Evidence) -> str:
    return found.fact.id if found.fact is not None else f"{found.chunk.id}:{found.line}:{found.label}"


def _same_quantity(a: Evidence, b: Evidence) -> bool:
    """The same number (in a cell and a sentence, 元 and 元/月) or one rounded from the other."""
    if a.value is None or b.value is None:
        return False
    if a.value == b.value:
        return True
    x, y = (a.value, a.unit), (b.value, b.unit)
    return arithmetic.rounds_to(x, y) or arithmetic.rounds_to(y, x)


def _source(found: Evidence) -> str:
    return f"{found.chunk.doc_id}|{found.fact.title}" if found.fact is not None else found.chunk.id


def total_less_left_out(query: Query, retrieval: Retrieval, lexicon: Lexicon) -> Answer | None:
    """「不算技工学校，…在校生一共有多少」 when no source states it: a table's total that counts the
    left-out groups in rows of their own, less those rows of its column and block (73113 − 26737)."""
    groups = left_out_groups(query.norm)
    if not groups:
        return None
    whole = replace(query, norm=EXCLUDES.sub("", query.norm))
    best = find(whole, retrieval, lexicon, margin=MARGIN)
    if best is None or best.value is None:
        return None
    # The whole as a total row of a table with the left-out groups' rows (others may state it too).
    for found in candidates(whole, retrieval, lexicon, threshold=THRESHOLD):
        if found.value == best.value and (cells := _left_out_cells(found.fact, groups, retrieval)):
            result = arithmetic.remainder((best.value, found.unit), [(c.value or 0.0, c.unit) for c in cells])
            return None if result is None else compose.computed(query, retrieval, [found, *cells], result,
                                                                found.score)
    return None


def _left_out_cells(
    total: TableFact | None, groups: Sequence[tuple[str, ...]], retrieval: Retrieval
) -> list[Frame]:
    """The cells of ``total``'s column and block (在校生·…) in the one row naming each group, when
    ``total`` is a total row (小计) and each group has one."""
    if total is None or not TOTAL.search(total.row.rsplit("·")[-1]):
        return []
    block = total.row.rsplit("·", 1)[0] if "·" in total.row else ""
    key = (total.doc_id, total.table, total.column, total.year)
    rows = [f for f in retrieval.facts
            if (f.doc_id, f.table, f.column, f.year) == key and f.row.startswith(block)]
    named = [[f for f in rows if any(name in f.row for name in names)] for names in groups]
    if any(len(cells) != 1 for cells in named):
        return []
    cells = [frame for cells in named for frame in retrieval.frames if frame.fact == cells[0]]
    return cells if len(cells) == len(groups) and all(c.value is not None for c in cells) else []


def band_total(query: Query, retrieval: Retrieval, lexicon: Lexicon) -> Answer | None:
    """An age span no source states (40-49岁) as the sum of the bands a table breaks it into
    (40-44岁, 45-49岁): the cells of one column and year whose bands tile the span exactly."""
    asked = _AGE_SPAN.search(query.measure)
    if asked is None or query.unit == "%":
        return None  # shares of bands are of their own wholes
    low, high = int(asked.group(1)), int(asked.group(2))
    columns: dict[tuple[str, str, str, int | None], dict[tuple[int, int], TableFact]] = {}
    for fact in retrieval.facts:
        band = _AGE_SPAN.search(fact.row.rsplit("·")[-1])
        if band and fact.value is not None and low <= int(band.group(1)) <= int(band.group(2)) <= high:
            key = (fact.doc_id, fact.table, fact.column, fact.year)
            columns.setdefault(key, {})[(int(band.group(1)), int(band.group(2)))] = fact
    counted = replace(query, measure=query.measure.replace(asked.group(0), ""))
    for bands in columns.values():
        spans = sorted(bands)
        tiled = spans[0][0] == low and spans[-1][1] == high and all(
            after[0] == before[1] + 1 for before, after in pairwise(spans))
        if len(spans) < 2 or not tiled:
            continue
        cells = fact_evidence(counted, [bands[s] for s in spans], retrieval, lexicon)
        if len(cells) == len(spans) and min(e.score for e in cells) >= PART_THRESHOLD:
            result = arithmetic.compute("sum", [(e.value, e.unit) for e in cells if e.value is not None])
            if result is not None:
                return compose.computed(query, retrieval, cells, result, min(e.score for e in cells))
    return None


_AGE_SPAN = re.compile(r"(\d{2})\s*岁?\s*[-—~至到]\s*(\d{2})\s*岁")
"""An age span as a question or a table row writes it (40-49岁, 40岁-49岁, 45～49岁)."""
