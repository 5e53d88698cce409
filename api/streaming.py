"""Running a blocking generator in a worker thread and feeding its items to an async response.

The generator runs, and is closed, on its own thread; when the client goes away the consumer
sets a flag, so the worker stops pulling items (an LLM stream is closed upstream at once).
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import closing
from typing import Any, TypeVar

from starlette.requests import Request

T = TypeVar("T")
_POLL_S = 0.25


class _End:
    pass


def sse(event: str, data: Any) -> str:
    """One Server-Sent Event with a JSON payload."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def iterate_in_thread(make: Callable[[], Iterator[T]], request: Request) -> AsyncIterator[T]:
    """Items of ``make()`` as they come; stops the worker when the client disconnects."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[T | BaseException | _End] = asyncio.Queue()
    cancel = threading.Event()

    def put(item: T | BaseException | _End) -> None:
        if not loop.is_closed():
            loop.call_soon_threadsafe(queue.put_nowait, item)

    def work() -> None:
        try:
            with closing(make()) as items:  # type: ignore[type-var]
                for item in items:
                    if cancel.is_set():
                        return
                    put(item)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            put(exc)
        finally:
            put(_End())

    threading.Thread(target=work, name="nianbao-stream", daemon=True).start()
    try:
        while True:
            item = await _next(queue, request)
            if item is None:
                return
            if isinstance(item, _End):
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        cancel.set()


async def _next(queue: asyncio.Queue[Any], request: Request) -> Any:
    """The next queued item, or None once the client has disconnected."""
    while True:
        try:
            return await asyncio.wait_for(queue.get(), _POLL_S)
        except TimeoutError:
            if await request.is_disconnected():
                return None
