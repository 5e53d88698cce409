"""Questions generated from number frames, in the phrasings staff use (full, terse, colloquial,
with synonyms, with the year or region left out), each with the value that answers it.

Nothing here reads the benchmark questions: the generated set is what the ranker learns from.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from jieba import posseg

from rag.frames import Frame
from rag.query import DISTRICTS, LEVELS, SCHOOL_TYPES, levels_in, names_school
from rag.rank.decide import Amount, amount
from rag.types import ReportInfo

_UNIT_QUESTION = {
    "人": "多少人", "名": "多少人", "位": "多少人", "人次": "多少人次", "万人": "多少万人",
    "万人次": "多少万人次",
    "万元": "多少万元", "亿元": "多少亿元", "元": "多少元", "%": "是多少", "个百分点": "变化了多少个百分点",
}
_SYNONYM_SWAPS = (
    ("教师", "老师"), ("中等职业学校", "中职学校"), ("中等职业教育", "中职"), ("在校生", "在校学生"),
    ("比例", "占比"), ("职业院校", "职业学校"), ("招生", "招收学生"), ("毕业生", "毕业学生"),
)
_FILLERS = ("请问", "帮我查一下", "我想知道", "想了解一下", "")
_TRAILING_VERBS = re.compile(r"(?:共有|共计|达到|达|为|是|有|约|近|超过|占|共|计)\s*$")
_LEADING = re.compile(r"^(?:其中|同时|并且|此外|另外|全年|目前|现有|截至)[，,]?")
_GENERIC = re.compile(
    r"数量|人数|总数|占比|比例|比重|合计|小计|总计|共|计|累计|分别|其他|较上一?年|比上一?年|同比|较|比"
    r"|增长|增加|减少|下降|提高|降低|了|的|在|和|与|及|有|为|达|是|学校|院校|学生|北京市?|全市|全区|我区|本区|[东西]城|朝阳|昌平"
)
"""Words that say nothing of what is counted: a measure of only these (「较上一年增长」, 「的数量」) is
not a question a reader would ask."""
_SCHOOL_KIND = (*(name for group in SCHOOL_TYPES for name in group),
                "高职院校", "中职学校", "高职", "中职", "普通高中", "本科")
_YEARS = r"(?:19|20)\d\d\s*(?:-|—|至)?\s*(?:(?:19|20)\d\d)?\s*年?度?"
_NOUNS = ("n", "vn", "j", "l")
"""Part-of-speech tags (jieba) of words that name a thing: nouns, verbal nouns, abbreviations, idioms."""
_NOT_MEASURES = re.compile(r"代码|编号|序号|电话|邮编|排名|名次")


@dataclass(frozen=True)
class Generated:
    """A generated question, the report it was made from and the value that answers it."""

    question: str
    doc_id: str
    file: str
    answer: Amount
    source: str
    """Which frame it came from (file:line:raw), for reading the training data."""


def generate(frames: Sequence[Frame], report: ReportInfo, *, per_report: int, seed: int) -> list[Generated]:
    """Up to ``per_report`` questions about frames of ``report`` (deterministic for a seed)."""
    rng = random.Random(f"{seed}:{report.doc_id}")
    usable = [f for f in frames if f.value is not None]
    rng.shuffle(usable)
    labels = " ".join(f"{f.fact.row} {f.fact.column}" for f in frames if f.fact is not None)
    out: list[Generated] = []
    for frame in usable:
        text = (_table_question(frame, report, labels, rng) if frame.fact
                else _prose_question(frame, report, labels, rng))
        if text:
            out.append(Generated(text, report.doc_id, report.file, amount(frame),
                                 f"{frame.chunk.file}:{frame.line}:{frame.raw}"))
        if len(out) >= per_report:
            break
    return out


def _table_question(frame: Frame, report: ReportInfo, labels: str, rng: random.Random) -> str:
    fact = frame.fact
    assert fact is not None
    if _NOT_MEASURES.search(f"{fact.row} {fact.column}"):
        return ""
    parts = [_clean_label(p) for p in (*fact.row.split("·"), *fact.column.split("·"))]
    # A school kind or level among the labels (技工学校, 高职院校) qualifies the measure: it goes first.
    kinds = [p for p in parts if p in _SCHOOL_KIND]
    words = [p for p in parts if p and p not in kinds]
    measure = "".join(words)
    if not _says_what(measure, labels):
        return ""
    title = _clean_title(fact.title) if rng.random() < 0.3 else ""
    kind = "".join(kinds)
    level = "" if kind else _level(f"{fact.title} {fact.row} {fact.column}", report)
    if level and level in measure:
        level = ""
    measure = f"{title}{measure}" if title and title not in measure and measure not in title else measure
    return _assemble(rng, year=frame.year, region=report.region, level=level or kind,
                     measure=measure, unit=frame.unit)


def _prose_question(frame: Frame, report: ReportInfo, labels: str, rng: random.Random) -> str:
    if not frame.unit:
        return ""  # a bare number in prose is an ordinal or a code
    pieces = [p for p in re.split(r"[，,；;：:（()）]", _plain(frame.lead)) if p.strip()]
    pre = ""
    # The owning piece first; earlier pieces are added while it does not yet say what is counted.
    for piece in reversed(pieces):
        pre = _LEADING.sub("", piece.strip()) + pre
        if _says_what(pre, labels):
            break
    pre = re.sub(r"(?:19|20)\d\d\s*年(?:度)?", "", pre)
    pre = _TRAILING_VERBS.sub("", pre).strip(" ，,") + _counted_after(frame)
    if (not _says_what(pre, labels) or re.search(r"\d", pre) or len(pre) > 30
            or re.search(r"[和及与、]$", pre)):
        return ""
    if frame.scope != "region" and not names_school(pre):
        return ""  # one school's or one case's number answers a question that names the school
    level = "" if levels_in(pre) else _level(frame.sentence, report)
    return _assemble(rng, year=frame.year, region=report.region if not _names_region(pre) else "",
                     level=level, measure=pre, unit=frame.unit)


def _counted_after(frame: Frame) -> str:
    """The nouns right after a number and its unit (选派 70 名「师生」参加): what it counts."""
    after = _plain(frame.sentence[frame.start + len(frame.raw):])
    nouns = ""
    for token in posseg.cut(after[:16]):
        if not token.flag.startswith(("n", "vn", "j")) or len(nouns) + len(token.word) > 8:
            break
        nouns += token.word
    return nouns


def _says_what(measure: str, labels: str) -> bool:
    """True when ``measure`` names what is counted, beyond generic, level and region words: a noun
    of its own is left, or a verb the report's tables use as a measure (招生), never a bare verb
    such as 组织 or 采用. ``labels`` are the report's row and column labels."""
    content = _GENERIC.sub(" ", re.sub(r"[^\u4e00-\u9fff]", " ", measure))
    for name in _SCHOOL_KIND:
        content = content.replace(name, " ")
    return len(content.replace(" ", "")) >= 2 and any(
        token.flag.startswith(_NOUNS) or (len(token.word) >= 2 and token.word in labels)
        for piece in content.split() for token in posseg.cut(piece))


def _plain(text: str) -> str:
    """Prose without Markdown emphasis and book-title marks."""
    return re.sub(r"\*\*|[《》“”\"]", "", text)


def _assemble(
    rng: random.Random, *, year: int | None, region: str, level: str, measure: str, unit: str
) -> str:
    for old, new in _SYNONYM_SWAPS:
        if old in measure and rng.random() < 0.3:
            measure = measure.replace(old, new, 1)
    measure = re.sub(r"[（(]\s*[）)]", "", measure)
    if level and any(measure.startswith(name) for name in LEVELS.get(level, (level,))):
        level = ""
    if region == "北京市" and rng.random() < 0.6:
        region = "北京"
    elif region in DISTRICTS and rng.random() < 0.3:
        region = region[:-1]
    if rng.random() < 0.15:
        region = ""
    shown_year = f"{year}年" if year is not None and rng.random() < 0.95 else ""
    ask = _UNIT_QUESTION.get(unit, f"有多少{unit}" if unit and len(unit) <= 2 else "是多少")
    style = rng.randrange(5)
    if style == 0:
        return f"{shown_year}{region}{level}{measure}{ask}？"
    if style == 1:
        return f"{rng.choice(_FILLERS)}{region}{shown_year}{level}{measure}{ask}"
    if style == 2:
        return " ".join(x for x in (region[:-1] if region.endswith("区") else region,
                                    shown_year.rstrip("年"), level, measure) if x)
    if style == 3:
        when = f"在{shown_year}" if shown_year and not measure.endswith("在") else ""
        return f"{region}{level}{measure}{when}{ask}？"
    return f"{rng.choice(_FILLERS)}{region}{shown_year}{level}的{measure}{ask}？"


def _clean_label(label: str) -> str:
    label = re.sub(r"[（(][^）)]{0,8}[）)]|" + _YEARS, "", label)
    return re.sub(r"\s+|项目|指标|类别|合计$", "", label)


def _clean_title(title: str) -> str:
    title = re.sub(r"[（(][^）)]*[）)]|表\s*[\d\-—.]+|" + _YEARS, "", title)
    for name in (*DISTRICTS, "北京市", "北京"):
        title = title.replace(name, "")
    return re.sub(r"情况表?$|统计表?$|一览表?$|表$|的$", "", title.strip())


def _level(text: str, report: ReportInfo) -> str:
    found = levels_in(text)
    if len(found) == 1:
        return LEVELS[next(iter(found))][0]
    return report.level if report.level in ("中职", "高职") and not found else ""


def _names_region(text: str) -> bool:
    return any(d in text or d[:-1] in text for d in DISTRICTS) or "北京" in text or "全市" in text
