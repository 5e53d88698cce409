"""Answers built on a figure their sources state differently show every figure with its citation.

Within one report (an audit finding, ``rag.audit``), e.g.
「报告中此数据有两处不一致：正文为4993人[1]，表2-1为5173人[2]。」 Only findings of one measure
stated twice qualify (``text_vs_table``, ``table_vs_table``): a total off the sum of its parts, a
share or a header year says how a table was added up, not which figure answers a question. The
preferred figure is the one the answerer chose, where the question's own words are (neither side
is more often right: the audit found wrong figures in texts and in tables); the note shows the
other so the reader can decide.

Across reports: when another report of the region states the same measure for the same year (in
the same words, or a sentence naming a cell's label just before its number), the latest report
(data year, then report year) is preferred: a stated answer is restated from it, a
difference is recomputed with its figure, and when the figures disagree the note shows them all
(an LLM's words are not rewritten: its answer keeps its value and gets the note).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from rag.arithmetic import compute
from rag.audit import Finding, Source
from rag.audit.indexed import AuditCache
from rag.compose import cite, computed_text, display, where
from rag.errors import InputError
from rag.frames import Frame
from rag.numbers import find_quantities, format_number, normalize
from rag.retriever import latest_first
from rag.services import Services
from rag.types import Answer, Chunk, Citation, Disagreement, ReportInfo, StatedFigure

SAME_MEASURE = frozenset({"text_vs_table", "table_vs_table"})
"""Audit findings that are one measure stated with two values (the others are not shown on answers)."""
_DIFFERENCE = re.compile(r"^\s*([0-9.,]+)\s*-\s*([0-9.,]+)\s*=")
_SPACE = re.compile(r"\s+")
_UNIT_NOTE = re.compile(r"[（(][^）)]*[）)]")
_OWN_YEAR = re.compile(r"(?:由|从)?(?:19|20)\d\d年(?:的)?$")
_YEARS = re.compile(r"(?:19|20)\d\d(?:\s*[-—－–~]\s*(?:19|20)?\d\d)?\s*(?:学年|年度|年)?")
_NOT_WORD = re.compile(r"[^0-9A-Za-z\u4e00-\u9fff]")
MIN_LABEL = 4
"""Characters a cell's label (row and column, years left out) needs before a sentence ending in it
is taken to state that cell's measure."""
CORE = 6
"""Characters before a prose figure that must match for a sentence to be the one stating it."""


def annotate(answer: Answer, services: Services) -> Answer:
    """``answer`` with the latest report's figure preferred and every disagreement shown and cited."""
    if answer.refused or answer.value is None or not answer.citations or answer.disagreements:
        return answer
    answer = _across_reports(answer, services)
    return _within_reports(answer, services)


def _within_reports(answer: Answer, services: Services) -> Answer:
    """``answer`` with a note for each figure it rests on that its own report states differently."""
    if services.audits is None:
        return answer
    found: list[tuple[Citation, float, Finding, Source]] = []
    for value, citation in _rested_on(answer):
        for finding in _findings(services.audits, citation.doc_id):
            if finding.kind not in SAME_MEASURE:
                continue
            for mine, other in ((finding.first, finding.second), (finding.second, finding.first)):
                if _states(mine, citation, value, services) and other.value is not None:
                    found.append((citation, value, finding, other))
    for citation, value, finding, other in found:
        answer = _with_other_place(answer, citation, value, finding, other, services)
    return answer


def _findings(audits: AuditCache, doc_id: str) -> tuple[Finding, ...]:
    """The audit findings of report ``doc_id`` (none when it is no longer indexed)."""
    try:
        return audits.get(doc_id).findings
    except InputError:
        return ()


def _states(source: Source, citation: Citation, value: float, services: Services) -> bool:
    """True when ``source`` is the cited figure itself (not a sum it is one part of)."""
    if source.file != citation.file or not _equal(source.value, value):
        return False
    if source.line == citation.line:
        return True
    chunk = next((c for c in services.retriever.chunks(citation.doc_id) if c.id == citation.chunk_id), None)
    return chunk is not None and _in_prose(source, chunk, citation.quote)


def _in_prose(source: Source, chunk: Chunk, sentence: str) -> bool:
    """True when ``sentence`` of prose ``chunk`` holds ``source`` (its line and the words before it)."""
    if chunk.kind != "prose" or not chunk.line_start <= source.line <= chunk.line_end:
        return False
    quote, written = normalize(source.quote), normalize(source.raw).split(" + ")[0]
    at = quote.find(written)
    core = _squash(quote[max(0, at - CORE): at + len(written)]) if at >= 0 else ""
    return bool(core) and core in _squash(sentence)


def _with_other_place(
    answer: Answer, citation: Citation, value: float, finding: Finding, other: Source, services: Services
) -> Answer:
    """``answer`` citing ``other`` and saying that the report states ``value`` differently there."""
    frame = _frame_of(services, other.doc_id or citation.doc_id, other)
    if frame is None:
        return answer
    n = len(answer.citations) + 1
    unit = finding.unit
    mine = StatedFigure(value, unit, format_number(value), citation.n, _place(citation.table))
    summed = "=" in other.raw
    written = _sum_shown(other) if summed else other.raw
    theirs = StatedFigure(other.value or 0.0, unit, written, n, _place(other.table, summed=summed))
    subject = f"{format_number(value)}{unit}这一数据" if answer.computation else "此数据"
    note = (f"报告中{subject}有两处不一致：{mine.where}为{_shown(mine)}[{mine.citation}]，"
            f"{theirs.where}为{_shown(theirs)}[{n}]。")
    cited = replace(cite(n, frame), line=other.line)
    return replace(answer, text=f"{answer.text}\n{note}", citations=(*answer.citations, cited),
                   disagreements=(*answer.disagreements, Disagreement("report", (mine, theirs))))


def _across_reports(answer: Answer, services: Services) -> Answer:
    """``answer`` with each figure it rests on taken from the latest report stating it."""
    for value, citation in _rested_on(answer):
        frame = _frame_at(services, citation.doc_id, citation.line, (value,))
        stating = _stating_reports(frame, citation.doc_id, services) if frame is not None else []
        if len(stating) > 1 and citation in answer.citations:
            answer = _preferring_latest(answer, value, citation, stating)
    return answer


def _stating_reports(frame: Frame, doc_id: str, services: Services) -> list[tuple[ReportInfo, Frame]]:
    """The reports of ``frame``'s region stating its measure for its year, latest first, each with
    its figure (a report stating the measure twice with different values is left out)."""
    if frame.year is None or frame.role == "change" or frame.value is None:
        return []
    documents = services.retriever.documents()
    own = next((d for d in documents if d.doc_id == doc_id), None)
    if own is None:
        return []
    found = [(own, frame)]
    others = [d for d in documents if d.doc_id != doc_id and d.region == own.region]
    coverage = services.retriever.coverage(others)
    for doc in others:
        if frame.year not in coverage.get(doc.doc_id, frozenset()):
            continue
        same = [f for f in services.retriever.frames(doc.doc_id) if _same_measure(f, frame)]
        if same and all(_equal(f.value, same[0].value) for f in same):
            found.append((doc, same[0]))
    return sorted(found, key=lambda df: latest_first(df[0]))


def _same_measure(a: Frame, b: Frame) -> bool:
    """True when two frames state one measure of one year: in the same words (unit, levels and scope
    too), or as a table cell and a sentence whose words just before the number are the cell's row
    (「“双师型”教师数由 2022 年的 217 人」 and a 2022 cell labelled 双师型教师数)."""
    if a.year != b.year or a.unit != b.unit or a.scope != b.scope or a.value is None or b.value is None:
        return False
    if a.kind == b.kind:
        return a.levels == b.levels and a.role == b.role and _squash(a.measure) == _squash(b.measure)
    cell, prose = (a, b) if a.kind == "table" else (b, a)
    if cell.fact is None or (cell.levels and prose.levels and cell.levels != prose.levels):
        return False
    label = _words(_YEARS.sub("", _UNIT_NOTE.sub("", cell.fact.row + cell.fact.column)))
    return len(label) >= MIN_LABEL and _words(_OWN_YEAR.sub("", _squash(prose.lead))).endswith(label)


def _words(text: str) -> str:
    return _NOT_WORD.sub("", normalize(text))


def _preferring_latest(
    answer: Answer, value: float, citation: Citation, stating: Sequence[tuple[ReportInfo, Frame]]
) -> Answer:
    """``answer`` restated on the latest report's figure, noting the others when they differ."""
    latest = stating[0][1]
    agree = all(_equal(f.value, latest.value) for _, f in stating)
    if stating[0][0].doc_id == citation.doc_id:
        restated: Answer | None = answer
    else:
        restated = _restated(answer, value, citation, latest)
    if restated is None or agree:
        return restated or answer
    figures, cited = [], list(restated.citations)
    for doc, frame in stating:
        mark = next((c.n for c in cited if (c.file, c.line) == (frame.chunk.file, frame.line)), 0)
        if not mark:
            mark = len(cited) + 1
            cited.append(cite(mark, frame))
        figures.append(StatedFigure(frame.value or 0.0, frame.unit, frame.raw, mark, doc.title or doc.file))
    listed = "，".join(f"《{f.where}》为{_shown(f)}[{f.citation}]" for f in figures)
    note = f"各报告所载{latest.year}年此数据不一致：{listed}；以最新的《{figures[0].where}》为准。"
    return replace(restated, text=f"{restated.text}\n{note}", citations=tuple(cited),
                   disagreements=(*restated.disagreements, Disagreement("reports", tuple(figures))))


def _restated(answer: Answer, value: float, citation: Citation, latest: Frame) -> Answer | None:
    """``answer`` with ``value`` (cited at ``citation``) replaced by ``latest``'s figure; an LLM's
    answer as it is (its words are not rewritten: the note will say which report is preferred);
    None when a computation other than a difference cannot be rebuilt."""
    if answer.mode == "llm":
        return answer
    if latest.value is None:
        return None
    if not answer.computation:
        text = f"答：{display(latest)}。\n{where(latest.fact, latest.quote, latest.chunk)}[1]"
        return replace(answer, text=text, value=latest.value, unit=latest.unit, citations=(cite(1, latest),))
    operands = _difference_operands(answer.computation)
    if operands is None or len(answer.citations) != 2 or not any(_equal(v, value) for v in operands):
        return None
    kept = operands[1] if _equal(operands[0], value) else operands[0]
    others = [c for c in answer.citations if c != citation]
    if not others or not any(_equal(kept, v) for v in _line_figures(others[0].quote)):
        return None
    # A computed answer cites its inputs in the question's order: the first citation is the minuend.
    pair = [(latest.value, latest.unit), (kept, answer.unit)]
    result = compute("difference", pair if citation == answer.citations[0] else pair[::-1])
    if result is None:
        return None
    citations = tuple(cite(c.n, latest) if c == citation else c for c in answer.citations)
    text = computed_text(result, "[1][2]")
    return replace(answer, text=text, value=result.size, unit=result.unit, citations=citations,
                   computation=result.formula)


def _difference_operands(computation: str) -> tuple[float, float] | None:
    match = _DIFFERENCE.match(normalize(computation))
    if match is None:
        return None
    return float(match.group(1).replace(",", "")), float(match.group(2).replace(",", ""))


def _rested_on(answer: Answer) -> list[tuple[float, Citation]]:
    """The figures ``answer`` rests on, each with the citation whose line states it: its value, or
    the inputs of its computation (equal inputs, such as 231 - 231, each with its own citation)."""
    if answer.computation:
        left = normalize(answer.computation).rpartition("=")[0]
        values = [q.value for q in find_quantities(left.replace("|", " "))]
    else:
        values = [answer.value] if answer.value is not None else []
    if len(values) == 1 or len(set(values)) > 1:
        return [(v, c) for v in dict.fromkeys(values) if (c := _stating(answer.citations, v)) is not None]
    return [(values[0], c) for c in answer.citations if _stating((c,), values[0]) is not None]


def _stating(citations: Sequence[Citation], value: float) -> Citation | None:
    """The first of ``citations`` whose quoted line states ``value``."""
    return next((c for c in citations if any(_equal(value, v) for v in _line_figures(c.quote))), None)


def _frame_at(services: Services, doc_id: str, line: int, values: Sequence[float]) -> Frame | None:
    """The frame of report ``doc_id`` stating one of ``values`` at ``line``."""
    return next((f for f in services.retriever.frames(doc_id)
                 if f.line == line and any(_equal(f.value, v) for v in values)), None)


def _frame_of(services: Services, doc_id: str, source: Source) -> Frame | None:
    """The frame stating (a part of) a finding's side: at its line, or in its prose sentence."""
    figures = _source_figures(source)
    frames = [f for f in services.retriever.frames(doc_id) if any(_equal(f.value, v) for v in figures)]
    at_line = next((f for f in frames if f.line == source.line), None)
    return at_line or next((f for f in frames if _in_prose(source, f.chunk, f.quote)), None)


def _source_figures(source: Source) -> list[float]:
    """The figures a finding's side states: its value, or the parts of its sum."""
    if "=" in source.raw:
        return [q.value for q in find_quantities(source.raw.rpartition("=")[0])]
    return [source.value] if source.value is not None else []


def _sum_shown(source: Source) -> str:
    """A sum side as a formula the grounding check can evaluate: '4 + 261 = 265' (units left out)."""
    parts = " + ".join(format_number(v) for v in _source_figures(source))
    return f"{parts} = {format_number(source.value or 0.0)}"


def _line_figures(quote: str) -> list[float]:
    return [q.value for q in find_quantities(normalize(quote))]


def _place(table: str, *, summed: bool = False) -> str:
    place = f"表{table}" if table else "正文"
    return f"{place}{'各项之和' if summed else ''}"


def _shown(figure: StatedFigure) -> str:
    """The figure as the note writes it: a sum with its parts, else the number, then the unit."""
    return f"{figure.raw if '=' in figure.raw else format_number(figure.value)}{figure.unit}"


def _equal(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and abs(a - b) < 1e-6


def _squash(text: str) -> str:
    return _SPACE.sub("", normalize(text))
