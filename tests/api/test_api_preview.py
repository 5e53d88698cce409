"""No unchecked draft is ever shown as an answer: /api/ask/stream marks it as a preview that the
answer replaces, /v1 (whose clients only append) never sends it."""

from __future__ import annotations

import json
from typing import Any

from apifakes import FakeServices, fake_answer, fake_engine
from fastapi.testclient import TestClient

from api.app import create_app
from rag.settings import Settings

DRAFT = ["100000000000", "0000000000 人"]
"""What a model wrote before the checks threw it out (the final answer is a fallback)."""


def _client(settings: Settings) -> TestClient:
    # Open mode (no keys) answers only a loopback Host.
    return TestClient(create_app(settings, FakeServices(), engine=fake_engine(DRAFT)), base_url="http://127.0.0.1")


def _events(text: str) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for block in text.strip().split("\n\n"):
        lines = block.splitlines()
        name = next(line[7:] for line in lines if line.startswith("event: "))
        data = "".join(line[6:] for line in lines if line.startswith("data: "))
        out.append((name, json.loads(data)))
    return out


def test_ask_stream_marks_the_draft_as_a_preview(settings: Settings) -> None:
    with _client(settings) as client:
        events = _events(client.post("/api/ask/stream", json={"question": "招生？"}).text)
    tokens = [data for name, data in events if name == "token"]
    assert [t["text"] for t in tokens] == DRAFT and all(t["preview"] is True for t in tokens)
    [answer] = [data for name, data in events if name == "answer"]
    assert answer["answer"] == fake_answer("招生？").text


def test_v1_stream_sends_only_the_checked_answer(settings: Settings) -> None:
    body = {"model": "nianbao", "messages": [{"role": "user", "content": "招生？"}], "stream": True}
    with _client(settings) as client:
        raw = client.post("/v1/chat/completions", json=body).text
    chunks = [json.loads(line[6:]) for line in raw.splitlines()
              if line.startswith("data: ") and line != "data: [DONE]"]
    content = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
    assert not any(piece in content for piece in DRAFT)
    assert content.startswith(fake_answer("招生？").text)
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
