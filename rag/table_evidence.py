"""Table facts scored against a question: how well a cell's title, row and column meet the
asked measure, year, level, unit and school."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from rag import schools
from rag.evidence import (
    COUNTS,
    Evidence,
    counted_in_people,
    level_fit,
    numbers_missing,
    qualified_otherwise,
    run_by_the_other,
    share_unasked,
    unit_fit,
)
from rag.frames import CHANGE, counts_left_out, label_unit, leaves_out_asked, line_of
from rag.numbers import base_unit, find_ratios, normalize, parse_quantity
from rag.operands import of_asked_year
from rag.query import Query, levels_in, school_types_in, wants_ratio, wants_total
from rag.rank.lexical import (
    TOTAL,
    absent_run,
    all_types_for_one,
    bare_label,
    bound_missing,
    canonical,
    coverage,
    extra_grams,
    grades,
    head_missing,
    modifier_missing,
    other_titles,
    per_unit_missing,
    sibling_named,
    type_missing,
)
from rag.retriever import Lexicon, Retrieval
from rag.school_scope import (
    NO_SCHOOL,
    asked_schools,
    measure_alone,
    reports_without,
    school_fit,
    without_schools,
)
from rag.types import ReportInfo, TableFact

ABSENT_RUN = 2
"""Asked words in a row that a table's title, row and column leave unwritten make it another table's
number: of 265 table answers right on every set, none leaves out two."""
_RATE_WORD = re.compile(r"率|比例|占比|比重|百分比")
_COUNT_LABEL = re.compile(r"数量|个数|[^\d\s]数$")
_IDENTIFIER = re.compile(r"代码|编码|编号|序号|代号")
"""A column of identifiers (招生专业代码 410202): its numbers answer only a question asking for one."""


def _summing_left_out(query: Query, retrieval: Retrieval) -> set[tuple[str, str]]:
    """The tables (report, table) with a row of the group the question leaves out (技工学校 for
    不算技工学校的话)."""
    return {(f.doc_id, f.table) for f in retrieval.facts
            if counts_left_out(f"{f.row} {f.column}", query.norm)}


def left_out_totals(query: Query, retrieval: Retrieval) -> set[float]:
    """The totals of the tables with a row of the group the question leaves out: a sentence stating
    one of them (有教职工11871人) counts that group too."""
    return _totals_of(_summing_left_out(query, retrieval), query, retrieval)


def _totals_of(tables: set[tuple[str, str]], query: Query, retrieval: Retrieval) -> set[float]:
    return {f.value for f in retrieval.facts if f.value is not None and TOTAL.search(f.row)
            and (f.doc_id, f.table) in tables and (query.year is None or f.year in query.years)}


def _one_kind(query: Query, row: str) -> bool:
    """True when a row counts one kind of school (职业高中) and the question names none."""
    return not query.school_type and bool(school_types_in(row))


def top_facts(query: Query, retrieval: Retrieval, lexicon: Lexicon, *, n: int) -> list[TableFact]:
    """The ``n`` table facts that fit the question best (sources for an LLM)."""
    weights = lexicon.weights(canonical(query.measure))
    scored = [(s[0], f) for f in retrieval.facts if (s := _fact_score(query, f, weights)) is not None]
    return [f for _, f in sorted(scored, key=lambda sf: -sf[0])[:n]]


def fact_evidence(
    query: Query, facts: Sequence[TableFact], retrieval: Retrieval, lexicon: Lexicon
) -> list[Evidence]:
    """Table facts scored against the question."""
    asked = asked_schools(query, retrieval)
    query = counted_in_people(measure_alone(query, asked.names))
    weights = lexicon.weights(canonical(query.measure))
    reports = {d.doc_id: d for d in retrieval.documents}
    outside = reports_without(asked, retrieval)
    texts = _row_texts(retrieval.facts)
    # A table's total beside a row of the group the question leaves out includes that group, and so
    # does the same number in another table; its row of another kind of school is a part of what is asked.
    summing_left_out = _summing_left_out(query, retrieval)
    totals_counting_it = _totals_of(summing_left_out, query, retrieval)
    scored = [
        (s, f) for f in facts if f.doc_id not in outside
        if not ((TOTAL.search(f.row) or _one_kind(query, f.row)) and (f.doc_id, f.table) in summing_left_out)
        if f.value not in totals_counting_it
        if (s := _fact_score(query, f, weights, reports.get(f.doc_id), schools_asked=asked,
                             named=_named_cells(query, texts.get(_row_key(f), ())))) is not None
    ]
    scored.sort(key=lambda sf: -sf[0][0])
    out = []
    for (score, match), fact in scored[:8]:
        chunk = retrieval.chunk_at(fact.doc_id, fact.line)
        if chunk is None:
            continue
        quote = line_of(chunk, fact.line, fact.raw)
        unit = fact.unit or label_unit(f"{fact.row} {fact.column}")
        ratio = find_ratios(fact.raw)[0].text if fact.value is None else ""
        out.append(Evidence(fact.value, unit, fact.raw.strip(), score, chunk, quote, fact.line,
                            f"{fact.title}·{fact.row}·{fact.column}", ratio, match=match, fact=fact))
    return out


def _row_key(fact: TableFact) -> tuple[str, str, int]:
    return fact.doc_id, fact.table, fact.line


def _row_texts(facts: Sequence[TableFact]) -> dict[tuple[str, str, int], tuple[str, ...]]:
    """The text cells of each table row (a major's name beside its school's), by row."""
    texts: dict[tuple[str, str, int], tuple[str, ...]] = {}
    for fact in facts:
        if fact.value is None and not find_ratios(fact.raw):
            texts[_row_key(fact)] = (*texts.get(_row_key(fact), ()), fact.raw)
    return texts


def _named_cells(query: Query, cells: Sequence[str]) -> str:
    """The text cells of a number's row that the question names (「商业学校 电子商务 计划人数」
    names the 电子商务 row among the school's rows), as written, without their bracket or by it
    alone (宠物医师 of 动物医学 (宠物医师))."""
    asked = re.sub(r"\s", "", query.norm)
    named = []
    for cell in cells:
        whole = re.sub(r"\s", "", normalize(cell))
        bare = re.sub(r"[(（][^)）]*[)）]", "", whole)
        inner = re.findall(r"[(（]([^)）]*)[)）]", whole)
        named += [form for form in (whole, bare, *inner) if len(form) >= 2 and form in asked][:1]
    return " ".join(named)


def _fact_score(
    query: Query, fact: TableFact, weights: dict[str, float], report: ReportInfo | None = None,
    *, named: str = "", schools_asked: schools.Asked = NO_SCHOOL,
) -> tuple[float, float] | None:
    if fact.value is None and not (wants_ratio(query) and find_ratios(fact.raw)):
        return None
    if _IDENTIFIER.search(fact.column) and not _IDENTIFIER.search(query.norm):
        return None
    asked_grades, row_grades = grades(query.measure), grades(fact.row)
    if asked_grades and asked_grades != row_grades and (row_grades or TOTAL.search(fact.row)):
        return None  # A- is not A, nor the band A+、A、A-, nor all grades
    if other_titles(query.measure, fact.row) or sibling_named(query.norm, fact.row):
        return None  # 正高级 is not 高级, 老年照护 not 幼儿照护
    label = f"{fact.row} {fact.column}"
    # The row's other cells the question names say which of a school's rows is meant.
    text = f"{fact.title} {label} {named}".rstrip()
    match = 0.7 * coverage(weights, text) + 0.3 * coverage(weights, f"{label} {named}")
    if match < 0.15 or leaves_out_asked(text, query.norm) or per_unit_missing(query.measure, text):
        return None
    if absent_run(query.measure, text) >= ABSENT_RUN or numbers_missing(query.measure, text):
        return None  # 30-39岁 is not the row 35-39岁
    if bound_missing(query.measure, text):
        return None
    if run_by_the_other(query, text) or counts_left_out(label, query.norm):
        return None
    if all_types_for_one(query, text):
        return None
    # A row or column naming a level (专科, 高职院校) decides over the table's title; in a table of
    # degrees (学历结构) the row 专科 is a degree.
    own_level = levels_in(label) and "学历" not in fact.title
    level = level_fit(query, label if own_level else text, report, around=text)
    if level is None:
        return None
    year = query.year
    in_title = any(str(y) in fact.title for y in query.years)
    if year is not None and fact.year is not None and fact.year not in query.years \
            and not (in_title and of_asked_year(query, fact)):
        return None  # a title naming the asked year (2019—2020年) lets through no other year's column
    quantity = parse_quantity(fact.raw)
    unit = quantity.unit if quantity and quantity.unit else fact.unit or label_unit(label)
    fit = unit_fit(query.unit, unit)
    if fit is None or share_unasked(query, unit):
        return None
    if unit == "%" and fact.value == 100 and TOTAL.search(fact.row):
        return None  # a total row's 100% is the whole the shares are of, the share of nothing asked
    if not unit and base_unit(query.unit) in COUNTS and _COUNT_LABEL.search(label):
        fit = 0.0  # a column of counts (数量) in no unit counts whatever the table lists
    change = bool(CHANGE.search(label)) != bool(CHANGE.search(query.measure))
    # Without an asked year, the report's own data year is meant.
    current = report.data_year if report is not None else None
    same_year = fact.year == year if year is not None else fact.year is not None and fact.year == current
    bonus = level + fit + (0.1 if same_year else 0.0) - (0.3 if change else 0.0) + match / 2
    # A total row is the default reading unless the question names one part of it.
    bonus += 0.1 if TOTAL.search(label) and (match >= 0.8 or wants_total(query)) else 0.0
    # The asked school's row is the school slot's, not words the measure leaves unasked.
    row = without_schools(fact.row, schools_asked.names)
    bonus -= 0.04 * min(extra_grams(weights, f"{row} {fact.column}"), 10)
    bonus -= 0.4 if qualified_otherwise(query, label) else 0.0
    # Spelled one way on both sides (专任老师 meets 专任教师).
    spelled = replace(query, measure=canonical(query.measure))
    bonus -= 0.7 if modifier_missing(spelled, canonical(text)) else 0.0
    # A rate's value says it is one (自主创业 1.54% is 自主创业比例) when its label names no other rate.
    bare_rate = unit == "%" and not _RATE_WORD.search(label)
    # A grade's count (A- 20) counts what the table grades, which its rows need not name.
    graded_count = bool(asked_grades) and bool(_COUNT_LABEL.search(label))
    head_unwritten = head_missing(query.measure, f"{text} 比例" if bare_rate else text)
    bonus -= 0.5 if head_unwritten and not graded_count else 0.0
    bonus -= 0.5 if type_missing(query, text) else 0.0
    # A total row of a table that names no asked school sums several schools (毕业生总数).
    school = school_fit(schools_asked, f"{fact.row} {fact.column}", text)
    if school is None or (school < 0 and TOTAL.search(label)):
        return None
    bonus += school
    if bare_label(row) and coverage(weights, row) < 0.15 and not TOTAL.search(row):
        bonus -= 0.4
    return match + bonus, match
