"""How the words of an asked measure meet the words around a number: weighted bigram coverage,
synonyms, and the head noun and its qualifiers. Pure functions; the ranker's features use them."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

import jieba

from rag.change_words import FALL, RISE, SPOKEN_FALL, either
from rag.frames import is_year, quantities
from rag.numbers import normalize
from rag.query import LEVELS, OWNERS, Query, levels_in, names_school, region_of
from rag.retriever import grams

FUNCTION_WORDS = frozenset(
    {"所占", "占比", "其中", "以上", "及以上", "总数", "总额", "合计", "全部", "共计", "多少", "一共"}
)
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("比例", "占比", "比重", "百分比", "%", "率"),
    ("招生", "录取", "招收"),
    ("教师", "老师", "教职工"),
    ("职业院校", "职业学校", "职业院", "院校"),
)
"""Groups of words that may stand for one another as the asked head noun."""
_WRITTEN_ONE_WAY = (
    ("职业学校", "职业院校"), ("老师", "教师"), ("占比", "比例"), ("比重", "比例"), ("百分比", "比例"),
    ("在校生", "在校学生"), ("在读学生", "在校学生"), ("学校和企业", "校企"), ("学校与企业", "校企"),
    ("钱", "经费"), ("技校", "技工学校"), ("教职员工", "教职工"), ("电子书", "电子图书"),
    ("纸质书", "纸质图书"), ("总价值", "值"), ("价值", "值"),
    ("年龄段", "年龄"), ("电脑", "计算机"), ("普通高中", "普高"), ("用人单位", "雇主"),
    ("考上", "升入"), ("考入", "升入"), ("大专", "专科"), ("打算", "计划"), ("准备招", "计划招"),
    ("代表队", "队伍"), ("参赛队伍", "参赛队"),
)
"""Spellings rewritten before bigrams are compared, so that 老师 meets 教师, 占比 meets 比例, 学生
meets 在校生, 钱 meets 经费, a short form (技校, 电子书) meets the written one, and the reports' several
words for what assets are worth (仪器设备值, 设备价值, 设备总价值) meet each other."""
_WITH_BUSINESSES = re.compile(r"(?:和|跟|与|同)企业(?:一起|共同|联合)")
"""A school working with businesses (跟企业一起开发), which the reports write 校企合作(开发)."""
_COUNT_WORD = re.compile(r"(人次|[个人所部门项种家本篇场枚届批台套间册张件])数")
"""A count in a unit (纸质图书册数), which a table label writes as its unit (纸质图书（册）)."""
_COPULAS = frozenset({"为", "是"})
"""Words that say what a thing is (结果为C-), never how the asked noun is qualified."""
TOTAL = re.compile(r"小计|合计|总计|总数|总人数|总额|总量|全部")
RARER = 20
"""How much rarer than each word it shortens an abbreviation is in jieba's dictionary; measured on the
reports: at 10, 教职 (53) would be read into 教师职称 (职称 568); 中职 (57, 中等 1630) and 体测 (2) pass."""
_LEVEL_WORDS = re.compile("|".join(sorted((w for ws in LEVELS.values() for w in ws), key=len, reverse=True)))


def coverage(weights: dict[str, float], text: str, *, spell: Callable[[str], str] | None = None) -> float:
    """Share of the weighted query bigrams found in ``text`` (written as ``spell`` writes it,
    by default ``canonical``)."""
    total = sum(weights.values())
    if not total:
        return 0.0
    written = (spell or canonical)(text)
    found = grams(written)
    return sum(w for g, w in weights.items()
               if g in found or _one_character(g, written) or abbreviates(g, written, weights)
               or any(name in written for name in level_names(g))) / total


def _one_character(key: str, text: str) -> bool:
    """True when a one-character Chinese key (a colloquial verb: 建 of 建设) occurs in ``text``."""
    return len(key) == 1 and "\u4e00" <= key <= "\u9fff" and key in text


def abbreviates(short: str, text: str, beside: frozenset[str] | dict[str, float] = frozenset()) -> bool:
    """True when ``short`` is an abbreviation (简称) of words in ``text`` (体测 of 体质测评, 职高 of
    职业高中, 国规 of 国家规划) next to a word of ``beside``, when given (合格 of 体测合格率).

    Each of its two or three characters begins one two-character word there, in order, and each of
    those words is ``RARER`` times as common in jieba's dictionary as ``short`` is as a word of its
    own, so that a word in its own right (学生, 教学, 教职) is not read into others (学校生均, 教育学校,
    教师职称)."""
    if not re.fullmatch(r"[\u4e00-\u9fff]{2,3}", short) or short in text or short[0] not in text:
        return False
    return _abbreviates(short, text, frozenset(beside) - {short})


@lru_cache(maxsize=50_000)
def _abbreviates(short: str, text: str, beside: frozenset[str]) -> bool:
    spread = "".join(re.escape(c) + r"[\u4e00-\u9fff]" for c in short)
    own = _frequency(short)
    for match in re.finditer(f"(?=({spread}))", text):
        long, at = match.group(1), match.start()
        if (all(_frequency(long[i: i + 2]) > RARER * own for i in range(0, len(long), 2))
                and (not beside or {text[at - 2: at], text[at + len(long): at + len(long) + 2]} & beside)):
            return True
    return False


def _frequency(word: str) -> int:
    jieba.dt.check_initialized()
    return jieba.dt.FREQ.get(word) or 0


@lru_cache(maxsize=50_000)
def canonical(text: str) -> str:
    """``text`` with synonyms written one way (老师 → 教师, 职业学校 → 职业院校) and without the
    words that count in a unit (册数, 人数: the unit says it), so bigrams match."""
    text = _WITH_BUSINESSES.sub("校企合作", _COUNT_WORD.sub(lambda m: _count_word(text, m), text))
    for word, written in _WRITTEN_ONE_WAY:
        text = text.replace(word, written)
    return text


def _count_word(text: str, found: re.Match[str]) -> str:
    """' ' for a count word, which the unit says (图书册数); kept when its counter ends a noun
    (场所数, 平台数 count 场所 and 平台)."""
    people = found.group(1) in ("人", "人次")
    return " " if people or found.start() in _word_starts(text) else found.group(0)


@lru_cache(maxsize=50_000)
def _word_starts(text: str) -> frozenset[int]:
    return frozenset(start for _, start, _ in jieba.tokenize(text))


def precision(weights: dict[str, float], clause: str) -> float:
    """Share of the clause's own bigrams that the question asks for."""
    found = grams(canonical(re.sub(r"[\d.%]+", " ", clause)))
    return len([g for g in found if g in weights]) / len(found) if found else 0.0


@lru_cache(maxsize=50_000)
def bare_label(label: str) -> frozenset[str]:
    """Bigrams of a row/column label without years, units, levels and total words."""
    bare = _LEVEL_WORDS.sub(" ", re.sub(r"\d+\s*年|[（(][^）)]*[）)]|小计|合计|总计|总数|总人数", " ", label))
    return grams(canonical(bare))


def extra_grams(weights: dict[str, float], label: str) -> int:
    """How many bigrams of a row/column label the question does not mention (levels, years aside)."""
    return len(bare_label(label) - weights.keys())


def core(measure: str) -> str:
    """The measure without a trailing comparison (专任教师 in 专任教师比上一年减少)."""
    stem = re.sub(r"(?:比(?![例重率])|较|同比|与).*$|(?:增长|下降|增加|减少|增幅|降幅)+$", "", measure)
    stem = re.sub(r"(?:所占|占)$", "", stem)
    return stem if len(stem) >= 2 else measure


@lru_cache(maxsize=4096)
def all_words(text: str) -> tuple[str, ...]:
    return tuple(w for w in jieba.lcut(text) if re.search(r"[\w\u4e00-\u9fff]", w))


@lru_cache(maxsize=4096)
def words(text: str) -> tuple[str, ...]:
    return tuple(w for w in jieba.lcut(text) if len(w) >= 2)


def content_words(measure: str) -> list[str]:
    """The measure's words of two or more characters, function words left out."""
    return [w for w in words(canonical(core(measure))) if w not in FUNCTION_WORDS]


def only_the_head_named(measure: str, text: str) -> bool:
    """True when ``text`` names none of what the measure is a share or rate of, only the share word
    itself (占比 0.97% of 正高级教师, for 项目经费所占比重)."""
    named = content_words(measure)
    subjects = [w for w in named if w not in SYNONYMS[0]]
    if len(named) < 2 or not subjects or len(subjects) == len(named):
        return False
    written = canonical(text)
    return not any(w in written or abbreviates(w, written) for w in subjects)


def alternatives(word: str) -> tuple[str, ...]:
    return next((group for group in SYNONYMS if word in group), (word,))


def level_names(word: str) -> tuple[str, ...]:
    """Every name of the school level ``word`` names (中职 → 中等职业, 中专 …), or none."""
    return next((names for names in LEVELS.values() if word in names), ())


def levels_measured(measure: str) -> set[str]:
    """The school levels an asked measure itself names, in any spelling (大专学历 names 专科), as
    opposed to the level the question is about."""
    return levels_in(canonical(measure))


def variants(word: str) -> tuple[str, ...]:
    """The word's synonyms, or every name of the level it names."""
    return level_names(word) or alternatives(word)


def head_missing(measure: str, text: str) -> bool:
    """True when no part of the asked head noun (招生 in 职业院校招生总数) occurs in ``text``."""
    found = content_words(measure)
    if not found:
        return False
    written = canonical(text)
    present = grams(written)
    return not any(grams(w) & present or abbreviates(w, written) for w in alternatives(found[-1]))


def absent_run(measure: str, text: str) -> int:
    """How many asked words in a row ``text`` does not write at all (海外 办学 项目 of
    海外办学项目开设专业, against 开设专业总数): a thing the question is about, not one word said
    another way."""
    written = canonical(text)
    longest = run = 0
    for word in content_words(measure):
        run = 0 if coverage({g: 1.0 for g in grams(word)}, written, spell=str) else run + 1
        longest = max(longest, run)
    return longest


def compound_missing(measure: str, text: str) -> bool:
    """True when the asked head noun is one long term (专任教师) that ``text`` does not contain."""
    found = content_words(measure)
    head = found[-1] if found else ""
    return len(head) >= 4 and head not in canonical(text) and not levels_in(head)


def modifier_missing(query: Query, text: str) -> bool:
    """True when the word that qualifies the asked head noun (对口 in 对口就业率) is absent.

    A modifier written right before the head (对口就业率) must be there; one set off by 的
    (硕士学位的专任教师) may be matched by any of its last two words.
    """
    found = [w for w in all_words(core(query.measure)) if w not in FUNCTION_WORDS and w not in _COPULAS]
    if len(found) < 2:
        return False
    modifiers, right_before = modifiers_of(found, query.norm)
    if right_before:
        return not any(w in text or abbreviates(w, text) for w in variants(modifiers[0]))
    present = grams(text)
    return not any(grams(w) & present or abbreviates(w, text) for w in modifiers)


def modifiers_of(words: Sequence[str], norm: str) -> tuple[list[str], bool]:
    """The words of a measure (``words``, its head last) that may qualify its head, and whether the
    question writes one right before it: then that one alone (对口 of 对口就业率), else either of the
    last two before it (硕士学位的专任教师)."""
    right_before = "".join(words[-2:]) in norm
    return list(words[-2:-1] if right_before else words[-3:-1]), right_before


def other_modifier(query: Query, text: str) -> bool:
    """True when ``text`` qualifies the asked head noun differently (直接就业率 for 对口就业率)."""
    found = [w for w in words(core(query.measure)) if w not in FUNCTION_WORDS]
    if len(found) == 1:
        return _modifies(found[0], text, query.norm)
    if len(found) < 2:
        return False
    head, modifier = found[-1], found[-2]
    at = text.find(head)
    if at < 2 or any(m in text or abbreviates(m, text) for m in variants(modifier)):
        return False
    before = text[at - 2: at]
    qualifies = bool(re.fullmatch(r"[\u4e00-\u9fff]{2}", before)) and before not in FUNCTION_WORDS
    return qualifies and not _having(before)


def _modifies(head: str, text: str, asked: str) -> bool:
    """True when ``text`` writes a bare asked noun with a qualifier of its own (社会招生 for 招生)."""
    found = all_words(text)
    if head not in found[1:]:
        return False
    at = found.index(head)
    before = found[at - 1]
    if len(before) == 1 and at >= 2 and len(found[at - 2]) == 1:
        before = found[at - 2] + before  # jieba splits rare words into characters (生均)
    return before not in asked and _qualifier(before)


def _having(word: str) -> bool:
    """True for a verb that says a count exists (共有, 现有, 另有 教职工 313 人), not a qualifier."""
    return word.endswith("有")


def other_head(measure: str, lead: str, clause: str) -> bool:
    """True when the number is introduced as another quantity of the same kind (升学率 for 就业率)."""
    found = [w for w in words(measure) if w not in FUNCTION_WORDS]
    if not found or found[-1] in clause:
        return False
    head = found[-1]
    return bool(re.search(rf"[\u4e00-\u9fff]{{1,3}}{re.escape(head[-1])}\s*(?:为|达|是|约)?\s*$", lead))


_PER_UNIT = re.compile(r"[生人师校户班]均|每(?:[个名位所])?(?:学生|生|人|学校|校|教师|老师|班)")
"""Words that make a measure a ratio to a head count (生均纸质图书, 人均, 每校): never a total."""


def per_unit_missing(measure: str, text: str) -> bool:
    """True when the asked measure is per student, per person or per school (生均纸质图书) and
    ``text`` states no such ratio (纸质图书（册） is the total)."""
    return bool(_PER_UNIT.search(measure)) and not _PER_UNIT.search(text)


def per_unit_unasked(measure: str, text: str) -> bool:
    """True when the asked measure is a total and ``text`` writes it only per head (生均仪器设备价值
    for 仪器设备价值): that number is the ratio, not the total."""
    asked = core(measure)
    if _PER_UNIT.search(measure) or len(asked) < 3 or asked not in text:
        return False
    starts = [m.start() for m in re.finditer(re.escape(asked), text)]
    return all(_PER_UNIT.search(text[max(at - 3, 0): at]) for at in starts)


_AND_BEYOND = re.compile(r"及(?:以上|以下)")
_AGE_OR_COUNT = re.compile(r"\d+\s*[岁年级]?$")


def bound_missing(measure: str, text: str) -> bool:
    """True when the measure asks for a bound and what lies beyond it (本科及以上学历, 45岁及以上) and
    ``text`` does not name that bound (60 岁及以上 for 本科及以上), or names it alone (the row 本科 is
    that degree only)."""
    bound = _bound(measure)
    written = re.sub(r"\s", "", text)
    return bool(bound) and (bound not in written or not re.search(r"以[上下]", written))


@lru_cache(maxsize=4096)
def _bound(measure: str) -> str:
    """The bound before 及以上/及以下 in ``measure`` (本科, 45岁), or '': read once per question."""
    found = _AND_BEYOND.search(measure)
    if found is None:
        return ""
    before = measure[: found.start()]
    number = _AGE_OR_COUNT.search(before)
    return re.sub(r"\s", "", number.group(0)) if number else next(iter(jieba.lcut(before)[-1:]), "")


def type_missing(query: Query, text: str) -> bool:
    """True when the question names one kind of school (职业高中) and ``text`` does not."""
    if not query.school_type or names_school(query.norm):
        return False
    return not any(name in text for name in query.school_type)


def all_types_for_one(query: Query, text: str) -> bool:
    """True when the question names one kind of school (职业高中) and ``text`` names the level
    instead (中等职业学校), or all schools (各类职业院校): its number is all of theirs, not that kind's."""
    return type_missing(query, text) and (bool(levels_in(text)) or "职业院校" in text)


def opposite(measure: str, clause: str) -> bool:
    """True when the question asks for a fall and the clause states a rise, or the reverse."""
    down = rf"{either(FALL, SPOKEN_FALL)}|降幅|(?<![多减])少"
    up = rf"{either(RISE)}|增幅|(?<=[年期])多(?!少)"
    asks_down, asks_up = re.search(down, measure), re.search(up, measure)
    return bool((asks_down and not asks_up and re.search(up, clause) and not re.search(down, clause))
                or (asks_up and not asks_down and re.search(down, clause) and not re.search(up, clause)))


_SCHOOL = re.compile(
    r"([\u4e00-\u9fff]{2,10}?)(?:职业技术学院|职业学院|职业大学|职业学校|职业高中|职高|学校|学院|大学)"
)
_NOT_A_NAME = re.compile(
    r"^(?:北京市?)|(?:各类|所有|全部|区属|市属|公办|民办|独立设置|中等|高等|普通|技工|成人|中职|高职|本科|中专|职业|全市"
    r"|我区|本区|全区|的|和|与|及|有|共|所|多少|几)"
)


_GRADE = re.compile(r"(?<![A-Za-z])([A-D])(档|类|[+-]?)(?![A-Za-z])")


def grades(text: str) -> frozenset[str]:
    """The grades ``text`` names (A+, C-); a grade's band (A档, B类) names its three grades."""
    named: set[str] = set()
    for letter, sign in _GRADE.findall(normalize(text)):
        if sign in ("档", "类"):
            named.update({letter + "+", letter, letter + "-"})
        else:
            named.add(letter + sign)
    return frozenset(named)


def sibling_named(asked: str, label: str) -> bool:
    """True when ``label`` names a sibling of what is asked: a word both write follows another
    qualifier in each (老年照护 in a row, 幼儿照护 asked)."""
    mine, theirs = all_words(asked), all_words(label)
    for word in dict.fromkeys(theirs[1:]):
        if len(word) < 2 or word not in mine[1:] or theirs.index(word) == 0:
            continue
        ours, other = mine[mine.index(word) - 1], theirs[theirs.index(word) - 1]
        differ = ours != other and ours not in label and other not in asked
        if differ and _qualifier(ours) and _qualifier(other):
            return True
    return False


def _qualifier(word: str) -> bool:
    """A two-character word that may qualify a noun (老年, 校内): no level, school, region,
    function or question word (几所)."""
    return (bool(re.fullmatch(r"[\u4e00-\u9fff]{2}", word)) and not re.search("[几多哪]", word)
            and word not in FUNCTION_WORDS and not _having(word) and not levels_in(word)
            and word not in ("学校", "院校") and not region_of(word)[0])


_TITLE = re.compile(r"[正副]?高级(?![工技中])|中级(?!工)|初级(?!工)")
_DEGREE = re.compile(r"博士|硕士|研究生|本科(?!院校|层次|高校)|专科(?!院校|高校)")


def other_titles(measure: str, text: str) -> bool:
    """True when ``text`` names other professional titles than the measure asks (正高级, 副高级,
    高级, 中级, 初级; not 高级工), or other degrees (博士, 硕士, 本科 …): 正高级 is not 高级, which is
    正高级 and 副高级 together, and 硕士 is not 博士和硕士."""
    for kind in (_TITLE, _DEGREE):
        asked, named = frozenset(kind.findall(measure)), frozenset(kind.findall(text))
        if asked and named and asked != named:
            return True
    return False


@lru_cache(maxsize=4096)
def school_name(text: str) -> str:
    """The distinguishing part of the one school ``text`` names (劲松 in 北京市劲松职业高中, 昌平 in
    北京市昌平职业学校), or '': a district's schools (昌平区职业学校) or a kind (中等职业学校) name none."""
    for match in _SCHOOL.finditer(text):
        name = _NOT_A_NAME.sub("", re.split(r"[年区所的在和与及、]", match.group(1))[-1])
        if len(name) >= 2 and not name.endswith("区"):
            return name
    return ""


_NOT_CONTENT = frozenset("为达是有约近共计了的占中在及和与")
"""Single characters that end a phrase without naming anything (直接就业率「为」)."""
_YEARS_AND_MARKS = re.compile(r"[（(][^）)]*[）)]|(?:19|20)\d\d\s*年?|[\d.%]+|[^\u4e00-\u9fff]")


@lru_cache(maxsize=50_000)
def phrase_words(phrase: str) -> tuple[str, ...]:
    """The content words of a measure phrase in order: brackets, years, numbers, levels, function
    words and the verbs or particles it ends with (为, 达, 共计) left out."""
    text = _LEVEL_WORDS.sub(" ", _YEARS_AND_MARKS.sub(" ", core(canonical(phrase))))
    found = [w for w in all_words(text) if w not in FUNCTION_WORDS]
    while found and (found[-1] in _NOT_CONTENT or found[-1] in FUNCTION_WORDS):
        found.pop()
    return tuple(w for w in found if w not in _NOT_CONTENT)


def head_of(phrase: str) -> tuple[str, tuple[str, ...]]:
    """The head of a measure phrase (its last content word, 就业率 in 毕业生对口就业率; a one-character
    suffix such as 数 is joined to the word before it) and the word right before it, which qualifies
    it (对口), if any."""
    found = list(phrase_words(phrase))
    if len(found) >= 2 and len(found[-1]) == 1:
        found[-2:] = [found[-2] + found[-1]]
    if not found:
        return "", ()
    return found[-1], tuple(found[-2:-1])


def same_head(asked: str, stated: str) -> bool:
    """True when two head words are one word, spelled alike or as synonyms (教师 and 老师)."""
    return (asked == stated or stated in alternatives(asked)
            or asked.endswith(stated) or stated.endswith(asked))


def unmatched(qualifiers: tuple[str, ...], text: str) -> bool:
    """True when a qualifying word shares no bigram (nor, for one character, the character) with ``text``."""
    present = grams(canonical(text))
    return any(not (grams(q) & present or abbreviates(q, text))
               for q in qualifiers if len(q) >= 2 or q not in text)


_CLOSED_BRACKET = re.compile(r"[（(][^（）()]*[）)]")


def adds_nothing(query: Query, weights: dict[str, float], before: str) -> bool:
    """True when the number is a part (after 其中) whose words the question does not ask for."""
    # 「（其中教学用房 91.11 万平方米），较上一年减少 4.22」: no part
    before = _CLOSED_BRACKET.sub("", before)
    at = before.rfind("其中")
    if at < 0 or (query.level in levels_in(before[at:]) and query.level not in levels_in(before[:at])):
        return False
    if any(name in before[at:] for name in (*query.school_type, *(o for o in OWNERS if o in query.norm))):
        return False  # the part is of the asked kind of school, or of its owner (其中公办学校达 85.20%)
    return _asked(weights, before[at:]) <= _asked(weights, before[:at])


def _asked(weights: dict[str, float], text: str) -> set[str]:
    """The asked bigrams that ``text`` contains."""
    return set(weights) & grams(canonical(text))


def _names_slots(query: Query, item: str) -> int:
    """How many of the question's level and region ``item`` names."""
    return (query.level in levels_in(item)) + bool(query.region and region_of(item)[0] == query.region)


def respective(query: Query, weights: dict[str, float], sentence: str, start: int) -> bool:
    """False when the number at ``start`` sits in a 分别 list at another place than the item the
    question asks about (A、B、C 分别增长了 x、y、z: x belongs to A); an item naming the asked
    level or region is the asked one (「中职和高职分别有 88 支和 119 支」: 119 is 高职's)."""
    at = sentence.rfind("分别", 0, start)
    if at < 0:
        return True
    items = re.split(r"[、和及]", re.split(r"[，,；;：:]", sentence[:at].rstrip("，, "))[-1])
    listed = re.split(r"[，,；;。]", sentence[at:])[0]
    numbers = [q for q in quantities(listed) if not is_year(listed, q)]
    if len(items) < 2 or len(items) != len(numbers):
        return True
    index = next((i for i, q in enumerate(numbers) if q.start + at == start), -1)
    # Items that each name a level or region (中职和高职) are told apart by the asked one; a subject
    # before the first item (北京市中职学校生均占地面积、生均建筑面积) is every item's.
    slotted = all(levels_in(item) or region_of(item)[0] for item in items)
    best = max(range(len(items)),
               key=lambda i: (slotted and _names_slots(query, items[i]), coverage(weights, items[i])))
    return index == -1 or (index == best and not other_modifier(query, items[best]))
