"""The core calls the API makes (answer, stream, to JSON), bundled so tests can swap them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from rag.types import Answer

History = Sequence[tuple[str, str]]
AnswerFn = Callable[[str, Any, History], Answer]
StreamFn = Callable[[str, Any, History], Iterator["str | Answer"]]
ToJsonFn = Callable[[Answer], dict[str, Any]]


@dataclass(frozen=True)
class Engine:
    answer: AnswerFn
    """The finished answer to a question."""
    stream: StreamFn
    """Text pieces as an LLM writes them (none in extractive mode), then the finished Answer."""
    to_json: ToJsonFn
    """The ``nianbao ask --json`` object for an answer."""


def default_engine() -> Engine:
    """The engine backed by ``rag.answering``."""
    from rag import answering

    def answer(question: str, services: Any, history: History) -> Answer:
        return answering.answer(question, services, history=history)

    def stream(question: str, services: Any, history: History) -> Iterator[str | Answer]:
        return answering.answer_stream(question, services, history=history)

    return Engine(answer=answer, stream=stream, to_json=answering.answer_to_json)


def with_slots(engine: Engine, slots: int) -> Engine:
    """``engine`` computing at most ``slots`` answers at once.

    Extractive answering is CPU-bound Python: many threads time-slicing under the GIL all finish
    late, while a few slots make requests queue and finish in turn (a much shorter latency tail).
    """
    gate = threading.BoundedSemaphore(slots)

    def answer(question: str, services: Any, history: History) -> Answer:
        with gate:
            return engine.answer(question, services, history)

    def stream(question: str, services: Any, history: History) -> Iterator[str | Answer]:
        with gate:
            yield from engine.stream(question, services, history)

    return replace(engine, answer=answer, stream=stream)
