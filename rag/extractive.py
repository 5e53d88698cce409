"""The extractive answerer: picks the table fact or sentence that states the answer, computes
simple arithmetic over two located inputs, and refuses when nothing fits well enough."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from rag import arithmetic, compose
from rag.compose import refusal, where
from rag.evidence import Evidence, base_unit, cite, evidence_first, wants_ratio
from rag.frames import APPROXIMATE, CHANGE, line_at, qualifier_before, quantities, sentences
from rag.numbers import Quantity, parse_quantity, split_multiplier
from rag.prose_evidence import sentence_evidence
from rag.query import LEVELS, Query
from rag.rank.lexical import FUNCTION_WORDS, alternatives, canonical, coverage, words
from rag.retriever import Lexicon, Retrieval
from rag.table_evidence import fact_evidence
from rag.types import Answer, Chunk, TableFact

THRESHOLD = 0.85
"""Least score for stating a number; measured: right answers score 0.87–2.05; most wrong ones below 0.8."""
PART_THRESHOLD = 0.5
"""Least score for each input of a computation (the formula and both citations are shown)."""
LIST_THRESHOLD = 0.5
COUNTED_LIST = 0.2
"""Bonus for a sentence stating the count a list question asks for (哪两个 … 「A、B 2 个专业」)."""
MATCH_MIN = 0.3
STRONG = 0.8
MARGIN = 0.03
"""Least lead of the chosen number over a different one; closer than this, the answer refuses."""
OTHER_OPTIONS = 4
"""Candidates of each kind an operand offers the joint choice (a handful: the choice is a product)."""
_TOTAL_ASK = re.compile(r"一共|总共|合计|共计|总计|加起来|总数|总人数|总量")
_STATED_TOTAL = re.compile(r"(?:共|合计|总计|累计)(?:获得?|有|计|达)?\s*\d")
_CLAUSE_END = re.compile(r"[，,；;。：:]")
_NOT_INCLUDED = re.compile(r"[（(]不(?:含|包括|计)[^）)]*[）)]")
_BATCHES = re.compile(r"(?:前|头|这|那|近)?([两二三四五六七八九十])批")
_COUNTED_ASK = re.compile(r"哪([两二三四五六七八九十])(个|门|所|项|种|家|部|本|名|位|类)?([\u4e00-\u9fff])")
_LEFT_OVER = re.compile(r"(?:和|与|及|跟|、|以及)")


def find(
    query: Query, retrieval: Retrieval, lexicon: Lexicon, *, threshold: float = THRESHOLD,
    margin: float = 0.0,
) -> Evidence | None:
    """The best-fitting located number for ``query``, or None when nothing is good enough."""
    good = candidates(query, retrieval, lexicon, threshold=threshold)
    if not good:
        return None
    rival = next((e for e in good if _amount(e) != _amount(good[0])), None)
    # Two different numbers fit about equally well: stating either could be wrong.
    # Rounded: sums of the same bonuses in another order differ in the last bits.
    return None if rival is not None and round(good[0].score - rival.score, 9) < margin else good[0]


def candidates(query: Query, retrieval: Retrieval, lexicon: Lexicon, *, threshold: float) -> list[Evidence]:
    """The located numbers that fit ``query`` well enough, best first."""
    found = [*fact_evidence(query, retrieval.facts, retrieval, lexicon),
             *sentence_evidence(query, retrieval, lexicon)]
    if wants_ratio(query):
        found = [e for e in found if e.ratio]
    return sorted((e for e in found if e.match >= MATCH_MIN and e.score >= threshold), key=lambda e: -e.score)


def _amount(found: Evidence) -> tuple[float, str] | str:
    if found.value is None:
        return found.ratio
    value, unit = Quantity(found.value, found.unit, found.raw, 0, 0).base()
    return round(value, 6), base_unit(unit)


def answer(query: Query, retrieve: Callable[[Query], Retrieval], lexicon: Lexicon) -> Answer:
    """An extractive Answer for ``query``: stated, computed, a list, or a refusal."""
    retrieval = retrieve(query)
    if retrieval.refusal:
        return refusal(query, retrieval, retrieval.refusal)
    if query.is_list:
        return list_answer(query, retrieval, lexicon)
    if query.operation != "lookup" and query.parts:
        computed = _computed_answer(query, retrieval, retrieve, lexicon)
        if computed is None and query.operation == "share":
            # A share a year before the report's: its stated share and the change in points.
            computed = _from_next_year(query, retrieval, lexicon)
        return computed or refusal(query, retrieval)
    found = find(query, retrieval, lexicon, margin=MARGIN)
    if found is not None:
        return _stated(query, retrieval, exact_for(query, found, retrieval, lexicon) or found)
    computed = _from_next_year(query, retrieval, lexicon) or _listed_total(query, retrieval, lexicon)
    return computed or refusal(query, retrieval)


def exact_for(query: Query, found: Evidence, retrieval: Retrieval, lexicon: Lexicon) -> Evidence | None:
    """The exact figure that an approximate one (超5.8万人次, 近100%) rounds, when another source
    states it for the question (58840 人次 in a table): the first candidate in the same unit that
    the approximation allows and that is not approximate itself; None for an exact ``found``."""
    if _qualifier(found) not in APPROXIMATE or found.value is None:
        return None
    pool = candidates(query, retrieval, lexicon, threshold=0.0)
    return next((e for e in pool if e.value is not None and not _qualifier(e) and _rounds(found, e)), None)


def _rounds(approximate: Evidence, exact: Evidence) -> bool:
    """Whether ``exact`` is a value the approximate figure stands for: in the same unit, within
    one step of its last digit (5.8万: 1000), above it after 超过 and not above it after 近."""
    (near, unit), (value, stated) = _base(approximate), _base(exact)
    if unit != stated or value == near:
        return value == near and unit == stated
    digits = approximate.raw.split(".")[1] if "." in approximate.raw else ""
    step = 10 ** -len(re.sub(r"\D.*", "", digits)) * split_multiplier(approximate.unit)[0]
    above = APPROXIMATE[_qualifier(approximate)] == "超过"
    below = APPROXIMATE[_qualifier(approximate)] == "接近"
    return abs(value - near) < step and not (above and value < near) and not (below and value > near)


def _base(found: Evidence) -> tuple[float, str]:
    value, unit = Quantity(found.value or 0.0, found.unit, found.raw, 0, 0).base()
    return value, base_unit(unit)


def _from_next_year(query: Query, retrieval: Retrieval, lexicon: Lexicon) -> Answer | None:
    """Last year's value from a sentence stating this year's value and its change (较上一年减少 243 人)."""
    years = {d.data_year for d in retrieval.documents}
    if query.year is None or len(years) != 1 or years != {query.year + 1}:
        return None
    current = find(replace(query, years=(query.year + 1,)), retrieval, lexicon)
    if current is None or current.fact is not None or current.value is None:
        return None
    tail = current.quote[current.quote.find(current.raw) + len(current.raw):]
    result = arithmetic.before_change(current.value, current.unit, tail)
    if result is None:
        return None
    shown = arithmetic.with_unit(result.value, result.unit)
    text = f"答：{shown}。\n计算：{result.formula}（{query.year + 1}年的数及其变化见[1]）"
    return Answer(
        question=query.text, text=text, value=result.value, unit=result.unit, refused=False,
        mode="extractive", citations=(cite(1, current),),
        retrieved=evidence_first(retrieval.hits, [current]), computation=result.formula,
    )


def _stated(query: Query, retrieval: Retrieval, found: Evidence) -> Answer:
    citation = cite(1, found)
    text = f"答：{found.ratio or display(found)}。\n{where(found.fact, found.quote, found.chunk)}[1]"
    qualifier = _qualifier(found)
    if qualifier in APPROXIMATE:
        text += f"\n注意：原文写作“{qualifier}{found.raw}”，是{APPROXIMATE[qualifier]}值。"
    return Answer(
        question=query.text, text=text, value=found.value, unit=found.unit, refused=False,
        mode="extractive", citations=(citation,), retrieved=evidence_first(retrieval.hits, [found]),
        confidence=round(found.score, 4),
    )


def display(found: Evidence) -> str:
    """The number as the source writes it, with its unit and the qualifier before it (近100%)."""
    quantity = parse_quantity(found.raw)
    shown = found.raw if quantity is not None and quantity.unit else f"{found.raw} {found.unit}".strip()
    qualifier = _qualifier(found)
    return f"{qualifier}{shown}" if qualifier in APPROXIMATE else shown


def _qualifier(found: Evidence) -> str:
    """The word right before a number in its sentence that makes it approximate (近, 约, 超过)."""
    if found.fact is not None or not found.raw:
        return ""
    at = found.quote.find(found.raw)
    return qualifier_before(found.quote[:at]) if at > 0 else ""


def _computed_answer(
    query: Query, retrieval: Retrieval, retrieve: Callable[[Query], Retrieval], lexicon: Lexicon
) -> Answer | None:
    """The answer a report states for the whole question (a total, share or ratio naming every
    operand), else the computation over operands chosen jointly, else a stated change for a
    difference; None when an operand is missing (never a lookup of one operand)."""
    batches = _batches(query)
    direct = find(query, retrieval, lexicon) if one_scope(query) else None
    if direct is not None and (direct.score < STRONG or not _in_asked_unit(query, direct.unit) or batches):
        direct = None
    # What the number itself is stated as (its cell, or its clause), not its neighbours.
    named = "" if direct is None else direct.label if direct.fact else _clause_of(direct.label)
    if direct is not None and states_whole(query, direct.label, named, table=direct.fact is not None):
        return _stated(query, retrieval, direct)
    operation = arithmetic.operation(query.operation)
    if any(_LEFT_OVER.match(part.measure) for part in query.parts):
        return None  # 「中专和职高的…，2025年比2020年」: items the plan did not split are no operand
    options = [_options(part, retrieve(part), lexicon) for part in query.parts]
    chosen = arithmetic.choose(operation, options) if operation is not None else None
    if chosen is None:
        # A report may state the change itself (「增加 248 人」) without both counts.
        if direct is None or query.operation != "difference":
            return None
        changed = names_operands(query.parts, named, change=True)
        return _stated(query, retrieval, direct) if changed else None
    inputs, result = chosen
    if not read_alike(query.parts, [e.label for e in inputs]):
        return None
    if batches and len({(e.chunk.id, e.line) for e in inputs}) < batches:
        return None  # 前两批…一共: operands read from one batch's sentence leave the other out
    return _computed(query, retrieval, inputs, result)


def _batches(query: Query) -> int:
    """How many batches (rounds) a question adds over (「前两批…一共」), or 0 when it names none."""
    found = _BATCHES.search(query.norm)
    return "一两三四五六七八九十".find(found.group(1).replace("二", "两")) + 1 if found else 0


def _computed(
    query: Query, retrieval: Retrieval, inputs: Sequence[Evidence], result: arithmetic.Result
) -> Answer:
    """The answer stating ``result`` with its formula, citing each line its inputs are on once."""
    lines = list(dict.fromkeys((e.chunk.id, e.line) for e in inputs))
    first = {key: next(e for e in inputs if (e.chunk.id, e.line) == key) for key in lines}
    citations = tuple(cite(n, first[key]) for n, key in enumerate(lines, start=1))
    marks = "".join(f"[{n}]" for n in range(1, len(lines) + 1))
    text = compose.computed_text(result, marks)
    return Answer(
        question=query.text, text=text, value=result.size, unit=result.unit, refused=False,
        mode="extractive", citations=citations, retrieved=evidence_first(retrieval.hits, inputs),
        computation=result.formula, confidence=round(min(e.score for e in inputs), 4),
    )


def states_whole(query: Query, label: str, named: str, *, table: bool) -> bool:
    """Whether the number stated as ``label`` answers the whole computed question: it names every
    operand (``named``, its cell or clause), and is not one item's own number in a list of them
    (一等奖 6 项、二等奖 13 项). A difference is always computed, or read from a stated change."""
    if query.operation == "difference" or not names_operands(query.parts, named):
        return False
    return table or not lists_parts(query.parts, label)


def _listed_total(query: Query, retrieval: Retrieval, lexicon: Lexicon) -> Answer | None:
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
            return _computed(query, retrieval, inputs, result)
    return None


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
    if len({arithmetic.unit_kind(q.unit) for q in parts}) != 1:
        return []
    names = [item.replace(q.raw, "").strip() for item, q in zip(items, parts, strict=True)]
    kind = names[0][len(names[0]) - _shared_start([n[::-1] for n in names]):]
    return parts if len(kind) >= 2 and kind[-1] in query.measure else []


def _clause_of(label: str) -> str:
    return re.split(r"[，,；;。]", label)[-1]


def _in_asked_unit(query: Query, unit: str) -> bool:
    return not query.unit or arithmetic.unit_kind(unit) == arithmetic.unit_kind(query.unit)


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


def of_asked_year(part: Query, fact: TableFact | None) -> bool:
    """False for a cell in another year's row or column (a table whose title names a span of
    years, 2015—2020, lets every column through the lookup)."""
    if fact is None or not part.years:
        return True
    named = {int(y) for y in re.findall(r"(?:19|20)\d\d", f"{fact.row} {fact.column}")}
    return not named or bool(named & set(part.years))


def read_alike(parts: Sequence[Query], labels: Sequence[str]) -> bool:
    """When the question names a kind of school (职业高中), no operand is read from that kind's row
    while another is read from the whole level's (中职学校): one year's 中职 total is not compared
    with another year's 职业高中 row. ``labels`` say what each chosen number is."""
    readings = {_school_reading(part, label) for part, label in zip(parts, labels, strict=True)
                if part.school_type}
    return not {"kind", "level"} <= readings


def _school_reading(part: Query, label: str) -> str:
    """'kind' when the label names the operand's kind of school, 'level' when it names only the
    whole level, '' when it names neither (a report on that kind of school alone)."""
    text = _NOT_INCLUDED.sub("", label)
    if any(name in text for name in part.school_type):
        return "kind"
    return "level" if any(word in text for word in LEVELS.get(part.level, ())) else ""


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


def names_operands(parts: Sequence[Query], text: str, *, change: bool = False) -> bool:
    """True when ``text`` names what tells the operands apart (普通中专 vs 成人中专, 中职 vs all, each
    item of a sum); with ``change``, a stated change (「增加 248 人」) tells a year from the one before."""
    marks = [_operand_marks(p) for p in parts]
    for i, own in enumerate(marks):
        others = set().union(*(m for j, m in enumerate(marks) if j != i))
        if own - others and not any(_mentions(mark, text) for mark in own - others):
            return False
    if not all(core[:2] in text for core in _distinct_cores([p.measure for p in parts])):
        return False
    years = [set(p.years) for p in parts]
    differing = sorted(set[int]().union(*years) - years[0].intersection(*years[1:])) if years else []
    if all(str(y) in text for y in differing):
        return True
    consecutive = len(differing) == 2 and differing[1] - differing[0] == 1
    return change and consecutive and bool(CHANGE.search(text))


def lists_parts(parts: Sequence[Query], label: str) -> bool:
    """True when the clause of a sentence up to its number gives another number after the first
    operand it names (「一等奖 6 项、二等奖 13 项、三等奖 17 项」): each item has its own, so the
    last is a part, not the total (「一等奖、二等奖和三等奖共 36 项」 names them together)."""
    clause_ = _clause_of(label)
    marks = [_operand_marks(p) for p in parts]
    own = [m - set().union(*(other for other in marks if other is not m)) for m in marks]
    names = [name for mine in own for mark in mine for name in LEVELS.get(mark, alternatives(mark))]
    at = min((i for name in names if (i := clause_.find(name)) >= 0), default=-1)
    return at >= 0 and len(quantities(clause_[at:])) > 1


def _distinct_cores(measures: Sequence[str]) -> list[str]:
    """What each measure says that the others do not, between their shared start and end
    (专任教师「正高级」占比 vs 专任教师「副高级职称」占比): word marks miss a 正 or 副."""
    start = _shared_start(measures)
    end = _shared_start([m[::-1] for m in measures])
    return [core for m in measures if (core := m[start: max(start, len(m) - end)])]


def _shared_start(texts: Sequence[str]) -> int:
    return next((i for i, chars in enumerate(zip(*texts, strict=False)) if len(set(chars)) > 1),
                min((len(t) for t in texts), default=0))


def _operand_marks(part: Query) -> set[str]:
    marks = {w for w in words(part.measure) if w not in FUNCTION_WORDS}
    return marks | ({part.level} if part.level else set())


def _mentions(mark: str, text: str) -> bool:
    return any(name in text for name in LEVELS.get(mark, alternatives(mark)))


def one_scope(query: Query) -> bool:
    """True when every operand is about the same region (so one report may state the result)."""
    return len({p.region for p in query.parts}) <= 1


def list_answer(query: Query, retrieval: Retrieval, lexicon: Lexicon) -> Answer:
    """The sentence that best enumerates what a 有哪些 question asks for, or a refusal."""
    weights = lexicon.weights(canonical(query.measure))
    best: tuple[float, Chunk, str, int] | None = None
    chunks = [c for doc in retrieval.documents for c in retrieval.chunks_by_doc.get(doc.doc_id, ())]
    counted = _asked_count(query)
    for chunk in chunks or [h.chunk for h in retrieval.hits]:
        if chunk.kind == "table_row" or not _of_asked_years(query, chunk):
            continue
        for sentence, offset in sentences(chunk.text):
            score = coverage(weights, sentence) + 0.05 * min(len(re.findall(r"[、]|和|及", sentence)), 4)
            score += 0.15 if re.search(r"分别[是为]|包括|[有为是]：", sentence) else 0.0
            score += COUNTED_LIST if counted and counted.search(sentence) else 0.0
            if best is None or score > best[0]:
                best = (score, chunk, sentence, offset)
    if best is None or best[0] < LIST_THRESHOLD:
        return refusal(query, retrieval)
    score, chunk, sentence, offset = best
    line = line_at(chunk, offset)
    found = Evidence(None, "", "", score, chunk, sentence.strip(), line, sentence)
    return Answer(
        question=query.text, text=f"{sentence.strip()}[1]", value=None, unit="", refused=False,
        mode="extractive", citations=(cite(1, found),), retrieved=evidence_first(retrieval.hits, [found]),
    )


def _of_asked_years(query: Query, chunk: Chunk) -> bool:
    return not query.years or chunk.year is None or chunk.year in query.years


def _asked_count(query: Query) -> re.Pattern[str] | None:
    """For 「哪两个专业」, the count of them a sentence listing them states (2 个专业, 两门课), else None."""
    found = _COUNTED_ASK.search(query.norm)
    if found is None:
        return None
    n = "一两三四五六七八九十".find(found.group(1).replace("二", "两")) + 1
    spelled = "两二" if n == 2 else found.group(1)
    return re.compile(rf"(?:(?<!\d){n}|[{spelled}])\s*{found.group(2) or ''}{found.group(3)}")
