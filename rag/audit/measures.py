"""What a figure measures: terms of a table label, school levels and years named in text, and how
well a sentence's words before a number match a label."""

from __future__ import annotations

import re
from functools import cache

from rag.numbers import normalize

_LEVELS: tuple[tuple[str, str], ...] = (
    ("高等职业院校", "高职"),
    ("高等职业学校", "高职"),
    ("高职院校", "高职"),
    ("高职学校", "高职"),
    ("高职", "高职"),
    ("中等职业学校", "中职"),
    ("中等职业教育", "中职"),
    ("中职学校", "中职"),
    ("中职", "中职"),
    ("职业本科", "本科"),
    ("本科院校", "本科"),
    ("职业院校", ""),
    ("各类", ""),
)
"""Words naming a school level, longest first; '' names all levels together."""
_GENERIC = (
    "总人数",
    "总数",
    "人数",
    "数量",
    "总量",
    "总额",
    "小计",
    "合计",
    "总计",
    "规模",
    "情况",
    "及以上",
    "以上",
    "数",
)
_TOTAL_WORDS = ("合计", "小计", "总计", "总数", "总人数", "总量", "总额", "共计", "全部", "总体")
_DELTA_WORDS = (
    "增长",
    "增量",
    "增幅",
    "降幅",
    "增减",
    "变化",
    "同比",
    "增加",
    "减少",
    "提高",
    "下降",
    "上升",
    "降低",
    "提升",
    "增",
)
_YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?![0-9.])")
_UNIT_PAREN = re.compile(r"[（(][^（()）]{0,12}[)）]")
_TAIL_WORDS = re.compile(
    r"[\s，,、；;：:“”\"'（）()]|数量|人数|总数|总量|合计|总计|共计|分别|占比|比例|比重|"
    r"已达|达到|达|共有|共|有|为|是|约|计|增至|突破|数|的"
)
_SPLIT = re.compile(r"[·“”\"'‘’《》、/\s]+")


@cache
def _level_pattern() -> re.Pattern[str]:
    return re.compile("|".join(re.escape(word) for word, _ in _LEVELS))


def level_words() -> dict[str, str]:
    """Each level word and the level it names."""
    return dict(_LEVELS)


def levels_named(text: str) -> list[str]:
    """The levels named in ``text``, in order ('' for 职业院校 and other words naming all levels)."""
    words = level_words()
    return [words[m.group()] for m in _level_pattern().finditer(text)]


def years_in(text: str) -> list[int]:
    """Four-digit years written in ``text`` (2023年, 2022—2024, '2023')."""
    return [int(m.group(1)) for m in _YEAR.finditer(normalize(text))]


def is_total_label(label: str) -> bool:
    """Whether a row or column label names a total (合计, 小计, 总数 …)."""
    last = label.rsplit("·", 1)[-1]
    return any(word in last for word in _TOTAL_WORDS)


def is_delta_label(label: str) -> bool:
    """Whether a label names a change (增长量, 增长率 …) rather than a level of something."""
    return any(word in label for word in _DELTA_WORDS)


@cache
def terms(label: str) -> tuple[str, ...]:
    """A label's content words: units, years, levels and generic words (数量, 小计) left out."""
    text = _UNIT_PAREN.sub("", normalize(label))
    found = []
    for piece in _SPLIT.split(text):
        piece = _level_pattern().sub("", piece)
        if years_in(piece) or re.fullmatch(r"[0-9\-—–年度学]*", piece):
            continue
        piece = _strip_generic(piece.replace("及以上", "").replace("以上", "")).strip("的之")
        if piece and piece not in found:
            found.append(piece)
    return tuple(found)


def _strip_generic(piece: str) -> str:
    """``piece`` without generic words at its end (毕业生规模 → 毕业生); '' when it is one."""
    changed = True
    while changed and piece:
        changed = False
        for word in _GENERIC:
            if piece.endswith(word):
                piece, changed = piece[: -len(word)], True
                break
    return piece


def term_score(term: str, window: str, before: str) -> float:
    """How well ``term`` is named just before a number: its length when ``window`` holds it, or the
    length of its longest suffix (≥ 3 chars) there when the sentence names the rest; else 0."""
    for variant in _variants(term):
        if variant in window:
            return float(len(term))
    for size in range(len(term) - 1, 2, -1):
        suffix, prefix = term[-size:], term[:-size]
        if suffix in window and prefix in before:
            return len(term) - 0.5
    return 0.0


def ends_window(label_terms: tuple[str, ...], window: str) -> bool:
    """Whether the last-named term is what the window ends with (only a few function words after it)."""
    ends = [window.rfind(v) + len(v) for term in label_terms for v in _variants(term) if v in window]
    ends += [
        window.rfind(term[-k:]) + k
        for term in label_terms
        for k in range(3, len(term))
        if term[-k:] in window
    ]
    if not ends:
        return False
    tail = _TAIL_WORDS.sub("", window[max(ends) :])
    return len(tail) <= 4


def label_score(label_terms: tuple[str, ...], window: str, before: str) -> float:
    """The sum of the terms' scores when every term is named, else 0."""
    if not label_terms:
        return 0.0
    scores = [term_score(term, window, before) for term in label_terms]
    return sum(scores) if all(scores) else 0.0


def _variants(term: str) -> tuple[str, ...]:
    """A term and the way prose writes it: 高级职称 is also 高级教师."""
    if term.endswith("职称"):
        return (term, term[:-2] + "教师", term + "教师")
    return (term,)
