"""Number frames: every table cell and every number in a report's prose, with what it is about.

A frame records the measure phrase that owns the number (a cell's row and column; in prose the
clause around it, split at ，；、 so 「教师 2019 人，学生 8563 人」 gives two frames), the words
leading to it, its data year, the school levels it names, its scope (the region, one named
school or a 案例 block), its role (total, part after 其中, change) and the qualifiers the text
states (不含…, 近/约/超过). Frames are built once per report and cached by the retriever.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from rag.change_words import FALL, RISE, SHIFT, either
from rag.numbers import UNITS, Quantity, find_quantities, find_ratios, parse_quantity, split_multiplier
from rag.query import EXCLUDES as _EXCLUDES
from rag.query import GENERIC_SCHOOL as _GENERIC
from rag.query import LEVELS, SCHOOL_TYPES, levels_in
from rag.types import Chunk, TableFact

FrameKind = Literal["table", "prose"]
Scope = Literal["region", "school", "case"]
Role = Literal["total", "part", "change", ""]

CHANGE = re.compile(rf"{either(RISE, FALL, SHIFT)}|增量|增幅|降幅|同比|比上|较上|比去|减")
_TOTAL = re.compile(r"小计|合计|总计|总数|总人数|总额|总量|全部|共有|共计|总")
_CASE = re.compile(r"案例\s*\d+(?:\s*[-—－]\s*\d+)?")
_COUNTED = re.compile(r"\s*[个项篇件份则]")
"""What follows a count of cases (优秀案例68个), which is no case's heading."""
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
_HEADING = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|第[一二三四五六七八九十]+[部分章节])"
    r"\s*[^，,。；;]{1,40}$"
)
_QUALIFIER = re.compile(r"(近|约|超过|逾|达到|达|不足|不到|接近|将近|超|以上|左右)\s*$")
APPROXIMATE = {
    "近": "接近", "将近": "接近", "接近": "接近", "约": "约", "超过": "超过", "逾": "超过", "超": "超过",
}
"""Qualifiers that make a stated number approximate or a bound, and how an answer names them."""
_LEFT_OUT_TAIL = re.compile(r"(?:在内|等|的)$")
_NOT_VALUES = ("年", "月", "天", "岁", "日", "时")
_EXAMPLE = re.compile(r"例如|比如|譬如|以[^，,。；;：:]{1,20}为例")
_SPANS_LEVELS = re.compile(r"高中阶段")
"""Words for a stage that holds several levels (高中阶段: 中职 and 普高)."""
_SCHOOL_NAME = re.compile(
    r"北京市?([\u4e00-\u9fff]{1,12}?)(?:职业技术学院|职业学院|职业学校|职业高中|学校|学院|大学)"
)
"""A school's proper name starts with 北京 (北京市商业学校, 北京工业职业技术学院); 「我区现有中等职业学校」
and 「北京市中等职业学校」 name no school."""
_NOT_IN_A_NAME = re.compile(r"[的有共几和与及是为在了对从到等各]|多少|地区")
"""Words that show a run before 学校 is a phrase (北京地区共有招生职业学校), not one school's name."""


@dataclass(frozen=True)
class Frame:
    """One stated number and what it is about."""

    kind: FrameKind
    value: float | None
    unit: str
    raw: str
    chunk: Chunk
    quote: str
    """The source line (table) or sentence (prose) shown as evidence."""
    line: int
    measure: str
    """The phrase that owns the number: a cell's row and column, or the prose clause."""
    lead: str
    """What comes before the number: the table title and row, or the sentence up to the number."""
    context: str
    """The section heading and, for prose, the end of the previous sentence."""
    year: int | None
    levels: frozenset[str]
    scope: Scope
    role: Role
    qualifier: str = ""
    """A word that makes the number approximate or a bound (近, 约, 超过)."""
    excludes: str = ""
    """What the text says the number leaves out (不含技工学校 → 技工学校)."""
    ratio: str = ""
    """A ratio such as '0.26:0.74' (then ``value`` is None)."""
    sentence: str = ""
    start: int = 0
    """Where the number starts in ``sentence`` (prose)."""
    fact: TableFact | None = None

    @property
    def label(self) -> str:
        """What the number is, as the answer names it."""
        if self.fact is not None:
            return f"{self.fact.title}·{self.fact.row}·{self.fact.column}"
        return self.sentence[: self.start + len(self.raw)]


def document_frames(chunks: Sequence[Chunk], facts: Iterable[TableFact]) -> list[Frame]:
    """The frames of one report: a frame per table fact and per number in its prose."""
    out = [f for fact in facts if (f := fact_frame(fact, chunks)) is not None]
    for chunk in chunks:
        if chunk.kind == "prose":
            out.extend(prose_frames(chunk))
    return out


def fact_frame(fact: TableFact, chunks: Sequence[Chunk]) -> Frame | None:
    """The frame of one table cell (None for a cell that holds no number or ratio)."""
    ratios = find_ratios(fact.raw) if fact.value is None else []
    if fact.value is None and not ratios:
        return None
    chunk = chunk_at(chunks, fact.line)
    if chunk is None:
        return None
    label = f"{fact.row} {fact.column}"
    quantity = _cell(fact.raw)
    unit = quantity.unit if quantity and quantity.unit else fact.unit or label_unit(label)
    role: Role = "change" if CHANGE.search(label) else ("total" if _TOTAL.search(label) else "")
    text = f"{fact.title} {label}"
    excluded = _EXCLUDES.search(text)
    return Frame(
        kind="table", value=fact.value, unit=unit, raw=fact.raw.strip(), chunk=chunk,
        quote=line_of(chunk, fact.line, fact.raw), line=fact.line, measure=label, lead=fact.title,
        context=chunk.section, year=fact.year, levels=frozenset(levels_in(label) or levels_in(text)),
        scope="school" if names_a_school(fact.title) else "region", role=role,
        excludes=excluded.group(1) if excluded else "", ratio=ratios[0].text if ratios else "", fact=fact,
    )


def prose_frames(chunk: Chunk) -> list[Frame]:
    """The frames of the numbers and ratios in one prose chunk."""
    out: list[Frame] = []
    previous = ""
    for sentence, offset in sentences(chunk.text):
        line = line_at(chunk, offset)
        context = f"{chunk.section} {previous[-40:]}"
        for quantity in quantities(sentence):
            if _is_value(sentence, quantity):
                case = bool(_CASE.search(chunk.text, 0, offset + quantity.start))
                out.append(_prose_frame(chunk, sentence, line, quantity, context, case))
        for ratio in find_ratios(sentence):
            lead = sentence[: ratio.start]
            out.append(Frame(
                kind="prose", value=None, unit="", raw=ratio.raw, chunk=chunk, quote=sentence.strip(),
                line=line, measure=re.split(r"[，,；;]", lead)[-1], lead=lead, context=context,
                year=stated_year(lead) or chunk.year, levels=frozenset(levels_in(lead)),
                scope="case" if _CASE.search(chunk.text, 0, offset + ratio.start) else "region", role="",
                ratio=ratio.text, sentence=sentence,
                start=ratio.start,
            ))
        previous = sentence
    return out


def _prose_frame(
    chunk: Chunk, sentence: str, line: int, quantity: Quantity, context: str, case: bool
) -> Frame:
    before = sentence[: quantity.start]
    owning = clause(sentence, quantity)
    segment = re.split(r"[；;]", before)[-1]
    role: Role = ""
    if CHANGE.search(owning):
        role = "change"
    elif "其中" in segment:
        role = "part"
    elif _TOTAL.search(owning):
        role = "total"
    scope: Scope = "case" if case else ("school" if names_a_school(segment) else "region")
    qualifier = qualifier_before(before)
    excluded = _EXCLUDES.search(segment)
    return Frame(
        kind="prose", value=quantity.value, unit=quantity.unit, raw=quantity.raw, chunk=chunk,
        quote=sentence.strip(), line=line, measure=owning, lead=before, context=context,
        year=stated_year(before) or chunk.year,
        levels=frozenset(levels_in(owning) or levels_in(segment)), scope=scope, role=role,
        qualifier=qualifier, excludes=excluded.group(1) if excluded else "",
        sentence=sentence, start=quantity.start,
    )


def qualifier_before(text: str) -> str:
    """The qualifier (近, 约, 超过 …) that ends ``text``, or ''."""
    match = _QUALIFIER.search(text)
    return match.group(1) if match else ""


def _is_value(sentence: str, quantity: Quantity) -> bool:
    """False for years, dates, durations, table or case numbers and bare list numbers."""
    if is_year(sentence, quantity) or quantity.unit in _NOT_VALUES:
        return False
    if not quantity.unit and sentence[quantity.end: quantity.end + 1] in ("日", "号", "月"):
        return False
    before = sentence[: quantity.start]
    if re.search(r"(?:表|图|案例|附件|附表|第)\s*[\d.\-—－]*$", before):
        return False
    return bool(quantity.unit or before.strip())


def names_a_school(text: str) -> bool:
    """Whether ``text`` names one particular school by its proper name."""
    return any(_GENERIC.sub("", m.group(1)) for m in _SCHOOL_NAME.finditer(text))


def leaves_out_asked(text: str, question: str) -> bool:
    """Whether ``text`` says its number leaves out (不含, 不包括, 除…) what ``question`` asks about:
    the left-out group named in the question, not as something the question leaves out too."""
    asked_out = _left_out_by(question)
    for match in _EXCLUDES.finditer(text):
        left_out = _LEFT_OUT_TAIL.sub("", match.group(1))
        if len(left_out) >= 2 and left_out in question and not any(left_out in a for a in asked_out):
            return True
    return False


def counts_left_out(text: str, question: str) -> bool:
    """Whether ``text`` counts a group that the question leaves out (成人中专（人） for 中等职业学校
    （不含成人中专）): named in it, not as something it leaves out too."""
    counted = _EXCLUDES.sub("", text)
    return any(len(name) >= 2 and name in counted for names in left_out_groups(question) for name in names)


def left_out_groups(question: str) -> tuple[tuple[str, ...], ...]:
    """What ``question`` leaves out, each group by its names: a kind of school by each of its
    names (职高 is 职业高中), other groups as written."""
    groups = (_LEFT_OUT_TAIL.sub("", group) for group in _left_out_by(question))
    return tuple(next((names for names in SCHOOL_TYPES if group in names), (group,)) for group in groups)


@lru_cache(maxsize=4096)
def _left_out_by(question: str) -> tuple[str, ...]:
    """What ``question`` says it leaves out, as written, one group at a time (不含职高、成人中专 →
    职高, 成人中专): read once per question, not once per candidate number."""
    return tuple(group for m in _EXCLUDES.finditer(question) for group in re.split(r"[、和及与]", m.group(1)))


def last_school(text: str) -> str:
    """The last school ``text`` names by its proper name, without the city ('' if none): the
    school that a following 学校 or 该校 is about."""
    names = [m.group(0) for m in _SCHOOL_NAME.finditer(text)
             if _GENERIC.sub("", m.group(1)) and not _NOT_IN_A_NAME.search(m.group(1))]
    return re.sub(r"^北京市?", "", names[-1]) if names else ""


def gives_example(before: str) -> bool:
    """Whether the sentence up to a number (``before``) gives it as an example (例如, 以国职为例):
    one school's figure, not the region's."""
    return bool(_EXAMPLE.search(before))


def in_case_block(chunks: Sequence[Chunk], line: int) -> bool:
    """Whether source ``line`` follows a 案例 heading in a prose chunk that covers it (a chunk can
    start inside a case block that an earlier, overlapping chunk opens)."""
    return any(
        line_at(chunk, match.start()) <= line
        for chunk in chunks if chunk.kind == "prose" and chunk.line_start <= line <= chunk.line_end
        for match in _CASE.finditer(chunk.text) if not _COUNTED.match(chunk.text, match.end())
    )


def spans_levels(text: str, report_level: str, *, asked: str = "") -> bool:
    """Whether a number described by ``text`` stands for several school levels at once: it names a
    stage holding several (高中阶段) that the question (``asked``) does not, or it names no level in
    a report that covers several (「北京职业院校」 in a report on 中职 and 高职)."""
    if _SPANS_LEVELS.search(text) and not _SPANS_LEVELS.search(asked):
        return True
    return not levels_in(text) and report_level not in LEVELS


@lru_cache(maxsize=50_000)
def quantities(text: str) -> tuple[Quantity, ...]:
    """``find_quantities`` of ``text``, remembered (the same passages come back for many questions)."""
    return tuple(find_quantities(text))


@lru_cache(maxsize=50_000)
def _cell(raw: str) -> Quantity | None:
    return parse_quantity(raw)


def label_unit(label: str) -> str:
    """The unit a row or column label implies: （万元） → 万元, 学生人数 → 人; a bracket that names no
    unit (电子商务（直播运营）) implies none."""
    match = next((m for m in re.finditer(r"[（(]([^）)]{1,4})[）)]", label) if _is_unit(m.group(1))), None)
    if match:
        return match.group(1)
    return "人" if re.search(r"人数|人员|学生数|教师数", label) else ""


def _is_unit(text: str) -> bool:
    unit = split_multiplier(text.strip())[1]
    return unit in UNITS or unit.split("/")[0] in UNITS


NO_SUBJECT = re.compile(
    r"\s*(?:占|较|比|同比|环比|相比|与上一?年(?:度)?相比|(?:下降|提升|提高|上升|增加|增长|减少|降低)了?\s*[\d.])"
)
"""A clause opening with its share or change has no subject of its own: the clause before it says
what it measures (「高级职称教师 2026 人，占比 40.57%」, 「…，较上一年减少 883 人」, 「…，下降 0.67 个
百分点」)."""
_JOIN = r"(?:以及|和|及(?!以[上下]))"
"""A word joining two items (not 及 of 45岁及以上)."""
_JOINED_AFTER_NUMBER = re.compile(rf"\d\s*[^\d\s，,；;、。和及]{{0,3}}\s*{_JOIN}")
"""A number and its unit joined to the next item (「172 人和」)."""
_JOINS_NEXT_NUMBER = re.compile(rf"\s*{_JOIN}(?=[^，,；;。、]*\d)")
"""After a number: a 和 leading to the next numbered item."""
_JOIN_BEFORE_NUMBER = re.compile(rf"{_JOIN}(?=\s*\d)")
"""A 和 right before a number: in 「8次远程评课及4场专题讲座」 it ends 8次's item and starts 4场's."""


def clause(sentence: str, quantity: Quantity) -> str:
    """The comma-delimited piece holding the number, with the previous one when it says little."""
    start = max(sentence.rfind(c, 0, quantity.start) for c in "，,；;：:（(、")
    # 「贯通培养升学 172 人和 3+2 中高职衔接升学 379 人」: each number owns its item of the 和-list.
    start = max([start, *(m.end() - 1 for m in _JOINED_AFTER_NUMBER.finditer(sentence, 0, quantity.start)),
                 *(m.end() - 1 for m in _JOIN_BEFORE_NUMBER.finditer(sentence, 0, quantity.start + 1))])
    ends = [i for c in "，,；;）)、" if (i := sentence.find(c, quantity.end)) >= 0]
    if _JOINS_NEXT_NUMBER.match(sentence, quantity.end):
        ends.append(quantity.end)
    if following := _JOIN_BEFORE_NUMBER.search(sentence, quantity.end):
        ends.append(following.start())
    piece = sentence[start + 1: min(ends, default=len(sentence))]
    if start > 0 and len(re.sub(r"[\d.%\s]", "", piece)) <= 4:
        # After a closing bracket comes another item (专业课满意度（95.48%）、思政课满意度（95.85%）).
        previous = max(sentence.rfind(c, 0, start) for c in "，,；;：:（(）)")
        piece = sentence[previous + 1: start].lstrip("、") + "，" + piece
    return piece


def in_enumeration(sentence: str, quantity: Quantity) -> bool:
    """Whether the number is one item of a 、-list of numbers (「一等奖9项、二等奖29项、三等奖22项」;
    not the total after a list of names: 「获一等奖、二等奖和三等奖共21项」)."""
    start = _piece_start(sentence, quantity.start)
    end = _piece_end(sentence, quantity.end)
    after_item = start >= 0 and sentence[start] == "、" and bool(
        re.search(r"\d", sentence[_piece_start(sentence, start) + 1: start]))
    before_item = sentence[end: end + 1] == "、" and bool(
        re.search(r"\d", sentence[end + 1: _piece_end(sentence, end + 1)]))
    return after_item or before_item


def previous_item(sentence: str, quantity: Quantity) -> str:
    """The item of a 、-list of numbers before the number's own (培训学生 54096 人次 before 培训社区居民
    12952 人次), or '' (also for the total after a list of names: 获一等奖、二等奖和三等奖共21项)."""
    start = _piece_start(sentence, quantity.start)
    if start < 0 or sentence[start] != "、":
        return ""
    item = sentence[_piece_start(sentence, start) + 1: start]
    return item if re.search(r"\d", item) else ""


def _piece_start(sentence: str, at: int) -> int:
    return max(sentence.rfind(c, 0, at) for c in "，,；;：:（(、")


def _piece_end(sentence: str, at: int) -> int:
    return min((i for c in "，,；;）)、。" if (i := sentence.find(c, at)) >= 0), default=len(sentence))


def inherited(sentence: str, start: int) -> str:
    """What the part after 其中 at ``start`` is a part of (「…武术学校教职工61人，其中专任教师18人，
    兼职教师5人」: the school's 教职工 for 18 and 5): the words before 其中 in its piece of the sentence,
    without the sibling parts listed before it; '' for a number that is no such part (nor one
    after a bracketed 其中 list that has closed), and for a whole that lists kinds
    (「在国家级、市级各类比赛中共获得96项」: each part names its own)."""
    segment = re.split(r"[；;]", sentence[:start])[-1]
    at = segment.rfind("其中")
    if at < 0 or re.search(r"[)）]", segment[at:]):
        return ""
    whole = segment[:at].rstrip("，,（( ")
    return "" if "、" in whole else whole


def stated_year(before: str) -> int | None:
    """The last year written before a number that is not a comparison's base (比 2021 年)."""
    for match in reversed(list(re.finditer(r"(20\d\d)\s*年", before))):
        if not re.search(r"(?:比|较|与|同|相比)\s*$", before[max(0, match.start() - 3): match.start()]):
            return int(match.group(1))
    return None


def is_year(sentence: str, quantity: Quantity) -> bool:
    follows = sentence[quantity.end:].lstrip()[:1]
    plausible = quantity.value.is_integer() and 1990 <= quantity.value <= 2035
    return quantity.unit == "年" or (plausible and (not quantity.unit or follows in ("年", "-", "—", "级")))


def sentences(text: str) -> list[tuple[str, int]]:
    """The sentences of ``text`` (wrapped lines joined, headings kept apart) with their offsets."""
    lines = text.split("\n")
    pieces = [line + ("\n" if _ends_line(line) else " ") for line in lines[:-1]] + lines[-1:]
    joined = "".join(pieces)
    return [(m.group(0), m.start()) for m in _SENTENCE.finditer(joined) if m.group(0).strip()]


def _ends_line(line: str) -> bool:
    """True when a line ends a sentence or is a heading, so the next line starts anew."""
    stripped = line.strip()
    return not stripped or stripped[-1] in "。！？!?" or bool(_HEADING.match(stripped))


def line_at(chunk: Chunk, offset: int) -> int:
    """The source line of ``chunk.text[offset]``.

    Exact when the chunk keeps every source line; when the parser dropped blank lines or joined
    wrapped ones, the position is spread over the chunk's line span (an estimate).
    """
    index = chunk.text.count("\n", 0, offset)
    count = chunk.text.count("\n") + 1
    span = chunk.line_end - chunk.line_start
    if count - 1 == span or count == 1:
        return chunk.line_start + index
    if span == 2 * (count - 1):
        return chunk.line_start + 2 * index
    return chunk.line_start + round(index * span / (count - 1))


def line_of(chunk: Chunk, line: int, raw: str) -> str:
    """The text of source ``line`` within ``chunk`` (or the first line holding ``raw``)."""
    lines = chunk.text.split("\n")
    index = line - chunk.line_start
    if 0 <= index < len(lines) and raw.strip() in lines[index]:
        return lines[index].strip()
    return next((x.strip() for x in lines if raw.strip() and raw.strip() in x), chunk.text[:120])


def chunk_at(chunks: Sequence[Chunk], line: int) -> Chunk | None:
    """The most specific chunk that covers ``line``."""
    covering = [c for c in chunks if c.line_start <= line <= c.line_end]
    order = {"table_row": 0, "table": 1, "prose": 2}
    return min(covering, key=lambda c: (order[c.kind], c.line_end - c.line_start), default=None)
