"""Numbers in running text scored against a question: the words of a number's own clause and
sentence around it, its year, level, the people it counts and its school."""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

from rag import schools
from rag.evidence import (
    COUNTS,
    Evidence,
    counted_in_people,
    level_fit,
    numbers_missing,
    of_another_contest,
    owner_unnamed,
    qualified_otherwise,
    run_by_the_other,
    share_unasked,
    unit_fit,
)
from rag.frames import (
    CHANGE,
    NO_SUBJECT,
    clause,
    counts_left_out,
    gives_example,
    in_case_block,
    in_enumeration,
    inherited,
    is_year,
    leaves_out_asked,
    line_at,
    names_a_school,
    previous_item,
    quantities,
    sentences,
    stated_year,
)
from rag.grams import grams
from rag.index.tokenize import jieba
from rag.numbers import Quantity, base_unit, find_ratios, normalize
from rag.query import PEOPLE, Query, counted_people, levels_in, ranks_named, wants_ratio, wants_total
from rag.rank.lexical import (
    FUNCTION_WORDS,
    adds_nothing,
    all_types_for_one,
    all_words,
    alternatives,
    bound_missing,
    canonical,
    compound_missing,
    content_words,
    core,
    coverage,
    head_missing,
    modifier_missing,
    modifiers_of,
    only_the_head_named,
    opposite,
    other_head,
    other_modifier,
    other_titles,
    per_unit_missing,
    per_unit_unasked,
    precision,
    respective,
    type_missing,
)
from rag.retriever import Lexicon, Retrieval
from rag.school_scope import (
    Scope,
    about_another_school,
    measure_alone,
    question_scope,
    reports_without,
    school_fit,
    without_named_kind,
)
from rag.types import Chunk, ReportInfo

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
_HAN = re.compile(r"[\u4e00-\u9fff]")
_REACHED = re.compile(r"(?:增长|增加|提高|上升|提升|下降|减少|降低|扩大)(?:为|到|至)|[升降增]至")
_MAJOR_FIRST = re.compile(r"\s*([\u4e00-\u9fff]{2,12}?专业)(?!群|布点|设置|建设|数|总数)")
"""A major opening a clause as its subject (学前教育专业在…赛项中)."""
_REFERS_BACK = re.compile(r"[此本该这]次")
"""Words pointing back to the event the previous sentence names (此次大赛, 本次活动)."""
_OPENING = re.compile(r"\s*(?:约|近|超过|超|逾|有)?\s*")
"""What may stand before a number that opens its sentence."""
_PEOPLE_BEFORE = re.compile(rf"({PEOPLE})\s*(?:共|有|为|达)?\s*$")
"""The people a number counts when their name stands right before it (教师 2019 人)."""
ASIDE = 0.3
"""Penalty for a number about one school (a case block, a clause naming a school) when the
question names none."""
PART = 0.3
"""Penalty for a part after 其中 whose own words the question does not ask for (it asks for the whole)."""
ITEM_FOR_TOTAL = 0.3
"""Penalty for one item of a 、-list when the question asks for a total (合计, 一共)."""
ITEM_HEAD = 0.5
"""Penalty for one item of a 、-list that does not write the asked head noun the item before it
writes (培训社区居民 12952 人次 for 培训学生): that one is the asked number."""
OTHER_FOLLOWER = 0.4
"""Penalty for a number whose counted noun, written after it, is qualified otherwise than the asked one."""
OTHER_COUNTED = 0.3
"""Penalty for a count whose unit goes on to a noun the question does not name."""
NUMBER_MISSING = 0.5
"""Penalty for a number whose own part of the sentence lacks a number the measure names (13所)."""
LEVEL_BEFORE = 0.1
"""Less bonus for an asked level named only in an earlier clause of the sentence than in the
number's own (「开设综合高中班，…升学率达到 97.69%」 may be about a part of the level)."""


LEAD_IN = 160
"""How much of its paragraph before the previous sentence lends a sentence its context (characters)."""


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
    # The paragraph before the previous sentence says what the sentence goes on about (a case's
    # title names its event); 「此次大赛」 is the one the previous sentence names.
    paragraph = chunk.text[:offset].rsplit("\n", 1)[-1]
    lead_in = paragraph[: max(paragraph.rfind(previous), 0)][-LEAD_IN:] if previous else paragraph[-LEAD_IN:]
    context = f"{chunk.section} {lead_in} {previous if _REFERS_BACK.search(sentence) else previous[-40:]}"
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
        # A number opening its sentence (「约 80.51%的高职毕业生选择留京就业」) counts what follows it,
        # not what the sentence before measured.
        own_context = f"{chunk.section} {lead_in}" if _OPENING.fullmatch(before) else context
        scored = _quantity_score(query, chunk, sentence, quantity, weights, own_context, report, around)
        if scored is None:
            continue
        # A question naming its school is not answered by a number about another school: the
        # last one its paragraph names (「北京A学院…429人。北京B学院…学校…164人」: 164 is B's).
        if scope.school and about_another_school(scope.school, chunk.text[:offset], before):
            continue
        school = region_asked and names_a_school(re.split(r"[；;]", before)[-1])
        score = scored[0] - (ASIDE if case or school else 0.0)
        paragraph = chunk.text[:offset].rsplit("\n", 1)[-1]
        if run_by_the_other(query, paragraph + before) or owner_unnamed(query, paragraph + before, sentence):
            continue
        if of_another_contest(query, before):
            continue
        lead = re.split(r"[，,；;：:（(、]", before)[-1]
        segment = re.split(r"[；;]", before)[-1]
        fit = school_fit(scope.asked, lead, clause(sentence, quantity), segment, before, paragraph,
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
    # A date, or a span the question does not ask for (多少年的办学历史 asks for 42年)
    asked_span = quantity.unit in ("年", "月", "天") and quantity.unit == query.unit and quantity.value < 1900
    if not asked_span and (is_year(sentence, quantity) or quantity.unit in ("年", "月", "天")):
        return None
    if quantity.unit == "岁" and "年龄" not in query.measure:
        return None
    if re.search(r"(?:表|图|案例|附件|附表)\s*[\d.\-—－]*$", sentence[: quantity.start]):
        return None
    if not quantity.unit and not sentence[: quantity.start].strip():
        return None
    if _over_years(query, sentence[: quantity.start]) or _NOT_COUNTED.match(sentence, quantity.end):
        return None
    if not quantity.unit and re.match(r"\s*[级星成]", sentence[quantity.end:]):
        return None  # a grade (英语4级), a share in tenths (超6成), not a count
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
    if fit is None or share_unasked(query, quantity.unit):
        return None
    before = sentence[: quantity.start]
    owning = clause(sentence, quantity)
    segment = re.split(r"[；;]", before)[-1]
    if leaves_out_asked(segment + owning, query.norm) or _counts_other_people(query, before):
        return None
    if counts_left_out(re.split(r"[，,；;、和]", before)[-1], query.norm):  # 贯通培养升学 172 人, left out
        return None
    if per_unit_missing(query.measure, before + owning + sentence[quantity.end:].split("，")[0]):
        return None
    if per_unit_unasked(query.measure, before):
        return None  # 「生均仪器设备价值…增长了 8.65%」 for 仪器设备价值
    lead = re.split(r"[，,；;：:（(、]", before)[-1]
    if bound_missing(query.measure, before + owning) or _other_rank(query.measure, lead):
        return None
    if only_the_head_named(query.measure, f"{context} {before}{owning}"):
        return None
    if other_titles(query.measure, lead) or _asked_part_after(query, sentence[quantity.end:], before):
        return None
    own_level = bool(levels_in(owning))
    level = level_fit(query, owning if own_level else segment, report, around=around)
    if level is None:
        return None
    # A ；-segment naming no level goes on about the level the one before it names.
    levelled = own_level or bool(levels_in(segment))
    if not levelled and level_fit(query, own_subject(before), report, around=around) is None:
        return None
    level -= LEVEL_BEFORE if level > 0 and not own_level else 0.0
    # A part after 其中 is of the whole before it: its school, its kind of people (not its siblings).
    part_of = inherited(sentence, quantity.start)
    subject = subject_of(before, owning)
    whole = part_of or total_of(before, owning) or subject
    owned = f"{whole} {owning}" if whole else owning
    if part_of and adds_nothing(query, weights, f"{part_of}，{before[before.rfind('其中'):]}"):
        return None  # 「18 名教师献血，其中 13 名为党员」: the question asks for the whole, not 党员
    part = PART if adds_nothing(query, weights, context + before) or _one_majors(query, before) else 0.0
    year = own_year(before)
    if query.year is not None:
        if year is not None and year not in query.years:
            return None
        if year is None and chunk.year is not None and chunk.year not in query.years:
            return None
    if _CHANGE_AMOUNT.search(before) and not CHANGE.search(query.measure):
        return None  # 「学校数量较2019年减少1所」: 1 is a change, not the count
    if opposite(query.measure, owning):
        return None  # a rise does not answer how much something fell
    change = bool(CHANGE.search(owning)) != bool(CHANGE.search(query.measure))
    match = 0.5 * coverage(weights, owned) + 0.5 * coverage(weights, context + own_subject(before) + owning)
    bonus = level + fit + 0.15 * precision(weights, owning) - (0.3 if change else 0.0) + match / 2 - part
    bonus -= 0.6 if qualified_otherwise(query, f"{among(before)} {owning}") else 0.0
    # A clause with no subject of its own is qualified by the one it borrows (not 纸质图书's for 数字资源).
    bonus -= 0.7 if _modifier_missing(query, f"{subject} {owning}" if subject else sentence) else 0.0
    implied = implied_people(measure, quantity.unit, before + owning)
    measure = measure[: len(measure) - len(implied)]
    bonus -= 0.4 if other_head(canonical(measure), canonical(lead), canonical(owning)) else 0.0
    # The head noun may follow the number within its clause (对 61 所院校开展教学质量监测).
    rest = re.split(r"[，,；;。]", sentence[quantity.end:])[0]
    # A statistic the reports always name where they state it (招生, 在校生 …) that neither the sentence
    # nor its section names is not what the number is (共涉及…24人 for 专业招生).
    words = content_words(measure)
    if len(words) >= 2 and words[-1] in _STATISTICS and _head_missing(measure, f"{around} {sentence}"):
        return None
    bonus -= 0.5 if _head_missing(measure, before + owning + rest) else 0.0
    sibling = previous_item(sentence, quantity)
    sibling_heads = bool(sibling) and not _head_missing(measure, sibling)
    bonus -= ITEM_HEAD if sibling_heads and _head_missing(measure, owning) else 0.0
    bonus -= OTHER_FOLLOWER if other_modifier(query, _counted_after(rest)) else 0.0
    bonus -= OTHER_COUNTED if _counts_unasked(weights, quantity, rest) else 0.0
    bonus -= 0.5 if compound_missing(query.measure, sentence) else 0.0
    bonus -= NUMBER_MISSING if numbers_missing(query.measure, f"{context} {segment}{owning}") else 0.0
    typed = owned if whole else before + owning
    if all_types_for_one(query, typed):
        return None
    bonus -= 0.5 if type_missing(query, typed) else 0.0
    bonus -= ITEM_FOR_TOTAL if wants_total(query) and in_enumeration(sentence, quantity) else 0.0
    return match + bonus, match


_STATISTICS = frozenset({"招生", "在校生", "毕业生", "教职工", "专任教师"})


def own_subject(before: str) -> str:
    """The text before a number from the last ；-segment that names a school level, when an earlier
    one names another: 「高职院校校内实践教学场所 1953 个…；中职学校校外实习基地 757 个」 lends none
    of 高职's words to 中职's numbers."""
    segments = re.split(r"(?<=[；;])", before)
    for at in range(len(segments) - 1, 0, -1):
        if own := levels_in(segments[at]):
            earlier = levels_in("".join(segments[:at]))
            return "".join(segments[at:]) if earlier - own else before
    return before


_INCLUDED_PART = re.compile(r"\s*[（(](?:含|包含|包括|其中)[:：,，]?([^）)]*)[）)]")


def _asked_part_after(query: Query, after: str, before: str) -> bool:
    """True when the number is a whole whose bracket right after it states a part the question
    asks for, in words the text before the number does not write (783人（含非教育部门办17人）:
    非教育部门办's students are the 17)."""
    part = _INCLUDED_PART.match(after)
    if part is None or "含" in query.norm or not quantities(part.group(1)):
        return False
    return any(w in part.group(1) and w not in before for w in content_words(query.measure))


_CHANGE_AMOUNT = re.compile(r"(?:增加|减少|增长|下降|提高|降低|缩减|扩大|(?<!新)增|减|涨|降)了?\s*$")
"""What a number is the amount of a change after (较上一年减少 883 人), not the measure's value."""


def _one_majors(query: Query, before: str) -> bool:
    """True when the part of a sentence after its last ； is about one major the question does not
    name (「…共获得一等奖 4 个；学前教育专业…获得一等奖 3 个」: 3 is the major's part of the whole)."""
    *earlier, segment = re.split(r"[；;]", before)
    found = _MAJOR_FIRST.match(segment)
    return bool(earlier) and found is not None and found.group(1) not in query.norm


def _other_rank(measure: str, lead: str) -> bool:
    """True when the words right before a number (its ``lead``) name prize ranks, none of them an
    asked one (「一等奖 4 个，二等奖 11 个，三等奖 3 个」: 3 is not 一等奖's)."""
    asked, stated = ranks_named(measure), ranks_named(lead)
    return bool(asked and stated and not asked & stated)


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


def _counts_unasked(weights: dict[str, float], quantity: Quantity, rest: str) -> bool:
    """True when a count (个, 项, 所 …) goes on to a noun the question never asks of (「提供 11 个专业
    线上课程」 for 帮扶项目): the unit counts that noun, not the asked one."""
    counted = jieba.lcut(_counted_after(rest).strip())
    if base_unit(quantity.unit) not in COUNTS or not counted:
        return False
    # An item of a list (「20 个企业实践基地和 4 个…基地」) is a noun phrase: its last word is what
    # it counts, whatever the first qualifies it by.
    nouns = {counted[0], counted[-1]} if _LIST_ITEM.match(rest) else {counted[0]}
    return any(len(noun) >= 2 and bool(_HAN.match(noun)) and not grams(canonical(noun)) & weights.keys()
               for noun in nouns)


_LIST_ITEM = re.compile(r"[^、和及与\d，。；,;：:]+[、和及与]")


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
    """``modifier_missing`` of the question spelled one way (专任老师 is 专任教师, one word qualified by
    what is before it), where the qualifying words may be written as a synonym (招收 for 招生)."""
    spelled = replace(query, measure=canonical(query.measure), norm=canonical(query.norm))
    if not modifier_missing(spelled, sentence):
        return False
    found = [w for w in all_words(core(spelled.measure)) if w not in FUNCTION_WORDS]
    modifiers, _ = modifiers_of(found, spelled.norm)
    written = (other for word in modifiers for other in alternatives(word) if other != word)
    return not any(other in sentence for other in written)


def total_of(before: str, owning: str) -> str:
    """The clause before a number's own when that one only totals it (「学历留学生规模稳步扩大，总数
    达到429人」: 总数 of the 学历留学生), else ''."""
    if not _ONLY_TOTAL.match(owning.strip()):
        return ""
    clauses = [c for c in re.split(r"[，,；;]", before) if c.strip()]
    return clauses[-2] if len(clauses) >= 2 else ""


def subject_of(before: str, owning: str) -> str:
    """The clause before a number's own when that one names no subject (「建筑面积为 222.65 万平方米，
    较上一年减少 4.22 万平方米」: the change of 建筑面积), within its ；-segment, else ''; from further
    back when that one names none either (「留学生招生人数创新高，突破1100人，同比增长19.76%」)."""
    if not NO_SUBJECT.match(owning):
        return ""
    clauses = [c for c in re.split(r"[，,]", re.split(r"[；;]", before)[-1]) if c.strip()][:-1]
    start = len(clauses) - 1
    while start > 0 and (NO_SUBJECT.match(clauses[start]) or len(_HAN.findall(clauses[start])) < 4):
        start -= 1
    return "，".join(clauses[max(start, 0):])


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
