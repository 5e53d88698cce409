"""Numbers in Chinese report text: one cell (`parse_quantity`), running text (`find_quantities`),
ratios such as 职普比 `0.26 : 0.74` (`find_ratios`), and the NFKC normalisation used for matching.

Positions (`start`, `end`) always refer to the text as given, so `text[start:end] == raw`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

MULTIPLIERS: dict[str, float] = {"亿": 1e8, "千万": 1e7, "百万": 1e6, "万": 1e4, "千": 1e3}
"""Magnitude words folded into the value by `Quantity.base()`."""

UNITS: tuple[str, ...] = (
    "个百分点", "百分点", "元/人/年", "元/生/年", "元/人", "元/生", "元/月", "元/年", "平方米", "立方米",
    "人次", "人天", "学时", "课时", "小时", "学分", "台套", "m²", "m2", "㎡",
    "人", "名", "位", "所", "个", "门", "部", "本", "种", "项", "枚", "元", "册", "套", "台", "件",
    "家", "篇", "次", "场", "期", "批", "支", "间", "条", "届", "班", "节", "份", "组", "队", "张",
    "天", "周", "年", "月", "岁", "倍", "%", "‰", "亩", "米", "分",
)
"""Units that may follow a number (matched longest first)."""

SPELLINGS: dict[str, str] = {"m²": "平方米", "m2": "平方米", "㎡": "平方米", "平米": "平方米"}
"""Other ways of writing a unit, read as the one it maps to by `split_multiplier`."""

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_KEEP_AS_IS = SUPERSCRIPTS + "㎡"
NO_VALUE_MARKS = frozenset(
    {"", "-", "--", "---", "—", "——", "–", "/", "／", "－", "—-", "…", "...", "无", "×"}
)
"""Cell contents that mean 'no value' (not zero)."""
_QUALIFIERS = ("约", "超过", "超", "近", "逾", "达", "共", "计", "≥", ">", "<", "≤", "+", "﹢")
_JUNK = "&*#†‡※" + SUPERSCRIPTS

_NUM = (
    r"(?:(?<![0-9A-Za-z.])(?P<sign>[-−–]))?(?<![0-9.])"
    r"(?P<num>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?)(?![0-9])"
)
_RANGE = re.compile(r"\s*[-—–~～至到]\s*")
_RATIO = re.compile(
    r"(?<![0-9.\-—–])[0-9]+(?:\.[0-9]+)?(?:[ \t]*:[ \t]*[0-9]+(?:\.[0-9]+)?)+(?![0-9.]*[-—–年])"
)


@dataclass(frozen=True)
class Quantity:
    """A number with the unit written after it; ``raw`` is the source text it came from."""

    value: float
    unit: str
    raw: str
    start: int
    end: int

    def base(self) -> tuple[float, str]:
        """Value and unit with 万/亿 folded into the value: 2.41万人 → (24100.0, '人')."""
        factor, unit = split_multiplier(self.unit)
        return (round(self.value * factor, 6), unit) if factor != 1 else (self.value, self.unit)


@dataclass(frozen=True)
class Ratio:
    """A ratio such as 0.26 : 0.74, kept as text (it has no single value)."""

    parts: tuple[float, ...]
    raw: str
    start: int
    end: int

    @property
    def text(self) -> str:
        """The ratio without spaces, e.g. '0.26:0.74'."""
        return re.sub(r"\s", "", normalize(self.raw))


def normalize(text: str) -> str:
    """``text`` in NFKC form (full-width digits and ％ become ASCII)."""
    return unicodedata.normalize("NFKC", text)


def _normalize_mapped(text: str) -> tuple[str, list[int]]:
    """NFKC text (superscripts kept) and, for each of its characters, the index it came from."""
    if not any(char in _KEEP_AS_IS for char in text):
        norm = unicodedata.normalize("NFKC", text)
        if len(norm) == len(text):
            return norm, list(range(len(text) + 1))
    pieces: list[str] = []
    origin: list[int] = []
    for i, char in enumerate(text):
        norm = char if char in _KEEP_AS_IS else unicodedata.normalize("NFKC", char)
        if char in "：﹕":
            norm = ":"
        pieces.append(norm)
        origin.extend([i] * len(norm))
    origin.append(len(text))
    return "".join(pieces), origin


@cache
def _quantity_pattern() -> re.Pattern[str]:
    multipliers = "|".join(sorted(MULTIPLIERS, key=len, reverse=True))
    units = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
    return re.compile(
        _NUM + rf"(?:[ ]*(?P<unit>(?:{multipliers})?(?:[余多])?(?:{units})|(?:{multipliers})))?"
    )


def _to_float(sign: str | None, digits: str) -> float:
    value = float(digits.replace(",", ""))
    return -value if sign else value


def _quantity(match: re.Match[str], text: str, origin: list[int]) -> Quantity:
    unit = re.sub(r"[ 余多]", "", match.group("unit") or "")
    start, end = origin[match.start()], origin[match.end()]
    return Quantity(_to_float(match.group("sign"), match.group("num")), unit, text[start:end], start, end)


_PROGRAMME = re.compile(r"(?<![0-9.])[0-9](?:\+(?:[0-9]|N|X))+(?![0-9.=+])(?!\s*=)")
"""A programme's name of single digits joined by + (3+2 中高职衔接, 3+2+2 中本贯通, 1+X 证书): no
numbers, unlike a sum written out (5+3=8)."""


def _ratio_spans(norm: str) -> list[tuple[int, int]]:
    return [m.span() for m in _RATIO.finditer(norm)]


def _not_quantities(norm: str) -> list[tuple[int, int]]:
    """Where ratios and programme names stand: their digits are no quantities."""
    return [*_ratio_spans(norm), *(m.span() for m in _PROGRAMME.finditer(norm))]


def find_quantities(text: str) -> list[Quantity]:
    """Every number in ``text`` with the unit that follows it; ratio parts and programme names are
    left out."""
    norm, origin = _normalize_mapped(text)
    skipped = _not_quantities(norm)
    found = []
    for match in _quantity_pattern().finditer(norm):
        if any(s <= match.start() < e for s, e in skipped):
            continue
        found.append(_quantity(match, text, origin))
    return _share_range_units(found, text)


def _share_range_units(found: list[Quantity], text: str) -> list[Quantity]:
    """'2015—2020年', '30-34岁': the first number of a range takes the unit written after the second."""
    shared = list(found)
    for i in range(len(found) - 1):
        first, second = found[i], found[i + 1]
        if not first.unit and second.unit and _RANGE.fullmatch(text[first.end:second.start]):
            shared[i] = Quantity(first.value, second.unit, first.raw, first.start, first.end)
    return shared


def find_ratios(text: str) -> list[Ratio]:
    """Every ratio (``28.93:71.07``, ``9.87 :1``) in ``text``."""
    norm, origin = _normalize_mapped(text)
    ratios = []
    for s, e in _ratio_spans(norm):
        parts = tuple(float(p) for p in re.split(r"[ \t]*:[ \t]*", norm[s:e]))
        start, end = origin[s], origin[e]
        ratios.append(Ratio(parts, text[start:end], start, end))
    return ratios


def parse_quantity(raw: str) -> Quantity | None:
    """The one quantity a table cell holds, or None (blank, '--', a ratio, text, a range)."""
    norm, origin = _normalize_mapped(raw)
    stripped = norm.strip()
    if stripped in NO_VALUE_MARKS or _not_quantities(norm):
        return None
    match = _quantity_pattern().search(norm)
    if match is None:
        return None
    before = norm[: match.start()].strip()
    after = norm[match.end():].strip().strip(_JUNK).strip()
    if after or (before and before not in _QUALIFIERS):
        return None
    return _quantity(match, raw, origin)


def format_number(value: float) -> str:
    """A number as written in an answer, without a trailing ``.0`` or float noise: 1061.0 → '1061'."""
    text = f"{round(value, 6):f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


_UNIT_CLASS = {"名": "人", "位": "人", "块": "枚"}
_COUNTED_ALIKE = ("本部册种套篇", "次场届期批", "项种类门", "台套件")


def base_unit(unit: str) -> str:
    """The unit without 万/亿, with 名/位 read as 人: what can be added or compared."""
    unit = split_multiplier(unit)[1] if len(unit) > 1 else unit
    return _UNIT_CLASS.get(unit, unit)


def counted_alike(a: str, b: str) -> bool:
    """Whether two count words count things of one kind: 本 and 部 count books, 次 and 场 events,
    but 所 never counts 册 (个, which counts anything, is none of them)."""
    return any(a in kind and b in kind for kind in _COUNTED_ALIKE)


def split_multiplier(unit: str) -> tuple[float, str]:
    """The 万/亿 multiplier a unit starts with and the rest, spelled one way: '万人' → (10000.0, '人');
    '人' → (1, '人'); '万m²' → (10000.0, '平方米')."""
    for word, factor in MULTIPLIERS.items():
        if unit.startswith(word):
            return factor, _spelled(unit[len(word):])
    return 1, _spelled(unit)


def _spelled(unit: str) -> str:
    bare = re.sub(r"\s", "", unit)
    return SPELLINGS.get(bare, unit)
