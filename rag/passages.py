"""Passage answers: for a question that does not ask for a number (是怎么做的, 存在哪些问题, 有哪些学校),
the 3–6 sentences or list items of the best-matching section(s) of one report, grouped under their
heading, each cited with its own line.

Sections are scored as a whole (heading path plus the sentences under it), not chunk by chunk, so a
section whose heading says 校企合作 wins over a stray sentence elsewhere that mentions it once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from rag.compose import refusal
from rag.frames import line_at
from rag.query import Query, school_names
from rag.rank.lexical import canonical, coverage
from rag.retriever import Lexicon, Retrieval
from rag.source_lines import SourceLines
from rag.types import Answer, Chunk, Citation, Hit, PassageGroup, ReportInfo

# The thresholds and weights below were set by hand on evals/questions-passage.jsonl (33 questions,
# all five reports) and then checked once on evals/questions-passage-holdout.jsonl (12 questions
# written afterwards); the dev numeric questions' list kind was checked not to get worse.
MAX_ITEMS = 6
MIN_ITEMS = 3
SECTION_THRESHOLD = 0.45
"""Least score of the best section; below it the answer refuses (nothing relevant was found)."""
ITEM_THRESHOLD = 0.3
"""Least coverage of the topic for a sentence chosen on its own merit."""
RELATIVE = 0.5
"""A sentence chosen on its own merit covers at least this share of what the best one covers."""
FILL_THRESHOLD = 0.2
"""Least coverage for a sentence kept to reach MIN_ITEMS (it must still touch the topic)."""
ANCHOR_SCORE = 2.0
"""The score given to an anchor sentence: above any coverage, so it always leads its section."""
ANCHOR_BONUS = 0.3
"""How much an anchor raises its section's score (a wrong anchor can still be outranked)."""
HEADING_MATCH = 0.5
"""Least topic coverage of a heading for everything under it to answer (「面临哪些挑战」 → 8. 面临挑战)."""
COUNTED_BONUS = 1.0
"""The raise when the question counts what it lists (哪六大领域, 哪三所学校): the enumerating
sentence the extractive answerer found is then nearly always the answer."""
MAX_GROUPS = 4
HEADED_CANDIDATES = 3
"""How many of the best sections are looked at for a heading that names the topic."""
ROW_CONTEXT = 0.25
"""Weight of a table row's context (report, section, table title) beside its own text."""
SECOND_SECTION = 0.85
"""A second section joins when it scores at least this share of the best one."""
HEADING_WEIGHT = 0.6
"""Weight of the heading path's topic coverage in a section's score (beside its best sentences)."""
HIT_BONUS = 0.15
"""Raise for a section holding a top hybrid-retrieval hit (divided by that hit's rank)."""

_NUMERIC = re.compile(r"多少|(?<!哪)几(?!乎)|[率]|比例|比重|占比|百分|人数|数量|总数|金额|几倍")
_TERSE_NUMERIC = re.compile(r"计划招生|招生计划|[\u4e00-\u9fff][数额量](?![\u4e00-\u9fff])")
"""A number a terse question names without asking 多少 (计划招生, 赛项数 at a word's end)."""
_ASKS_HOW = re.compile(r"怎么|怎样|如何|哪些|什么|措施|做法|举措|经验")
_CUES = re.compile(
    r"怎么|怎样|如何|哪些|哪几|哪[一二两三四五六七八九十\d]+[个所家项种类大位名部]|什么|措施|做法|举措|经验|成效|成果|情况"
    r"|问题|挑战|不足|困难|特色|亮点|介绍|概述|概括|说说|谈谈|主要|思路|目标|计划|方向|机制|模式|怎么样"
)
_QUESTION_WORDS = re.compile(
    r"是怎么|怎么样|怎么|怎样|如何|做了什么|做了哪些|做什么|做了|有哪些|是哪些|哪些|哪几|什么|主要|具体|请"
    r"|介绍一下|介绍|说说|谈谈|一下|开展了|开展|进行了|进行|采取了|采取|方面|有何|呢|吗|做法|情况"
)
_EDGES = re.compile(r"^(?:在|做|是|对|把)|(?:上|中)$")
_FRAMING = re.compile(r"存在|面临|遇到|碰到")
"""Verbs that frame a question about problems (存在哪些问题) without being its topic."""
_ANSWER_KIND = re.compile(r"措施|举措|做法|办法|经验")
"""What kind of passage is asked for (采取了哪些措施), not what it is about."""
_SUBJECT = re.compile(r"中等职业教育|高等职业教育|职业教育|中职教育|高职教育|中职学校|职业院校|中职|高职")
"""What the whole report is about: left out of a topic that has words of its own."""
_COUNTED = re.compile(r"哪[几一二两三四五六七八九十\d]+[个所家项种类大位名部门]")
_SYNONYMS = (
    ("中职", "中等职业"), ("高职", "高等职业"),
    ("问题", "挑战", "不足", "短板", "困难", "有待", "差距", "滞后"),
)
"""Words that mean the same for finding passages, written the first way before scoring."""
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*[”’」』）)]*")
_WRAPPED = re.compile(
    r"(?<=[^\s。！？!?；;：:])\n(?![\s（(【\[①-⑳]|[0-9]{1,2}[.、．)）](?![0-9])|[一二三四五六七八九十]+[、.．]|[一二三四]是)"
)
_CASE_TITLE = re.compile(r"[【\[]?\s*案例\s*\d+\s*[-—－]\s*\d+\s*[】\]]?\s*[^\s\d。！？]")
"""The start of a case study's title (【案例 2-21】组织…, 案例 6-1 深耕…): each case names one practice."""
_NUMBERING = re.compile(r"^[\s（(【\[]*(?:[0-9]+(?:[.．][0-9]+)*|[一二三四五六七八九十]+)[)）】\].、．]?\s*")
_LIST_MARK = re.compile(r"分别[是为]|包括|[有为是]：")


def is_qualitative(query: Query) -> bool:
    """True when the question asks for passages, not a number: no expected unit, no computation, no
    多少/几/率/比例 …, and a cue such as 怎么/如何/哪些/措施/问题."""
    if query.unit or query.operation != "lookup" or query.parts:
        return False
    text = query.norm
    if _NUMERIC.search(text) or (_TERSE_NUMERIC.search(text) and not _ASKS_HOW.search(text)):
        return False
    return query.is_list or bool(_CUES.search(text))


def topic(query: Query) -> str:
    """What the question is about, without its question words (怎么开展校企合作 → 校企合作)."""
    text = re.sub(r"在(.{2,12}?)(?:上|方面)", r"\1", query.measure)
    for _ in range(3):
        text = _EDGES.sub("", _QUESTION_WORDS.sub("", text))
    for framing in (_FRAMING, _ANSWER_KIND):
        text = framing.sub("", text) if len(framing.sub("", text)) >= 2 else text
    bare = _SUBJECT.sub("", text)
    text = bare if len(bare) >= 2 else text
    text = text if len(text) >= 2 else query.measure
    # A school the question names is what the passage must be about (昌平职业学校的技能大赛).
    return "".join(name for name in school_names(query.norm) if name not in text) + text


@lru_cache(maxsize=50_000)
def scoring_text(text: str) -> str:
    """``text`` with synonyms written one way (中等职业 → 中职, 挑战 → 问题), for scoring only."""
    for group in _SYNONYMS:
        for word in group[1:]:
            text = text.replace(word, group[0])
    return canonical(text)


@dataclass(frozen=True)
class Item:
    """One sentence (or table row) that may go into the answer, with how well it covers the topic."""

    chunk: Chunk
    text: str
    """The source span as the chunk holds it (a wrapped line's break kept), quoted verbatim."""
    line: int
    score: float


@dataclass(frozen=True)
class Section:
    """The candidate items under one heading of one report, and the section's score."""

    doc_id: str
    path: str
    items: tuple[Item, ...]
    score: float


def answer(query: Query, retrieval: Retrieval, lexicon: Lexicon, *, lines: SourceLines | None = None,
           anchor: Citation | None = None) -> Answer:
    """A passage Answer for ``query`` from ``retrieval``'s reports, or the refusal.

    ``lines`` gives each sentence its exact source line (else it is estimated from its place in the
    chunk); ``anchor`` is a sentence known to answer (the extractive list sentence of a 「有哪些」
    question): its section is the answer's and it comes first.
    """
    if retrieval.refusal:
        return refusal(query, retrieval, retrieval.refusal)
    weights = lexicon.weights(scoring_text(topic(query)))
    sections = rank_sections(query, retrieval, weights)
    counted = anchor is not None and bool(_COUNTED.search(query.norm))
    if anchor is not None and anchor.section:
        sections = _anchored(sections, anchor, retrieval, bonus=COUNTED_BONUS if counted else ANCHOR_BONUS)
    if not weights or not sections or sections[0].score < SECTION_THRESHOLD:
        return refusal(query, retrieval)
    unit = [] if counted else _under_heading(sections, weights)
    if unit:
        picked = [(s, _leading(s)) for s in unit]
    else:
        best = sections[:1] if query.is_list else _chosen(sections)
        picked = [(s, _pick(s, listing=query.is_list)) for s in best]
    picked = sorted(((s, items) for s, items in picked if items), key=lambda p: min(i.line for i in p[1]))
    chosen = [s for s, _ in picked]
    if not picked:
        return refusal(query, retrieval)
    doc = next(d for d in retrieval.documents if d.doc_id == chosen[0].doc_id)
    if lines is not None:
        picked = [(s, [_located(i, lines) for i in items]) for s, items in picked]
    return _compose(query, retrieval, doc, picked)


def _anchored(sections: Sequence[Section], anchor: Citation, retrieval: Retrieval, *,
              bonus: float) -> list[Section]:
    """``sections`` re-ranked with the anchor's section raised by ``bonus`` and the anchor
    sentence leading it (a sentence of the section repeating it takes its place)."""
    chunk = retrieval.chunk_at(anchor.doc_id, anchor.line) or next(
        (c for cs in retrieval.chunks_by_doc.values() for c in cs if c.id == anchor.chunk_id), None)
    home = next((s for s in sections if s.doc_id == anchor.doc_id and s.path == anchor.section), None)
    if chunk is None:
        return list(sections)
    items = list(home.items if home else ())
    same = next((n for n, i in enumerate(items) if _overlaps(i.text, anchor.quote)), None)
    if same is None:
        items.insert(0, Item(chunk, anchor.quote, anchor.line, ANCHOR_SCORE))
    else:
        items[same] = replace(items[same], score=ANCHOR_SCORE)
    score = (home.score if home else SECTION_THRESHOLD) + bonus
    raised = Section(anchor.doc_id, anchor.section, tuple(items), score)
    return sorted([raised, *(s for s in sections if s is not home)], key=lambda s: -s.score)


def _overlaps(text: str, quote: str) -> bool:
    a, b = "".join(text.split()), "".join(quote.split())
    return a in b or b in a


def _located(item: Item, lines: SourceLines) -> Item:
    if item.chunk.kind != "prose":
        return item
    return replace(item, line=lines.line_of(item.chunk, item.text, item.line))


def rank_sections(query: Query, retrieval: Retrieval, weights: dict[str, float]) -> list[Section]:
    """Every section of the retrieved reports with its items, best first."""
    hit_rank = _hit_ranks(retrieval.hits)
    grouped: dict[tuple[str, str], list[Chunk]] = {}
    for doc in retrieval.documents:
        for chunk in retrieval.chunks_by_doc.get(doc.doc_id, ()):
            if _usable(chunk, query):
                grouped.setdefault((chunk.doc_id, chunk.section), []).append(chunk)
    sections = [_section(doc_id, path, chunks, weights, hit_rank, listing=query.is_list)
                for (doc_id, path), chunks in grouped.items()]
    return sorted((s for s in sections if s.items), key=lambda s: -s.score)


def _usable(chunk: Chunk, query: Query) -> bool:
    if not chunk.section:
        return False
    return chunk.kind == "prose" or (query.is_list and chunk.kind == "table_row")


def _hit_ranks(hits: Sequence[Hit]) -> dict[str, int]:
    return {hit.chunk.id: rank for rank, hit in enumerate(hits, start=1)}


def _section(doc_id: str, path: str, chunks: Sequence[Chunk], weights: dict[str, float],
             hit_rank: dict[str, int], *, listing: bool) -> Section:
    headings = tuple(h.strip() for h in path.split(" > "))
    found = (item for chunk in chunks for item in _items(chunk, weights, headings, listing=listing))
    items = tuple({"".join(i.text.split()): i for i in found}.values())
    if not items:
        return Section(doc_id, path, (), 0.0)
    heading = coverage(weights, scoring_text(" ".join(heading_label(p) for p in path.split(" > "))))
    best = sorted((i.score for i in items), reverse=True)[:MIN_ITEMS]
    body = sum(best) / MIN_ITEMS
    rank = min((hit_rank.get(c.id, 999) for c in chunks), default=999)
    bonus = HIT_BONUS / rank if rank <= 10 else 0.0
    return Section(doc_id, path, items, body + HEADING_WEIGHT * heading + bonus)


def _items(
    chunk: Chunk, weights: dict[str, float], headings: tuple[str, ...], *, listing: bool
) -> list[Item]:
    if chunk.kind == "table_row":
        text = " ".join(chunk.text.split())
        own, around = (coverage(weights, scoring_text(t)) for t in (text, chunk.context))
        score = own + ROW_CONTEXT * around
        return [Item(chunk, text, chunk.line_start, score)]
    out = []
    for text, offset in sentences(chunk.text, headings):
        quote = chunk.text[offset: offset + len(text)]  # the source span, its line breaks kept
        out.append(Item(chunk, quote, line_at(chunk, offset), _score(weights, text, listing=listing)))
    return out


def _score(weights: dict[str, float], text: str, *, listing: bool) -> float:
    score = coverage(weights, scoring_text(text))
    if listing and score > 0:
        score += 0.05 * min(text.count("、"), 4) + (0.15 if _LIST_MARK.search(text) else 0.0)
    return score


@lru_cache(maxsize=8192)
def sentences(text: str, headings: tuple[str, ...] = ()) -> tuple[tuple[str, int], ...]:
    """The sentences of a chunk's text with their offsets, leaving out its heading lines; a line
    break ends a sentence unless the line before stops mid-sentence (a wrap not joined)."""
    bare = {"".join(h.split()) for h in headings}
    kept = [" " * len(line) if "".join(line.split()) in bare else line for line in text.split("\n")]
    joined = _WRAPPED.sub(" ", "\n".join(kept))
    found = ((m.group(0).strip(), m.start() + len(m.group(0)) - len(m.group(0).lstrip()))
             for m in _SENTENCE.finditer(joined))
    return tuple((t, offset) for t, offset in found if len(t) >= 4)


def _under_heading(sections: Sequence[Section], weights: dict[str, float]) -> list[Section]:
    """When a heading of (or above) one of the best sections names the topic, the sections under
    the highest such heading that the question is about (best first), else nothing."""
    for candidate in sections[:HEADED_CANDIDATES]:
        parts = candidate.path.split(" > ")
        for depth in range(1, len(parts) + 1):
            prefix = " > ".join(parts[:depth])
            if _heading_fit(weights, parts[depth - 1]) >= HEADING_MATCH:
                return _members(sections, candidate.doc_id, prefix, weights)
    return []


def _members(
    sections: Sequence[Section], doc_id: str, prefix: str, weights: dict[str, float]
) -> list[Section]:
    """The sections under ``prefix``: itself first, then the best by how well their own headings
    (below the prefix) and sentences name the topic."""
    depth = len(prefix.split(" > "))
    ranked = []
    for s in sections:
        if s.doc_id != doc_id or not (s.path == prefix or s.path.startswith(prefix + " > ")):
            continue
        below = " ".join(heading_label(p) for p in s.path.split(" > ")[depth:])
        fit = coverage(weights, scoring_text(below)) if below else 1.0
        best = max(i.score for i in s.items)
        ranked.append((s.path != prefix, -(fit + 0.5 * best), s))
    return [s for *_, s in sorted(ranked, key=lambda r: r[:2])][:MAX_GROUPS]


def _heading_fit(weights: dict[str, float], heading: str) -> float:
    return coverage(weights, scoring_text(heading_label(heading)))


def _leading(section: Section) -> list[Item]:
    """Items of a section whose heading names the topic, in the order to take them: the best
    sentence, then the section's sentences from its start (they summarise what follows)."""
    best = max(section.items, key=lambda i: (i.score, -i.line))
    rest = sorted((i for i in section.items if i is not best), key=lambda i: i.line)
    titles = _case_titles(section, besides=[best])
    return [best, *titles, *(i for i in rest if i not in titles)][:MAX_ITEMS]


def _chosen(sections: Sequence[Section]) -> list[Section]:
    best = sections[0]
    second = next((s for s in sections[1:] if s.doc_id == best.doc_id), None)
    if second is not None and second.score >= SECOND_SECTION * best.score:
        return [best, second]
    return [best]


def _pick(section: Section, *, floor: float = FILL_THRESHOLD, listing: bool = False) -> list[Item]:
    """The section's items that carry the answer: the strongest, then (unless ``listing``) the titles
    of its case studies, topped up to MIN_ITEMS with items scoring at least ``floor``, in source
    order (0: the heading alone makes the section relevant)."""
    ranked = sorted(section.items, key=lambda i: (-i.score, i.line))
    least = max(ITEM_THRESHOLD, RELATIVE * ranked[0].score)
    strong = [i for i in ranked if i.score >= least][:MAX_ITEMS]
    if not listing:
        strong += _case_titles(section, besides=strong)
    if len(strong) < MIN_ITEMS:
        fill = [i for i in ranked if floor <= i.score < least and i not in strong]
        strong += fill[: MIN_ITEMS - len(strong)]
    return strong[:MAX_ITEMS]


def _case_titles(section: Section, *, besides: Sequence[Item]) -> list[Item]:
    """The titles of the section's case studies that touch the topic, in source order, each once
    and none that an item of ``besides`` holds: a case's title names one practice (「是怎么做的」)."""
    titles: list[Item] = []
    for item in sorted(section.items, key=lambda i: i.line):
        if item.score > 0 and _CASE_TITLE.match(item.text) and not any(
            _overlaps(item.text, other.text) for other in (*besides, *titles)
        ):
            titles.append(item)
    return titles


def _compose(query: Query, retrieval: Retrieval, doc: ReportInfo,
             picked: Sequence[tuple[Section, list[Item]]]) -> Answer:
    picked = _within_budget(picked)
    citations: list[Citation] = []
    groups: list[PassageGroup] = []
    lines = [f"据《{doc.title}》{_year_note(doc)}，相关内容如下："]
    for section, items in picked:
        numbers = []
        lines.append(f"【{heading_label(section.path)}】")
        for item in items:
            n = len(citations) + 1
            citations.append(_cite(n, item, doc))
            numbers.append(n)
            lines.append(f"· {item.text.replace(chr(10), '')}[{n}]")
        groups.append(PassageGroup(doc.file, doc.title, section.path, tuple(numbers)))
    used = [i.chunk for _, items in picked for i in items]
    return Answer(
        question=query.text, text="\n".join(lines), value=None, unit="", refused=False, mode="extractive",
        citations=tuple(citations), retrieved=_used_first(retrieval.hits, used), groups=tuple(groups),
    )


def _within_budget(picked: Sequence[tuple[Section, list[Item]]]) -> list[tuple[Section, list[Item]]]:
    """At most MAX_ITEMS items in all, taken from the groups in turn (each in its order of preference)."""
    queues = [list(items) for _, items in picked]
    kept: list[list[Item]] = [[] for _ in picked]
    total = 0
    while total < MAX_ITEMS and any(queues):
        for n, queue in enumerate(queues):
            if queue and total < MAX_ITEMS:
                kept[n].append(queue.pop(0))
                total += 1
    return [(s, sorted(k, key=lambda i: i.line)) for (s, _), k in zip(picked, kept, strict=True) if k]


def heading_label(path: str) -> str:
    """The last heading of a section path without its numbering ('3.1 校企合作' → '校企合作')."""
    last = path.split(" > ")[-1]
    return _NUMBERING.sub("", last).strip() or last


def _year_note(doc: ReportInfo) -> str:
    return f"（{doc.data_year}年数据）" if doc.data_year else ""


def _cite(n: int, item: Item, doc: ReportInfo) -> Citation:
    chunk = item.chunk
    return Citation(n=n, chunk_id=chunk.id, doc_id=chunk.doc_id, file=chunk.file, title=doc.title,
                    section=chunk.section, table=chunk.table, page=chunk.page, line=item.line,
                    quote=item.text)


def _used_first(hits: Sequence[Hit], used: Sequence[Chunk]) -> tuple[Hit, ...]:
    ids = list(dict.fromkeys(c.id for c in used))
    chunks = {c.id: c for c in used}
    front = [Hit(chunks[cid], 1.0, {"evidence": n}) for n, cid in enumerate(ids, start=1)]
    return (*front, *(h for h in hits if h.chunk.id not in chunks))
