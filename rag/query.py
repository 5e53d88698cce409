"""Understanding a question: region, years, level, measure, expected unit and operation."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Literal

Operation = Literal["lookup", "difference", "sum", "ratio", "share", "growth"]

BEIJING = "北京市"
DISTRICTS = (
    "东城区", "西城区", "朝阳区", "海淀区", "丰台区", "石景山区", "门头沟区", "房山区",
    "通州区", "顺义区", "昌平区", "大兴区", "怀柔区", "平谷区", "密云区", "延庆区",
)
_OTHER_PLACES = ("经济技术开发区", "经开区", "亦庄", "天津", "上海", "河北", "广州", "深圳")

LEVELS: dict[str, tuple[str, ...]] = {
    "普高": ("普通高中", "普高"),
    "本科": ("职业本科", "本科层次"),
    "高职": ("高职", "高等职业", "专科"),
    "中职": ("中职", "中等职业", "中专", "职业高中", "职高", "中等专业"),
}

SCHOOL_TYPES: tuple[tuple[str, ...], ...] = (
    ("职业高中", "职高"), ("普通中专",), ("成人中专",), ("技工学校", "技工"), ("中专学校",),
)
"""Kinds of 中职 school that tables count separately: naming one asks for its row, not the total."""

_UNIT_WORDS = (
    "平方米", "平米", "亩",
    "万人次", "人次", "万人", "万元", "亿元", "元", "个百分点", "个", "人", "名", "位", "所", "部",
    "门", "项", "种", "家", "本", "篇", "次", "场", "枚", "块", "届", "批", "台", "套", "间", "个专业",
)
_UNIT_ALIASES = {"名": "人", "位": "人", "块": "枚", "个专业": "个"}

_FILLER = (
    "精确到人", "加起来", "合计", "具有", "请问",
    "一共", "总共", "共有", "共计", "分别", "大约", "约有", "约", "多少", "几", "是", "有",
    "的", "了", "呢", "吗", "？", "?", "，", ",", "。", "“", "”", "\"", "（", "）", "(", ")", "、",
    "北京", "按",
)
_LIST_RE = re.compile(
    r"有哪些|是哪些|哪几|哪[一二两三四五六七八九十\d]+[个所家项种类大位名部]|哪些|包括什么|分别是什么"
)
_SCHOOL = re.compile(r"([\u4e00-\u9fff]{2,10}?)(?:职业技术学院|职业学院|职业学校|职业高中|学校|学院|大学)")
GENERIC_SCHOOL = re.compile(
    r"北京市?|[东西]城区?|朝阳区?|海淀区?|丰台区?|昌平区?|中等|职业|中职|高职|各类|所有|全部|区属|市属|公办|民办"
    r"|普通|高等|技工|本科|成人|中专|独立设置|的|和|与|及|有|共|哪些|哪几|所|多少|几|年"
)
_LEVEL_SUBJECT = (
    "(?:" + "|".join(sorted((w for ws in LEVELS.values() for w in ws), key=len, reverse=True)) + ")"
    + "(?:学校|院校|学生)?"
)
_REPORT = r"[(（]?(20\d\d)[)）]?年?度?(?:[^，,。？?\d]{0,8})?(?:质量)?(?:年度)?报告[中里]?"
_MORE = r"(?:多|少|增加|减少|增长|下降|高|低)了?多少"
_GROWTH = r"(?:增长|下降|减少|增加|提高|降低|变化)了?(?:百分之多少|多少%|百分之几|的?幅度|率)"
_PREVIOUS_YEAR = re.compile(r"上一?年|去年|前一年|上年度|上一学年")


@dataclass(frozen=True)
class Query:
    """A question taken apart; ``parts`` are the operands of a computed question."""

    text: str
    norm: str
    region: str
    years: tuple[int, ...]
    report_year: int | None
    level: str
    measure: str
    unit: str
    operation: Operation
    is_list: bool
    unknown_region: bool = False
    """True when the question names a place no report can be about (another district, another city)."""
    parts: tuple[Query, ...] = ()
    school_type: tuple[str, ...] = ()
    """The one kind of 中职 school named (职业高中, 普通中专 …), as its group of names."""

    @property
    def year(self) -> int | None:
        return self.years[-1] if self.years else None


def normalize(text: str) -> str:
    """NFKC text with dash variants unified, for matching."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"(?<=\d)(\s*年?\s*)(?:至|到)(?=\s*\d)", r"\1-", text)
    return re.sub(r"[—–~～]", "-", text)


def parse_query(question: str) -> Query:
    """The question's constraints, expected unit and operation (with operands when computed)."""
    base = _parse_simple(question)
    operation, parts = _operation(base)
    return replace(base, operation=operation, parts=parts)


def with_context(query: Query, previous: Query) -> Query:
    """``query`` with region, years, level and measure missing from it taken from ``previous``."""
    if query.measure and len(query.measure) > 3:
        return query
    text = previous.norm
    if query.region:
        text = _swap(text, previous.region, query.region)
    if query.years:
        text = _swap_years(text, previous.years, query.years)
    if query.level and previous.level and query.level != previous.level:
        text = _swap_level(text, previous.level, query.level)
    return parse_query(text)


def region_of(text: str) -> tuple[str, bool]:
    """The region named in ``text`` ('' if none) and whether it is a place no report covers."""
    for district in DISTRICTS:
        if district in text:
            return district, False
    for district in DISTRICTS:
        short = district[:-1]
        if len(short) >= 2 and short in text and not _short_name_is_word(text, short):
            return district, False
    if any(place in text for place in _OTHER_PLACES):
        return "", True
    if "北京" in text:
        return BEIJING, False
    return "", False


def level_of(text: str) -> str:
    """The school level named in ``text``: 本科, 高职, 中职 or ''."""
    found = [level for level, words in LEVELS.items() if any(w in text for w in words)]
    return found[0] if len(found) == 1 else ("" if not found else _first_level(text, found))


def names_school(text: str) -> bool:
    """Whether ``text`` names one particular school (北京市商业学校, 劲松职业高中 …)."""
    return any(GENERIC_SCHOOL.sub("", match.group(1)) for match in _SCHOOL.finditer(text))


def school_types_in(text: str) -> list[tuple[str, ...]]:
    """The kinds of 中职 school named in ``text`` (each as its group of names)."""
    return [group for group in SCHOOL_TYPES if any(name in text for name in group)]


def levels_in(text: str) -> set[str]:
    """Every school level named in ``text``."""
    return {level for level, words in LEVELS.items() if any(w in text for w in words)}


def expected_unit(text: str) -> str:
    """The unit the question asks for ('%' for rates and shares), or ''."""
    if re.search(r"百分之|百分比|比例|比重|占比|[率]", text) and not re.search(r"多少[人个所元]", text):
        return "%"
    if re.search(r"几倍|多少倍|倍数", text):
        return "倍"
    match = re.search(r"(?:多少|几)(万人次|人次|万人|万元|亿元|元|" + "|".join(_UNIT_WORDS) + ")", text)
    if match:
        return _UNIT_ALIASES.get(match.group(1), match.group(1))
    if re.search(r"(?:增长|下降|增幅|降幅|变化)了?多少[?？]?$", text):
        return ""
    if re.search(r"(?:多少|几)(?:名|位)?(?:学生|教师|老师|毕业生|人)", text) or "人数" in text:
        return "人"
    return ""


def _parse_simple(question: str) -> Query:
    norm = normalize(question).strip()
    region, unknown = region_of(norm)
    years, report_year = _years(norm)
    is_list = bool(_LIST_RE.search(norm))
    level = level_of(norm)
    if is_list:
        measure = _measure(_LIST_RE.sub("", norm), keep_levels=True)
    elif len(levels_in(norm)) > 1:
        # A second level is part of what is asked (毕业生升入专科), the first is the subject.
        measure = _measure(re.sub("|".join(LEVELS[level]), "", norm), keep_levels=True)
    else:
        measure = _measure(norm)
    if len(measure) < 2:
        measure = _measure(norm, keep_levels=True)
    return Query(
        text=question,
        norm=norm,
        region=region,
        years=years,
        report_year=report_year,
        level=level,
        measure=measure,
        unit=expected_unit(norm),
        operation="lookup",
        is_list=is_list,
        unknown_region=unknown,
        school_type=types[0] if len(types := school_types_in(norm)) == 1 else (),
    )


def _years(text: str) -> tuple[tuple[int, ...], int | None]:
    report = re.search(_REPORT, text)
    report_year = int(report.group(1)) if report else None
    if report:
        text = text[: report.start()] + text[report.end():]
    years: list[int] = []
    for match in re.finditer(r"(20\d\d|19\d\d)\s*(?:年|-|学年|\s|$)(?:\s*(?:到|-)\s*(20\d\d))?", text):
        if re.match(r"\s*(?:年)?\s*(?:起|开始|以来)", text[match.end(1):]):
            continue
        years.append(int(match.group(1)))
        if match.group(2):
            years.append(int(match.group(2)))
    return tuple(dict.fromkeys(years)), report_year


def _measure(text: str, *, keep_levels: bool = False) -> str:
    text = re.sub(_REPORT, "", text)
    text = re.sub(r"[(（]?不(?:含|包括|计)[^)）,，、]*[)）]?", "", text)
    text = re.sub(r"[中里](?=[，,、]|$)", "", text)
    text = re.sub(r"招(?:了|收)?(?!生)", "招生", text)
    text = re.sub(r"[(（]?(?:20|19)\d\d[)）]?\s*(?:年度|学年度|学年|年)?", "", text)
    for name in (*DISTRICTS, BEIJING):
        text = text.replace(name, "").replace(name[:-1], "")
    if not keep_levels:
        words = sorted((w for ws in LEVELS.values() for w in ws), key=len, reverse=True)
        text = re.sub("(?:" + "|".join(words) + ")(?:学校|院校|教育|学生)?", "", text)
    text = re.sub(r"(?:多少|几)(?:万人次|人次|万人|万元|亿元|" + "|".join(_UNIT_WORDS) + ")", "", text)
    for word in _FILLER:
        text = text.replace(word, "")
    bare = re.sub(r"(?:总)?人数|数量", "", text)
    return (bare if len(bare) >= 2 else text).strip()


def _operation(query: Query) -> tuple[Operation, tuple[Query, ...]]:
    text = query.norm
    if re.search(r"是.+的(?:多少|几)倍", text):
        return "ratio", _split_operands(text, r"是", r"的(?:多少|几)倍.*$", query)
    if re.search(r"比.+" + _GROWTH, text):
        later, base = _split_operands(text, "比", _GROWTH + ".*$", query)
        return "growth", (replace(base, unit=""), replace(later, unit=""))
    if re.search(r"比.+" + _MORE, text):
        return "difference", _split_operands(text, "比", _MORE + ".*$", query)
    if len(query.years) >= 2 and re.search(_GROWTH, text):
        return "growth", tuple(_with_year(query, y) for y in sorted(query.years[:2]))
    if re.search(r"加起来|合计|之和|总和|两者共|共计", text) and re.search(r"[和与及或]", text):
        parts = _sum_operands(query)
        if len(parts) == 2:
            return "sum", parts
    if re.search(r"占.+(?:比例|比重|百分比)", text):
        return "share", _share_operands(text, query)
    return "lookup", ()


def _split_operands(text: str, pivot: str, tail: str, query: Query) -> tuple[Query, ...]:
    head, _, rest = text.partition(pivot)
    left_text = re.sub(r"^[^，,]*[，,]", "", head) if "，" in head or "," in head else head
    right_text = re.sub(tail, "", rest)
    whole = _parse_simple(text)
    left = _parse_simple(left_text)
    right_years = _years(right_text)[0]
    if not left.years and right_years:
        # The other side's year is the base of the comparison, not this side's year.
        whole = replace(whole, years=tuple(y for y in whole.years if y not in right_years))
    left = _inherit(left, whole)
    right = _inherit(_parse_simple(_PREVIOUS_YEAR.sub("", right_text)), left)
    if _PREVIOUS_YEAR.search(right_text) and left.year is not None:
        right = replace(right, years=(left.year - 1,))
    return (left, right)


def _inherit(part: Query, whole: Query) -> Query:
    # An operand naming only a level or school type (…是中职学校的几倍) shares the other's measure.
    measure = part.measure if len(_measure(part.norm)) >= 2 else whole.measure
    return replace(
        part,
        region=part.region or whole.region,
        years=part.years or whole.years,
        report_year=part.report_year or whole.report_year,
        level=part.level or whole.level,
        measure=measure,
        unit=part.unit or whole.unit,
        unknown_region=part.unknown_region or whole.unknown_region,
        school_type=part.school_type or whole.school_type,
    )


def _with_year(query: Query, year: int) -> Query:
    measure = re.sub(r"^(?:到|至|-)|(?:增长|下降|减少|增加|变化)了?.*$", "", query.measure)
    return replace(query, years=(year,), measure=measure, unit="", operation="lookup", parts=())


def _sum_operands(query: Query) -> tuple[Query, ...]:
    match = re.search(
        r"([^\s，,和与及或]{2,12}?)[和与及或]([^\s，,和与及或]{2,12}?)(?:加起来|合计|之和|总和|共计|一共|的)",
        query.norm,
    )
    if not match:
        return ()
    rest = query.norm[match.end(2):]
    left, right = match.group(1), match.group(2)
    subject = re.match(_LEVEL_SUBJECT, right)
    if subject and subject.end() < len(right):
        right, rest = right[: subject.end()], right[subject.end():] + rest
    parts = []
    for side in (left, right):
        part = _parse_simple(side + rest)
        measure = _measure(side + rest, keep_levels=True)
        parts.append(replace(_inherit(part, query), measure=measure, level=part.level or query.level))
    return tuple(parts)


def _share_operands(text: str, query: Query) -> tuple[Query, ...]:
    match = re.search(r"([^，,]*)[，,]?([^，,]*?)占(.+?)(?:的)?(?:比例|比重|百分比)", text)
    if not match:
        return ()
    scope, part, whole = match.group(1), match.group(2), match.group(3)
    scope_measure = _measure(scope)
    part_q = replace(query, measure=_measure(part) or scope_measure, unit="", operation="lookup", parts=())
    # The whole keeps the part's level unless it names all schools (占职业院校…的比例).
    broad = re.search(r"职业院校|职业学校|各类|全部", whole)
    whole_measure, whole_level = _measure(whole), level_of(whole) or ("" if broad else query.level)
    if whole_measure in ("总额", "总数", "总量", "总计", "全部"):
        whole_measure, whole_level = f"{scope_measure}{whole_measure}", query.level
    whole_q = replace(query, measure=whole_measure, level=whole_level, unit="", operation="lookup", parts=())
    return (part_q, whole_q)


def _first_level(text: str, found: list[str]) -> str:
    positions = {lv: min(text.find(w) for w in LEVELS[lv] if w in text) for lv in found}
    return min(positions, key=lambda lv: positions[lv])


def _short_name_is_word(text: str, short: str) -> bool:
    """True when a district's short name is part of a school's name (北京市昌平职业学校)."""
    at = text.find(short)
    return bool(re.match(r"(?:职业|学校|中学|一中|二中|第|实验|分校)", text[at + len(short):]))


def _swap(text: str, old: str, new: str) -> str:
    if old and old in text:
        return text.replace(old, new)
    if old == BEIJING and "北京" in text:
        return text.replace("北京", new, 1)
    return new + text


def _swap_years(text: str, old: tuple[int, ...], new: tuple[int, ...]) -> str:
    if not old:
        return f"{new[0]}年{text}"
    return text.replace(str(old[0]), str(new[0]))


def _swap_level(text: str, old: str, new: str) -> str:
    for word in LEVELS[old]:
        if word in text:
            return text.replace(word, LEVELS[new][0])
    return text
