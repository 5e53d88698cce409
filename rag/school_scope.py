"""Which schools a question asks about, and whether what stands around a number is about them:
the measure without the school's name, the reports that never name it, a number's school fit."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from rag import schools
from rag.frames import last_school
from rag.query import DISTRICTS, LEVELS, Query, names_school
from rag.retriever import Retrieval

NO_SCHOOL = schools.Asked()
SCHOOL_MET = 0.3
"""Bonus for a number whose passage names the school the question names (the school's words are
no part of the measure the passage is matched against)."""
SCHOOL_UNMET = 0.65
"""Penalty for a number whose passage (a cell's table, title and row; a sentence's section and
paragraph up to the number) does not name the school the question names."""
_LEVEL_WORDS = re.compile("|".join(sorted((w for ws in LEVELS.values() for w in ws), key=len, reverse=True)))
"""The words for levels that a question's measure is parsed without (劲松职高 → 劲松)."""
_COLLECTIVE = re.compile("|".join((
    r"(?:中等职业|中职|高等职业|高职|职业)(?:学校|院校|教育)", r"高中阶段|全市|全区|各校(?!区)|各区|北京市",
    *DISTRICTS,
)))
"""Words for the schools of a level or a region together (中等职业学校, 职业院校, 全区, 昌平区)."""
_OWN_SCHOOL = re.compile(r"[我本]校(?!区)")
"""A text's own school (我校, 本校): the one the text around it is about."""


def asked_schools(query: Query, retrieval: Retrieval) -> schools.Asked:
    """The schools the question names, as the retrieved reports name them."""
    return schools.asked(query.norm, (c.text for chunks in retrieval.chunks_by_doc.values() for c in chunks))


def reports_without(asked: schools.Asked, retrieval: Retrieval) -> set[str]:
    """The retrieved reports that never name an asked school: none of their numbers is about it."""
    if not asked.names:
        return set()
    return {doc for doc, chunks in retrieval.chunks_by_doc.items()
            if not any(asked.met(c.text) for c in chunks)}


def measure_alone(query: Query, names: Sequence[str]) -> Query:
    """``query`` with the schools it names taken out of its measure (少林武校双师型老师 → 双师型老师):
    the measure's words are met by what a number is; the school is met by where it stands."""
    spellings = [*names, *map(_without_district, names), *(_LEVEL_WORDS.sub("", name) for name in names)]
    measure = without_schools(query.measure, [s for s in spellings if len(s) >= 2])
    return replace(query, measure=measure) if len(measure.replace(" ", "")) >= 2 else query


def _without_district(name: str) -> str:
    """A school's name without the district it starts with (职业学校 of 昌平职业学校, 第一职业学校 of
    大兴区第一职业学校): the measure has lost the district's name as a region word."""
    for district in DISTRICTS:
        if name.startswith(district[:-1]):
            return name[len(district) - 1:].removeprefix("区")
    return name


def without_schools(text: str, names: Sequence[str]) -> str:
    """``text`` with each of the school ``names`` (and the city before it) left out."""
    for name in names:
        text = re.sub(rf"(?:北京市?)?{re.escape(name)}", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def school_fit(asked: schools.Asked, *texts: str) -> float | None:
    """How well what stands around a number, from its own words outward (its clause, its sentence,
    its paragraph), meets the asked schools: a bonus when the nearest text that names a school or
    a group of schools names an asked one, None when it names another school or the schools of a
    level or region together (中等职业学校招生人数, 全市仅10名, 昌平区公办中等职业学校…) instead, a
    penalty when none names either."""
    if not asked.names:
        return 0.0
    own = False
    for text in texts:
        if asked.met(text):
            return SCHOOL_MET
        others = asked.without(text)
        if _OWN_SCHOOL.search(others):
            # 我校: the school the wider text names decides, whatever schools of a region or
            # level stand between (「参加北京市中等职业学校英语水平测试，我校的…」)
            own = True
            continue
        if last_school(others) or (not own and _COLLECTIVE.search(others)):
            return None
    return -SCHOOL_UNMET


def without_named_kind(query: Query, short_names: dict[str, str]) -> Query:
    """``query`` without its kind of school (职高) when only a school's short name (劲松职高) names it."""
    rest = query.norm
    for short in short_names.values():
        rest = rest.replace(short, " ")
    named_elsewhere = any(name in rest for name in query.school_type)
    return query if named_elsewhere or not short_names else replace(query, school_type=())


@dataclass(frozen=True)
class Scope:
    """Whom the question is about, read once per question: the region (no school named), or the
    school it names (``school``, by its proper name; ``short_names`` as it spells schools)."""

    region_asked: bool
    school: str
    short_names: dict[str, str]
    asked: schools.Asked = NO_SCHOOL


def question_scope(query: Query, texts: Sequence[str]) -> Scope:
    """Whom ``query`` asks about, with the school names the retrieved ``texts`` write. A case study
    or an example reports one school's numbers: they answer only questions that name a school."""
    short_names = schools.aliases(query.norm, texts)
    named = names_school(query.norm) or bool(short_names) or bool(schools.written_in(query.norm, texts))
    return Scope(region_asked=not named, school=last_school(query.norm), short_names=short_names)


def about_another_school(asked: str, chunk_before: str, before: str) -> bool:
    about = last_school(chunk_before.rsplit("\n", 1)[-1] + before)
    return bool(about) and asked not in about and about not in asked
