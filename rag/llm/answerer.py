"""The LLM answerer: numbered sources in, a checked draft Answer (mode ``llm``) out.

The model only proposes: its text is stripped of links, images and markup, its citation markers
are kept only when they name a real source (and renumbered 1..m), arithmetic is redone by the
calculator from the cited inputs, and a reply that repeats the system prompt or a key is blocked.
The caller runs the numeric grounding check on the result and falls back to the extractive
answer on ``LLMError``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from typing import TypeVar

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from rag.breaker import CircuitBreaker
from rag.errors import LLMError
from rag.llm.calculator import PERCENT_OPS, Calculation, compute, formula
from rag.llm.client import ChatClient
from rag.llm.draft import parse_draft, partial_answer
from rag.llm.safety import LeakGuard, clean_unit, strip_markup
from rag.llm.sources import (
    MAX_SOURCE_TOKENS,
    ChunkAt,
    Source,
    cite,
    holds,
    number_sources,
    numbers_in,
    render_sources,
    same_number,
)
from rag.numbers import find_quantities, format_number
from rag.prompts import render
from rag.settings import Settings
from rag.tokens import count_tokens
from rag.types import Answer, Hit, TableFact

History = Sequence[tuple[str, str]]
T = TypeVar("T")
MAX_HISTORY_TURNS = 3
MAX_HISTORY_CHARS = 600
PREVIEW_HOLD = 12
"""Characters held back while streaming, so a link or marker is never shown half-written."""
BLOCKED = "大模型的回复已被拦截：其中复述了系统提示或密钥"
CIRCUIT_OPEN = "大模型连续失败，暂时停用"
CONTEXT_SHARE = 0.85
"""Share of the context window the prompt and reply may plan on: the server's tokenizer is not
the offline cl100k one this budget is counted with (gemma's counted Chinese a little differently)."""
TEMPLATE_TOKENS = 48
"""Chat-template tokens around the messages (role markers, turn separators)."""
_MARKER = re.compile(r"[\[【]\s*(\d+(?:\s*[,，、]\s*\d+)*)\s*[\]】]")
_PLACEHOLDER = re.compile(r"\{\s*result\s*\}(%?)")


class LLMAnswerer:
    """Answers from numbered sources with an OpenAI-compatible chat model behind a circuit breaker."""

    def __init__(self, settings: Settings, *, breaker: CircuitBreaker | None = None) -> None:
        self.breaker = breaker or CircuitBreaker(
            failures=settings.llm_breaker_failures, cooldown_s=settings.llm_breaker_cooldown_s
        )
        self._client = ChatClient(settings)
        self._settings = settings
        self.refusal = render("refusal")
        self._system = render("answer_system", refusal=self.refusal)
        self._guard = LeakGuard(self._system, secrets=[settings.llm_api_key], allowed=[self.refusal])

    def available(self) -> bool:
        """False while the circuit breaker is open (answers should go extractive at once)."""
        return self.breaker.available()

    def answer(
        self, question: str, hits: Sequence[Hit], facts: Sequence[TableFact] = (), *,
        history: History = (), chunk_at: ChunkAt | None = None,
    ) -> Answer:
        """A checked draft Answer; LLMError when the model fails or the breaker is open."""
        sources = number_sources(hits, facts, chunk_at=chunk_at, max_tokens=self._budget(question, history))
        if not sources:
            return self._refused(question, hits)
        messages = self._messages(question, sources, history)
        return self._guarded(lambda: self._finish(question, self._client.complete(messages), sources, hits))

    def stream(
        self, question: str, hits: Sequence[Hit], facts: Sequence[TableFact] = (), *,
        history: History = (), chunk_at: ChunkAt | None = None,
    ) -> Iterator[str | Answer]:
        """Preview text pieces of the answer as the model writes them, then the final Answer.

        The pieces are already filtered (no links, markup, system prompt or key) but only the final
        Answer is authoritative: its text may differ (a computed result filled in, markers added).
        """
        sources = number_sources(hits, facts, chunk_at=chunk_at, max_tokens=self._budget(question, history))
        if not sources:
            yield self._refused(question, hits)
            return
        messages = self._messages(question, sources, history)
        self._enter()
        final: Answer | None = None
        try:
            preview = _Preview(self._guard, {s.n for s in sources})
            buffer = ""
            deltas = self._client.stream(messages)
            with closing(deltas):
                for delta in deltas:
                    buffer += delta
                    if piece := preview.feed(buffer):
                        yield piece
            final = self._finish(question, buffer, sources, hits)
        except LLMError:
            self.breaker.record_failure()
            raise
        finally:
            if final is None:
                self.breaker.release()
        self.breaker.record_success()
        yield final

    def _guarded(self, call: Callable[[], T]) -> T:
        self._enter()
        try:
            result = call()
        except LLMError:
            self.breaker.record_failure()
            raise
        except BaseException:
            self.breaker.release()
            raise
        self.breaker.record_success()
        return result

    def _enter(self) -> None:
        """Pass the breaker; after its cool-down a one-token probe with a short deadline goes first."""
        admission = self.breaker.admit()
        if admission is None:
            raise LLMError(CIRCUIT_OPEN, code="llm_circuit_open")
        if admission == "probe":
            try:
                timeout = self._settings.llm_probe_timeout_s
                self._client.probe([HumanMessage(render("probe"))], timeout_s=timeout)
            except LLMError as exc:
                self.breaker.record_failure()
                raise LLMError(f"{CIRCUIT_OPEN} （探测：{exc.message}）", code="llm_circuit_open") from exc
            self.breaker.record_success()

    def _messages(self, question: str, sources: Sequence[Source], history: History) -> list[BaseMessage]:
        turns = _turns(history)
        user = render("answer_user", sources=render_sources(sources), question=question)
        if not self._settings.llm_system_in_user:
            return [SystemMessage(self._system), *turns, HumanMessage(user)]
        if turns:  # the rules lead the first user message of the conversation
            first = turns[0]
            turns[0] = HumanMessage(f"{self._system}\n\n{first.content}")
            return [*turns, HumanMessage(user)]
        return [HumanMessage(f"{self._system}\n\n{user}")]

    def _budget(self, question: str, history: History) -> int:
        """Tokens left for the sources once rules, question, history and the reply are counted."""
        frame = render("answer_user", sources="", question=question)
        fixed = sum(count_tokens(str(m.content)) for m in [SystemMessage(self._system), *_turns(history)])
        window = int(self._settings.llm_context_tokens * CONTEXT_SHARE)
        spare = window - self._settings.llm_max_tokens - fixed - count_tokens(frame) - TEMPLATE_TOKENS
        return max(0, min(MAX_SOURCE_TOKENS, spare))

    def _finish(self, question: str, content: str, sources: Sequence[Source], hits: Sequence[Hit]) -> Answer:
        draft = parse_draft(content)
        if draft.refused:
            return self._refused(question, hits)
        by_n = {s.n: s for s in sources}
        text = strip_markup(draft.answer)
        value, unit = draft.value, clean_unit(draft.unit)
        computation, warnings = "", []
        calc = draft.calculation
        if calc is not None:
            value = compute(calc)
            unit = "%" if calc.op in PERCENT_OPS else unit
            computation = formula(calc, value)
            warnings += _unsupported_inputs(calc, by_n)
            known = [*numbers_in(question), *(v for s in sources for v in numbers_in(s.text))]
            text = _place_result(text, calc, value, unit, known, computation)
        extra = [*draft.citations, *(o.source for o in calc.inputs)] if calc else list(draft.citations)
        text, order = renumber(text, set(by_n), extra=extra)
        if self._guard.leaks(text) or self._guard.leaks(unit) or self._guard.leaks(computation):
            return self._refused(question, hits, warnings=(BLOCKED,))
        if not order:
            warnings.append("大模型的回答没有引用任何来源")
        elif calc is None and value is not None and not any(holds(by_n[n].body, value) for n in order):
            warnings.append(f"数值 {format_number(value)} 在所引来源中找不到")
        citations = tuple(cite(by_n[n], i + 1, _values_for(n, value, calc)) for i, n in enumerate(order))
        return Answer(
            question=question, text=text, value=value, unit=unit, refused=False, mode="llm",
            citations=citations, retrieved=tuple(hits), computation=computation,
            grounded=not warnings, warnings=tuple(warnings),
        )

    def _refused(self, question: str, hits: Sequence[Hit], *, warnings: tuple[str, ...] = ()) -> Answer:
        return Answer(question, self.refusal, None, "", True, "llm", (), tuple(hits), warnings=warnings)


def _turns(history: History) -> list[BaseMessage]:
    turns: list[BaseMessage] = []
    for asked, answered in list(history)[-MAX_HISTORY_TURNS:]:
        turns += [HumanMessage(asked[:MAX_HISTORY_CHARS]), AIMessage(answered[:MAX_HISTORY_CHARS])]
    return turns


def renumber(text: str, valid: set[int], *, extra: Sequence[int] = ()) -> tuple[str, list[int]]:
    """Text with markers renumbered 1..m by first use (unknown sources dropped) and the sources used.

    Sources listed in ``extra`` but never marked in the text get markers appended at the end.
    """
    order: list[int] = []

    def new_marker(match: re.Match[str]) -> str:
        out = []
        for n in (int(x) for x in re.split(r"\s*[,，、]\s*", match.group(1))):
            if n in valid:
                if n not in order:
                    order.append(n)
                out.append(f"[{order.index(n) + 1}]")
        return "".join(dict.fromkeys(out))

    text = _MARKER.sub(new_marker, text)
    missing = [n for n in dict.fromkeys(extra) if n in valid and n not in order]
    order += missing
    markers = "".join(f"[{order.index(n) + 1}]" for n in missing)
    body = text.rstrip("。.！!；;")
    return f"{body}{markers}{text[len(body):]}", order


def _unsupported_inputs(calc: Calculation, by_n: dict[int, Source]) -> list[str]:
    out = []
    for operand in calc.inputs:
        source = by_n.get(operand.source)
        if source is None or not holds(f"{source.body}\n{source.text}", operand.value):
            shown = format_number(operand.value)
            out.append(f"calculation input {shown} is not stated in source [{operand.source}]")
    return out


def _place_result(
    text: str, calc: Calculation, result: float, unit: str, known: Sequence[float], computation: str
) -> str:
    """Text with the calculator's result where the model put ``{result}`` or its own (wrong) number."""
    shown = format_number(result)
    percent = calc.op in PERCENT_OPS
    if _PLACEHOLDER.search(text):
        return _PLACEHOLDER.sub(lambda m: f"{shown}{'%' if percent else ''}", text)
    allowed = [*known, *(o.value for o in calc.inputs), result]
    for q in find_quantities(text):
        if not any(same_number(q.value, v) or same_number(q.base()[0], v) for v in allowed):
            suffix = "%" if percent else q.unit
            return f"{text[: q.start]}{shown}{suffix}{text[q.end :]}"
    if any(abs(q.value - result) < 0.005 for q in find_quantities(text)):
        return text
    return f"{text}（{computation}）"


def _values_for(n: int, value: float | None, calc: Calculation | None) -> list[float]:
    values = [o.value for o in calc.inputs if o.source == n] if calc else []
    return [*values, value] if value is not None else values


@dataclass
class _Preview:
    """Turns the growing JSON reply into safe, append-only pieces of the answer text."""

    guard: LeakGuard
    valid: set[int]
    sent: str = ""
    stopped: bool = False

    def feed(self, buffer: str) -> str:
        if self.stopped:
            return ""
        raw = partial_answer(buffer)
        cut = raw.find("{")
        if cut >= 0:
            raw, self.stopped = raw[:cut], True
        text, _ = renumber(strip_markup(raw), self.valid)
        candidate = text[: max(0, len(text) - PREVIEW_HOLD)] if not self.stopped else text
        if not candidate.startswith(self.sent) or self.guard.leaks(text):
            self.stopped = True
            return ""
        piece, self.sent = candidate[len(self.sent):], candidate
        return piece

