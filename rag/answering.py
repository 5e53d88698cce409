"""The one entry point for answering a question, used by the CLI, the API and the evals."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from rag import combined, conversation, disagreement, extractive, grounding, listing, passages, ranked
from rag.comparison import NO_VALUES, over_earlier
from rag.compose import refusal
from rag.errors import InputError, LLMError
from rag.query import Query
from rag.retriever import Retrieval
from rag.services import Services
from rag.table_evidence import top_facts
from rag.types import Answer, Disagreement, Hit

History = Sequence[tuple[str, str]]
LLM_HITS = 8
LLM_FACTS = 12
JSON_HITS = 5
FALLBACK = "LLM 调用失败，已改用抽取式回答"
PAUSED = "LLM 多次调用失败，暂停使用中，已改用抽取式回答"
UNVERIFIED = "（以下回答中有数字未能在来源中核实，请勿直接引用）"
ASK_IN_CHINESE = "已收录的报告都是中文的，请用中文提问，例如：2022年昌平区中职学校招生多少人？"
CONTEXT_CONFIDENCE = 1.0
"""Least confidence for answering a long question's asking clause alone, which the whole question
did not answer: higher than a lookup's 0.85, as the context's words no longer weigh in. Measured on
the eval sets: the eight right ones scored 1.02–2.01, the one wrong one 0.89."""
_CHINESE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def answer(question: str, services: Services, *, history: History = ()) -> Answer:
    """The answer to ``question`` (with follow-ups resolved against ``history``), checked and timed."""
    started = time.perf_counter()
    resolved = _resolve(question, services, history)
    query = resolved.query
    routed = _routed(resolved, services, history)
    if routed is not None:
        return _finish(question, routed, (), started, services)
    draft, warnings = _draft(query, services, history)
    if draft.refused and not history and (split := conversation.context_and_ask(resolved.query.norm)):
        # A long question read as a conversation: its context sets the slots its asking clause leaves out.
        context, ask = split
        asked = answer(ask, services, history=((context, ""),))
        confident = (asked.confidence or 0.0) >= CONTEXT_CONFIDENCE
        if not asked.refused and confident and _cites_what_it_names(context, asked):
            elapsed = round((time.perf_counter() - started) * 1000, 1)
            return replace(asked, question=question, latency_ms=elapsed)
    return _finish(question, draft, warnings, started, services)


def _cites_what_it_names(context: str, found: Answer) -> bool:
    """Whether the sources ``found`` cites write the terms the context of a long question quotes
    (“烹饪色彩学”): it answers about those, not about the region at large."""
    cited = " ".join(f"{c.title} {c.section} {c.quote}" for c in found.citations)
    return all(term in cited for term in re.findall(r"[“\"]([^”\"]{2,20})[”\"]", context))


def answer_stream(question: str, services: Services, *, history: History = ()) -> Iterator[str | Answer]:
    """Preview text pieces while an LLM writes (none in extractive mode), then the checked Answer.

    A preview is the model's unchecked draft: interfaces must show it as such and replace it by
    the final Answer (which may be a fallback with quite different text), never prefix it.
    """
    started = time.perf_counter()
    resolved = _resolve(question, services, history)
    query = resolved.query
    routed = _routed(resolved, services, history)
    llm = services.llm
    if routed is not None:
        yield _finish(question, routed, (), started, services)
        return
    if llm is None or not llm.available():
        yield answer(question, services, history=history)
        return
    retriever = services.retriever
    lexicon = retriever.lexicon()
    retrieval = retriever.retrieve(query)
    if retrieval.refusal:
        refused = refusal(query, retrieval, retrieval.refusal)
        yield _finish(question, refused, (), started, services)
        return
    final: Answer | None = None
    warnings: tuple[str, ...] = ()
    try:
        facts = top_facts(query, retrieval, lexicon, n=LLM_FACTS)
        for piece in llm.stream(query.text, _llm_hits(retrieval), facts, history=history,
                                chunk_at=retrieval.chunk_at):
            if isinstance(piece, str):
                yield piece
            else:
                final = piece
    except LLMError as exc:
        final, warnings = None, (_fallback_warning(exc),)
    if final is None:
        final = _fallback(_extractive(query, services))
    yield _finish(question, final, warnings, started, services)


def _finish(
    question: str, draft: Answer, warnings: tuple[str, ...], started: float, services: Services
) -> Answer:
    """``draft`` with the figures its sources state differently shown (``rag.disagreement``),
    grounding-checked (and marked when it is not), with its latency and warnings, its
    text through the same output filter as an LLM's (no document markup, links or images); a refusal
    of a question with no Chinese in it says how to ask.

    The check can only add doubt: a draft its answerer already found unsupported stays ungrounded.
    """
    from rag.llm.safety import strip_markup  # rag.llm's package imports LangChain: not at import

    draft = disagreement.annotate(draft, services)
    checked = grounding.check(draft)
    grounded = draft.grounded and checked.grounded
    text = checked.text if grounded or draft.refused else f"{UNVERIFIED}{checked.text}"
    if checked.refused and not _CHINESE.search(question):
        text = f"{text}{ASK_IN_CHINESE}"
    elapsed = (time.perf_counter() - started) * 1000
    kept = tuple(dict.fromkeys((*warnings, *checked.warnings)))
    return replace(checked, question=question, text=strip_markup(text), grounded=grounded,
                   latency_ms=round(elapsed, 1), warnings=kept)


def understand(question: str, services: Services, *, history: History = ()) -> Query:
    """The parsed question, with a follow-up such as 「那朝阳区呢？」 completed from earlier turns."""
    return _resolve(question, services, history).query


def _resolve(question: str, services: Services, history: History) -> conversation.Resolved:
    text = validate_question(question, max_chars=services.settings.max_question_chars)
    return conversation.resolve(text, _earlier(history, services))


def _earlier(history: History, services: Services) -> list[Query]:
    """The earlier turns' questions, each resolved against the ones before it."""
    questions = [q for q, _ in history]
    return conversation.earlier_queries(questions, max_chars=services.settings.max_question_chars)


def _routed(resolved: conversation.Resolved, services: Services, history: History) -> Answer | None:
    """The answer for a comparison over earlier answers or a question not asking for a number, else None
    (the extractive or LLM numeric path answers)."""
    retriever, query = services.retriever, resolved.query
    if resolved.kind == "computed":
        return _compared(resolved.question or query, services, _earlier(history, services))
    qualitative = passages.is_qualitative(query)
    if not (qualitative or query.is_list):
        return None
    retrieval, lexicon = retriever.retrieve(query), retriever.lexicon()
    tabled = listing.table_listing(query, retrieval) if query.is_list else None
    if tabled is not None or not qualitative:
        return tabled  # else a list asked with a count word (哪几个) goes the numeric path
    listed = extractive.answer(query, lambda _: retrieval, lexicon) if query.is_list else None
    anchor = listed.citations[0] if listed is not None and listed.citations else None
    found = passages.answer(query, retrieval, lexicon, lines=services.source_lines, anchor=anchor)
    return _summarized(found, services)


def _summarized(found: Answer, services: Services) -> Answer:
    """A passage answer with the LLM's short summary above it when an LLM is configured (the
    passages alone, with a warning, when the summary fails its checks)."""
    llm = services.llm
    if llm is None or not llm.available() or found.refused:
        return found
    from rag.llm.summary import summarize  # the LLM stack is imported only when one is configured

    try:
        return summarize(found, services.settings, breaker=llm.breaker)
    except LLMError as exc:
        return replace(found, warnings=(*found.warnings, f"{FALLBACK}：{exc.message}"))


def _compared(query: Query, services: Services, earlier: list[Query]) -> Answer:
    """「两者相差多少」 (or 一共, 几倍) over the last two earlier answers; 「比上一年多了多少」 over the last
    one and the same question a year earlier; a bare 「增长了多少」 over the two years asked, or else as
    「比上一年」."""
    kind, asked = conversation.comparison(query.norm), _distinct(earlier)
    if kind == "change":
        # 「增长了百分之几？」: between the two years asked, else since the year before the one asked.
        kind = "both" if len(asked) >= 2 else "previous_year"
        asked = sorted(asked[-2:], key=lambda q: q.year or 0) if len(asked) >= 2 else asked
        asked = asked[::-1]
    if kind == "previous_year" and earlier:
        later_q = earlier[-1]
        year = later_q.year or _data_year(later_q, services)
        if year is None:
            return _no_values(query)
        later_q = replace(later_q, years=(year,))
        pair = (later_q, replace(later_q, years=(year - 1,)))
        labels = (f"{year}年", f"{year - 1}年")
    elif len(asked) >= 2:
        pair, labels = (asked[-2], asked[-1]), ("", "")
    else:
        return _no_values(query)
    a, b = (_extractive(q, services) for q in pair)
    first, second = _labels(*pair)
    operation = conversation.operation_over_earlier(query.norm)
    result = over_earlier(operation, query.text, a, b, later_label=labels[0] or first,
                          earlier_label=labels[1] or second)
    return result or _no_values(query)


def _distinct(earlier: list[Query]) -> list[Query]:
    """The earlier questions without repeats in a row (a computation over earlier answers resolves to
    the question before it, so 「两者一共多少」 then 「前者是后者的几倍」 still compares the two asked)."""
    return [q for i, q in enumerate(earlier) if i == 0 or q != earlier[i - 1]]


def _labels(a: Query, b: Query) -> tuple[str, str]:
    """What tells two compared questions apart (their year, region, level or measure)."""
    slots = [(f"{x.year}年" if x.year else "", x.region, x.level, x.measure) for x in (a, b)]
    differ = [i for i in range(4) if slots[0][i] != slots[1][i]] or [3]
    return tuple("".join(slots[k][i] for i in differ) for k in (0, 1))  # type: ignore[return-value]


def _data_year(query: Query, services: Services) -> int | None:
    documents = services.retriever.retrieve(query).documents
    return documents[0].data_year if documents else None


def _no_values(query: Query) -> Answer:
    return Answer(query.text, NO_VALUES, None, "", True, "extractive", (), ())


def validate_question(question: str, *, max_chars: int) -> str:
    """The stripped question; InputError when it is empty or longer than ``max_chars``."""
    text = question.strip()
    if not text:
        raise InputError("问题不能为空。", code="empty_question")
    if len(text) > max_chars:
        raise InputError(f"问题太长（最多 {max_chars} 个字符）。", code="question_too_long")
    return text


def answer_to_json(answer: Answer) -> dict[str, Any]:
    """The ``nianbao ask --json`` object for ``answer``."""
    return {
        "question": answer.question,
        "answer": answer.text,
        "value": answer.value,
        "unit": answer.unit,
        "refused": answer.refused,
        "mode": answer.mode,
        "citations": [
            {"n": c.n, "file": c.file, "title": c.title, "section": c.section, "table": c.table,
             "page": c.page, "line": c.line, "quote": c.quote}
            for c in answer.citations
        ],
        "retrieved": [_hit_json(h) for h in answer.retrieved[:JSON_HITS]],
        "latency_ms": answer.latency_ms,
        "computation": answer.computation,
        "grounded": answer.grounded,
        "confidence": answer.confidence,
        "warnings": list(answer.warnings),
        "groups": [
            {"file": g.file, "title": g.title, "section": g.section, "citations": list(g.citations)}
            for g in answer.groups
        ],
        "disagreements": [_disagreement_json(d) for d in answer.disagreements],
    }


def _disagreement_json(found: Disagreement) -> dict[str, Any]:
    return {
        "scope": found.scope,
        "figures": [{"value": f.value, "unit": f.unit, "raw": f.raw, "citation": f.citation, "where": f.where}
                    for f in found.figures],
    }


def _hit_json(hit: Hit) -> dict[str, Any]:
    return {"id": hit.chunk.id, "file": hit.chunk.file, "text": hit.chunk.text, "score": round(hit.score, 6)}


def _draft(query: Query, services: Services, history: History) -> tuple[Answer, tuple[str, ...]]:
    retriever = services.retriever
    lexicon = retriever.lexicon()
    llm = services.llm
    if llm is None:
        return _extractive(query, services), ()
    if not llm.available():
        return _fallback(_extractive(query, services)), (PAUSED,)
    retrieval = retriever.retrieve(query)
    if retrieval.refusal:
        return refusal(query, retrieval, retrieval.refusal), ()
    try:
        facts = top_facts(query, retrieval, lexicon, n=LLM_FACTS)
        return llm.answer(query.text, _llm_hits(retrieval), facts, history=history,
                          chunk_at=retrieval.chunk_at), ()
    except LLMError as exc:
        return _fallback(_extractive(query, services)), (_fallback_warning(exc),)


def _fallback(answer: Answer) -> Answer:
    """The extractive ``answer`` marked as given in place of the configured LLM's."""
    return replace(answer, mode="fallback")


def _fallback_warning(exc: LLMError) -> str:
    return PAUSED if exc.code == "llm_circuit_open" else f"{FALLBACK}：{exc.message}"


def _extractive(query: Query, services: Services) -> Answer:
    """The extractive answer from the configured answerer (rules, the learned ranker, or both)."""
    retriever = services.retriever
    if services.settings.answerer == "ranked":
        return ranked.answer(query, retriever.retrieve, retriever.lexicon())
    if services.settings.answerer == "combined":
        return combined.answer(query, retriever.retrieve, retriever.lexicon())
    return extractive.answer(query, retriever.retrieve, retriever.lexicon())


def _llm_hits(retrieval: Retrieval) -> list[Hit]:
    return list(retrieval.hits[:LLM_HITS])
