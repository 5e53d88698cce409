"""The extractive answerer: picks the table fact or sentence that states the answer, computes
simple arithmetic over two located inputs, and refuses when nothing fits well enough."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache

from rag import arithmetic, compose, schools
from rag.compose import refusal, where
from rag.evidence import (
    COUNTS,
    Evidence,
    base_unit,
    cite,
    counted_in_people,
    evidence_first,
    level_fit,
    qualified_otherwise,
    unit_fit,
    wants_ratio,
    wants_total,
)
from rag.frames import (
    APPROXIMATE,
    CHANGE,
    clause,
    gives_example,
    in_case_block,
    in_enumeration,
    inherited,
    is_year,
    label_unit,
    leaves_out_asked,
    line_at,
    line_of,
    names_a_school,
    qualifier_before,
    quantities,
    sentences,
    stated_year,
)
from rag.index.tokenize import jieba
from rag.numbers import Quantity, find_ratios, normalize, parse_quantity, split_multiplier
from rag.query import LEVELS, PEOPLE, Query, counted_people, levels_in
from rag.rank.lexical import (
    FUNCTION_WORDS,
    TOTAL,
    adds_nothing,
    all_words,
    alternatives,
    bare_label,
    canonical,
    compound_missing,
    content_words,
    core,
    coverage,
    extra_grams,
    head_missing,
    modifier_missing,
    opposite,
    other_head,
    other_modifier,
    per_unit_missing,
    precision,
    respective,
    type_missing,
    words,
)
from rag.retriever import Lexicon, Retrieval
from rag.school_scope import (
    NO_SCHOOL,
    Scope,
    about_another_school,
    asked_schools,
    measure_alone,
    question_scope,
    reports_without,
    school_fit,
    without_named_kind,
    without_schools,
)
from rag.types import Answer, Chunk, ReportInfo, TableFact

THRESHOLD = 0.85
"""Least score for stating a number; measured: right answers score 0.87–2.05; most wrong ones below 0.8."""
PART_THRESHOLD = 0.5
"""Least score for each input of a computation (the formula and both citations are shown)."""
LIST_THRESHOLD = 0.5
COUNTED_LIST = 0.2
"""Bonus for a sentence stating the count a list question asks for (哪两个 … 「A、B 2 个专业」)."""
MATCH_MIN = 0.3
STRONG = 0.8
MARGIN = 0.03
"""Least lead of the chosen number over a different one; closer than this, the answer refuses."""
OTHER_OPTIONS = 4
"""Candidates of each kind an operand offers the joint choice (a handful: the choice is a product)."""
_TOTAL_ASK = re.compile(r"一共|总共|合计|共计|总计|加起来|总数|总人数|总量")
_STATED_TOTAL = re.compile(r"(?:共|合计|总计|累计)(?:获得?|有|计|达)?\s*\d")
_CLAUSE_END = re.compile(r"[，,；;。：:]")
_NOT_INCLUDED = re.compile(r"[（(]不(?:含|包括|计)[^）)]*[）)]")
_RATE_WORD = re.compile(r"率|比例|占比|比重|百分比")
_COUNT_LABEL = re.compile(r"数量|个数|[^\d\s]数$")
_BATCHES = re.compile(r"(?:前|头|这|那|近)?([两二三四五六七八九十])批")
_COUNTED_ASK = re.compile(r"哪([两二三四五六七八九十])(个|门|所|项|种|家|部|本|名|位|类)?([\u4e00-\u9fff])")
_LEFT_OVER = re.compile(r"(?:和|与|及|跟|、|以及)")
_IDENTIFIER = re.compile(r"代码|编码|编号|序号|代号")
"""A column of identifiers (招生专业代码 410202): its numbers answer only a question asking for one."""
_SPAN = re.compile(r"近(?:[两二三四五六七八九十]|\d+)年|(?:[两二三四五六七八九十]|\d{1,2})年来|以来|历年")
"""Words for a sum over several years (一年来 is the report's own year)."""
_ASKS_SPAN = re.compile(_SPAN.pattern + r"|年(?:下来|间|里|内)|累计|这些年|多年")
"""A question asking for a sum over years (十年下来一共, 累计)."""
_YEARS_TOGETHER = re.compile(r"20\d\d\s*年?\s*[、和与及至到\-—]\s*20\d\d\s*年")
_NOT_COUNTED = re.compile(r"\s*[（(]不计")
"""A number the text says is not counted (另有附设中职校3所（不计校数）)."""
_PEOPLE_LAST = re.compile(rf"(?:{PEOPLE})$")
_AMONG = re.compile(r"([\u4e00-\u9fff]{2,12})中\s*[,，]")
_ONLY_TOTAL = re.compile(r"(?:总数|总量|总计|合计|共计|累计|共)\s*(?:达到|达|为|有|是)?\s*[\d.]")
_REACHED = re.compile(r"(?:增长|增加|提高|上升|提升|下降|减少|降低|扩大)(?:为|到|至)|[升降增]至")
_PEOPLE_BEFORE = re.compile(rf"({PEOPLE})\s*(?:共|有|为|达)?\s*$")
"""The people a number counts when their name stands right before it (教师 2019 人)."""
ASIDE = 0.3
"""Penalty for a number about one school (a case block, a clause naming a school) when the
question names none."""
PART = 0.3
"""Penalty for a part after 其中 whose own words the question does not ask for (it asks for the whole)."""
ITEM_FOR_TOTAL = 0.3
"""Penalty for one item of a 、-list when the question asks for a total (合计, 一共)."""
OTHER_FOLLOWER = 0.4
"""Penalty for a number whose counted noun, written after it, is qualified otherwise than the asked one."""
NUMBER_MISSING = 0.5
"""Penalty for a number whose own part of the sentence lacks a number the measure names (13所)."""
LEVEL_BEFORE = 0.1
"""Less bonus for an asked level named only in an earlier clause of the sentence than in the
number's own (「开设综合高中班，…升学率达到 97.69%」 may be about a part of the level)."""


def find(
    query: Query, retrieval: Retrieval, lexicon: Lexicon, *, threshold: float = THRESHOLD,
    margin: float = 0.0,
) -> Evidence | None:
    """The best-fitting located number for ``query``, or None when nothing is good enough."""
    good = candidates(query, retrieval, lexicon, threshold=threshold)
    if not good:
        return None
    rival = next((e for e in good if _amount(e) != _amount(good[0])), None)
    # Two different numbers fit about equally well: stating either could be wrong.
    # Rounded: sums of the same bonuses in another order differ in the last bits.
    return None if rival is not None and round(good[0].score - rival.score, 9) < margin else good[0]


def candidates(query: Query, retrieval: Retrieval, lexicon: Lexicon, *, threshold: float) -> list[Evidence]:
    """The located numbers that fit ``query`` well enough, best first."""
    found = [*fact_evidence(query, retrieval.facts, retrieval, lexicon),
             *sentence_evidence(query, retrieval, lexicon)]
    if wants_ratio(query):
        found = [e for e in found if e.ratio]
    return sorted((e for e in found if e.match >= MATCH_MIN and e.score >= threshold), key=lambda e: -e.score)


def _amount(found: Evidence) -> tuple[float, str] | str:
    if found.value is None:
        return found.ratio
    value, unit = Quantity(found.value, found.unit, found.raw, 0, 0).base()
    return round(value, 6), base_unit(unit)


def top_facts(query: Query, retrieval: Retrieval, lexicon: Lexicon, *, n: int) -> list[TableFact]:
    """The ``n`` table facts that fit the question best (sources for an LLM)."""
    weights = lexicon.weights(canonical(query.measure))
    scored = [(s[0], f) for f in retrieval.facts if (s := _fact_score(query, f, weights)) is not None]
    return [f for _, f in sorted(scored, key=lambda sf: -sf[0])[:n]]


def fact_evidence(
    query: Query, facts: Sequence[TableFact], retrieval: Retrieval, lexicon: Lexicon
) -> list[Evidence]:
    """Table facts scored against the question."""
    asked = asked_schools(query, retrieval)
    query = counted_in_people(measure_alone(query, asked.names))
    weights = lexicon.weights(canonical(query.measure))
    reports = {d.doc_id: d for d in retrieval.documents}
    outside = reports_without(asked, retrieval)
    texts = _row_texts(retrieval.facts)
    scored = [
        (s, f) for f in facts if f.doc_id not in outside
        if (s := _fact_score(query, f, weights, reports.get(f.doc_id), schools_asked=asked,
                             named=_named_cells(query, texts.get(_row_key(f), ())))) is not None
    ]
    scored.sort(key=lambda sf: -sf[0][0])
    out = []
    for (score, match), fact in scored[:8]:
        chunk = retrieval.chunk_at(fact.doc_id, fact.line)
        if chunk is None:
            continue
        quote = line_of(chunk, fact.line, fact.raw)
        unit = fact.unit or label_unit(f"{fact.row} {fact.column}")
        ratio = find_ratios(fact.raw)[0].text if fact.value is None else ""
        out.append(Evidence(fact.value, unit, fact.raw.strip(), score, chunk, quote, fact.line,
                            f"{fact.title}·{fact.row}·{fact.column}", ratio, match=match, fact=fact))
    return out


def _row_key(fact: TableFact) -> tuple[str, str, int]:
    return fact.doc_id, fact.table, fact.line


def _row_texts(facts: Sequence[TableFact]) -> dict[tuple[str, str, int], tuple[str, ...]]:
    """The text cells of each table row (a major's name beside its school's), by row."""
    texts: dict[tuple[str, str, int], tuple[str, ...]] = {}
    for fact in facts:
        if fact.value is None and not find_ratios(fact.raw):
            texts[_row_key(fact)] = (*texts.get(_row_key(fact), ()), fact.raw)
    return texts


def _named_cells(query: Query, cells: Sequence[str]) -> str:
    """The text cells of a number's row that the question names (「商业学校 电子商务 计划人数」
    names the 电子商务 row among the school's rows), as written or without their bracket."""
    asked = re.sub(r"\s", "", query.norm)
    named = []
    for cell in cells:
        whole = re.sub(r"\s", "", normalize(cell))
        bare = re.sub(r"[(（][^)）]*[)）]", "", whole)
        named += [form for form in {whole, bare} if len(form) >= 2 and form in asked][:1]
    return " ".join(named)


def _fact_score(
    query: Query, fact: TableFact, weights: dict[str, float], report: ReportInfo | None = None,
    *, named: str = "", schools_asked: schools.Asked = NO_SCHOOL,
) -> tuple[float, float] | None:
    if fact.value is None and not (wants_ratio(query) and find_ratios(fact.raw)):
        return None
    if _IDENTIFIER.search(fact.column) and not _IDENTIFIER.search(query.norm):
        return None
    label = f"{fact.row} {fact.column}"
    # The row's other cells the question names say which of a school's rows is meant.
    text = f"{fact.title} {label} {named}".rstrip()
    match = 0.7 * coverage(weights, text) + 0.3 * coverage(weights, f"{label} {named}")
    if match < 0.15 or leaves_out_asked(text, query.norm) or per_unit_missing(query.measure, text):
        return None
    # A row or column naming a level (专科, 高职院校) decides over the table's title.
    level = level_fit(query, label if levels_in(label) else text, report, around=text)
    if level is None:
        return None
    year = query.year
    in_title = any(str(y) in fact.title for y in query.years)
    if year is not None and fact.year is not None and fact.year not in query.years and not in_title:
        return None
    quantity = parse_quantity(fact.raw)
    unit = quantity.unit if quantity and quantity.unit else fact.unit or label_unit(label)
    fit = unit_fit(query.unit, unit)
    if fit is None:
        return None
    if not unit and base_unit(query.unit) in COUNTS and _COUNT_LABEL.search(label):
        fit = 0.0  # a column of counts (数量) in no unit counts whatever the table lists
    change = bool(CHANGE.search(label)) != bool(CHANGE.search(query.measure))
    # Without an asked year, the report's own data year is meant.
    current = report.data_year if report is not None else None
    same_year = fact.year == year if year is not None else fact.year is not None and fact.year == current
    bonus = level + fit + (0.1 if same_year else 0.0) - (0.3 if change else 0.0) + match / 2
    # A total row is the default reading unless the question names one part of it.
    bonus += 0.1 if TOTAL.search(label) and (match >= 0.8 or wants_total(query)) else 0.0
    # The asked school's row is the school slot's, not words the measure leaves unasked.
    row = without_schools(fact.row, schools_asked.names)
    bonus -= 0.04 * min(extra_grams(weights, f"{row} {fact.column}"), 10)
    bonus -= 0.4 if qualified_otherwise(query, label) else 0.0
    # Spelled one way on both sides (专任老师 meets 专任教师).
    spelled = replace(query, measure=canonical(query.measure))
    bonus -= 0.7 if modifier_missing(spelled, canonical(text)) else 0.0
    # A rate's value says it is one (自主创业 1.54% is 自主创业比例) when its label names no other rate.
    bare_rate = unit == "%" and not _RATE_WORD.search(label)
    bonus -= 0.5 if head_missing(query.measure, f"{text} 比例" if bare_rate else text) else 0.0
    bonus -= 0.5 if type_missing(query, text) else 0.0
    # A total row of a table that names no asked school sums several schools (毕业生总数).
    school = school_fit(schools_asked, f"{fact.row} {fact.column}", text)
    if school is None or (school < 0 and TOTAL.search(label)):
        return None
    bonus += school
    if bare_label(row) and coverage(weights, row) < 0.15 and not TOTAL.search(row):
        bonus -= 0.4
    return match + bonus, match


def sentence_evidence(query: Query, retrieval: Retrieval, lexicon: Lexicon) -> list[Evidence]:
    """Numbers in the retrieved prose, scored by the question words around them."""
    texts = tuple(c.text for chunks in retrieval.chunks_by_doc.values() for c in chunks)
    asked = schools.asked(query.norm, texts)
    query = counted_in_people(measure_alone(query, asked.names))
    outside = reports_without(asked, retrieval)
    weights = prose_weights(lexicon, canonical(query.measure))
    reports = {d.doc_id: d for d in retrieval.documents}
    scope = replace(question_scope(query, texts), asked=asked)
    query = without_named_kind(query, scope.short_names)
    out: list[Evidence] = []
    for hit in retrieval.hits:
        if hit.chunk.kind != "prose" or hit.chunk.doc_id in outside:
            continue
        report = reports.get(hit.chunk.doc_id)
        neighbours = retrieval.chunks_by_doc.get(hit.chunk.doc_id) or (hit.chunk,)
        previous = ""
        for sentence, offset in sentences(hit.chunk.text):
            out.extend(_sentence_candidates(query, hit.chunk, sentence, offset, weights, previous,
                                            report=report, neighbours=neighbours, scope=scope))
            previous = sentence
    return out


def prose_weights(lexicon: Lexicon, measure: str) -> dict[str, float]:
    """The measure's bigram weights, where a bigram that joins a one-character verb to the next
    word and that no report writes is weighed as the verb alone: a colloquial verb (建 of
    「建了多少门课程」, 建课) that the reports write in a compound of their own (建设课程)."""
    verbs = _one_character_verbs(normalize(measure))
    weights: dict[str, float] = {}
    for gram, weight in lexicon.weights(measure).items():
        key = gram[0] if gram[0] in verbs and gram not in lexicon.idf else gram
        weights[key] = max(weight, weights.get(key, 0.0))
    return weights


@lru_cache(maxsize=4096)
def _one_character_verbs(text: str) -> frozenset[str]:
    jieba.dt.check_initialized()
    # The part-of-speech tagger loads its tables on import: only once a question is read.
    tagged = importlib.import_module("jieba.posseg").lcut(text)
    return frozenset(w.word for w in tagged if len(w.word) == 1 and w.flag.startswith("v"))


def _sentence_candidates(
    query: Query, chunk: Chunk, sentence: str, offset: int, weights: dict[str, float], previous: str,
    *, report: ReportInfo | None, neighbours: Sequence[Chunk], scope: Scope,
) -> list[Evidence]:
    quote = sentence.strip()
    # Scored as the question writes its school (国职 for 北京国际职业教育学校); quoted as written.
    sentence = schools.spelled(sentence, scope.short_names)
    if not coverage(weights, sentence):
        return []
    context = f"{chunk.section} {previous[-40:]}"
    line = line_at(chunk, offset)
    if wants_ratio(query):
        return _ratio_candidates(query, chunk, sentence, line, weights, quote=quote)
    out = []
    region_asked = scope.region_asked
    case = region_asked and in_case_block(neighbours, line)
    for quantity in quantities(sentence):
        before = sentence[: quantity.start]
        if region_asked and gives_example(before):
            continue
        # A sentence opening with 其中 goes on about the previous one's subject (and level).
        opening = previous if sentence.lstrip().startswith("其中") else ""
        around = f"{chunk.section} {opening} {before}"
        scored = _quantity_score(query, chunk, sentence, quantity, weights, context, report, around)
        if scored is None:
            continue
        # A question naming its school is not answered by a number about another school: the
        # last one its paragraph names (「北京A学院…429人。北京B学院…学校…164人」: 164 is B's).
        if scope.school and about_another_school(scope.school, chunk.text[:offset], before):
            continue
        school = region_asked and names_a_school(re.split(r"[；;]", before)[-1])
        score = scored[0] - (ASIDE if case or school else 0.0)
        paragraph = chunk.text[:offset].rsplit("\n", 1)[-1]
        lead = re.split(r"[，,；;：:（(、]", before)[-1]
        fit = school_fit(scope.asked, lead, clause(sentence, quantity), before, paragraph,
                          chunk.text[:offset], _earlier(neighbours, chunk), chunk.section)
        if fit is None:
            continue
        score += fit
        out.append(Evidence(quantity.value, quantity.unit, quantity.raw, score, chunk,
                            quote, line, sentence[: quantity.end], match=scored[1]))
    return out


def _earlier(chunks: Sequence[Chunk], chunk: Chunk) -> str:
    """The end of the prose chunk that starts last before ``chunk`` does (a case's first paragraph,
    naming its school, may be in it)."""
    before = [c for c in chunks if c.kind == "prose" and c.line_start < chunk.line_start]
    return max(before, key=lambda c: c.line_start).text[-400:] if before else ""


def _ratio_candidates(
    query: Query, chunk: Chunk, sentence: str, line: int, weights: dict[str, float], *, quote: str
) -> list[Evidence]:
    out = []
    for rank, ratio in enumerate(find_ratios(sentence)):
        head = sentence[: ratio.start]
        year = stated_year(head) or chunk.year
        if query.years and year is not None and year not in query.years:
            continue
        match = 0.5 * coverage(weights, re.split(r"[，,；;]", head)[-1]) + 0.5 * coverage(weights, head)
        out.append(Evidence(None, "", ratio.raw, match + 0.3 - 0.05 * rank, chunk, quote, line,
                            sentence, ratio.text, match))
    return out


def _quantity_score(
    query: Query, chunk: Chunk, sentence: str, quantity: Quantity, weights: dict[str, float], context: str,
    report: ReportInfo | None, around: str,
) -> tuple[float, float] | None:
    if is_year(sentence, quantity) or quantity.unit in ("年", "月", "天"):
        return None
    if quantity.unit == "岁" and "年龄" not in query.measure:
        return None
    if re.search(r"(?:表|图|案例|附件|附表)\s*[\d.\-—－]*$", sentence[: quantity.start]):
        return None
    if not quantity.unit and not sentence[: quantity.start].strip():
        return None
    if _over_years(query, sentence[: quantity.start]) or _NOT_COUNTED.match(sentence, quantity.end):
        return None
    if not quantity.unit and "序号" in sentence[: quantity.start]:
        return None  # a row's number in a table flattened into the text (序号 单位名称 专业 1 …)
    if not respective(query, weights, sentence, quantity.start):
        return None
    fit = unit_fit(query.unit, quantity.unit)
    follower = sentence[quantity.end:].lstrip()[:1]
    if not quantity.unit and follower and follower in query.measure and not follower.isdigit():
        fit = 0.1
    measure = query.measure
    if not query.unit and (named := named_unit(measure, quantity.unit)):
        fit, measure = unit_fit(quantity.unit, quantity.unit), measure[: -len(named)]
    if fit is None:
        return None
    before = sentence[: quantity.start]
    owning = clause(sentence, quantity)
    segment = re.split(r"[；;]", before)[-1]
    if leaves_out_asked(segment + owning, query.norm) or _counts_other_people(query, before):
        return None
    if per_unit_missing(query.measure, before + owning + sentence[quantity.end:].split("，")[0]):
        return None
    own_level = bool(levels_in(owning))
    level = level_fit(query, owning if own_level else segment, report, around=around)
    if level is None:
        return None
    level -= LEVEL_BEFORE if level > 0 and not own_level else 0.0
    # A part after 其中 is of the whole before it: its school, its kind of people (not its siblings).
    whole = inherited(sentence, quantity.start) or total_of(before, owning)
    owned = f"{whole} {owning}" if whole else owning
    part = PART if adds_nothing(query, weights, context + before) else 0.0
    year = own_year(before)
    if query.year is not None:
        if year is not None and year not in query.years:
            return None
        if year is None and chunk.year is not None and chunk.year not in query.years:
            return None
    change = bool(CHANGE.search(owning)) != bool(CHANGE.search(query.measure))
    change = change or opposite(query.measure, owning)
    match = 0.5 * coverage(weights, owned) + 0.5 * coverage(weights, context + before + owning)
    bonus = level + fit + 0.15 * precision(weights, owning) - (0.3 if change else 0.0) + match / 2 - part
    bonus -= 0.6 if qualified_otherwise(query, f"{among(before)} {owning}") else 0.0
    bonus -= 0.7 if _modifier_missing(query, sentence) else 0.0
    lead = re.split(r"[，,；;：:（(、]", before)[-1]
    implied = implied_people(measure, quantity.unit, before + owning)
    measure = measure[: len(measure) - len(implied)]
    bonus -= 0.4 if other_head(canonical(measure), canonical(lead), canonical(owning)) else 0.0
    # The head noun may follow the number within its clause (对 61 所院校开展教学质量监测).
    rest = re.split(r"[，,；;。]", sentence[quantity.end:])[0]
    bonus -= 0.5 if _head_missing(measure, before + owning + rest) else 0.0
    bonus -= OTHER_FOLLOWER if other_modifier(query, _counted_after(rest)) else 0.0
    bonus -= 0.5 if compound_missing(query.measure, sentence) else 0.0
    bonus -= NUMBER_MISSING if numbers_missing(query.measure, f"{context} {segment}{owning}") else 0.0
    bonus -= 0.5 if type_missing(query, owned if whole else before + owning) else 0.0
    bonus -= ITEM_FOR_TOTAL if wants_total(query) and in_enumeration(sentence, quantity) else 0.0
    return match + bonus, match


def _over_years(query: Query, before: str) -> bool:
    """True when the sentence up to a number sums several years (近五年来, 自2018年以来, 历年) with
    no year stated after that, or its clause names years together (2020年、2021年…共), and the
    question asks for no such span: no one year's figure."""
    if len(query.years) < 2 and _YEARS_TOGETHER.search(re.split(r"[，,；;]", before)[-1]):
        return True  # 2020年、2021年毕业生共1653人
    spans = list(_SPAN.finditer(before))
    if not spans or _ASKS_SPAN.search(query.norm):
        return False
    return not re.search(r"20\d\d\s*年", before[spans[-1].end():])


def _counted_after(rest: str) -> str:
    """The noun phrase a number's unit goes on to, up to the next item (「11 项出海职业认证清单和 7 项
    国际职业资格互认清单」: 出海职业认证清单 for 11)."""
    return re.split(r"[、和及与\d]", rest)[0]


def own_year(before: str) -> int | None:
    """The year stated before a number, unless the number is what a figure of that year became
    (「由 2020 年的 217 人增长为 231 人」: 231 is not 2020's)."""
    year = stated_year(before)
    if year is None:
        return None
    at = before.rfind(str(year))
    starts = re.search(r"[由从]\s*$", before[max(0, at - 2): at])
    return None if starts and _REACHED.search(before[at:]) else year


def named_unit(measure: str, unit: str) -> str:
    """The last word of a measure when it is the number's unit (「特色活动场次」, 「累计参加 人次」 for
    场 or 人次): a terse question names its unit as its last word, without 多少; else ''."""
    found = all_words(measure)
    last = found[-1] if len(found) >= 2 else ""
    return last if unit and last in (unit, f"{unit}次") else ""


def _modifier_missing(query: Query, sentence: str) -> bool:
    """``modifier_missing``, where the qualifying words may be written as a synonym (招收 for 招生)."""
    if not modifier_missing(query, sentence):
        return False
    found = [w for w in all_words(core(query.measure)) if w not in FUNCTION_WORDS]
    written = (other for word in found[-3:-1] for other in alternatives(word) if other != word)
    return not any(other in sentence for other in written)


def numbers_missing(measure: str, text: str) -> bool:
    """Whether the measure names a number (13 所高职学校, 3+2) that the text owning a number does not
    write as a number of its own (6 is not written in 260)."""
    asked = [re.sub(r"\s", "", n) for n in re.findall(r"\d+(?:\s*[-+]\s*\d+)*", normalize(measure))]
    written = re.sub(r"\s", "", normalize(text))
    return any(not re.search(r"(?<![\d.])" + re.escape(number) + r"(?![\d.])", written) for number in asked)


def total_of(before: str, owning: str) -> str:
    """The clause before a number's own when that one only totals it (「学历留学生规模稳步扩大，总数
    达到429人」: 总数 of the 学历留学生), else ''."""
    if not _ONLY_TOTAL.match(owning.strip()):
        return ""
    clauses = [c for c in re.split(r"[，,；;]", before) if c.strip()]
    return clauses[-2] if len(clauses) >= 2 else ""


def among(before: str) -> str:
    """The whole a sentence first names as 「X中，」 (「高职院校专任教师中，具有博士学位 825 人」): the
    number is a part of X, as after 其中, and X qualifies it; '' when there is none."""
    found = _AMONG.findall(before)
    return found[-1] if found else ""


def implied_people(measure: str, unit: str, clause: str) -> str:
    """The people word ending a measure (学生 of 「实际招了多少学生」, 实际招生学生) when the number
    counts people in 人 and its clause names no people: its unit says whom (「实际招生 907 人」)."""
    found = _PEOPLE_LAST.search(measure)
    if not found or found.group(0) == "人" or base_unit(unit) != "人" or found.start() < 2:
        return ""
    named = [word for word in re.findall(PEOPLE, clause) if word != "人"]
    return "" if named else found.group(0)


def _head_missing(measure: str, text: str) -> bool:
    """``head_missing``, where a one-character synonym of the head, which bigrams never meet, is
    read as written: 率 right after the asked qualifier (「直接就业率 3.08%」 for 直接就业的比例, not
    升学率), or % of a share (「占专业布点总数的 87.96%」)."""
    if not head_missing(measure, text):
        return False
    found = content_words(measure)
    qualifier = found[-2] if len(found) >= 2 else ""
    singles = [word for word in alternatives(found[-1]) if len(word) == 1]
    return not any((word == "%" and "占" in text) or (qualifier and qualifier + word in text)
                   for word in singles)


def _counts_other_people(query: Query, before: str) -> bool:
    """True when the number counts other people than the question does: 「教师 2019 人，参与学生
    8563 人」 for 「多少学生参与」."""
    asked = counted_people(query.norm)
    stated = _PEOPLE_BEFORE.search(before)
    if not asked or not stated:
        return False
    a, b = canonical(asked), canonical(stated.group(1))
    return b != "人" and a not in b and b not in a


def answer(query: Query, retrieve: Callable[[Query], Retrieval], lexicon: Lexicon) -> Answer:
    """An extractive Answer for ``query``: stated, computed, a list, or a refusal."""
    retrieval = retrieve(query)
    if retrieval.refusal:
        return refusal(query, retrieval, retrieval.refusal)
    if query.is_list:
        return list_answer(query, retrieval, lexicon)
    if query.operation != "lookup" and query.parts:
        computed = _computed_answer(query, retrieval, retrieve, lexicon)
        if computed is None and query.operation == "share":
            # A share a year before the report's: its stated share and the change in points.
            computed = _from_next_year(query, retrieval, lexicon)
        return computed or refusal(query, retrieval)
    found = find(query, retrieval, lexicon, margin=MARGIN)
    if found is not None:
        return _stated(query, retrieval, exact_for(query, found, retrieval, lexicon) or found)
    computed = _from_next_year(query, retrieval, lexicon) or _listed_total(query, retrieval, lexicon)
    return computed or refusal(query, retrieval)


def exact_for(query: Query, found: Evidence, retrieval: Retrieval, lexicon: Lexicon) -> Evidence | None:
    """The exact figure that an approximate one (超5.8万人次, 近100%) rounds, when another source
    states it for the question (58840 人次 in a table): the first candidate in the same unit that
    the approximation allows and that is not approximate itself; None for an exact ``found``."""
    if _qualifier(found) not in APPROXIMATE or found.value is None:
        return None
    pool = candidates(query, retrieval, lexicon, threshold=0.0)
    return next((e for e in pool if e.value is not None and not _qualifier(e) and _rounds(found, e)), None)


def _rounds(approximate: Evidence, exact: Evidence) -> bool:
    """Whether ``exact`` is a value the approximate figure stands for: in the same unit, within
    one step of its last digit (5.8万: 1000), above it after 超过 and not above it after 近."""
    (near, unit), (value, stated) = _base(approximate), _base(exact)
    if unit != stated or value == near:
        return value == near and unit == stated
    digits = approximate.raw.split(".")[1] if "." in approximate.raw else ""
    step = 10 ** -len(re.sub(r"\D.*", "", digits)) * split_multiplier(approximate.unit)[0]
    above = APPROXIMATE[_qualifier(approximate)] == "超过"
    below = APPROXIMATE[_qualifier(approximate)] == "接近"
    return abs(value - near) < step and not (above and value < near) and not (below and value > near)


def _base(found: Evidence) -> tuple[float, str]:
    value, unit = Quantity(found.value or 0.0, found.unit, found.raw, 0, 0).base()
    return value, base_unit(unit)


def _from_next_year(query: Query, retrieval: Retrieval, lexicon: Lexicon) -> Answer | None:
    """Last year's value from a sentence stating this year's value and its change (较上一年减少 243 人)."""
    years = {d.data_year for d in retrieval.documents}
    if query.year is None or len(years) != 1 or years != {query.year + 1}:
        return None
    current = find(replace(query, years=(query.year + 1,)), retrieval, lexicon)
    if current is None or current.fact is not None or current.value is None:
        return None
    tail = current.quote[current.quote.find(current.raw) + len(current.raw):]
    result = arithmetic.before_change(current.value, current.unit, tail)
    if result is None:
        return None
    shown = arithmetic.with_unit(result.value, result.unit)
    text = f"答：{shown}。\n计算：{result.formula}（{query.year + 1}年的数及其变化见[1]）"
    return Answer(
        question=query.text, text=text, value=result.value, unit=result.unit, refused=False,
        mode="extractive", citations=(cite(1, current),),
        retrieved=evidence_first(retrieval.hits, [current]), computation=result.formula,
    )


def _stated(query: Query, retrieval: Retrieval, found: Evidence) -> Answer:
    citation = cite(1, found)
    text = f"答：{found.ratio or display(found)}。\n{where(found.fact, found.quote, found.chunk)}[1]"
    qualifier = _qualifier(found)
    if qualifier in APPROXIMATE:
        text += f"\n注意：原文写作“{qualifier}{found.raw}”，是{APPROXIMATE[qualifier]}值。"
    return Answer(
        question=query.text, text=text, value=found.value, unit=found.unit, refused=False,
        mode="extractive", citations=(citation,), retrieved=evidence_first(retrieval.hits, [found]),
        confidence=round(found.score, 4),
    )


def display(found: Evidence) -> str:
    """The number as the source writes it, with its unit and the qualifier before it (近100%)."""
    quantity = parse_quantity(found.raw)
    shown = found.raw if quantity is not None and quantity.unit else f"{found.raw} {found.unit}".strip()
    qualifier = _qualifier(found)
    return f"{qualifier}{shown}" if qualifier in APPROXIMATE else shown


def _qualifier(found: Evidence) -> str:
    """The word right before a number in its sentence that makes it approximate (近, 约, 超过)."""
    if found.fact is not None or not found.raw:
        return ""
    at = found.quote.find(found.raw)
    return qualifier_before(found.quote[:at]) if at > 0 else ""


def _computed_answer(
    query: Query, retrieval: Retrieval, retrieve: Callable[[Query], Retrieval], lexicon: Lexicon
) -> Answer | None:
    """The answer a report states for the whole question (a total, share or ratio naming every
    operand), else the computation over operands chosen jointly, else a stated change for a
    difference; None when an operand is missing (never a lookup of one operand)."""
    batches = _batches(query)
    direct = find(query, retrieval, lexicon) if one_scope(query) else None
    if direct is not None and (direct.score < STRONG or not _in_asked_unit(query, direct.unit) or batches):
        direct = None
    # What the number itself is stated as (its cell, or its clause), not its neighbours.
    named = "" if direct is None else direct.label if direct.fact else _clause_of(direct.label)
    if direct is not None and states_whole(query, direct.label, named, table=direct.fact is not None):
        return _stated(query, retrieval, direct)
    operation = arithmetic.operation(query.operation)
    if any(_LEFT_OVER.match(part.measure) for part in query.parts):
        return None  # 「中专和职高的…，2025年比2020年」: items the plan did not split are no operand
    options = [_options(part, retrieve(part), lexicon) for part in query.parts]
    chosen = arithmetic.choose(operation, options) if operation is not None else None
    if chosen is None:
        # A report may state the change itself (「增加 248 人」) without both counts.
        if direct is None or query.operation != "difference":
            return None
        changed = names_operands(query.parts, named, change=True)
        return _stated(query, retrieval, direct) if changed else None
    inputs, result = chosen
    if not read_alike(query.parts, [e.label for e in inputs]):
        return None
    if batches and len({(e.chunk.id, e.line) for e in inputs}) < batches:
        return None  # 前两批…一共: operands read from one batch's sentence leave the other out
    return _computed(query, retrieval, inputs, result)


def _batches(query: Query) -> int:
    """How many batches (rounds) a question adds over (「前两批…一共」), or 0 when it names none."""
    found = _BATCHES.search(query.norm)
    return "一两三四五六七八九十".find(found.group(1).replace("二", "两")) + 1 if found else 0


def _computed(
    query: Query, retrieval: Retrieval, inputs: Sequence[Evidence], result: arithmetic.Result
) -> Answer:
    """The answer stating ``result`` with its formula, citing each line its inputs are on once."""
    lines = list(dict.fromkeys((e.chunk.id, e.line) for e in inputs))
    first = {key: next(e for e in inputs if (e.chunk.id, e.line) == key) for key in lines}
    citations = tuple(cite(n, first[key]) for n, key in enumerate(lines, start=1))
    marks = "".join(f"[{n}]" for n in range(1, len(lines) + 1))
    text = compose.computed_text(result, marks)
    return Answer(
        question=query.text, text=text, value=result.size, unit=result.unit, refused=False,
        mode="extractive", citations=citations, retrieved=evidence_first(retrieval.hits, inputs),
        computation=result.formula, confidence=round(min(e.score for e in inputs), 4),
    )


def states_whole(query: Query, label: str, named: str, *, table: bool) -> bool:
    """Whether the number stated as ``label`` answers the whole computed question: it names every
    operand (``named``, its cell or clause), and is not one item's own number in a list of them
    (一等奖 6 项、二等奖 13 项). A difference is always computed, or read from a stated change."""
    if query.operation == "difference" or not names_operands(query.parts, named):
        return False
    return table or not lists_parts(query.parts, label)


def _listed_total(query: Query, retrieval: Retrieval, lexicon: Lexicon) -> Answer | None:
    """A total the question asks for (一共拿了多少个奖) that no source states, as the sum of the parts
    one source lists: a sentence's list of kinds of the asked thing (7 个一等奖、3 个二等奖、4 个
    三等奖), or the cells of a table column whose rows read alike (one school's several majors)."""
    if not _TOTAL_ASK.search(query.norm):
        return None
    for found in candidates(query, retrieval, lexicon, threshold=PART_THRESHOLD):
        if found.fact is None:
            inputs, numbers = [found], [(q.value, q.unit) for q in _listed_parts(query, found)]
        else:
            inputs = _rows_alike(query, found, retrieval, lexicon)
            numbers = [(e.value, e.unit) for e in inputs if e.value is not None]
        result = arithmetic.compute("sum", numbers)
        if result is not None:
            return _computed(query, retrieval, inputs, result)
    return None


def _rows_alike(query: Query, found: Evidence, retrieval: Retrieval, lexicon: Lexicon) -> list[Evidence]:
    """The cells of ``found``'s column and year, one per table row, whose row reads as its row does
    (the row names the school, another column the major); none unless the lookup sees every one of
    them, and none for rates (each row's rate has its own whole; two rates on one line are a part
    and its group's total, B+ 22.73% and B档 29.54%)."""
    if found.fact is None or found.unit == "%":
        return []
    key = (found.fact.doc_id, found.fact.table, found.fact.row, found.fact.column, found.fact.year)
    same = [f for f in retrieval.facts if (f.doc_id, f.table, f.row, f.column, f.year) == key]
    cells = fact_evidence(query, same, retrieval, lexicon)
    one_per_row = len({f.line for f in same}) == len(same)
    return cells if len(same) >= 2 and len(cells) == len(same) and one_per_row else []


def _listed_parts(query: Query, found: Evidence) -> list[Quantity]:
    """The numbers of the list in ``found``'s clause when each item has one number in one unit and
    a name ending like the others' (…一等奖、…二等奖) in what the question asks for (奖); none when
    the sentence states a total itself or breaks down something else (其中 …)."""
    if found.fact is not None or _STATED_TOTAL.search(found.quote) or "其中" in found.quote:
        return []
    end = len(found.label.lstrip())
    start = max((m.end() for m in _CLAUSE_END.finditer(found.quote, 0, end)), default=0)
    stop = next((m.start() for m in _CLAUSE_END.finditer(found.quote, end)), len(found.quote))
    items = re.split(r"以及|、|和|及", found.quote[start:stop])
    counted = [[q for q in quantities(item) if q.unit not in ("年", "月", "日")] for item in items]
    if len(items) < 2 or any(len(numbers) != 1 for numbers in counted):
        return []
    parts = [numbers[0] for numbers in counted]
    if len({arithmetic.unit_kind(q.unit) for q in parts}) != 1:
        return []
    names = [item.replace(q.raw, "").strip() for item, q in zip(items, parts, strict=True)]
    kind = names[0][len(names[0]) - _shared_start([n[::-1] for n in names]):]
    return parts if len(kind) >= 2 and kind[-1] in query.measure else []


def _clause_of(label: str) -> str:
    return re.split(r"[，,；;。]", label)[-1]


def _in_asked_unit(query: Query, unit: str) -> bool:
    return not query.unit or arithmetic.unit_kind(unit) == arithmetic.unit_kind(query.unit)


def _options(part: Query, retrieval: Retrieval, lexicon: Lexicon) -> list[arithmetic.Option[Evidence]]:
    """An operand's candidates for the joint choice: those as good as its best number (the same
    quantity, exactly or rounded, or within the answerer's margin) and, to fall back on when no
    combination of those computes, the next ones in their units."""
    good = [e for e in candidates(part, retrieval, lexicon, threshold=PART_THRESHOLD)
            if e.value is not None and of_asked_year(part, e.fact)]
    if not good:
        return []
    best = good[0]
    near = [e for e in good if e.score > best.score - MARGIN or _same_quantity(e, best)]
    others = [e for e in good if e not in near][:OTHER_OPTIONS]
    return [arithmetic.Option(e, e.value, e.unit, e.score, _source(e), near=e in near, at=_place(e))
            for e in [*near[:OTHER_OPTIONS], *others] if e.value is not None]


def _place(found: Evidence) -> str:
    return found.fact.id if found.fact is not None else f"{found.chunk.id}:{found.line}:{found.label}"


def of_asked_year(part: Query, fact: TableFact | None) -> bool:
    """False for a cell in another year's row or column (a table whose title names a span of
    years, 2015—2020, lets every column through the lookup)."""
    if fact is None or not part.years:
        return True
    named = {int(y) for y in re.findall(r"(?:19|20)\d\d", f"{fact.row} {fact.column}")}
    return not named or bool(named & set(part.years))


def read_alike(parts: Sequence[Query], labels: Sequence[str]) -> bool:
    """When the question names a kind of school (职业高中), no operand is read from that kind's row
    while another is read from the whole level's (中职学校): one year's 中职 total is not compared
    with another year's 职业高中 row. ``labels`` say what each chosen number is."""
    readings = {_school_reading(part, label) for part, label in zip(parts, labels, strict=True)
                if part.school_type}
    return not {"kind", "level"} <= readings


def _school_reading(part: Query, label: str) -> str:
    """'kind' when the label names the operand's kind of school, 'level' when it names only the
    whole level, '' when it names neither (a report on that kind of school alone)."""
    text = _NOT_INCLUDED.sub("", label)
    if any(name in text for name in part.school_type):
        return "kind"
    return "level" if any(word in text for word in LEVELS.get(part.level, ())) else ""


def _same_quantity(a: Evidence, b: Evidence) -> bool:
    """The same number (in a cell and a sentence, 元 and 元/月) or one rounded from the other."""
    if a.value is None or b.value is None:
        return False
    if a.value == b.value:
        return True
    x, y = (a.value, a.unit), (b.value, b.unit)
    return arithmetic.rounds_to(x, y) or arithmetic.rounds_to(y, x)


def _source(found: Evidence) -> str:
    return f"{found.chunk.doc_id}|{found.fact.title}" if found.fact is not None else found.chunk.id


def names_operands(parts: Sequence[Query], text: str, *, change: bool = False) -> bool:
    """True when ``text`` names what tells the operands apart (普通中专 vs 成人中专, 中职 vs all, each
    item of a sum); with ``change``, a stated change (「增加 248 人」) tells a year from the one before."""
    marks = [_operand_marks(p) for p in parts]
    for i, own in enumerate(marks):
        others = set().union(*(m for j, m in enumerate(marks) if j != i))
        if own - others and not any(_mentions(mark, text) for mark in own - others):
            return False
    if not all(core[:2] in text for core in _distinct_cores([p.measure for p in parts])):
        return False
    years = [set(p.years) for p in parts]
    differing = sorted(set[int]().union(*years) - years[0].intersection(*years[1:])) if years else []
    if all(str(y) in text for y in differing):
        return True
    consecutive = len(differing) == 2 and differing[1] - differing[0] == 1
    return change and consecutive and bool(CHANGE.search(text))


def lists_parts(parts: Sequence[Query], label: str) -> bool:
    """True when the clause of a sentence up to its number gives another number after the first
    operand it names (「一等奖 6 项、二等奖 13 项、三等奖 17 项」): each item has its own, so the
    last is a part, not the total (「一等奖、二等奖和三等奖共 36 项」 names them together)."""
    clause_ = _clause_of(label)
    marks = [_operand_marks(p) for p in parts]
    own = [m - set().union(*(other for other in marks if other is not m)) for m in marks]
    names = [name for mine in own for mark in mine for name in LEVELS.get(mark, alternatives(mark))]
    at = min((i for name in names if (i := clause_.find(name)) >= 0), default=-1)
    return at >= 0 and len(quantities(clause_[at:])) > 1


def _distinct_cores(measures: Sequence[str]) -> list[str]:
    """What each measure says that the others do not, between their shared start and end
    (专任教师「正高级」占比 vs 专任教师「副高级职称」占比): word marks miss a 正 or 副."""
    start = _shared_start(measures)
    end = _shared_start([m[::-1] for m in measures])
    return [core for m in measures if (core := m[start: max(start, len(m) - end)])]


def _shared_start(texts: Sequence[str]) -> int:
    return next((i for i, chars in enumerate(zip(*texts, strict=False)) if len(set(chars)) > 1),
                min((len(t) for t in texts), default=0))


def _operand_marks(part: Query) -> set[str]:
    marks = {w for w in words(part.measure) if w not in FUNCTION_WORDS}
    return marks | ({part.level} if part.level else set())


def _mentions(mark: str, text: str) -> bool:
    return any(name in text for name in LEVELS.get(mark, alternatives(mark)))


def one_scope(query: Query) -> bool:
    """True when every operand is about the same region (so one report may state the result)."""
    return len({p.region for p in query.parts}) <= 1


def list_answer(query: Query, retrieval: Retrieval, lexicon: Lexicon) -> Answer:
    """The sentence that best enumerates what a 有哪些 question asks for, or a refusal."""
    weights = lexicon.weights(canonical(query.measure))
    best: tuple[float, Chunk, str, int] | None = None
    chunks = [c for doc in retrieval.documents for c in retrieval.chunks_by_doc.get(doc.doc_id, ())]
    counted = _asked_count(query)
    for chunk in chunks or [h.chunk for h in retrieval.hits]:
        if chunk.kind == "table_row" or not _of_asked_years(query, chunk):
            continue
        for sentence, offset in sentences(chunk.text):
            score = coverage(weights, sentence) + 0.05 * min(len(re.findall(r"[、]|和|及", sentence)), 4)
            score += 0.15 if re.search(r"分别[是为]|包括|[有为是]：", sentence) else 0.0
            score += COUNTED_LIST if counted and counted.search(sentence) else 0.0
            if best is None or score > best[0]:
                best = (score, chunk, sentence, offset)
    if best is None or best[0] < LIST_THRESHOLD:
        return refusal(query, retrieval)
    score, chunk, sentence, offset = best
    line = line_at(chunk, offset)
    found = Evidence(None, "", "", score, chunk, sentence.strip(), line, sentence)
    return Answer(
        question=query.text, text=f"{sentence.strip()}[1]", value=None, unit="", refused=False,
        mode="extractive", citations=(cite(1, found),), retrieved=evidence_first(retrieval.hits, [found]),
    )


def _of_asked_years(query: Query, chunk: Chunk) -> bool:
    return not query.years or chunk.year is None or chunk.year in query.years


def _asked_count(query: Query) -> re.Pattern[str] | None:
    """For 「哪两个专业」, the count of them a sentence listing them states (2 个专业, 两门课), else None."""
    found = _COUNTED_ASK.search(query.norm)
    if found is None:
        return None
    n = "一两三四五六七八九十".find(found.group(1).replace("二", "两")) + 1
    spelled = "两二" if n == 2 else found.group(1)
    return re.compile(rf"(?:(?<!\d){n}|[{spelled}])\s*{found.group(2) or ''}{found.group(3)}")
