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
                # /v1 streams no preview: its client leaves after the opening chunk
                if "片段2" in line or (path.startswith("/v1") and '"role"' in line):
                    break
        assert tokens.closed.wait(5), "the stream was not closed after the client left"
    assert tokens.produced < 20


def test_chunked_upload_is_cut_off_while_reading(settings: Settings) -> None:
    """A 64 MB chunked upload to a 1 MB limit is refused long before the client has sent it all."""
    limited = replace(settings, max_upload_bytes=1024 * 1024)
    boundary = "xyzzy"
    sent = [0]

    def body() -> Iterator[bytes]:
        yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\"\r\n"
               "Content-Type: text/plain\r\n\r\n").encode()
        for _ in range(1024):
            sent[0] += 64 * 1024
            yield b"x" * (64 * 1024)
        yield f"\r\n--{boundary}--\r\n".encode()

    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    with LiveServer(create_app(limited, FakeServices(), engine=fake_engine())) as live:
        try:
            response = httpx.post(f"{live.url}/api/documents", content=body(), headers=headers, timeout=30)
        except httpx.HTTPError:
            response = None  # the server answered and closed while the client was still sending
        if response is not None:
            assert response.status_code == 413
            assert response.json()["error"]["code"] == "too_large"
        assert httpx.get(f"{live.url}/livez").status_code == 200
    assert sent[0] < 16 * 1024 * 1024
