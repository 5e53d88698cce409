"""Follow-up questions resolved against the *slots* of earlier turns (region, years, level, measure),
not their text.

- a new measure keeps region, year and level (「那毕业生呢？」); 「其中…」 asks for a part of the
  previous measure (「其中贯通培养多少人？」), and 「占比呢？」 a quantity of it;
- a new school keeps measure, region and year (「少林武校呢？」);
- a new region keeps measure and year (「朝阳区呢？」); a new year or level is swapped in the same way
  (「2021年呢？」, 「高职呢？」), and 「前一年」/「上一年」 shifts the year by one;
- 「两者相差多少」, 「它们一共多少」, 「前者是后者的几倍」 and 「比上一年多了多少」 are *computations* over
  earlier answers (see ``rag.comparison``);
- a question that names its own region and measure starts fresh, unless it leans on the one before
  (「昌平区的毕业生呢？」 keeps the year and level).

Earlier turns are given as their questions (the history's answer texts are not parsed): each is
resolved in turn against the ones before it, so a chain of short follow-ups keeps its context.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from rag.arithmetic import Operation
from rag.change_words import FALL, RISE, SHIFT, SPOKEN_FALL, either
from rag.frames import CHANGE
from rag.passages import is_qualitative
from rag.query import (
    BEIJING,
    DISTRICTS,
    GENERIC_WORDS,
    LEVELS,
    PIVOT,
    SCHOOL_TYPES,
    Query,
    names_school,
    parse_query,
)

FollowKind = Literal["fresh", "measure", "school", "region", "year", "level", "computed", "none"]
Comparison = Literal["both", "previous_year", "change"]
MAX_TURNS = 6
"""Earlier turns that are resolved for context (older ones no longer matter to a follow-up)."""

_LEAD = re.compile(
    r"^(?:那么|那|还有|另外|再问一下|再问|请问|那请问|然后|接着|其中|换成|改成|换到|如果是|要是"
    r"|(?:再)?往[前后]推到?|(?:再)?看一?下|退?回到)[，,]?"
)
_TAIL = re.compile(
    r"(?:的情况|情况|的呢|呢|吗|怎么样|又如何|又是多少|是多少|分别是多少|看看|看一下|[？?。！!，,\s])+$"
)
_SHIFTS = (
    (re.compile(r"再往前一年|再?早一年|前一年|上一年|上一学年|上年度?|去年"), -1),
    (re.compile(r"前年"), -2),
    (re.compile(r"再往后一年|再?晚一年|后一年|下一年|次年|第二年"), 1),
)
"""Words that shift the year asked before, and by how much (first match wins)."""
_PAIR = r"两者|二者|这两个数|这两项|这两个|两个数|两项|它们|他们|这两|两年|两个区|两所|前者|后者"
_SUM = r"一共|总共|合计|共计|总计|加起来|加在一起|之和|总和"
_TIMES = r"几倍|多少倍|倍数"
_BOTH = re.compile(rf"{_PAIR}|相差|差距|差多少|差了多少|加起来|加在一起")
_VS_LAST_YEAR = re.compile(r"(?:比|较|与|和)(?:上一?年|前一年|去年|上年度?)")
_CHANGE = re.compile(
    rf"[多少]了?多少|(?:{either(RISE, FALL, SHIFT, SPOKEN_FALL)}|变)了?(?:多少|百分之几|几成)"
    r"|增幅|降幅|增长率|相差|差"
)
_GROWTH = re.compile(r"百分之几|几成|增幅|降幅|增长率|增速|百分比")
_NEUTRAL_CHANGE = re.compile(r"变化?了?(?:多少|几)|变动")
_DIRECTED_CHANGE = re.compile(either(RISE, FALL, SPOKEN_FALL))
_SHARE_ASK = re.compile(r"(?:所?占)?(?:多大|多少)?(?:比例|比重|占比|百分比)")
_QUANTITY_OF = re.compile(r"(?:所占)?(?:占比|比例|比重|百分比|增长率|增幅|降幅|增速|人数|数量|总数|规模)")
"""A follow-up's own words that name only a quantity of the measure asked before."""
_SCHOOL_NAME = re.compile(r"[\u4e00-\u9fff]{1,14}(?:学院|学校|大学|职业高中|职高|校|职)")
_ENTITY = re.compile(
    r"([\u4e00-\u9fff“”\"]{2,24}?)(?:职业技术学院|职业学院|职业学校|职业高中|学校|学院|大学|实践中心|中心|基地|联盟|集团|联合体|共同体)"
)
_FULL_SCHOOL_KIND = re.compile(r"(?:学院|学校|大学|职业高中)$")
_SHORT_NAME_CHARS = 6
_KINDS_OF_SCHOOL = {word for words in (*LEVELS.values(), *SCHOOL_TYPES) for word in words}
_OVER_EARLIER_WORDS = re.compile(
    rf"{_PAIR}|{_SUM}|{_TIMES}|相差|差距|多少|几|比|较|与|和|是|的|[多少了]|增加|减少|增长|下降|变化?|百分之|成"
)
_ASKS = re.compile(r"多少|几|哪|什么|怎么|怎样|如何|是否|比例|比重|占比|[率]|情况如何")
_NOISE = re.compile(
    r"(?:20|19)\d\d\s*(?:年度|学年|年)?|" + "|".join(words.pattern for words, _ in _SHIFTS) + "|"
    + "|".join(sorted((w for ws in LEVELS.values() for w in ws), key=len, reverse=True))
    + r"|学校|院校|教育|学生的?(?=$)|方面|[那这](?:边|里|块)|看看|看一下"
    + r"|(?:最早|最近|最新)?有(?:数据|统计)的?|的"
)


@dataclass(frozen=True)
class Resolved:
    """A question with its follow-up context filled in, and which kind of follow-up it was."""

    query: Query
    """The complete question (for a comparison: the previous turn's, whose slots carry on)."""
    kind: FollowKind
    question: Query | None = None
    """The question as asked, parsed on its own (differs from ``query`` for a follow-up)."""


def earlier_queries(questions: Sequence[str], *, max_chars: int = 500) -> list[Query]:
    """The earlier questions (oldest first), each resolved against the ones before it."""
    resolved: list[Query] = []
    for question in questions[-MAX_TURNS:]:
        resolved.append(resolve(question[:max_chars], resolved).query)
    return resolved


def resolve(text: str, earlier: Sequence[Query]) -> Resolved:
    """``text`` as a complete question, given the resolved earlier turns (oldest first)."""
    query = parse_query(text)
    return replace(_resolved(query, earlier), question=query)


def _resolved(query: Query, earlier: Sequence[Query]) -> Resolved:
    if not earlier:
        return Resolved(query, "fresh")
    previous = earlier[-1]
    if len(query.years) > 1 and not own_measure(query, over_earlier=True):
        return Resolved(parse_query(_over_years(query, previous)), "year")
    if comparison(query.norm) is not None and not own_measure(query):
        if CHANGE.search(previous.measure) and _swaps_a_slot(query, previous):
            # 「换成高职看看，变了多少？」: the same change elsewhere, in whichever direction it went there.
            if _NEUTRAL_CHANGE.search(query.norm):
                previous = replace(previous, norm=_DIRECTED_CHANGE.sub("变化", previous.norm))
            return _swapped(query, previous)
        return Resolved(previous, "computed")
    measure = own_measure(query)
    restated = measure != previous.measure and measure in previous.measure
    if measure and restated and _elliptical(query.norm) and _swaps_a_slot(query, previous):
        # 「昌平区2022年的中职毕业生呢？」 after 「…有多少毕业生升入本科院校？」: the subject restated, the
        # same question asked of another region, year or level.
        return _swapped(query, previous)
    if query.region and measure:
        if query.years or not _elliptical(query.norm):
            return Resolved(query, "fresh")
        # 「昌平区的毕业生呢？」: a new region and measure, in the year and level asked before.
        return Resolved(parse_query(_with_measure(replace(previous, region=""), query, measure)), "measure")
    if previous.measure and _is_school(school := _bare(query.norm)):
        return Resolved(parse_query(_with_school(previous, school)), "school")
    if measure:
        return Resolved(parse_query(_with_measure(previous, query, measure)), "measure")
    return _swapped(query, previous)


def comparison(norm: str) -> Comparison | None:
    """Which comparison over earlier answers ``norm`` asks for (两者相差多少 → both, 比上一年多了多少 →
    previous_year, a bare 增长了多少 → change), or None."""
    if _VS_LAST_YEAR.search(norm) and _CHANGE.search(norm):
        return "previous_year"
    if _BOTH.search(norm):
        return "both"
    return "change" if _CHANGE.search(norm) else None


def operation_over_earlier(norm: str) -> Operation:
    """What a computation over earlier answers computes: a sum (一共), a ratio (几倍), a % change
    (增长了百分之几), else a difference."""
    if re.search(_SUM, norm):
        return "sum"
    if re.search(_TIMES, norm):
        return "ratio"
    return "growth" if _GROWTH.search(norm) else "difference"


def context_and_ask(text: str) -> tuple[str, str] | None:
    """A long question as the context it gives and the clause that asks (「我在看…那张表，…。充电
    设备装调检测与维修岗那一列，实训项目一共是多少项？」), with what follows that clause (a bracket
    leaving something out); None for a question of one clause."""
    clauses, depth, start = [], 0, 0
    for at, char in enumerate(text):
        depth += (char in "（(") - (char in "）)")
        if depth == 0 and char in _CLAUSE_ENDS:
            clauses.append(text[start: at + 1])
            start = at + 1
    clauses = [c for c in [*clauses, text[start:]] if c.strip(_CLAUSE_ENDS + " ")]
    asking = [i for i, c in enumerate(clauses) if _ASKS.search(c) and not re.match(r"\s*[（(]", c)]
    if len(clauses) < 2 or not asking or asking[-1] == 0:
        return None
    context, ask = "".join(clauses[: asking[-1]]), "".join(clauses[asking[-1]:])
    # A condition (不算高职，…) or a comparison's other side stays with the question, and so does the
    # scope of a computation (「头两批建设项目中，…一共有多少个」); an asking clause with no measure of
    # its own (「生均纸质图书，东城区2024年是多少册」) asks the whole.
    asked = parse_query(ask)
    if _CONDITION.search(context) or _COMPARED.search(ask) or asked.operation != "lookup" \
            or len(_asked_thing(asked)) < 2:
        return None
    return context, ask


def _asked_thing(ask: Query) -> str:
    """What a clause asks about beyond the school level and kind (东城区中职2024年是多少册: nothing)."""
    return re.sub("|".join((*_KINDS_OF_SCHOOL, "学校", "院校")), "", ask.measure).strip()


_CLAUSE_ENDS = "，,。；;：:？?！!"
_CONDITION = re.compile(r"不算|不含|不包括|不计|只算|只看|包括|除了?|按[\u4e00-\u9fff]{0,6}(?:算|看|计)")
_COMPARED = re.compile(rf"{PIVOT.pattern}|相比|相差|之差")


def own_measure(query: Query, *, over_earlier: bool = False) -> str:
    """What the question itself asks about, once follow-up words, years, levels and places are gone
    (and the words of a computation, for a comparison or when ``over_earlier``)."""
    text = _bare(query.norm)
    for name in (*DISTRICTS, BEIJING):
        text = text.replace(name, "").replace(name[:-1], "")
    text = text.replace("北京", "")
    text = _NOISE.sub("", text)
    text = _OVER_EARLIER_WORDS.sub("", text) if over_earlier or comparison(query.norm) else text
    return text.strip() if len(text.strip()) >= 2 else ""


def _elliptical(norm: str) -> bool:
    """A question that leans on the one before it (「那…」, 「…呢？」)."""
    return bool(_LEAD.match(norm.strip())) or bool(re.search(r"呢[？?。！!\s]*$", norm))


def _bare(norm: str) -> str:
    return _TAIL.sub("", _LEAD.sub("", norm.strip()))


def _swaps_a_slot(query: Query, previous: Query) -> bool:
    """Whether ``query`` names another year, region or level than ``previous``."""
    return any(mine and mine != theirs for mine, theirs in (
        (query.years, previous.years), (query.region, previous.region), (query.level, previous.level)))


def _swapped(query: Query, previous: Query) -> Resolved:
    """``previous`` with the year, region or level that ``query`` names (or shifts) put in."""
    text, kind = previous.norm, "none"
    shift = next((by for words, by in _SHIFTS if words.search(query.norm)), 0)
    if shift and previous.year is not None:
        text, kind = _swap_years(text, previous.years, (previous.year + shift,)), "year"
    elif query.years:
        text, kind = _swap_years(text, previous.years, query.years), "year"
    if query.region and query.region != previous.region:
        text, kind = _swap_region(text, previous.region, query.region), "region" if kind == "none" else kind
    if query.level and query.level != previous.level:
        text, kind = _swap_level(text, previous.level, query.level), "level" if kind == "none" else kind
    elif query.school_type and query.school_type != previous.school_type:
        text = _swap_school_type(text, previous, query.school_type[0])
        kind = "level" if kind == "none" else kind
    elif query.level and previous.school_type and not query.school_type:
        # 「昌平区的中职毕业生呢？」 after 朝阳区职高's: the whole level, not the kind of school before.
        text = _swap_school_type(text, previous, LEVELS[query.level][0])
        kind = "level" if kind == "none" else kind
    if kind == "none":
        return Resolved(query, "none")
    return Resolved(parse_query(text), kind)  # type: ignore[arg-type]


def _with_measure(previous: Query, query: Query, measure: str) -> str:
    """A question about ``measure`` in the previous turn's region, year and level (a part of the
    previous turn's measure for 「其中…」)."""
    years = query.years or previous.years[-1:]
    prefix = "".join((
        f"{years[0]}年" if years else "",
        previous.region,
        "" if query.level or not previous.level else _level_words(previous),
    ))
    core = _bare(query.norm)
    if re.match(r"(?:那么?)?其中", query.norm) and previous.measure:
        core = f"{previous.measure}中{core.removeprefix('其中')}"
    elif _QUANTITY_OF.fullmatch(measure) and previous.measure:
        core = previous.measure + core  # 「占比呢？」: the share of what was asked before
    elif (named := named_entity(previous.measure)) and not named_entity(core):
        core = named + core  # 「那兼职教师呢？」 after 昌平职业学校's 专任教师: the same school's
    return prefix + core + ("" if _ASKS.search(core) else _ask_like(previous))


def named_entity(measure: str) -> str:
    """The one school, centre or alliance a measure begins by naming (昌平职业学校 of 昌平职业学校专任教师,
    开放型智慧金融产教融合实践中心 of …学生实训), or ''; 中职学校 names none."""
    found = _ENTITY.match(measure)
    return found.group(0) if found and len(re.sub(GENERIC_WORDS, "", found.group(1))) >= 2 else ""


def _is_school(text: str) -> bool:
    """Whether ``text`` is only a school's name, full or short (劲松职业高中, 少林武校, 国职)."""
    if text in _KINDS_OF_SCHOOL or not _SCHOOL_NAME.fullmatch(text):
        return False
    if _FULL_SCHOOL_KIND.search(text):
        return names_school(text)  # 劲松职业高中, not 那个学校
    return len(text) <= _SHORT_NAME_CHARS


def _over_years(query: Query, previous: Query) -> str:
    """The previous turn's measure over the years a follow-up names, asked as it asks
    (「那2018年和2019年一共多少？」 → 2018年和2019年北京市职业高中招生一共多少人？)."""
    years = "和".join(f"{year}年" for year in query.years)
    level = _level_words(previous) if previous.level else ""
    ask = re.sub(r"(?:20|19)\d\d\s*年?|[和与、及跟]", "", _bare(query.norm))
    unit = previous.unit if ask.endswith(("多少", "几")) and previous.unit not in ("%", "倍") else ""
    return f"{years}{query.region or previous.region}{level}{previous.measure}{ask}{unit}？"


def _with_school(previous: Query, school: str) -> str:
    """The previous turn's question about ``school`` (its year, region and measure; the school
    stands for the level)."""
    year = f"{previous.years[-1]}年" if previous.years else ""
    return f"{year}{previous.region}{school}{previous.measure}{_ask_like(previous)}"


def _level_words(previous: Query) -> str:
    """The previous turn's level as it was worded: its kind of school (职业高中) when it named one."""
    return previous.school_type[0] if previous.school_type else LEVELS[previous.level][0]


def _ask_like(previous: Query) -> str:
    """How the previous turn asked (有多少人, 是多少, 是怎么做的, 比上一年减少了多少人), for a follow-up
    naming only a measure."""
    change = _VS_LAST_YEAR.search(previous.norm)
    if change and previous.operation != "lookup":
        return previous.norm[change.start():]
    if is_qualitative(previous):
        return "有哪些？" if previous.is_list else "是怎么做的？"
    if previous.unit and previous.unit not in ("%", "倍"):
        return f"有多少{previous.unit}？"
    if share := _SHARE_ASK.search(previous.norm):
        return f"{share.group(0)}？"  # 「那未定职级的呢？」 after 占多大比重: its share too
    return "是多少？"


def _swap_years(text: str, old: tuple[int, ...], new: tuple[int, ...]) -> str:
    if old and str(old[-1]) in text:
        return text.replace(str(old[-1]), str(new[0]), 1)
    return f"{new[0]}年{text}"


def _swap_region(text: str, old: str, new: str) -> str:
    if old and old in text:
        return text.replace(old, new)
    if old and old[:-1] in text:
        return text.replace(old[:-1], new)
    if "北京" in text and old in ("", BEIJING):
        return re.sub(r"北京市?", new, text, count=1)
    match = re.match(r"(?:(?:20|19)\d\d\s*年度?)?", text)
    at = match.end() if match else 0
    return text[:at] + new + text[at:]


def _swap_school_type(text: str, previous: Query, school_type: str) -> str:
    """``text`` about ``school_type`` (职业高中) in place of the kind of school or level it named."""
    named = previous.school_type or LEVELS.get(previous.level, ())
    for word in sorted(named, key=len, reverse=True):
        if word in text:
            return text.replace(word, school_type, 1)
    return _after_region(text, school_type)


def _swap_level(text: str, old: str, new: str) -> str:
    for word in sorted(LEVELS.get(old, ()), key=len, reverse=True):
        if word in text:
            return text.replace(word, LEVELS[new][0])
    return _after_region(text, LEVELS[new][0])


def _after_region(text: str, words: str) -> str:
    """``text`` with ``words`` put in after the region it names (or in front)."""
    region = next((r for r in (*DISTRICTS, BEIJING, "北京") if r in text), "")
    at = text.find(region) + len(region) if region else 0
    return text[:at] + words + text[at:]
