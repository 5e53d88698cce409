"""The schools a report names and the short names (简称) a question may call them by: 国职 for
北京国际职业教育学校, 昌平职校 for 昌平职业学校, 少林武校 for 北京少林武术学校.

A short name keeps the first one or two characters of the full name and then single characters
picked in order from the rest, never two neighbours (so 「中国职业教育」 abbreviates nothing), skips
at least one, and ends on a character of the school's kind (校, 职, 院 …)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from jieba import posseg

from rag.index.tokenize import jieba
from rag.query import DISTRICTS

_NAME = re.compile(
    r"([\u4e00-\u9fff]{2,8}?)(职业技术学院|职业教育学校|职业学院|职业学校|职业高中|职业大学|学校|学院|大学)"
)
_WITH_DISTRICT = re.compile(f"(?:{'|'.join(DISTRICTS)})" + _NAME.pattern)
"""A school's name after its district's (丰台区职业教育中心学校, 大兴区第一职业学校)."""
_NOT_PART_OF_NAME = re.compile(r"^.*[年区所的在和与及对由向为是将把从以被含除括]")
_CITY = re.compile(r"^.*北京市?")
_GENERIC = re.compile(
    r"中等|职业|各类|所有|全部|区属|市属|公办|民办|普通|高等|技工|成人|中专|中职|高职|本科|全市|全区|我区|本区"
    r"|该|各|多所|示范|骨干|优质|特色|重点|相关|其他|国家级|市级|区级|首批|全国|首都"
)
_NOT_NAMING = frozenset("vpdamrucb")
"""Parts of speech (jieba's) no school's name opens with."""
_MENTIONS = 2
"""Times a report writes a school's full name: a phrase that merely ends in 学校 is written once
(a name after 北京市 is official at once)."""


def aliases(question: str, texts: Iterable[str]) -> dict[str, str]:
    """The full names (in ``texts``) of the schools ``question`` calls by a short name, each with
    that short name."""
    names = _names(tuple(texts))
    found: dict[str, str] = {}
    for at in _word_starts(question):
        shorts = _shorts_at(question, at, ((name, name, kind) for name, kind in names.get(question[at], ())))
        if question[at] == "北" and question[at + 1: at + 2] != "京":
            # A short name may keep the 北 of 北京 (北信职院 for 北京信息职业技术学院), when it fits one
            # college only (北工院 fits a dozen); 北京 written out is the city's name.
            in_city = _shorts_at(question, at, ((name, f"北京{name}", kind)
                                                for group in names.values() for name, kind in group))
            shorts.update(in_city if len(in_city) == 1 else {})
        # 劲松职高 is 劲松职业高中's short name, not (劲松职) 劲松职业学校's.
        longest = max(map(len, shorts.values()), default=0)
        found.update({name: short for name, short in shorts.items() if len(short) == longest})
    return found


def _shorts_at(question: str, at: int, names: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """Each (name, full name, kind) of ``names`` whose full name ``question`` abbreviates at ``at``,
    with that short name."""
    return {name: short for name, full, kind in names if (short := _short_name(question, at, full, kind))}


@dataclass(frozen=True)
class Asked:
    """The schools a question names: every way it writes them (full names without 北京市, short
    names with their full names, longest first), and the other schools whose names hold one of
    those (北京电子科技职业学院 holds 科技职业学院)."""

    names: tuple[str, ...] = ()
    rivals: tuple[str, ...] = ()

    def met(self, text: str) -> bool:
        """Whether ``text`` names one of the asked schools (not as part of a rival's name)."""
        for rival in self.rivals:
            text = text.replace(rival, " ")
        return any(name in text for name in self.names)

    def without(self, text: str) -> str:
        """``text`` with the asked schools' and their rivals' names left out."""
        for name in (*self.rivals, *self.names):
            text = text.replace(name, " ")
        return text


def asked(question: str, texts: Iterable[str]) -> Asked:
    """The schools ``question`` names, as the reports in ``texts`` name them."""
    texts = tuple(texts)
    known = {name for found in _names(texts).values() for name, _ in found}
    written = {name for name in known if name in question}
    # 北京科技职业学院 is not named by 北京电子科技职业学院.
    full = {name for name in written if not any(name in other for other in written - {name})}
    short = {**aliases(question, texts), **misspelt(question, texts)}
    names = {*full, *short, *short.values(), *filter(None, map(_with_district, full))}
    # 大兴区第一职业学校 is not 延庆区第一职业学校: written with its district, only that name is asked.
    districted = {m.group(0) for m in _WITH_DISTRICT.finditer(question)
                  if _names_one_school(m.group(1)) and any(m.group(0) in t for t in texts)}
    names = {name for name in names if not any(name in d for d in districted)} | districted
    rivals = {other for other in known - names if any(name in other for name in names)}
    return Asked(tuple(sorted(names, key=len, reverse=True)), tuple(sorted(rivals, key=len, reverse=True)))


def unknown(question: str, reports: Iterable[Iterable[str]]) -> str:
    """A college ``question`` names (北京航空职业学院, or by a short name such as 北航职院) that none of
    ``reports`` (each its texts) names, in full or by a short name; '' when it names none or a
    report names it."""
    named = (m.group() for m in _COLLEGE.finditer(question) if not m.group(1) or _is_proper(m.group(1)))
    written = next(named, "")
    if not written:
        return ""
    each = [tuple(texts) for texts in reports]
    if any(asked(question, texts).names for texts in each):
        return ""
    # A college's name cut short (运输职院 of 交通运输职业学院) names a known one.
    known = (name for texts in each for group in _names(texts).values() for name, _ in group)
    short = written.removesuffix("职院")
    return "" if written != short and any(short in name for name in known) else written


_COLLEGE = re.compile(
    r"北京市?([\u4e00-\u9fff]{2,4}?)(?:职业技术学院|职业学院|职业大学)|[\u4e00-\u9fff]{2}(?<![高中])职院(?!校)"
)
"""A college's name after 北京, or its short name (北信职院; not 高职院校)."""


def misspelt(question: str, texts: Iterable[str]) -> dict[str, str]:
    """The schools of ``texts`` whose proper name ``question`` writes with one character wrong
    (电汽工程学校 for 电气工程学校), each with the misspelling: a same-sounding character typed for
    another. A numeral written otherwise (第一, 第二) or another kind (学院, 学校) names another school,
    and so does any spelling a report writes."""
    texts = tuple(texts)
    found: dict[str, str] = {}
    for group in _names(texts).values():
        for name, kind in group:
            if name in question or not _surely_proper(name):
                continue
            for end in (m.end() for m in re.finditer(re.escape(kind), question)):
                window = question[max(end - len(name), 0): end]
                wrong = [i for i, (a, b) in enumerate(zip(window, name, strict=False)) if a != b]
                if (len(window) == len(name) and len(wrong) == 1 and wrong[0] > 0
                        and not _NUMERAL.match(window[wrong[0]] + name[wrong[0]])
                        and not any(window in text for text in texts)):
                    found[name] = window
    return found


_NUMERAL = re.compile(r"[\d一二三四五六七八九十百零第]|.[\d一二三四五六七八九十百零第]")


def names_a_school_of(question: str, texts: Iterable[str]) -> bool:
    """Whether ``question`` names (in full or by a short name) a school of ``texts`` whose name is
    surely a proper name: six characters or more, not opening with a verb, adverb, numeral … (the
    text's 「加强学校」 and 「多个国外艺术类大学」 are no schools)."""
    return _names_a_school_of(question, tuple(texts))


@lru_cache(maxsize=1024)
def _names_a_school_of(question: str, texts: tuple[str, ...]) -> bool:
    # remembered: every retrieval for a question asks it again of each report
    return any(_surely_proper(name) for name in asked(question, texts).names)


@lru_cache(maxsize=1024)
def _surely_proper(name: str) -> bool:
    first = next(posseg.cut(name), None)
    return len(name) >= 6 and first is not None and first.flag[:1] not in _NOT_NAMING


def _with_district(name: str) -> str:
    """The school's name with the district it starts with written in full (昌平区职业学校 for
    昌平职业学校, as reports also write it), or ''."""
    return next((f"{d}{name[len(d) - 1:]}" for d in DISTRICTS if name.startswith(d[:-1])), "")


def written_in(question: str, texts: Iterable[str]) -> list[str]:
    """The schools of ``texts`` whose full name (without 北京市) ``question`` writes: 昌平职业学校,
    which begins with a district's name and so reads like one district's schools."""
    names = _names(tuple(texts))
    return [name for group in names.values() for name, _ in group if name in question]


def spelled(text: str, known: Mapping[str, str]) -> str:
    """``text`` with each full name written as the question's short name for it."""
    for name in sorted(known, key=len, reverse=True):
        text = re.sub(rf"(?:北京市?)?{re.escape(name)}", known[name], text)
    return text


@lru_cache(maxsize=64)
def _names(texts: tuple[str, ...]) -> dict[str, tuple[tuple[str, str], ...]]:
    """The school names in ``texts`` (without 北京市), each with its kind, by first character."""
    counts: Counter[tuple[str, str]] = Counter()
    for text in texts:
        for match in _NAME.finditer(text):
            written = _NOT_PART_OF_NAME.sub("", match.group(1))
            proper = _CITY.sub("", written)
            if _is_proper(proper):
                # 北京市实验职业学校: written once after 北京市, it is a school's official name
                official = written.startswith("北京市")
                counts[proper + match.group(2), match.group(2)] += _MENTIONS if official else 1
    out: dict[str, list[tuple[str, str]]] = {}
    for (name, kind), n in sorted(counts.items()):
        if n >= _MENTIONS:
            out.setdefault(name[0], []).append((name, kind))
    return {first: tuple(found) for first, found in out.items()}


def _names_one_school(words: str) -> bool:
    """Whether the words between a district's name and a kind of school (丰台区「职业教育中心」学校,
    大兴区「第一」职业学校) name one school, not the district's schools (各中等, 那三所中职)."""
    return len(_GENERIC.sub("", words)) >= 2 and not _SCHOOLS_TOGETHER.search(words)


_SCHOOLS_TOGETHER = re.compile(r"^[这那该各每本我全]|[所个]")


def _is_proper(name: str) -> bool:
    """Whether the words before a school's kind name one school (not 中等, 各区, 我区 …)."""
    return len(_GENERIC.sub("", name)) >= 2 and not name.endswith("区") and not _GENERIC.match(name)


def _word_starts(question: str) -> list[int]:
    starts, at = [], 0
    for word in jieba.lcut(question):
        starts.append(at)
        at += len(word)
    return starts


def _short_name(question: str, at: int, name: str, kind: str) -> str:
    """The short name of ``name`` that ``question`` writes at ``at``, or ''."""
    kept = 2 if question[at: at + 2] == name[:2] else 1
    position, picked = kept - 1, at + kept
    while picked < len(question):
        found = name.find(question[picked], position + 1)
        if found < 0 or (picked > at + kept and found == position + 1):
            break
        position, picked = found, picked + 1
    short = question[at:picked]
    if picked == at + kept or position < len(name) - len(kind) or not _GENERIC.sub("", short):
        return ""
    if name.startswith(short):  # the full name cut short (加强学 of 加强学校), not abbreviated
        return ""
    if short in jieba.dt.FREQ:  # a word of its own (学校, 升学, 教学), not a short name
        return ""
    # Written out in full from here on (中国「职业」教育): not a short name.
    follows = name[position + 1: position + 2]
    return "" if follows and question[picked: picked + 1] == follows else short
