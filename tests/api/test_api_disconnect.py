"""A client that disconnects mid-stream stops the work behind it (on a real uvicorn server)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

import httpx
import pytest
from apifakes import FakeServices, fake_answer, fake_engine
from liveserver import LiveServer

from api.app import create_app
from rag.settings import Settings
from rag.types import Answer

pytestmark = pytest.mark.integration


class SlowTokens:
    """A stream of 100 tokens, 50 ms apart, that records how far it got and whether it was closed."""

    def __init__(self) -> None:
        self.produced = 0
        self.closed = threading.Event()

    def __call__(
        self, question: str, services: Any, history: Sequence[tuple[str, str]]
    ) -> Iterator[str | Answer]:
        try:
            for n in range(100):
                time.sleep(0.05)
                self.produced = n + 1
                yield f"片段{n} "
            yield fake_answer(question, services, history)
        finally:
            self.closed.set()


@pytest.mark.parametrize("path", ["/api/ask/stream", "/v1/chat/completions"])
def test_disconnect_stops_the_stream(settings: Settings, path: str) -> None:
    tokens = SlowTokens()
    app = create_app(settings, FakeServices(), engine=replace(fake_engine(), stream=tokens))
    body = {"question": "招生？", "messages": [{"role": "user", "content": "招生？"}], "stream": True}
    with LiveServer(app) as live, httpx.Client(base_url=live.url, timeout=10) as client:
        with client.stream("POST", path, json=body) as response:
            for line in response.iter_lines():
                if "片段2" in line:
                    break
        assert tokens.closed.wait(5), "the stream was not closed after the client left"
    assert tokens.produced < 20
