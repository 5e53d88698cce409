"""Understanding a question: region, years, level, measure, expected unit and operation."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Literal

import jieba
import opencc
from jieba import posseg

from rag.change_words import FALL, RISE, SHIFT, SPOKEN_FALL, either
from rag.english_terms import in_chinese

Operation = Literal["lookup", "difference", "sum", "ratio", "share", "growth"]

BEIJING = "北京市"
DISTRICTS = (
    "东城区", "西城区", "朝阳区", "海淀区", "丰台区", "石景山区", "门头沟区", "房山区",
    "通州区", "顺义区", "昌平区", "大兴区", "怀柔区", "平谷区", "密云区", "延庆区",
)
_OTHER_PLACES = ("经济技术开发区", "经开区", "亦庄", "天津", "上海", "河北", "广州", "深圳")

EXCLUDES = re.compile(
    r"[(（]?(?:不含|不包括|不包含|不计|不算|除去|除)((?:(?!的话)[^)）,，。；]){1,12})[)）]?"
)
"""What a text says its number leaves out (不含技工学校 → 技工学校; 不算技工学校的话 → 技工学校)."""
_TO_SIMPLIFIED = opencc.OpenCC("t2s")
"""The reports are in simplified characters; a question may be typed in traditional ones (職業高中)."""
OWNERS = ("公办", "民办")
"""Who runs the schools: a scope of the question, like its region."""
LEVELS: dict[str, tuple[str, ...]] = {
    "普高": ("普通高中", "普高"),
    "本科": ("职业本科", "本科层次"),
    "高职": ("高职", "高等职业", "专科"),
    "中职": ("中职", "中等职业", "中专", "职业高中", "职高", "中等专业"),
}

BETWEEN_LEVELS = "中高职"
"""中职 and 高职 together (中高职衔接项目, 中高职院校): what spans the two levels names neither alone."""

SCHOOL_TYPES: tuple[tuple[str, ...], ...] = (
    ("职业高中", "职高"), ("普通中专",), ("成人中专",), ("技工学校", "技工", "技校"), ("中专学校",),
)
"""Kinds of 中职 school that tables count separately: naming one asks for its row, not the total."""

_UNIT_WORDS = (
    "平方米", "平米", "平方", "亩",
    "万人次", "人次", "人天", "万人", "万元", "亿元", "元", "钱", "个百分点", "个", "人", "名", "位", "所",
    "部", "门", "项", "种", "家", "本", "册", "篇", "件", "条", "份", "次", "场", "枚", "块", "届", "批",
    "台", "套", "间", "岁", "个专业", "支(?!教|持|部|援|撑|出|付)", "期(?!间|末|中|刊|待|望)",
    "(?<=多少)年(?![级度届前后来间内里])",
)
"""The units a question may ask in (patterns: 支 and 期 also open words, 支教 and 期间, that are none;
多少年 is a span; 近几年 and 几年级 are not)."""
_UNIT_ALIASES = {
    "名": "人", "位": "人", "块": "枚", "个专业": "个", "平米": "平方米", "平方": "平方米", "钱": "元",
}
_UNIT_ASK = re.compile(r"(?<![这那])(?:多少|几)(?:个|名|位)?([万亿]?)(" + "|".join(_UNIT_WORDS) + ")")
"""多少人, 几个人, 多少平米, 多少万册: the ask, the multiplier and the unit it names (那几个订单班
points back, it asks nothing)."""
_COUNTERS = "个册台篇件门所项次家部本种场枚套间届批条份"
_COUNT_WORD = re.compile(rf"(人次|(?<!人)[{_COUNTERS}])数(?=[\s，,。？?]|$|是|有|为|多少|几|一共|共|合计)")
"""A count word (册数, 台数, 个数) names the unit it counts in and is no part of the measure."""
PEOPLE = r"人|学生|新生|毕业生|在校生|老师|教师|教职工|职工|员工|学员|志愿者|专家|校长|师生|研究生|留学生"
_PEOPLE_COUNTED = re.compile(
    rf"(?:{PEOPLE})(?:(?:[里中]|[，,]\s*)[^，,。？?]{{0,12}}的)?\s*(?:(?:19|20)\d\d\s*年?)?\s*(?:有|是|为|共)?\s*"
    r"(?:多少|几)个?(?![\u4e00-\u9fff])"
)
"""「兼职老师有几个」, 「专任老师里中级职称的有多少」: a bare ask counting the people named before it."""
_NOUN_END = r"(?=[\s，,。？?！!的去在当参获]|$)"
_PEOPLE_ASKED = re.compile(
    rf"(?:多少|几)(?:[名位]?(?:{PEOPLE})|[名位个]?[\u4e00-\u9fff]{{1,4}}?(?:{PEOPLE}){_NOUN_END})"
)
"""「多少学生」, 「多少专任老师」: people, with or without a classifier or a modifier."""
_PEOPLE_WORD = re.compile(PEOPLE)
_PEOPLE_COUNT = re.compile(rf"({PEOPLE.removeprefix('人|')})数(?![字据码值额量学])")
"""在校生数, 专任教师数: how many of the people, counted in 人."""
_PEOPLE_THEN_COUNT = re.compile(rf"(?:{PEOPLE})[^。？?]{{0,16}}?(?:多少|几)个(?=[\u4e00-\u9fff])")

# Words that frame the question, not what it asks for: a small grammar, each part one kind of word.
_PARTICLES = re.compile(r"(?:来着|呢|啊|呀|吧|嘛|哈|哦|啦)(?=[\s，,。？?！!]|$)")
_FRAMING = re.compile("|".join((
    # requests: 帮我看下, 给我查一下, 算一下, 看看
    r"(?:请|麻烦)?(?:帮我|给我|帮忙)(?:看|查|算|找|数|统计|问|说|讲|列)?(?:一下|下)?",
    r"(?:看|查|算|找|问|说|讲|统计|补|核对|核实|确认|对)一下|看看|查查|算算|问问|说说|[看查]下(?![降滑跌属设])",
    # wishes and asks to be told: 我想了解一下, 能不能告诉我, 请问
    r"我?(?:想要|想|希望)(?:知道|了解|问问?|看看?|查查?|确认|补|核对|核实)(?:一下|下)?|请问|(?:能不能|能否|可否|可不可以|可以)?告诉我",
    r"(?:^|(?<=[\s，,？?]))要(?![求素点])",
    # hedges and time adverbs: the asked year says when
    r"大概|大约|大致|差不多|左右|约莫|约有|约|现在|目前|如今|已经",
    # interrogatives asking for a size (多大, 多高) rather than naming a measure
    r"多少|几|多[大高长久远重](?=[\s，,。？?！!]|$)",
    # demonstratives pointing back (那三所, 那批, 这些) and a report's saying so (报告提到，)
    r"[那这](?:[一二两三四五六七八九十几\d]*[个所批次项位名家些种门届]|边|里)",
    r"(?:提到|提及|显示|指出|写道|写到|表明)(?=[，,:：])",
    # colloquial pro-verb and directional complements: 搞了多少, 招生进来的
    r"搞|进来|出来|下来",
    # narrowing to what the rest names (只看普通中专, 只统计公办院校) and a condition's 如果
    r"只(?:看|算|统计|计算?)|如果|假如",
    # a topic frame: 就学历结构而言
    r"就[^，,。？?]{1,10}而言",
    r"(?:能|可以)?达到(?=多少|几)",
)))
_FILLER = (
    "精确到人", "加起来", "合计", "具有", "拥有", "一共", "总共", "共有", "共计", "分别", "是", "有",
    "的", "了", "吗", "？", "?", "，", ",", "。", "“", "”", "\"", "（", "）", "(", ")", "、",
    "北京", "按",
)

_LIST_RE = re.compile(
    r"有哪些|是哪些|哪几|哪[一二两三四五六七八九十\d]+(?![年月日天])[\u4e00-\u9fff]|哪些|包括什么|分别是什么"
    r"|(?:是|为)哪(?:所|个|家)"
    r"|(?:名称|名单|叫什么名字|叫什么)[？?。]?$"
)
_SCHOOL = re.compile(r"([\u4e00-\u9fff]{2,10}?)(?:职业技术学院|职业学院|职业学校|职业高中|学校|学院|大学)")
_CITY_SCHOOL = re.compile(f"北京市(?:{'|'.join(DISTRICTS)}){_SCHOOL.pattern}")
"""A school's official name with its district after the city's (北京市丰台区职业教育中心学校): a school
the city's reports name, not the district's report."""
_SHORT_DISTRICT = f"(?:{'|'.join(d[:-1] for d in DISTRICTS)})"
_SCHOOL_SHORT_NAMES = (
    (re.compile(rf"({_SHORT_DISTRICT})区?职教中心(?:学校)?"), r"\1区职业教育中心学校"),
    (re.compile(rf"({_SHORT_DISTRICT})区?([一二三四五])职(?![业教工称责务能])"), r"\1区第\2职业学校"),
)
"""Short names of a district's schools written out as the reports write them (丰台职教中心 for
丰台区职业教育中心学校, 大兴一职 for 大兴区第一职业学校)."""
GENERIC_WORDS = (
    r"北京市?|中等|职业|中职|高职|各类|所有|全部|区属|市属|公办|民办"
    r"|普通|高等|技工|本科|成人|中专|独立设置|的|和|与|及|有|共|哪些|哪几|所|多少|几|年"
    r"|[只仅单](?:算|看|统计)|不(?:含|算|计)|包括"  # 「只算技工学校」 names a kind of school, not one
)
"""Words a school's name shares with any school's (中等职业学校, 各类职业院校)."""
GENERIC_SCHOOL = re.compile(rf"[东西]城区?|朝阳区?|海淀区?|丰台区?|昌平区?|{GENERIC_WORDS}")
_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_REPORT = r"[(（]?(20\d\d)[)）]?年?度?(?:[^，,。？?\d]{0,8})?(?:质量)?(?:年度)?(?:报告|年报)[中里]?"


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


def wants_ratio(query: Query) -> bool:
    """True when the question asks for a ratio such as 职普比 (answered as 'a:b')."""
    return not query.unit and bool(re.search(r"[^占]比$|比是|比为", query.measure))


def wants_total(query: Query) -> bool:
    """True when the question asks for a total (总数, 一共, 合计)."""
    return "总" in query.measure or bool(re.search(r"一共|总共|合计|共计", query.norm))


def normalize(text: str) -> str:
    """NFKC text with dash variants unified and years in Chinese digits (二〇二〇年) in figures."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[一二][〇零一二三四五六七八九]{3}(?=年)", lambda m: m.group(0).translate(_DIGITS), text)
    # 一九年, 二二年: a year's last two digits (两三年, 十二年 are spans; 一二年级 a grade).
    text = re.sub(r"(?<![〇零一二三四五六七八九十百两几])[一二][〇零一二三四五六七八九](?=年(?!级))",
                  lambda m: m.group(0).translate(_DIGITS), text)
    text = re.sub(r"(?<=\d)(\s*年?\s*)(?:至|到)(?=\s*\d)", r"\1-", text)
    for short, full in _SCHOOL_SHORT_NAMES:
        text = short.sub(full, text)
    text = text.replace("技校", "技工学校")
    text = re.sub(r"北京市(?=级)", "北京 市", text)  # 北京市级比赛 is a contest at the city's level
    text = _LEFT_OUT_AFTER.sub(r"（不含\1）", _LEADING_LEFT_OUT.sub(r"不含\1，", text))
    return re.sub(r"[—–~～]", "-", text)


_LEFT_OUT_AFTER = re.compile(
    r"[(（]([^()（）]{2,24}?)(?:那部分|这部分)?[都均也]?(?:除外|不算在内|不计在内|不包括在内|不计入|不算|不计)[)）]"
)
_LEADING_LEFT_OUT = re.compile(
    r"(?:^|(?<=[，,]))([^，,。？?]{2,16}?)(?:那部分|这部分)?[都均也]?(?:除外|不算在内|不计在内|不计入|不算|不计)"
    r"(?:(?:的话)?[，,]|的口径)"
)
"""A group left out after it is named (（技校除外）, 职高、技校都不算, 高职院校除外，…): written as
EXCLUDES reads it, 不含 before the group."""


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
    if named := regions_in(text):
        return named[0], False
    # 河北学生, 河北籍, 河北生源: where people come from, not the place a report is about
    if any(re.search(f"{place}(?!籍|生源|考生|的?学生)", text) for place in _OTHER_PLACES):
        return "", True
    if "北京" in text:
        return BEIJING, False
    return "", False


def regions_in(text: str) -> list[str]:
    """The districts ``text`` names, those named in full first (昌平区, then 东城 for 东城区); not the
    district in a school's official name after the city's (北京市丰台区职业教育中心学校)."""
    text = _CITY_SCHOOL.sub(lambda m: "北京市" if GENERIC_SCHOOL.sub("", m.group(1)) else m.group(0), text)
    full = [district for district in DISTRICTS if district in text]
    short = [district for district in DISTRICTS if district not in full and len(district) > 2
             and district[:-1] in text and not _short_name_is_word(text, district[:-1])]
    return full + short


def level_of(text: str) -> str:
    """The school level named in ``text``: 本科, 高职, 中职 or ''."""
    text = text.replace(BETWEEN_LEVELS, "")
    found = [level for level, words in LEVELS.items() if any(w in text for w in words)]
    return found[0] if len(found) == 1 else ("" if not found else _first_level(text, found))


def counted_people(text: str) -> str:
    """The people a question counts (「有多少学生参与」 → 学生), or '' when it counts none by name."""
    found = _PEOPLE_ASKED.search(text) or _PEOPLE_COUNTED.search(text)
    if not found:
        return ""
    words = [w for w in _PEOPLE_WORD.findall(found.group(0)) if w != "人"]
    return words[-1] if words else ""


def names_school(text: str) -> bool:
    """Whether ``text`` names one particular school (北京市商业学校, 劲松职业高中 …)."""
    return bool(school_names(text))


def school_names(text: str) -> list[str]:
    """What tells apart the particular schools ``text`` names (劲松 of 劲松职业高中, 昌平 of 昌平职业学校)."""
    return [own for match in _SCHOOL.finditer(text) if (own := GENERIC_SCHOOL.sub("", match.group(1)))]


def school_types_in(text: str) -> list[tuple[str, ...]]:
    """The kinds of 中职 school named in ``text`` (each as its group of names); 中职高级教师 names a
    title, not 职高."""
    return [group for group in SCHOOL_TYPES if any(re.search(f"{name}(?!级)", text) for name in group)]


_DEGREE = re.compile(r"专科(?=(?:及以上)?学历)")
"""A level's name as the degree it awards (专任教师中专科学历): a kind of person, not a school level."""


def levels_in(text: str) -> set[str]:
    """Every school level named in ``text``."""
    text = _DEGREE.sub("", text.replace(BETWEEN_LEVELS, ""))
    return {level for level, words in LEVELS.items() if any(w in text for w in words)}


_UNITS_RE = "|".join(_UNIT_WORDS)
_UNIT_NAMED = re.compile(rf"[(（]\s*(?:(?:以|按)\s*({_UNITS_RE})\s*计|单位\s*[:：]\s*({_UNITS_RE}))\s*[)）]")
"""「（以套计）」, 「（单位：台）」: the unit the question names in brackets."""


def expected_unit(text: str) -> str:
    """The unit the question asks for ('%' for rates and shares), or ''."""
    text = _PARTICLES.sub("", text)  # 「有几个啊」 asks as 「有几个」
    if named := _UNIT_NAMED.search(text):
        unit = named.group(1) or named.group(2)
        return _UNIT_ALIASES.get(unit, unit)
    if _RATE_CHANGE.search(text):
        return "个百分点"
    if re.search(r"百分之|百分比|比例|比重|占比|[率]|[增降涨跌]幅|增速", text) \
            and not re.search(r"多少[人个所元]", text):
        return "%"
    if re.search(r"几倍|多少倍|倍数", text):
        return "倍"
    if re.search(rf"(?:多少|几)个(?:{PEOPLE}){_NOUN_END}", text) or _PEOPLE_COUNTED.search(text):
        return "人"
    if _people_doing(text):
        return "人"
    if asks := list(_UNIT_ASK.finditer(text)):
        # 「三个专业一共计划招多少人」: the last ask is the question's, the ones before describe.
        return asks[-1].group(1) + _UNIT_ALIASES.get(asks[-1].group(2), asks[-1].group(2))
    if re.search(r"(?:增长|下降|增幅|降幅|变化)了?多少[?？]?$", text):
        return ""
    if _PEOPLE_ASKED.search(text) or "人数" in text or _PEOPLE_COUNT.search(text):
        return "人"
    if found := _count_words(text):
        return found[0].group(1)
    return "元" if _MONEY.search(text) and not _NOT_AN_AMOUNT.search(text) else ""


_RATE_CHANGE = re.compile(
    rf"(?:比例|比重|占比|(?<![增降])率)[^，,。？?；;]{{0,6}}?(?:{either(RISE, FALL, SHIFT)})了?多少"
    r"(?![%％]|个?百分比)"
)
"""「占比提升了多少」, 「就业率比上年提高了多少」: a rate's change, in percentage points (not 增长率)."""
_MONEY = re.compile(r"经费|资金|金额|总额|收入|投入|费用|拨款|多少钱|多少万(?=[？?，,。\s]|$)")
"""What is counted in 元 (资金总额, 人员经费和公用经费一共多少万)."""
_NOT_AN_AMOUNT = re.compile(r"[增降涨]幅|增速|如何|怎么|怎样|哪些|什么")
"""A change in % or a question asking for passages, whatever money it is about."""


def _people_doing(text: str) -> bool:
    """Whether 个 counts the people named before it, by what they do (「毕业生里，有几个去国外读本科」),
    not things (「学生参加了几个比赛」)."""
    match = _PEOPLE_THEN_COUNT.search(text)
    following = next(posseg.cut(text[match.end():]), None) if match else None
    return following is not None and following.flag.startswith("v") and following.flag != "vn"


def _count_words(text: str) -> list[re.Match[str]]:
    """The count words of ``text`` that are words of their own, not a noun's last character and 数
    (平台数, 场所数 count 平台 and 场所)."""
    starts = {start for _, start, _ in jieba.tokenize(text)}
    return [match for match in _COUNT_WORD.finditer(text) if match.start() in starts]


def _parse_simple(question: str) -> Query:
    norm = _full_years(in_chinese(normalize(_TO_SIMPLIFIED.convert(question))).strip())
    region, unknown = region_of(norm)
    years, report_year = _years(norm)
    is_list = bool(_LIST_RE.search(norm))
    plain = _INCLUDING.sub("", norm)  # 「（高职、中职都算）」 asks for no one level nor kind of school
    level = level_of(plain)
    if is_list:
        measure = _measure(_LIST_RE.sub("", norm), keep_levels=True)
    elif len(levels_in(plain)) > 1:
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
        school_type=types[0] if len(types := school_types_in(EXCLUDES.sub("", plain))) == 1 else (),
    )


def _full_years(text: str) -> str:
    """Two-digit years written in full (「22年比21年」, 「22-24年」, 「22届」 → 「2022年比2021年」,
    「2022-2024年」, 「2022届」, 「2017级」); spans such as 近15年 stay."""
    ends_year = r"(?=(?:\s*-\s*[12]\d)?(?:年(?!来|以来|间|内|前|后|里|多|左右)|届|级(?!台风)))"
    return re.sub(rf"(?<![\d.近这满第过超达最])([12]\d){ends_year}", r"20\1", text)


def _years(text: str) -> tuple[tuple[int, ...], int | None]:
    report = re.search(_REPORT, text)
    report_year = int(report.group(1)) if report else None
    if report:
        text = text[: report.start()] + text[report.end():]
    years: list[int] = []
    # A year of a list may go without its 年 (2017、2018和2019年).
    listed = r"(?=\s*[、和与及]\s*(?:20|19)\d\d)"
    pattern = rf"(20\d\d|19\d\d)\s*(?:年|届|-|学年|\s|$|{listed})(?:\s*(?:到|-)\s*(20\d\d))?"
    for match in re.finditer(pattern, text):
        if re.match(r"\s*(?:年)?\s*(?:起|开始|以来)", text[match.end(1):]):
            continue
        years.append(int(match.group(1)))
        if match.group(2):
            years.append(int(match.group(2)))
    return tuple(dict.fromkeys(years)), report_year


def _measure(text: str, *, keep_levels: bool = False) -> str:
    text = _UNIT_NAMED.sub("", re.sub(_REPORT, "", _INCLUDING.sub("", text)).replace("报告中", ""))
    text = _PARTICLES.sub("", text)
    # 「（要专任教师，不要教职工总数）」 says again what is asked, and what is not
    text = re.sub(r"[(（][^)）]*(?:不要|不是|而非|并非)[^)）]*[)）]", "", text)
    # A clause of its own leaves out all it lists (「不算职高、成人中专和技校，」).
    text = re.sub(r"[(（]不(?:含|包括|包含|计|算)[^)）]*[)）]"
                  r"|(?:^|(?<=[，,]))不(?:含|包括|包含|计|算)[^)）,，。；]*[，,]"
                  r"|[(（]?不(?:含|包括|包含|计|算)(?:(?!的话)[^)）,，、])*(?:的话)?[)）]?", "", text)
    text = re.sub("|".join(OWNERS), "", text)  # a scope, like the region: ``evidence.run_by_the_other``
    text = re.sub(r"(?:当中|(?<![高初])[中里])(?=[，,、]|$)", "", text)  # not 高中's 中
    # 「专任教师中正高级职称」: 中 marks the group, not a word with what follows (中正)
    text = re.sub(r"(教师|老师|学生|毕业生|在校生|教职工)中(?=[\u4e00-\u9fff])", r"\1中 ", text)
    text = re.sub(r"招(?:了|收)?的?(?:学生|新生)|招(?:了|收)?(?!生)", "招生", text)
    text = re.sub(r"毕业的?学生", "毕业生", text)  # as tables and prose write it
    text = re.sub(r"(?:平均)?每[个名位]?(?:中职|高职)?学?生(?:平均)?(?:能?[摊分]到)?(?!产)", "生均", text)
    text = re.sub(r"(?:[从由]?(?:20|19)\d\d\s*年?\s*-\s*(?=(?:20|19)\d\d))?", "", text)  # 从2020年到2022年
    # A cohort (2017级) is what is counted, not a year the question asks about.
    year = r"[在于]?\s*[(（]?(?:20|19)\d\d(?!\s*级)[)）]?\s*(?:年度|学年度|学年|年|届(?=毕业生))?"
    text = re.sub(year, "", text)
    for name in (*DISTRICTS, BEIJING):
        text = text.replace(name, "")
        # A school named after its district (昌平职业学校) keeps the name.
        if not _short_name_is_word(text, name[:-1]):
            text = text.replace(name[:-1], "")
    if not keep_levels:
        words = sorted((w for ws in LEVELS.values() for w in ws), key=len, reverse=True)
        named = f"({BETWEEN_LEVELS}|{_DEGREE.pattern})|(?:" + "|".join(words) + ")(?:学校|院校|教育|学生)?"
        text = re.sub(named, lambda level: level.group(1) or "", text)
    text = re.sub(r"(?:多少|几)%|(?:多少|几)万(?![\u4e00-\u9fff])|多大(?=比例|比重|百分比)", "", text)
    text = _UNIT_ASK.sub("", re.sub(r"百分之(?:几|多少)", "", text))
    if re.search(_SUM, text):
        text = _ITEMS_COUNTED.sub("", text)  # 「三个专业一共计划招多少人」: the rows summed, not the measure
    for match in reversed(_count_words(text)):
        text = text[: match.start()] + text[match.end():]
    text = re.sub(r"(?<=招生)新生", "", _FRAMING.sub("", text))
    text = re.sub(r"(?<![公千万])里(?!程)", "中", re.sub(r"^\s*里", "", text))  # 老师里 is 老师中 said aloud
    # B+、B is two grades, not B+B; a band (A类) is its three grades, as a table's rows name them;
    # 评为A, 评成A and 单档A are A.
    text = re.sub(r"(?<=[A-Za-z+-])[、，,（）()]+(?=[A-Za-z])", " ", text)
    text = re.sub(r"(?<![A-Za-z])([A-D])[档类]", r" \1+ \1 \1- ", text)
    text = re.sub(r"(?:被?(?:评|评定|认定|定)[为成上]|获评|单档)(?=[A-D])", "", text)
    # 对思政课的满意度 is 思政课满意度: what is rated, not 对思政课 (jieba's word).
    text = re.sub(r"对(?=[\u4e00-\u9fff]{1,12}?(?:满意|评价|认可))", "", text)
    for word in _FILLER:
        text = text.replace(word, "")
    text = _without_predicate(re.sub(r"\s+", " ", re.sub(r"为\s*$", "", text.strip())))
    # 人数 and 金额 are said by the unit (招生 1061 人, 到账 4767.7 万元)
    bare = re.sub(r"(?:总)?人数|数量|(?<=[\u4e00-\u9fff]{2})金额", "", text)
    bare = _PEOPLE_COUNT.sub(r"\1", bare)  # 在校生数 is 在校生 counted in 人
    return (bare if len(bare) >= 2 else text).strip()


_ITEMS_COUNTED = re.compile(r"(?<![\d第])[这那]?[两二三四五六七八九十]\s*[个项所门家](?=[\u4e00-\u9fff])")


_KEPT_VERBS = frozenset("增减涨降升多少高低占比")
"""One-character verbs that are what is asked (a change, a share), not a predicate to drop."""


def _without_predicate(text: str) -> str:
    """The measure without the one-character verb a question ends it with, and an adverb before that
    (图书「还剩」, 专业「开」了): what is counted is the noun before them."""
    found = jieba.lcut(text)
    if len(found) < 2 or len(found[-1]) != 1 or found[-1] in _KEPT_VERBS:
        return text
    tagged = [(w.word, w.flag) for w in posseg.lcut(text)]
    while len(tagged) > 1 and len(tagged[-1][0]) == 1 and tagged[-1][1] in ("v", "d") \
            and tagged[-1][0] not in _KEPT_VERBS:
        tagged.pop()
    kept = "".join(word for word, _ in tagged)
    return kept if len(kept) >= 2 else text


# --- the plan: which operation, over which operands ------------------------------------------
# Each computed phrasing is first rewritten to one canonical form (「与B相比，A增长了…」 → 「A比B增长了…」,
# 「同比」 → 「比上一年」); operands are then the sides of 比/是…的几倍/占, or the coordinated items of
# 「A、B和C…合计」, each parsed as a question of its own with the slots it does not name shared.

_CHANGE = (
    rf"(?:{either(RISE, FALL, SHIFT, SPOKEN_FALL)}|高出|降|增|减|多|少|低"
    r"|高(?![等中级职校]))"  # not 高等教育, 高中, 高级, 高职, 高校
)
_PERCENT_ASK = r"(?:百分之多少|百分之几|多少%|几%|几成|的?幅度|率)"
_GROWTH = (
    rf"{_CHANGE}了?{_PERCENT_ASK}|增幅|降幅|涨幅|增速|增长率|下降率|变化率"
    rf"|{_CHANGE}了?多少.*(?:用|以)百分比"
)
_MORE = rf"{_CHANGE}[\u4e00-\u9fff]?了?(?:多少|几)"
"""多多少, 少了几个, and with the verb between (多招了多少)."""
_GAP = r"相差|差距|差了?(?:多少|几)|之差|差值|差额"
_SUM = r"加起来|加在一起|合起来|合计|之和|总和|总计|共计|一共|总共|两者共|二者共|共有"
_TIMES = r"的(?:多少|几)倍"
_PERCENT_OF = r"的(?:百分之多少|百分之几|多少%)"
_SHARE_ASK = r"的?\s*(?:比例|比重|百分比|份额|百分之几|百分之多少|多少%|几成|占比)"
PIVOT = re.compile(r"(?<![占对普之])比(?!例|重|率|值)")
"""The 比 of a comparison (A比B多), not of 比例, 比重, 占比 or 普职比."""
_PREVIOUS_YEAR = re.compile(r"上一?年度?|去年|前一年|上一学年")
_SAME_YEAR = re.compile(r"同年|同期|当年")
_CONJ = re.compile(
    r"以及|加上|(?<=[\u4e00-\u9fff])(?<![增参追新附更施添叠外])加(?![起在上强入快工大深坡拿])|(?<![参给])与|(?<![涉普])及(?!时|格|以[上下]|其)|[、和跟或]|(?<=[\u4e00-\u9fff])\s*\+\s*(?=[\u4e00-\u9fff])"
)
"""「A+B」 between words adds them (3+2 中高职衔接 and the grade B+ are names), and so does a 加 of its own
(人员经费加公用经费), not one inside a word (增加, 参加, 新加坡, 加强)."""
_ITEM_END = re.compile(
    _SUM + r"|两者|二者|两项|三者|分别|各自|相差|之间|之差|相比|比|是|为|所?占|[，,。？?；;]|有?(?:多少|几)"
)
_BOUNDARY = re.compile(r"[，,。；;：:（）()\s“”\"]|具有|拥有|获得|通过|接收")
_ENTITY_END = re.compile(r"学校|学院|院校|中专|高中|职高|大学|专业|基地")
_MAX_ITEM = 20
"""Longest coordinated item, in characters (a school's full name with its region)."""
_TERSE_CHANGE = rf"(?:{either(RISE, FALL, SHIFT)})了?的?(?:人数|数量|多少|几)"
"""A change between two named years said tersely (「2015到2020 减少人数」)."""
_RANK = "[特一二三四五六]"
_RANKS = re.compile(
    rf"(?<![第\d十]){_RANK}{{2,6}}等"  # 一二三等奖: the ranks share 等奖
    rf"|{_RANK}等奖?(?:\s*(?:以及|加上|加|、|和|与|及|跟|\+)?\s*{_RANK}等奖?)+"  # 一等加二等, 一等奖+二等奖
)


def ranks_named(text: str) -> set[str]:
    """The prize ranks ``text`` names (一等奖 → 一, 特等 → 特)."""
    return set(re.findall(rf"({_RANK})等(?:奖|次)?", text))


def _operation(query: Query) -> tuple[Operation, tuple[Query, ...]]:
    text = _canonical_comparison(_counted_brackets(_INCLUDING.sub("", query.norm)))
    if match := _REMAINDER.search(text) or _NOT_PART.search(text):
        return "difference", _counted_alike(_sides(match.group(1), match.group(2), text))
    if match := re.search(rf"(.+)(?:是|为|相当于)(.+?){_TIMES}", text):
        sides = _sides(match.group(1), match.group(2), text)
        return "ratio", tuple(replace(side, unit="") if side.unit == "倍" else side for side in sides)
    if match := re.search(rf"(.+)(?:是|为|相当于)(.+?){_PERCENT_OF}", text):
        part, whole = _sides(match.group(1), match.group(2), text)
        return "share", (replace(part, unit=""), replace(whole, unit=""))
    if re.search(_GROWTH, text):
        if pair := _compared(text, _GROWTH):
            later, base = pair
            return "growth", (replace(base, unit=""), replace(later, unit=""))
        if len(query.years) >= 2:
            return "growth", tuple(_with_year(query, y) for y in sorted(query.years[:2]))
        return "lookup", ()
    if re.search(_MORE, text) and (pair := _compared(text, _MORE)):
        return "difference", _counted_alike(pair)
    if re.search(f"{_MORE}|{_TERSE_CHANGE}", text) and len(query.years) >= 2:
        years = sorted(query.years[:2], reverse=True)
        return "difference", _counted_alike(tuple(_with_year(query, y, unit=query.unit) for y in years))
    if match := re.search(_GAP, text):
        if len(parts := _items(query, text, match.start())) == 2:
            return "difference", _counted_alike(parts)
        # 「A，与B相差多少」: two clauses.
        if clauses := re.match(r"^(.+?)[，,]\s*(?:与|和|跟|同)(.+?)(?:之间)?$", text[: match.start()]):
            return "difference", _counted_alike(_sides(clauses.group(1), clauses.group(2), text))
    text = _LEAVING_OUT.sub("", text)  # 「职高和技校都不算」 names no items of a sum
    if re.search(rf"{_SUM}|加|\+", text) and (parts := _ranked_items(query, text)):
        return "sum", parts
    if match := re.search(_SUM, text):
        # 「A，加上B，一共…」: two clauses.
        if clauses := re.match(r"^(.+?)[，,]\s*再?加上?(.+?)[，,]?$", text[: match.start()]):
            return "sum", _sides(clauses.group(1), clauses.group(2), text)
        if len(parts := _items(query, text, match.start())) >= 2:
            return "sum", parts
    if parts := _share_operands(text, query):
        return "share", parts
    return "lookup", ()


_INCLUDING = re.compile(
    r"[(（]?(?:包括|包含|连同|含)([^，,。；)）]{1,16}?)在内[)）]?[，,]?"
    r"|[(（]([^，,。；()（）]{1,16}?)都(?:算|计|包括|包含|统计)(?:上|在内|进去|进来)?[)）][，,]?"
    r"|[(（]?连同?([^，,。；()（）]{1,16}?)(?:一起|一并)(?:算|计|统计)?(?:上|在内|进去)?[)）]?[，,]?"
)
"""「包括技工学校和成人中专在内」, 「（高职、中职都算）」, 「连技校一起算」: the whole, its parts named as
counted in it (no operands)."""

_LEAVING_OUT = re.compile(r"[(（]?不(?:含|包括|包含|计|算)[^)）,，。；]{1,16}[)）]?[,，]?")
_REMAINDER = re.compile(
    r"^(.+?)[里中][，,]?(?:除去|除了|去掉|扣除|刨去)(.+?)(?:以外|之外)?[，,]?(?:还有|还剩|剩下|其余|其他)"
)
"""「A里除去B还有多少」: what is left of A, A − B."""
_NOT_PART = re.compile(r"^(.+?)[里中][，,]\s*(?:没有?|未|不)(.{2,8}?)的?(?:有|是)?(?:多少|几)")
"""「A里，没通过的有多少」: the rest of A, A − those who did (通过)."""
_COUNTED_BRACKET = re.compile(
    r"(?:这|那)?([两二三四五六七八九十])(?:个|所|项|门|种|家|类|部)[\u4e00-\u9fff]{0,6}[(（]([^)）]+)[)）]"
)


def included(question: str) -> tuple[str, ...]:
    """The groups a question says its number counts (包括技工学校和成人中专在内 → 技工学校, 成人中专)."""
    named = (next(g for g in m.groups() if g) for m in _INCLUDING.finditer(question))
    return tuple(group for found in named for group in re.split(r"[和与及、]", found) if group)


def _counted_brackets(text: str) -> str:
    """「两个大师班（A、B）」 as 「A、B」: a bracket naming as many items as the count before it lists
    the operands; 「A类（A+、A、A-三档合计）」 only spells out the band, so it is 「A类」."""
    def items(match: re.Match[str]) -> str:
        named = re.split(r"[、和及与]", match.group(2))
        counted = _COUNTS.find(match.group(1).replace("二", "两")) + 1
        return match.group(2) if len(named) == counted >= 2 else match.group(0)
    return _COUNTED_BRACKET.sub(items, _SPELLED_BAND.sub(r"\1", text))


_SPELLED_BAND = re.compile(r"(([A-D])[档类])\s*[(（]\s*\2[+-]?(?:\s*[、,和及与]\s*\2[+-]?)+[^)）]{0,6}[)）]")
"""A grade band followed by its grades in brackets (B档（B+、B、B-）)."""


def _counted_alike(parts: tuple[Query, ...]) -> tuple[Query, ...]:
    """The operands of a difference in the unit they are stated in: a gap in 个百分点 is between
    rates (%), and 「少了几个」 老师 counts people."""
    def stated(part: Query) -> Query:
        if part.unit == "个百分点":
            return replace(part, unit="%")
        if part.unit == "个" and re.search(PEOPLE, part.measure):
            return replace(part, unit="人")
        return part
    return tuple(stated(part) for part in parts)


def _ranked_items(query: Query, text: str) -> tuple[Query, ...]:
    """One operand per rank of a sum over ranks written together (「市级一二三等奖合计」,
    「一等加二等」): the question with the ranks replaced by one of them, so every slot is shared."""
    match = _RANKS.search(text)
    if match is None:
        return ()
    run = match.group()
    compact = not re.search(f"{_RANK}等.", run[:-1]) and run.endswith("等")
    ranks = list(run[:-1]) if compact else re.findall(f"({_RANK})等", run)
    noun = "" if compact else ("奖" if run.startswith(f"{ranks[0]}等奖") else "")
    alone = [text[: match.start()] + f"{rank}等{noun}" + text[match.end():] for rank in ranks]
    return tuple(_inherit(_parse_simple(item), query) for item in alone)


def _canonical_comparison(text: str) -> str:
    """「与B相比，A…」 as 「A比B…」, 「同比/较上年」 as 「比上一年」."""
    text = re.sub(r"同比|环比", "比上一年", text)
    text = re.sub(r"较(?=上一?年|去年|(?:19|20)\d\d|同期)", "比", text)
    match = re.match(r"^(.*?)(?:与|和|跟|同|相对于|相较于?)([^，,]+?)相比较?[，,]?(.+)$", text)
    if match and not PIVOT.search(match.group(3)):
        head, base, rest = match.groups()
        ask = re.search(f"{_GROWTH}|{_MORE}", rest)
        if ask:
            return f"{head}{rest[: ask.start()]}比{base}{rest[ask.start():]}"
    return text


def _compared(text: str, ask: str) -> tuple[Query, Query] | None:
    """The two sides of 「A比B…」 (A first), or None without such a pivot before the ask."""
    asked = re.search(ask, text)
    if not asked:
        return None
    # Nothing between 比 and the ask: 比 ends a name (生师比高多少), it compares nothing.
    pivots = [p for p in PIVOT.finditer(text) if text[p.end(): asked.start()].strip(" ，,的")
              and p.end() <= asked.start()]
    if not pivots:
        return None
    pivot = pivots[-1]
    return _sides(text[: pivot.start()], text[pivot.end(): asked.start()], text)


def _sides(left_text: str, right_text: str, text: str) -> tuple[Query, Query]:
    """Both sides of a comparison: the left shares what the rest of the question names, the right
    shares what the left names (「比2024年」 is the left's measure a year apart)."""
    left_text = left_text.rstrip("，, ")
    rest_text = text.replace(right_text, " ", 1).replace(left_text, " ", 1)
    # Without the comparison's own words; a verb inside the ask stays (多「招」了多少学生).
    asked = rf"{_CHANGE}(?=[\u4e00-\u9fff]?了?(?:多少|几))|{_GROWTH}|{PIVOT.pattern}"
    rest = _parse_simple(re.sub(asked, " ", rest_text))
    right = _parse_simple(_SAME_YEAR.sub("", _PREVIOUS_YEAR.sub("", right_text)))
    left = _inherit(_parse_simple(left_text), rest)
    if len(_measure(left.norm)) < 2 and len(_measure(rest.norm)) < 2:
        left = _inherit(left, right)  # 「2020年比2015年北京市中职在校生…」: the measure is on the right
    right = replace(_inherit(right, left), report_year=right.report_year)  # each side names its own report
    if left.measure.startswith(right.measure):
        right = replace(right, measure=left.measure)  # 比高职在校生: the people the left's measure is about
    elif (rank := re.fullmatch(f"({_RANK})等奖?", right.measure)) and re.search(f"{_RANK}等", left.measure):
        # 「中职组一等奖比三等奖多几个」: the same prizes, another rank
        right = replace(right, measure=re.sub(f"{_RANK}等", f"{rank.group(1)}等", left.measure, count=1))
    if _PREVIOUS_YEAR.search(right_text) and left.year is not None:
        right = replace(right, years=(left.year - 1,))
    return left, right


def _inherit(part: Query, whole: Query) -> Query:
    # An operand naming only a level or school type (…是中职学校的几倍) shares the other's measure.
    shares_measure = len(_measure(part.norm)) < 2
    # ... and what that measure leaves out (比2019年 of 招生（不含成人中专）)
    left_out = "".join(f"（不含{m.group(1)}）" for m in EXCLUDES.finditer(whole.norm)
                       if shares_measure and m.group(1) not in part.norm)
    # Searched for with the measure it shares (「中职」 alone finds nothing about 获奖队伍).
    return replace(
        part,
        norm=part.norm + (whole.measure if shares_measure else "") + left_out,
        region=part.region or whole.region,
        years=part.years or whole.years,
        report_year=part.report_year or whole.report_year,
        level=part.level or whole.level,
        measure=whole.measure if shares_measure else part.measure,
        unit=part.unit or whole.unit,
        unknown_region=part.unknown_region or whole.unknown_region,
        # An operand naming its own level (…比东城区中职…) is not of the other's kind of school.
        school_type=part.school_type or (() if part.level else whole.school_type),
    )


def _with_year(query: Query, year: int, *, unit: str = "") -> Query:
    measure = re.sub(rf"^(?:从|由)|(?:从|由)?(?:到|至|-)|(?:比上一年)?{_CHANGE}了?.*$", "", query.measure)
    return replace(query, years=(year,), measure=measure, unit=unit, operation="lookup", parts=())


def _items(query: Query, text: str, asked: int) -> tuple[Query, ...]:
    """The operands of coordinated items before the operation word at ``asked`` (「A、B和C招生」,
    「2021年和2022年」, 「朝阳区和昌平区中职」): each the question with the other items (and the
    「相差多少」 clause) left out, so the slots it does not name are shared."""
    found = _coordinated(text[:asked])
    if found is None:
        return ()
    start, items, end, kind = found
    rest = re.sub(rf"[，,]?(?:两者|二者)?(?:{_GAP}).*$", "", text[end:])
    parts = []
    for item in items:
        alone = text[:start] + item + rest
        part = _inherit(_parse_simple(alone), query)
        # A kind of school or a school as the item (中专学校和职业高中) tells the operands apart.
        named = kind == "level" or names_school(item)
        parts.append(replace(part, measure=_measure(alone, keep_levels=True)) if named else part)
    return tuple(parts)


def _coordinated(text: str) -> tuple[int, list[str], int, str] | None:
    """Where a run of coordinated items starts and ends in ``text``, the items and their kind
    (year, region, level, slots or measure). The last item's shared tail is spread over them all
    (「…和C招生」's 招生, 「博士或硕士学位的专任教师」's 的专任教师)."""
    # Items in brackets spell out the noun before them (B档（B+、B、B-）): they are not operands.
    bracketed = [range(m.start(), m.end()) for m in re.finditer(r"[（(][^）)]*[）)]", text)]
    conj = next((c for c in _CONJ.finditer(text)
                 if not any(c.start() in span for span in bracketed) and _left_item(text, c.start())), None)
    if conj is None:
        return None
    start, kind = _left_item(text, conj.start()) or (0, "")
    spans, at = [(start, conj.start())], conj.end()
    while True:
        token = _token_at(text, at)
        if kind != "measure" and token is not None and token[1] != kind and len(spans) == 1:
            # 「2022年昌平区和2024年东城区」: each item is a run of slots of several kinds.
            spans[0], kind = (_extend_left(text, spans[0][0], token[1]), spans[0][1]), "slots"
        if kind != "measure" and token is not None and kind in (token[1], "slots"):
            end = _slots_end(text, at) if kind == "slots" else token[0]
        else:
            stops = [m.start() for m in (_ITEM_END.search(text, at), _CONJ.search(text, at)) if m is not None]
            end = min(stops, default=len(text))
            if kind != "measure" and token is None:
                return None
        if end - at < 1 or end - at > _MAX_ITEM:
            return None
        spans.append((at, end))
        more = _CONJ.match(text, end)
        if more is None:
            break
        at = more.end()
    if kind == "measure" and (token := _token_at(text, spans[1][0])) is not None:
        spans[0] = (_extend_left(text, spans[0][0], token[1]), spans[0][1])
    items = [text[a:b] for a, b in spans]
    items[-1] = _without_count(items[-1], len(items))
    tail = _shared_tail(items) if kind == "measure" else ""
    if tail:
        items[-1] = items[-1][: len(items[-1]) - len(tail)]
    return spans[0][0], [item + tail for item in items], spans[-1][1], kind


_COUNTED = re.compile(
    r"[这那]?([两二三四五六七八九十])(?:个|所|项|门|种|家|类|部|本|批)[\u4e00-\u9fff]{0,4}?(?=的|$)"
)
_COUNTS = "一两三四五六七八九十"


def _without_count(last: str, items: int) -> str:
    """The last item without the count of the items after it (「A和B两个专业的计划人数」)."""
    found = _COUNTED.search(last)
    counted = _COUNTS.find(found.group(1).replace("二", "两")) + 1 if found else 0
    return last[: found.start()] + last[found.end():] if found and counted == items else last


def _left_item(text: str, end: int) -> tuple[int, str] | None:
    """Where the item before a conjunction at ``end`` starts, and its kind (a slot or 'measure')."""
    token = _token_ending(text, end)
    if token is not None and (token[1] == "year" or _starts_item(text, token[0])):
        return token
    start = max((m.end() for m in _BOUNDARY.finditer(text, 0, end)), default=0)
    start = max([start, *(t_end for t_end in _token_ends(text, start, end) if t_end < end)])
    while start < end and text[start] == "的":
        start += 1
    return (start, "measure") if 0 < end - start <= _MAX_ITEM else None


def _starts_item(text: str, at: int) -> bool:
    """Whether an item can start at ``at``: not inside a name (劲松「职业高中」)."""
    return at == 0 or bool(_BOUNDARY.match(text, at - 1)) or at in _token_ends(text, max(0, at - 12), at)


def _extend_left(text: str, start: int, kind: str) -> int:
    """``start`` moved back over the slots before it up to one of ``kind``, the kind the next item
    starts with (「高职院校的」社会培训总量与中职学校的…, 「朝阳区中职学校的」专任教师和昌平区…)."""
    at = start
    while (token := _token_ending(text, at - 1 if at > 0 and text[at - 1] == "的" else at)) is not None:
        at = token[0]
        if token[1] == kind:
            return at
    return start


def _shared_tail(items: list[str]) -> str:
    """What follows the last item and belongs to every item: after a 的 only the last item has,
    or after the last item's school (or other entity) name when every item is one."""
    last = items[-1]
    if "的" in last and not any("的" in item for item in items[:-1]):
        return last[last.index("的"):]
    # A terse question sets the shared words off by a space (「A+B+C 专业数」).
    if " " in last.strip() and not any(" " in item.strip() for item in items[:-1]):
        return last[last.index(" ", len(last) - len(last.lstrip())):]
    if all(_ENTITY_END.search(item[-2:]) for item in items[:-1]):
        ends = [m.end() for m in _ENTITY_END.finditer(last)]
        if ends and ends[-1] < len(last):
            return last[ends[-1]:]
    return ""


_SLOT_TOKENS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("year", re.compile(r"(?:19|20)\d\d\s*(?:年度|学年度|学年|年)")),
    ("region", re.compile("|".join(sorted({*DISTRICTS, *(d[:-1] for d in DISTRICTS if len(d) > 2),
                                           BEIJING, "北京"}, key=len, reverse=True)))),
    ("level", re.compile(
        "(?:" + "|".join(sorted({w for ws in (*LEVELS.values(), *SCHOOL_TYPES) for w in ws}, key=len,
                                reverse=True))
        + ")(?:学校|院校|教育|学生)?"
    )),
)


def _token_at(text: str, at: int) -> tuple[int, str] | None:
    """The end and kind of a slot (year, region, level) starting at ``at``."""
    for kind, pattern in _SLOT_TOKENS:
        if match := pattern.match(text, at):
            return match.end(), kind
    return None


def _slots_end(text: str, at: int) -> int:
    """The end of the run of slots starting at ``at``."""
    while (token := _token_at(text, at)) is not None:
        at = token[0]
    return at


def _token_ending(text: str, end: int) -> tuple[int, str] | None:
    """The start and kind of a slot ending exactly at ``end``."""
    for kind, pattern in _SLOT_TOKENS:
        for match in pattern.finditer(text, max(0, end - 12), end):
            if match.end() == end:
                return match.start(), kind
    return None


def _token_ends(text: str, start: int, end: int) -> list[int]:
    return [m.end() for _, pattern in _SLOT_TOKENS for m in pattern.finditer(text, start, end)]


def _share_operands(text: str, query: Query) -> tuple[Query, ...]:
    """(part, whole) of 「A占B的比例」, 「B中，A所占比例」 or 「A在B中所占的比重」, else ()."""
    inside = re.search(
        rf"^(?P<whole>.+?)中(?![职专等])[，,]?(?P<part>[^，,]+?)所占{_SHARE_ASK}", text
    ) or re.search(rf"^(?P<part>.+?)在(?P<whole>.+?)中所?占{_SHARE_ASK}", text)
    if inside is not None:
        named = _parse_simple(inside.group("whole"))
        # The whole names its own kind of school, or none: the question's 技工学校 is the part's.
        total = replace(_inherit(named, query), school_type=named.school_type, unit="")
        return (replace(_inherit(_parse_simple(inside.group("part")), total), unit=""),
                _of_all(total, inside.group("whole")))
    match = re.search(rf"([^，,]*)[，,]?([^，,]*?)占(?:几成|(.+?){_SHARE_ASK})", text)
    if not match:
        return ()
    scope, part, whole = match.group(1), match.group(2), match.group(3) or ""
    scope_measure = _measure(scope)
    part_q = replace(query, measure=_measure(part) or scope_measure, unit="", operation="lookup", parts=())
    # The whole keeps the part's level unless it names all schools (占职业院校…的比例) or a stage
    # holding several levels (占高中阶段招生总数).
    broad = re.search(r"职业院校|职业学校|各类|全部|高中阶段", whole)
    whole_measure, whole_level = _measure(whole), level_of(whole) or ("" if broad else query.level)
    if not whole_measure:
        # 「A里，B占多少比例」: the whole is what the part is picked from.
        picked = re.search(r"^(.+?)(?:里|中(?![职专等高]))[，,]?(.+)$", f"{scope}，{part}".strip("，"))
        if picked is None or not _measure(picked.group(1)):
            return ()
        picked_level, picked_types = level_of(picked.group(2)), school_types_in(picked.group(2))
        if picked_types and not school_types_in(picked.group(1)):
            # 「中职毕业生中，普通中专出来的占多大比例」: the part is that kind's, the whole all kinds'.
            part_q = replace(part_q, measure=_measure(picked.group(1)), school_type=picked_types[0])
            query = replace(query, school_type=())
        elif not _measure(picked.group(2)):
            if not picked_level:
                return ()
            # 「高职招生里，职业本科占多大比例」: the part is the whole's measure at its own level.
            part_q = replace(part_q, measure=_measure(picked.group(1)), level=picked_level)
        scope_measure = whole_measure = _measure(picked.group(1))
        whole_level = level_of(picked.group(1)) or whole_level
    if whole_measure in ("总额", "总数", "总量", "总计", "全部"):
        whole_measure, whole_level = f"{scope_measure}{whole_measure}", query.level
    whole_q = replace(query, measure=whole_measure, level=whole_level, unit="", operation="lookup", parts=())
    # A whole naming its own place or level names its own kind of school, or none (朝阳职高's 职高 is
    # the part's in 「占北京中职招生总数」); one naming neither is the part's kind's (占教职工).
    named = _parse_simple(whole)
    whole_q = _own_scope(whole_q, named)
    if named.region or named.level:
        whole_q = replace(whole_q, school_type=named.school_type)
    return (_own_scope(part_q, _parse_simple(f"{scope}{part}")), _of_all(whole_q, whole))


def _own_scope(side: Query, own: Query) -> Query:
    """A side of a share that names its own region or year (``own``, that side read alone) keeps
    them (「东城区2024年…，占2025年北京全市…的比例」); 全市 after a district's part is the city."""
    region = own.region or (BEIJING if "全市" in own.norm else "")
    return replace(side, region=region or side.region, years=own.years or side.years,
                   report_year=own.report_year or side.report_year)


def _of_all(whole: Query, written: str) -> Query:
    """A share's whole written as 全部/所有/全体 counts everyone: what the question leaves out
    (「（贯通培养那部分不算）」) is left out of the part only."""
    if not re.search(r"全部|全体|所有", written):
        return whole
    return replace(whole, norm=_LEAVING_OUT.sub("", whole.norm))


def _first_level(text: str, found: list[str]) -> str:
    positions = {lv: min(text.find(w) for w in LEVELS[lv] if w in text) for lv in found}
    return min(positions, key=lambda lv: positions[lv])


def _short_name_is_word(text: str, short: str) -> bool:
    """True when a district's short name is part of a school's name (北京市昌平职业学校)."""
    at = text.find(short)
    return bool(re.match(r"(?:职业|职校|学校|中学|一中|二中|第|实验|分校)", text[at + len(short):]))


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
