"""Hybrid retrieval: the reports a question can be about, keyword + dense hits fused by weighted
reciprocal rank fusion, and the table facts of those reports."""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Protocol

from rag import schools
from rag.frames import Frame, document_frames, leaves_out_asked
from rag.grams import LATIN as _LATIN
from rag.grams import document_frequencies, grams
from rag.index.tokenize import jieba
from rag.numbers import normalize
from rag.query import BEIJING, Query, regions_in
from rag.types import Chunk, Hit, ReportInfo, SearchFilter, TableFact

_PARTICLES = frozenset("的了在是有和与及或中等为对被把从到所个名位项家部门种批几多少")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年")
WEIGHTS: Mapping[str, float] = {"bm25": 1.0, "dense": 0.5}
"""Fusion weights, measured on the 64 answerable dev questions (raw fused hits, before the answer's
evidence is moved first) with the offline LSA embedder: recall@5 was 55/64 for BM25 alone, 55/64
for dense alone, 58/64 for BM25 1.0 with dense 0.25, 0.5 or 1.0, and 57/64 for 0.5/1.0. Re-measure
with a real embedding model (NIANBAO_EMBED_*)."""
RRF_K = 60
MAX_YEARS_BACK = 6
"""A report's tables reach this many years before its data year."""


@dataclass(frozen=True)
class Lexicon:
    """Inverse document frequencies of character bigrams over the indexed chunks."""

    idf: dict[str, float]
    default: float

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> Lexicon:
        """A lexicon whose rare bigrams weigh more than common ones."""
        return cls.from_counts(*document_frequencies(texts))

    @classmethod
    def from_counts(cls, counts: Mapping[str, int], total: int) -> Lexicon:
        """The lexicon of ``total`` texts in which each bigram occurs ``counts[gram]`` times."""
        idf = {g: math.log((total + 1) / (c + 0.5)) for g, c in counts.items()}
        return cls(idf, math.log(total + 1) if total else 1.0)

    def weights(self, text: str) -> dict[str, float]:
        """Weights of the bigrams inside the words of ``text`` (none that straddle two words)."""
        return {g: max(self.idf.get(g, self.default), 0.1) for g in word_grams(text)}


@lru_cache(maxsize=4096)
def word_grams(text: str) -> frozenset[str]:
    """Character bigrams that lie inside one jieba word of ``text`` (a one-character word such as
    副 or 女 is joined to the next word's first character: 副高级 → 副高, 高级; a unit after a
    number is not: 50-54岁年龄 gives no 岁年)."""
    out: set[str] = set()
    words = jieba.lcut(normalize(text))
    for previous, word, following in zip(["", *words], words, [*words[1:], ""], strict=False):
        out.update(grams(word))
        # a unit ends its number's phrase, unless a one-character word goes on with it (45岁及以上)
        unit = previous[-1:].isdigit() and len(following) > 1
        joins = len(word) == 1 and "\u4e00" <= word <= "\u9fff" and word not in _PARTICLES
        if joins and following and "\u4e00" <= following[0] <= "\u9fff" and not unit:
            out.add(word + following[0])
    out = {g for g in out if len(g) == 2}
    out.update(m.group(0) for m in _LATIN.finditer(normalize(text)))
    return frozenset(out)


class SearchIndex(Protocol):
    """The part of ``rag.index.Index`` retrieval reads."""

    def generation(self) -> str | None: ...

    def documents(self) -> list[ReportInfo]: ...

    def chunks(self, doc_id: str) -> list[Chunk]: ...

    def facts(self, *, doc_id: str | None = None, region: str | None = None, year: int | None = None,
              table: str | None = None) -> list[TableFact]: ...

    def keyword_search(self, query: str, *, k: int, where: SearchFilter | None = None) -> list[Hit]: ...

    def dense_search(self, query: str, *, k: int, where: SearchFilter | None = None) -> list[Hit]: ...

    def gram_counts(self) -> tuple[dict[str, int], int] | None:
        """The bigram document frequencies of every chunk's search text, when the index stored them."""


@dataclass(frozen=True)
class Retrieval:
    """What retrieval found for one question; ``refusal`` says why no report can answer it."""

    query: Query
    documents: tuple[ReportInfo, ...]
    hits: tuple[Hit, ...]
    facts: tuple[TableFact, ...]
    refusal: str = ""
    chunks_by_doc: Mapping[str, Sequence[Chunk]] = field(default_factory=dict)
    frames: tuple[Frame, ...] = ()
    """The number frames of the selected reports (every table cell and prose number)."""

    def chunk_at(self, doc_id: str, line: int) -> Chunk | None:
        """The most specific chunk of ``doc_id`` that covers ``line``."""
        covering = [c for c in self.chunks_by_doc.get(doc_id, ()) if c.line_start <= line <= c.line_end]
        order = {"table_row": 0, "table": 1, "prose": 2}
        return min(covering, key=lambda c: (order[c.kind], c.line_end - c.line_start), default=None)

    def section_leaves_out(self, chunk: Chunk, groups: Sequence[str]) -> bool:
        """Whether the section ``chunk`` stands in says its figures leave out one of ``groups``, the
        groups a question counts in (「北京市中等职业学校（不含技工学校）生均…」 before the table)."""
        chunks = self.chunks_by_doc.get(chunk.doc_id, ())
        section = " ".join(c.text for c in chunks if c.section == chunk.section)
        return any(leaves_out_asked(section, group) for group in groups)


def fuse(rankings: Mapping[str, Sequence[Hit]], *, weights: Mapping[str, float], k: int = RRF_K) -> list[Hit]:
    """Hits from several rankings merged by weighted reciprocal rank fusion, best first."""
    scores: dict[str, float] = {}
    ranks: dict[str, dict[str, int]] = {}
    chunks: dict[str, Chunk] = {}
    for name, hits in rankings.items():
        weight = weights.get(name, 1.0)
        for rank, hit in enumerate(hits, start=1):
            cid = hit.chunk.id
            scores[cid] = scores.get(cid, 0.0) + weight / (k + rank)
            ranks.setdefault(cid, {})[name] = rank
            chunks.setdefault(cid, hit.chunk)
    order = sorted(scores, key=lambda cid: (-scores[cid], cid))
    return [Hit(chunks[cid], scores[cid], ranks[cid]) for cid in order]


Coverage = Mapping[str, frozenset[int]]
"""The data years each report states (its tables' years, the years its text names), by doc id."""


def select_documents(
    query: Query, documents: Sequence[ReportInfo], coverage: Coverage | None = None,
    *, naming: Sequence[ReportInfo] = (),
) -> tuple[list[ReportInfo], str]:
    """The reports ``query`` can be about, best first, or a reason why there are none.

    A question naming a school is about the reports that name it (``naming``): 北京市 before a
    school's name (北京市昌平职业学校) is part of the name, and a level the question names
    (国职的高职段) is a part of that school's report, not a reason to search other reports.

    Without an asked year, the latest report of each region and level is meant. For asked years, every report
    stating one of them (``coverage``) is a candidate: those stating
    more of the asked years first, then the latest report first (the same figure printed in several
    reports is taken from the latest). When no report states an asked year, the reports whose own
    data year is nearest after it are searched (their text may give it as a change from last year).
    """
    if query.unknown_region:
        return [], "问题所涉地区不在已收录的报告范围内。"
    several = regions_in(query.norm)
    if len(several) > 1 and query.operation == "lookup" and not query.is_list:
        # one region's number would answer for the others (东城2024 + 昌平2022 合计 → 东城's alone)
        return [], f"问题同时问到{'、'.join(several)}，不能只用其中一个区的数字回答：请分别提问。"
    named = [d for d in naming if query.region in ("", BEIJING) or d.region == query.region]
    docs = named or [d for d in documents if not query.region or d.region == query.region]
    if not docs:
        return [], f"已收录的报告中没有{query.region}的报告。"
    docs = [d for d in docs if _covers_level(d, query.level)] or named
    if not docs:
        return [], f"已收录的{query.region}报告不涉及{query.level}。"
    if query.report_year is not None:
        docs = [d for d in docs if d.report_year == query.report_year] or docs
        if not query.years:
            return docs, ""
    if not query.years:
        return _latest_per_level(docs), ""
    stating = _stating(docs, query.years, coverage or {})
    if stating:
        return stating, ""
    fitting = sorted((_year_gap(d, query.years), d.doc_id, d) for d in docs)
    fitting = [f for f in fitting if f[0] <= MAX_YEARS_BACK]
    if not fitting:
        years = "、".join(str(y) for y in query.years)
        return [], f"已收录的{query.region or ''}报告不包含{years}年的数据。"
    best = fitting[0][0]
    return [d for gap, _, d in fitting if gap == best], ""


def _stating(docs: Sequence[ReportInfo], years: Sequence[int], coverage: Coverage) -> list[ReportInfo]:
    """The reports stating any of ``years`` (none after their own data year), best first."""
    def stated(doc: ReportInfo) -> int:
        data_year = _data_year(doc)
        own = coverage.get(doc.doc_id, frozenset())
        return sum(1 for y in years if y in own and (data_year is None or y <= data_year))

    found = [(stated(d), d) for d in docs]
    return [d for n, d in sorted(found, key=lambda nd: (-nd[0], latest_first(nd[1]))) if n]


def _latest_per_level(docs: Sequence[ReportInfo]) -> list[ReportInfo]:
    """The latest report of each region and level, latest first: a question naming no year asks
    about now."""
    latest: dict[tuple[str, str], ReportInfo] = {}
    for doc in sorted(docs, key=latest_first):
        latest.setdefault((doc.region, doc.level), doc)
    return list(latest.values())


def latest_first(doc: ReportInfo) -> tuple[int, int, str]:
    """Sort key: the latest data year (then report year) first, ties by doc id."""
    return -(_data_year(doc) or 0), -(doc.report_year or 0), doc.doc_id


def stated_years(facts: Iterable[TableFact], texts: Iterable[str]) -> frozenset[int]:
    """The years a report states: its table facts' years and the years (「2022年」) its text names."""
    years = {f.year for f in facts if f.year is not None}
    for text in texts:
        years.update(int(y) for y in _YEAR.findall(text))
    return frozenset(years)


def _covers_level(doc: ReportInfo, level: str) -> bool:
    """False only for a report about one school level when another is asked (高职 in a 中职 report)."""
    return not level or level == "普高" or doc.level not in ("中职", "高职") or doc.level == level


def _data_year(doc: ReportInfo) -> int | None:
    return doc.data_year or doc.report_year


def _year_gap(doc: ReportInfo, years: Sequence[int]) -> int:
    data_year = _data_year(doc)
    if data_year is None:
        return MAX_YEARS_BACK
    gaps = [data_year - y for y in years]
    return 99 if any(g < 0 for g in gaps) else max(gaps)


class Retriever:
    """Hybrid retrieval over one index; caches per-report chunks and facts (reads are thread-safe)."""

    def __init__(
        self, index: SearchIndex, *, weights: Mapping[str, float] = WEIGHTS, depth: int = 30
    ) -> None:
        self._index = index
        self._weights = dict(weights)
        self._depth = depth
        self._lock = threading.Lock()
        self._key: tuple[str, ...] = ()
        self._chunks: dict[str, list[Chunk]] = {}
        self._facts: dict[str, list[TableFact]] = {}
        self._frames: dict[str, list[Frame]] = {}
        self._lexicon: Lexicon | None = None
        self._coverage: dict[str, frozenset[int]] | None = None

    def documents(self) -> list[ReportInfo]:
        """The indexed reports (clearing caches when the index switched to another generation)."""
        documents = self._index.documents()
        # A re-index of unchanged files can still give new chunk ids (another parser version).
        key = (self._index.generation() or "", *sorted(d.doc_id + d.content_hash for d in documents))
        with self._lock:
            if key != self._key:
                self._key, self._chunks, self._facts, self._frames, self._lexicon = key, {}, {}, {}, None
                self._coverage = None
        return documents

    def chunks(self, doc_id: str) -> list[Chunk]:
        """The chunks of one report, in line order (cached)."""
        with self._lock:
            cached = self._chunks.get(doc_id)
        if cached is None:
            cached = sorted(self._index.chunks(doc_id), key=lambda c: (c.line_start, c.line_end))
            with self._lock:
                self._chunks[doc_id] = cached
        return cached

    def facts(self, doc_id: str) -> list[TableFact]:
        """The table facts of one report (cached)."""
        with self._lock:
            cached = self._facts.get(doc_id)
        if cached is None:
            cached = self._index.facts(doc_id=doc_id)
            with self._lock:
                self._facts[doc_id] = cached
        return cached

    def frames(self, doc_id: str) -> list[Frame]:
        """The number frames of one report (built on first use, cached until the index changes)."""
        with self._lock:
            cached = self._frames.get(doc_id)
        if cached is None:
            cached = document_frames(self.chunks(doc_id), self.facts(doc_id))
            with self._lock:
                self._frames[doc_id] = cached
        return cached

    def lexicon(self) -> Lexicon:
        """Term statistics of every indexed chunk (cached until the reports change)."""
        documents = self.documents()
        with self._lock:
            lexicon = self._lexicon
        if lexicon is None:
            stored = self._index.gram_counts()
            lexicon = Lexicon.from_counts(*stored) if stored is not None else Lexicon.from_texts(
                c.search_text for d in documents for c in self.chunks(d.doc_id))
            with self._lock:
                self._lexicon = lexicon
        return lexicon

    def coverage(self, documents: Sequence[ReportInfo]) -> Coverage:
        """The years each of ``documents`` states (cached per report until the reports change)."""
        with self._lock:
            known = dict(self._coverage or {})
        missing = [d for d in documents if d.doc_id not in known]
        if missing:
            for d in missing:
                known[d.doc_id] = stated_years(self.facts(d.doc_id), (c.text for c in self.chunks(d.doc_id)))
            with self._lock:
                self._coverage = {**(self._coverage or {}), **known}
        return known

    def naming(self, query: Query, documents: Sequence[ReportInfo]) -> list[ReportInfo]:
        """The reports that name a school ``query`` names (in full or by a short name)."""
        return [d for d in documents
                if schools.names_a_school_of(query.norm, tuple(c.text for c in self.chunks(d.doc_id)))]

    def unknown_school(self, query: Query, documents: Sequence[ReportInfo]) -> str:
        """The school ``query`` names that no report names ('' when it names none or a known one)."""
        return schools.unknown(query.norm, (tuple(c.text for c in self.chunks(d.doc_id)) for d in documents))

    def retrieve(self, query: Query) -> Retrieval:
        """Fused hits and facts from the reports ``query`` can be about."""
        documents = self.documents()
        # only the asked region's reports can be chosen: their years are all that must be read
        local = [d for d in documents if not query.region or d.region == query.region]
        # 北京市 stands before every school's name: a school may be named in any report, and so may
        # a school of a district with no report of its own (丰台区职业教育中心学校)
        citywide = query.region in ("", BEIJING) or not local
        naming = self.naming(query, documents if citywide else local)
        if not naming and (school := self.unknown_school(query, documents)):
            return Retrieval(query, (), (), (), f"已收录的报告中没有提到{school}。")
        if naming and not local:
            query = replace(query, region="")  # the school, not its district, scopes the question
        coverage = self.coverage([*local, *naming]) if query.years else None
        documents, reason = select_documents(query, documents, coverage, naming=naming)
        if reason:
            return Retrieval(query, (), (), (), reason)
        where = SearchFilter(doc_ids=tuple(d.doc_id for d in documents))
        text = query.norm
        rankings = {
            "bm25": self._index.keyword_search(text, k=self._depth, where=where),
            "dense": self._index.dense_search(text, k=self._depth, where=where),
        }
        hits = fuse(rankings, weights=self._weights)
        facts = tuple(f for d in documents for f in self.facts(d.doc_id))
        chunks = {d.doc_id: self.chunks(d.doc_id) for d in documents}
        frames = tuple(f for d in documents for f in self.frames(d.doc_id))
        return Retrieval(query, tuple(documents), tuple(hits), facts, "", chunks, frames)
