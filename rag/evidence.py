"""A located number (``Evidence``) and what scoring table facts and scoring sentences share:
how well a stated unit, level and wording fit the asked ones."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from rag.frames import qualifier_before, spans_levels
from rag.numbers import base_unit, counted_alike, normalize
from rag.query import LEVELS, OWNERS, PEOPLE, Query, levels_in, names_school
from rag.rank.lexical import canonical, content_words, levels_measured, other_modifier
from rag.types import Chunk, ReportInfo, TableFact

COUNTS = frozenset("个项所部门种本家篇枚件套台册场次批届期支间条班节份组队张")
_STARTS_PHRASE = r"(?:^|(?<=[^\u4e00-\u9fff])|(?<=[中的和与及为有是]))"
"""Where a phrase starts: not right after a character that would qualify it (正 in 正高级教师)."""
_PEOPLE_END = re.compile(rf"(?:{PEOPLE.removeprefix('人|')})$")
"""A word naming people (在校学生, 专任教师; not 个人 or 负责人)."""
_COUNT_END = re.compile(r"[\u4e00-\u9fff](?<![指系分倍人])数量?$")
"""A measure that is a count (专业数, 赛项数量), not an index, a score or a multiple (指数, 分数)."""


@dataclass(frozen=True)
class Evidence:
    """A located number (or ratio) with the passage that states it and how well it fits."""

    value: float | None
    unit: str
    raw: str
    score: float
    chunk: Chunk
    quote: str
    line: int
    label: str
    ratio: str = ""
    match: float = 0.0
    """How much of the question's measure the passage around the number covers (0..1)."""
    fact: TableFact | None = None

    @property
    def qualifier(self) -> str:
        """The word right before the number in its sentence that makes it approximate (近, 约, 超过)."""
        if self.fact is not None or not self.raw:
            return ""
        at = self.quote.find(self.raw)
        return qualifier_before(self.quote[:at]) if at > 0 else ""


def unit_fit(asked: str, unit: str) -> float | None:
    """How well a stated unit fits the asked one: a bonus, a penalty, or None when impossible."""
    asked_base, stated = base_unit(asked), base_unit(unit)
    if not asked:
        return -0.15 if not unit else 0.0
    if not unit:
        return -0.25
    if asked_base == stated:
        return 0.2
    if asked_base in COUNTS and stated in COUNTS and _may_count_alike(asked_base, stated):
        return -0.15
    if asked_base.startswith("元") and stated.startswith("元"):
        return 0.0
    return None


def counted_in_people(query: Query) -> Query:
    """``query`` asking for 人 when it names no unit and its measure ends in people (求实职业学校
    在校生): a count of them, not of 人次 or anything else."""
    found = content_words(query.measure)
    if query.unit or not found or not _PEOPLE_END.search(found[-1]):
        return query
    return replace(query, unit="人")


def share_unasked(query: Query, unit: str) -> bool:
    """True for a share (%) given for a count asked in no unit (专业数, 赛项数量)."""
    return unit == "%" and not query.unit and bool(_COUNT_END.search(query.measure.strip()))


def _may_count_alike(a: str, b: str) -> bool:
    """Whether two count words may count the same things: 个 counts anything, 本 and 部 count books,
    but 所 never counts 册."""
    return "个" in (a, b) or counted_alike(a, b)


def qualified_otherwise(query: Query, text: str) -> bool:
    """``lexical.other_modifier`` of ``text`` without the asked kind of school; never for a text
    that writes the asked measure whole (正高级教师 4 人 for 正高级教师, whose 正 jieba splits off)."""
    whole = _STARTS_PHRASE + re.escape(canonical(query.measure))
    if len(query.measure) >= 3 and re.search(whole, canonical(text)):
        return False
    return other_modifier(query, without_type(query, text))


def run_by_the_other(query: Query, text: str) -> bool:
    """Whether the last of 公办 and 民办 that ``text`` names is not the one the question asks about
    (「…民办北京少林武术学校…。“双师型”教师3人」 for 公办)."""
    asked, named = _asked_owner(query), re.findall("|".join(OWNERS), text)
    return bool(asked) and bool(named) and named[-1] != asked


def owner_unnamed(query: Query, own: str, sentence: str) -> bool:
    """Whether the number's ``own`` text leaves the asked owner unnamed in a ``sentence`` naming
    an owner later (「对口就业率平均为 76.38%，其中公办院校更达 81.35%」): 76.38 is both owners',
    neither 公办's nor 民办's."""
    asked = _asked_owner(query)
    return bool(asked) and asked not in own and any(owner in sentence for owner in OWNERS)


def of_another_contest(query: Query, text: str) -> bool:
    """Whether the last contest ``text`` names is held at another level than the one the question
    names (世界职业院校技能大赛 or 京雄职业院校技能大赛 for 北京市职业院校技能大赛); never when the question
    names none."""
    asked, named = _contest_level(query.norm), _contest_level(text)
    return bool(asked and named) and asked != named


def _contest_level(text: str) -> str:
    found = [m.group(1) or m.group(2) for m in _CONTEST.finditer(text)]
    return _CONTEST_LEVELS[found[-1]] if found else ""


_CONTEST = re.compile(
    # 市级教学能力比赛; a contest of a region (京雄, 京津冀) is of neither the city's nor the country's level
    r"(世界|全国|国际|京津冀|京雄|北京市?|市级|全市)[\u4e00-\u9fff]{0,10}?(?:大赛|比赛|竞赛)"
    r"|(世赛|世校赛|国赛|市赛)"
)
_CONTEST_LEVELS = {"国际": "国际", "世界": "世界", "世赛": "世界", "世校赛": "世界", "全国": "全国",
                   "京津冀": "区域", "京雄": "区域",
                   "国赛": "全国", "北京市": "市", "北京": "市", "市级": "市", "全市": "市", "市赛": "市"}


def _asked_owner(query: Query) -> str:
    """The one owner (公办 or 民办) the question asks about, or '' for none or both."""
    asked = [owner for owner in OWNERS if owner in query.norm]
    return asked[0] if len(asked) == 1 else ""


def without_type(query: Query, text: str) -> str:
    """``text`` without the kind of school the question names (职业高中学生 → 学生): a slot of the
    question, not a word that qualifies its measure otherwise."""
    for name in query.school_type:
        text = text.replace(name, " ")
    return text


def level_fit(query: Query, text: str, report: ReportInfo | None, *, around: str) -> float | None:
    """Bonus for the asked level in ``text``; None when only other levels (not named in the measure)
    are, or when the number stands for several levels at once (职业院校 of a report on 中职 and 高职)
    and nothing ``around`` it (its section, the sentence before it) names the asked level."""
    asked = query.level
    found = levels_in(text) - levels_measured(query.measure)
    if not asked:
        return -0.2 if found else 0.0
    if asked in found:
        return 0.15
    if found:
        return None
    if report is None or asked in levels_in(around) or names_school(query.norm):
        return 0.0
    if report.level in LEVELS and report.level != asked:
        return None  # a report on one level states its own level's numbers without naming it
    return None if spans_levels(text, report.level, asked=query.measure) else 0.0


def numbers_missing(measure: str, text: str) -> bool:
    """Whether the measure names a number (13 所高职学校, 3+2) that the text owning a number does not
    write as a number of its own (6 is not written in 260)."""
    asked = [re.sub(r"\s", "", n) for n in re.findall(r"\d+(?:\s*[-+]\s*\d+)*", normalize(measure))]
    written = re.sub(r"\s", "", normalize(text))
    return any(not re.search(r"(?<![\d.])" + re.escape(number) + r"(?![\d.])", written) for number in asked)
