"""Features of a (question, frame) pair: how well a stated number fits what was asked.

Each feature has a name a reader understands; the ranker's weights are learned from generated
questions (see ``training/``), so no feature is a gate and none carries a hand-set weight.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from rag.frames import APPROXIMATE, CHANGE, Frame, inherited, spans_levels
from rag.numbers import base_unit
from rag.query import Query, levels_in, names_school, normalize
from rag.rank import lexical
from rag.retriever import Lexicon

_COUNTS = frozenset("个项所部门种本家篇枚件套台册场次批届期支间条班节份组队张")

NAMES: tuple[str, ...] = (
    "cov_measure", "cov_all", "precision", "extra_label", "level_agree", "level_conflict",
    "level_unasked", "year_agree", "year_conflict", "year_default", "unit_exact", "unit_near",
    "unit_missing", "unit_conflict", "unit_unasked", "change_mismatch", "direction_opposite",
    "total_wanted", "is_total", "is_part", "part_adds_nothing", "case_unasked", "school_unasked",
    "excludes_part", "other_modifier", "modifier_missing", "other_head", "head_missing",
    "compound_missing", "type_missing", "bare_row_unmatched", "is_table", "in_hits", "hit_rank",
    "respective_mismatch", "approximate", "year_not_reported", "asked_numbers_missing",
    "school_agree", "school_elsewhere", "school_absent", "region_for_school", "level_umbrella",
    "head_agree", "head_suffix_shared", "head_other", "qualifier_unasked", "qualifier_unmatched",
    "column_matched", "other_column_matched",
)
"""Feature order in the saved model."""


@dataclass(frozen=True)
class Context:
    """What features need besides the question and the frame."""

    weights: dict[str, float]
    """Inverse-frequency weights of the asked measure's bigrams."""
    data_years: Mapping[str, int | None]
    """Each selected report's own data year, by doc id."""
    hit_ranks: Mapping[str, int]
    """1-based rank of each retrieved chunk in the fused retrieval, by chunk id."""
    report_levels: Mapping[str, str]
    """Each selected report's school level (中职, or 职业教育 for one covering several), by doc id."""
    columns: Mapping[tuple[str, str, str], tuple[str, ...]]
    """The column labels of each table row, by (doc id, table title, row label)."""


def measure_weights(query: Query, lexicon: Lexicon) -> dict[str, float]:
    """The inverse-frequency weights of the asked measure's bigrams, in bigram order (so that
    sums over them, and with them the trained artefact, do not depend on hash order)."""
    return dict(sorted(lexicon.weights(lexical.canonical(query.measure)).items()))


def prefilter(ctx: Context, frame: Frame) -> float:
    """The cheap coverage used to keep only frames that share words with the question."""
    return lexical.coverage(ctx.weights, f"{frame.context} {frame.lead} {frame.measure}")


def features(query: Query, frame: Frame, ctx: Context) -> dict[str, float]:
    """The named features of ``frame`` as an answer to ``query``."""
    w = ctx.weights
    measure, everything = frame.measure, f"{frame.lead} {frame.measure}"
    table = frame.kind == "table"
    f: dict[str, float] = {
        "cov_measure": lexical.coverage(w, measure),
        "cov_all": lexical.coverage(w, f"{frame.context} {everything}"),
        "precision": lexical.precision(w, measure),
        "extra_label": min(lexical.extra_grams(w, measure), 10) / 10 if table else 0.0,
        "is_table": float(table),
    }
    f.update(_level(query, frame))
    # A figure for several levels at once (高中阶段; 职业院校 in a report on several) is not one level's.
    report_level = ctx.report_levels.get(frame.chunk.doc_id, "")
    umbrella = not frame.levels and spans_levels(frame.measure, report_level, asked=query.norm)
    f["level_umbrella"] = float(bool(query.level) and umbrella)
    f.update(_year(query, frame, ctx))
    f.update(_unit(query.unit, frame.unit, counts=_asks_count(query)))
    asks_change = bool(CHANGE.search(query.measure))
    f["change_mismatch"] = float((frame.role == "change") != asks_change)
    f["direction_opposite"] = float(lexical.opposite(query.measure, measure))
    wants_total = "总" in query.measure or "一共" in query.norm or "合计" in query.norm
    f["is_total"] = float(frame.role == "total")
    f["total_wanted"] = float(frame.role == "total" and wants_total)
    f["is_part"] = float(frame.role == "part")
    f["part_adds_nothing"] = float(frame.role == "part" and lexical.adds_nothing(query, w, frame.lead))
    named = names_school(query.norm)
    f["case_unasked"] = float(frame.scope == "case" and not named)
    f["school_unasked"] = float(frame.scope == "school" and not named)
    f["excludes_part"] = float(bool(frame.excludes) and frame.excludes not in query.norm)
    f["other_modifier"] = float(lexical.other_modifier(query, measure))
    f["modifier_missing"] = float(lexical.modifier_missing(query, frame.sentence or everything))
    lead_piece = re.split(r"[，,；;：:（(、]", frame.lead)[-1]
    f["other_head"] = float(not table and lexical.other_head(query.measure, lead_piece, measure))
    f["head_missing"] = float(lexical.head_missing(query.measure, everything))
    f["compound_missing"] = float(lexical.compound_missing(query.measure, frame.sentence or everything))
    # A part after 其中 is of the whole before it, not of its siblings (职业高中学生781人，成人中专学生2人).
    whole = "" if table else inherited(frame.sentence, frame.start)
    f["type_missing"] = float(lexical.type_missing(query, f"{whole} {measure}" if whole else everything))
    f["bare_row_unmatched"] = float(table and frame.fact is not None and _bare_row(w, frame))
    rank = ctx.hit_ranks.get(frame.chunk.id)
    f["in_hits"] = float(rank is not None)
    f["hit_rank"] = 1.0 / (1.0 + rank) if rank is not None else 0.0
    f["respective_mismatch"] = float(
        not table and not lexical.respective(query, w, frame.sentence, frame.start))
    f["approximate"] = float(frame.qualifier in APPROXIMATE)
    f["asked_numbers_missing"] = float(_numbers_missing(query.measure, f"{frame.context} {everything}"))
    f.update(_school(query, frame))
    f.update(_head(query, frame))
    f.update(_column(query, frame, ctx))
    return f


def vector(named: Mapping[str, float]) -> list[float]:
    """The features in the model's order."""
    return [named[name] for name in NAMES]


def _asks_count(query: Query) -> bool:
    """True when a question without a unit word still asks for a count (教职工总数是多少)."""
    return not query.unit and bool(re.search(r"总数|人数|数量|多少(?:名|位|所|个)?$", query.measure)) \
        and not re.search(r"率|比|占", query.measure)


def _numbers_missing(measure: str, text: str) -> bool:
    """True when the asked measure names a number (35-39岁, 3+2) that the frame's words do not."""
    asked = re.findall(r"\d+(?:\s*[-+]\s*\d+)?", normalize(measure))
    written = re.sub(r"\s", "", normalize(text))
    return any(re.sub(r"\s", "", a) not in written for a in asked)


def _unit(asked: str, stated: str, *, counts: bool = False) -> dict[str, float]:
    if counts and stated in ("%", "‰", "倍"):
        return {"unit_exact": 0.0, "unit_near": 0.0, "unit_missing": 0.0, "unit_conflict": 1.0,
                "unit_unasked": 0.0}
    a, s = base_unit(asked), base_unit(stated)
    exact = bool(asked) and bool(stated) and a == s
    near = bool(asked) and bool(stated) and not exact and (
        (a in _COUNTS and s in _COUNTS) or (a.startswith("元") and s.startswith("元")))
    missing = bool(asked) and not stated
    return {
        "unit_exact": float(exact), "unit_near": float(near), "unit_missing": float(missing),
        "unit_conflict": float(bool(asked) and bool(stated) and not exact and not near),
        "unit_unasked": float(not asked and not stated),
    }


def _level(query: Query, frame: Frame) -> dict[str, float]:
    found = set(frame.levels) - lexical.levels_measured(query.measure)
    asked = query.level
    return {
        "level_agree": float(bool(asked) and asked in found),
        "level_conflict": float(bool(asked) and bool(found) and asked not in found),
        "level_unasked": float(not asked and bool(found)),
    }


def _year(query: Query, frame: Frame, ctx: Context) -> dict[str, float]:
    year = frame.year
    # A table whose cells carry no year of their own is about the years its title names.
    title = frame.fact.title if frame.fact is not None and year is None else ""
    in_title = any(str(y) in title for y in query.years)
    if query.years:
        agree = year in query.years or in_title
        return {"year_agree": float(agree), "year_conflict": float(year is not None and not agree),
                "year_default": 0.0, "year_not_reported": 0.0}
    current = ctx.data_years.get(frame.chunk.doc_id)
    return {"year_agree": 0.0, "year_conflict": 0.0,
            "year_default": float(year is not None and year == current),
            "year_not_reported": float(year is not None and current is not None and year != current)}


def _school(query: Query, frame: Frame) -> dict[str, float]:
    """Whether the one school the question names is the frame's own (named in its words), only
    elsewhere in its passage, or absent; and whether the frame is a region-wide figure for it."""
    name = lexical.school_name(query.norm)
    own = f"{frame.lead} {frame.measure}" if frame.fact is None else f"{frame.fact.title} {frame.fact.row}"
    agree = bool(name) and name in own
    elsewhere = bool(name) and not agree and name in f"{frame.context} {frame.chunk.text}"
    return {
        "school_agree": float(agree), "school_elsewhere": float(elsewhere),
        "school_absent": float(bool(name) and not agree and not elsewhere),
        "region_for_school": float(bool(name) and frame.scope == "region" and not agree),
    }


def _head(query: Query, frame: Frame) -> dict[str, float]:
    """How the head of the asked measure (就业率, 金牌) meets the head of the frame's own phrase, and
    whether a word qualifying the head is written on one side only (对口 against 直接)."""
    asked, asked_qualifier = lexical.head_of(query.measure)
    phrase, own = _own_phrase(frame)
    stated, stated_qualifier = lexical.head_of(phrase)
    if not asked or not stated:
        return {"head_agree": 0.0, "head_suffix_shared": 0.0, "head_other": 0.0,
                "qualifier_unasked": 0.0, "qualifier_unmatched": 0.0}
    agree = lexical.same_head(asked, stated)
    shared = not agree and asked[-1] == stated[-1]
    related = agree or shared
    return {
        "head_agree": float(agree), "head_suffix_shared": float(shared),
        "head_other": float(not related and asked not in lexical.canonical(own)),
        "qualifier_unasked": float(related and lexical.unmatched(stated_qualifier, query.norm)),
        "qualifier_unmatched": float(related and lexical.unmatched(asked_qualifier, own)),
    }


def _own_phrase(frame: Frame) -> tuple[str, str]:
    """The phrase whose head names what the number is (a cell's column, or its row when the column
    is a year or a level; in prose the piece right before the number), and the words a qualifier of
    it may be written in (a cell's title, row and column; the prose up to and around the number)."""
    if frame.fact is not None:
        fact = frame.fact
        phrase = fact.column if lexical.head_of(fact.column)[0] else fact.row
        return phrase, f"{fact.title} {fact.row} {fact.column}"
    piece = re.split(r"[，,；;：:（(、]", frame.lead)[-1]
    return (piece if lexical.head_of(piece)[0] else frame.measure), f"{frame.lead} {frame.measure}"


def _column(query: Query, frame: Frame, ctx: Context) -> dict[str, float]:
    """Whether a cell's column is one the question asks for (its year, its level, its words), and
    whether another column of the same row fits the question better (another year of the row)."""
    if frame.fact is None:
        return {"column_matched": 0.0, "other_column_matched": 0.0}
    fact = frame.fact
    mine = _column_fit(query, ctx.weights, fact.column)
    siblings = ctx.columns.get((frame.chunk.doc_id, fact.title, fact.row), ())
    other = max((_column_fit(query, ctx.weights, c) for c in siblings if c != fact.column), default=0.0)
    return {"column_matched": float(mine > 0), "other_column_matched": float(other > mine)}


def _column_fit(query: Query, weights: dict[str, float], column: str) -> float:
    """How much of the question a column label states: an asked year, the asked level, asked words."""
    years = {int(y) for y in re.findall(r"(?:19|20)\d\d", column)}
    year = float(bool(years & set(query.years)))
    level = float(bool(query.level) and query.level in levels_in(column))
    return year + level + lexical.coverage(weights, re.sub(r"(?:19|20)\d\d", " ", column))


def _bare_row(weights: dict[str, float], frame: Frame) -> bool:
    assert frame.fact is not None
    row = frame.fact.row
    unmatched = lexical.coverage(weights, row) < 0.15
    return bool(lexical.bare_label(row)) and unmatched and not lexical.TOTAL.search(row)
