"""A short LLM summary over the passages a passage answer selected, citing them by number.

The passages stay in the answer under the summary (and are the whole answer when the model fails,
cites a passage that does not exist, states a number no passage holds, or repeats its instructions).
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

from langchain_core.messages import HumanMessage, SystemMessage

from rag import grounding
from rag.breaker import CircuitBreaker
from rag.errors import LLMError
from rag.llm.client import ChatClient
from rag.llm.safety import LeakGuard, strip_markup
from rag.prompts import render
from rag.settings import Settings
from rag.types import Answer

MAX_SUMMARY_CHARS = 400
_MARKER = re.compile(r"[\[【]\s*(\d+)\s*[\]】]")


def summarize(passages: Answer, settings: Settings, *, breaker: CircuitBreaker) -> Answer:
    """``passages`` with a checked summary written above them (mode ``llm``); LLMError on failure."""
    if passages.refused or not passages.citations:
        return passages
    if not breaker.allow():
        raise LLMError("the LLM is skipped for a while after repeated failures", code="llm_circuit_open")
    system = render("passage_summary_system")
    numbered = "\n".join(f"[{c.n}] {c.quote}" for c in passages.citations)
    messages = [SystemMessage(system), HumanMessage(render("passage_summary_user", passages=numbered,
                                                          question=passages.question))]
    try:
        reply = ChatClient(settings).complete(messages)
    except LLMError:
        breaker.record_failure()
        raise
    except BaseException:
        breaker.release()
        raise
    breaker.record_success()
    summary = checked_summary(reply, passages, guard=LeakGuard(system, secrets=[settings.llm_api_key]))
    return replace(passages, text=f"{summary}\n\n{passages.text}", mode="llm")


def checked_summary(reply: str, passages: Answer, *, guard: LeakGuard) -> str:
    """The summary text of a model reply, or LLMError when it cites a passage that does not exist,
    cites none, states a number no passage holds, or leaks its instructions."""
    try:
        data = json.loads(reply)
        text = strip_markup(str(data["summary"]))[:MAX_SUMMARY_CHARS].strip()
    except (ValueError, KeyError, TypeError) as exc:
        raise LLMError("the LLM summary was not the JSON asked for", code="llm_bad_reply") from exc
    cited = {int(n) for n in _MARKER.findall(text)}
    known = {c.n for c in passages.citations}
    if not text or not cited or not cited <= known:
        raise LLMError("the LLM summary cited no passage or one that does not exist", code="llm_bad_reply")
    if guard.leaks(text):
        raise LLMError("the LLM summary repeated its instructions or a key", code="llm_blocked")
    if not grounding.check(replace(passages, text=text)).grounded:
        raise LLMError("the LLM summary stated a number that no passage holds", code="llm_bad_reply")
    return text
