"""Figures stated in prose: each number of a sentence with the words before it, its school level,
its year(s), and whether it is a change (增加 248 人) or an approximation (约, 超, 余) rather than a level."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rag.audit.measures import level_words, levels_named
from rag.numbers import Quantity, find_quantities, normalize
from rag.types import Chunk, ReportInfo

COUNT_UNITS = frozenset(
    {
        "人",
        "名",
        "位",
        "所",
        "个",
        "门",
        "部",
        "本",
        "种",
        "项",
        "家",
        "篇",
        "次",
        "人次",
        "套",
        "台",
        "件",
        "台套",
        "册",
        "间",
        "条",
        "支",
        "场",
        "期",
        "批",
        "班",
        "元",
    }
)
"""Units of a count or amount (what a table cell without a unit is taken to hold)."""
_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]?")
_WINDOW = 40
_DELTA_BEFORE = re.compile(
    r"(增加|减少|提高|下降|增长|降低|提升|上升|增幅|降幅|增|减|多|少|差)了?(为|达到?)?\s*$"
)
_APPROX_BEFORE = re.compile(r"(约|近|突破|超|超过|逾|达到?近|将近|接近|不足|不到|以上|每|≥|>|<|≤)\s*$")
_YEAR_MENTION = re.compile(r"((?:19|20)\d{2})\s*年(?!度?[0-9])")
_COMPARED = re.compile(r"(比|较|与|同|相比|对比|从|由)\s*$")
_CASE = re.compile(r"【案例|案例\s*[0-9]")
_SUB_ENTITY = re.compile(r"[\u4e00-\u9fff](班|项目|试点)(?!主任|级|子)")
_SKIP_UNITS = frozenset(
    {
        "年",
        "月",
        "天",
        "周",
        "岁",
        "个百分点",
        "百分点",
        "倍",
        "分",
        "期",
        "届",
        "节",
        "学时",
        "课时",
        "小时",
        "学分",
    }
)


@dataclass(frozen=True)
class Statement:
    """One number stated in a sentence of prose."""

    value: float
    unit: str
    raw: str
    window: str
    """The sentence's words just before the number (from the previous number or the sentence start)."""
    before: str
    """The whole sentence before the number."""
    level: str
    """中职, 高职, 本科, or '' (all levels together)."""
    years: tuple[int, ...]
    file: str
    doc_id: str
    line: int
    quote: str
    sentence: str
    offset: int
    """Where the number starts in ``sentence``."""
    approx: bool
    in_parens: bool


def statements(
    chunks: Iterable[Chunk], info: ReportInfo, lines: Sequence[str] | None = None
) -> list[Statement]:
    """Every figure of the prose chunks (overlapping chunks counted once), in document order."""
    seen: set[tuple[int, str]] = set()
    out: list[Statement] = []
    for chunk in chunks:
        if chunk.kind != "prose":
            continue
        for match in _SENTENCE.finditer(chunk.text):
            sentence = match.group()
            if _CASE.search(chunk.text[: match.start() + 8]):
                break
            key = (chunk.line_start if lines is None else 0, sentence.strip())
            if key in seen:
                continue
            seen.add(key)
            out.extend(_in_sentence(sentence, info, chunk, lines))
    return out


def _in_sentence(
    sentence: str, info: ReportInfo, chunk: Chunk, lines: Sequence[str] | None
) -> list[Statement]:
    found = []
    previous_end = 0
    for q in find_quantities(sentence):
        statement = _statement(q, sentence, previous_end, info, chunk, _line_of(sentence, q, chunk, lines))
        previous_end = q.end
        if statement is not None:
            found.append(statement)
    return found


def _statement(
    q: Quantity, sentence: str, previous_end: int, info: ReportInfo, chunk: Chunk, line: int
) -> Statement | None:
    value, unit = q.base()
    if not unit or unit in _SKIP_UNITS:
        return None
    before = _flat(sentence[: q.start])
    window = _flat(sentence[max(previous_end, q.start - _WINDOW) : q.start])
    if _DELTA_BEFORE.search(window) or re.search(r"[0-9.]\s*$", window):
        return None
    if "案例" in chunk.section or "案例" in sentence[:12] or _narrower(before):
        return None
    approx = bool(_APPROX_BEFORE.search(window)) or any(mark in q.raw for mark in "余多")
    return Statement(
        value=value,
        unit=unit,
        raw=q.raw,
        window=window,
        before=before,
        level=_level(before, info),
        years=_years(before, info),
        file=chunk.file,
        doc_id=chunk.doc_id,
        line=line,
        quote=_quote(sentence, q),
        sentence=sentence,
        offset=q.start,
        approx=approx,
        in_parens=_in_parens(before),
    )


def _flat(text: str) -> str:
    """NFKC text with the line breaks of wrapped lines removed."""
    return normalize(text).replace("\n", "")


def _narrower(before: str) -> bool:
    """Whether the sentence, after the level it names, narrows to a class or project (综合高中班)."""
    words = level_words()
    last = max((before.rfind(w) + len(w) for w in words if w in before), default=-1)
    return last >= 0 and bool(_SUB_ENTITY.search(before[last:]))


def _level(before: str, info: ReportInfo) -> str:
    named = levels_named(before)
    if named:
        return named[-1]
    return info.level if info.level in ("中职", "高职") else ""


def _years(before: str, info: ReportInfo) -> tuple[int, ...]:
    """The year(s) a number is for: the last named before it (not one compared with, as in 比 2019 年),
    with the years listed with it (2020年、2021年), else the report's data year."""
    mentions = [m for m in _YEAR_MENTION.finditer(before) if not _COMPARED.search(before[: m.start()])]
    if not mentions:
        return (info.data_year,) if info.data_year else ()
    years = [int(mentions[-1].group(1))]
    for earlier, later in zip(reversed(mentions[:-1]), reversed(mentions[1:]), strict=True):
        if before[earlier.end() : later.start()].strip() not in ("、", "和", "及", "与", "，"):
            break
        years.insert(0, int(earlier.group(1)))
    return tuple(years)


def _in_parens(before: str) -> bool:
    return before.count("（") + before.count("(") > before.count("）") + before.count(")")


def _quote(sentence: str, q: Quantity) -> str:
    start = max(0, q.start - 30)
    return sentence[start : q.end + 12].replace("\n", "").strip()


def _line_of(sentence: str, q: Quantity, chunk: Chunk, lines: Sequence[str] | None) -> int:
    """The file line holding the number (the chunk's first line when the file's lines are unknown)."""
    if not lines:
        return chunk.line_start
    last = min(chunk.line_end, len(lines))
    for probe in (
        sentence[max(0, q.start - 8) : q.end].strip(),
        sentence[max(0, q.start - 3) : q.end].strip(),
        q.raw,
    ):
        for n in range(chunk.line_start, last + 1):
            if probe and probe in lines[n - 1]:
                return n
    return chunk.line_start
