"""The core calls the API makes (answer, stream, to JSON), bundled so tests can swap them."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
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


def digest(question: str, history: History) -> str:
    """A fixed-size key for a question and its history (a cache entry never holds the request)."""
    text = json.dumps([question, [list(turn) for turn in history]], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def with_cache(engine: Engine, size: int) -> Engine:
    """``engine`` keeping the last ``size`` answers per index generation, so repeated questions
    come back at once; any change of the index (a new generation) makes earlier answers unused."""
    cache: OrderedDict[tuple[Any, ...], Answer] = OrderedDict()
    lock = threading.Lock()

    def key(question: str, services: Any, history: History) -> tuple[Any, ...]:
        return (services.index.generation(), digest(question, history))

    def recall(k: tuple[Any, ...], started: float) -> Answer | None:
        with lock:
            hit = cache.get(k)
            if hit is not None:
                cache.move_to_end(k)
        if hit is None:
            return None
        return replace(hit, latency_ms=round((time.perf_counter() - started) * 1000, 1))

    def keep(k: tuple[Any, ...], result: Answer) -> None:
        with lock:
            cache[k] = result
            while len(cache) > size:
                cache.popitem(last=False)

    def answer(question: str, services: Any, history: History) -> Answer:
        started, k = time.perf_counter(), key(question, services, history)
        result = recall(k, started) or engine.answer(question, services, history)
        keep(k, result)
        return result

    def stream(question: str, services: Any, history: History) -> Iterator[str | Answer]:
        started, k = time.perf_counter(), key(question, services, history)
        hit = recall(k, started)
        if hit is not None:
            yield hit
            return
        for item in engine.stream(question, services, history):
            if isinstance(item, Answer):
                keep(k, item)
            yield item

    return replace(engine, answer=answer, stream=stream)
