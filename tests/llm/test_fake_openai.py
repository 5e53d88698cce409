"""The fake OpenAI server itself, driven by the real openai client over HTTP."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from fake_openai import (
    FAKE_API_KEY,
    FakeOpenAI,
    Reply,
    disconnect,
    embed_text,
    hang,
    json_reply,
    malformed,
    slow,
    status,
    text,
    tool_call,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def client(fake_openai: FakeOpenAI) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=fake_openai.url, api_key=FAKE_API_KEY, timeout=3, max_retries=0) as c:
        yield c


def _ask(client: openai.OpenAI, **kwargs: Any) -> Any:
    return client.chat.completions.create(
        model="fake-chat", messages=[{"role": "user", "content": "问"}], **kwargs
    )


def test_json_reply_and_recording(fake_openai: FakeOpenAI, client: openai.OpenAI) -> None:
    fake_openai.script(json_reply({"answer": "1061人"}))
    result = _ask(client, response_format={"type": "json_object"})
    assert result.choices[0].message.content == '{"answer": "1061人"}'
    [request] = fake_openai.chat_requests()
    assert request.body["response_format"] == {"type": "json_object"}
    assert request.headers["authorization"] == f"Bearer {FAKE_API_KEY}"
    assert request.messages_text() == "问"


def test_default_reply_when_queue_is_empty(fake_openai: FakeOpenAI, client: openai.OpenAI) -> None:
    assert _ask(client).choices[0].message.content == "好的。"


def test_stream_yields_tokens_then_done(fake_openai: FakeOpenAI, client: openai.OpenAI) -> None:
    fake_openai.script(text("一二三四五", finish_reason="length"))
    chunks = list(_ask(client, stream=True, stream_options={"include_usage": True}))
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert content == "一二三四五"
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "length"
    assert chunks[-1].usage is not None


def test_tool_call_plain_and_streamed(fake_openai: FakeOpenAI, client: openai.OpenAI) -> None:
    fake_openai.script(tool_call("calc", {"op": "sub"}), tool_call("calc", {"op": "add", "inputs": [1, 2]}))
    call = _ask(client).choices[0].message.tool_calls[0]
    assert (call.function.name, call.function.arguments) == ("calc", '{"op": "sub"}')
    args = "".join(
        c.choices[0].delta.tool_calls[0].function.arguments or ""
        for c in _ask(client, stream=True)
        if c.choices and c.choices[0].delta.tool_calls
    )
    assert args == '{"op": "add", "inputs": [1, 2]}'


def test_status_429_carries_retry_after(fake_openai: FakeOpenAI, client: openai.OpenAI) -> None:
    fake_openai.script(status(429, retry_after=2), status(500))
    with pytest.raises(openai.RateLimitError) as info:
        _ask(client)
    assert info.value.response.headers["retry-after"] == "2"
    with pytest.raises(openai.InternalServerError):
        _ask(client)


def test_hang_times_out(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(hang(10))
    started = time.monotonic()
    with openai.OpenAI(base_url=fake_openai.url, api_key="k", timeout=0.5, max_retries=0) as c, \
            pytest.raises(openai.APITimeoutError):
        _ask(c)
    assert time.monotonic() - started < 2


def test_disconnect_plain_and_mid_stream(fake_openai: FakeOpenAI, client: openai.OpenAI) -> None:
    fake_openai.script(disconnect(), disconnect("一二三四五六", after_tokens=2))
    with pytest.raises(openai.APIConnectionError):
        _ask(client)
    received = []
    with pytest.raises((openai.APIConnectionError, httpx.RemoteProtocolError)):
        for c in _ask(client, stream=True):
            received.append(c.choices[0].delta.content or "")
    assert "".join(received) == "一二三四"


def test_malformed_body(fake_openai: FakeOpenAI, client: openai.OpenAI) -> None:
    fake_openai.script(malformed())
    with pytest.raises(json.JSONDecodeError):  # the openai client lets this escape as is
        _ask(client)


def test_slow_tokens_arrive_over_time(fake_openai: FakeOpenAI, client: openai.OpenAI) -> None:
    fake_openai.script(slow("一二三四", token_delay_s=0.2, chunk_chars=1))
    times = [time.monotonic() for c in _ask(client, stream=True) if c.choices and c.choices[0].delta.content]
    assert len(times) == 4 and times[-1] - times[0] >= 0.5


def test_responder_sees_request(fake_openai: FakeOpenAI, client: openai.OpenAI) -> None:
    fake_openai.respond(lambda body: Reply(content=body["messages"][-1]["content"] * 2))
    assert _ask(client).choices[0].message.content == "问问"


def test_embeddings_float_and_base64(fake_openai: FakeOpenAI, client: openai.OpenAI) -> None:
    plain = client.embeddings.create(model="fake-embed", input=["昌平区招生", "x"], encoding_format="float")
    packed = client.embeddings.create(model="fake-embed", input="昌平区招生")  # client asks for base64
    assert fake_openai.embedding_requests()[1].body["encoding_format"] == "base64"
    assert packed.data[0].embedding == pytest.approx(plain.data[0].embedding, abs=1e-6)
    assert plain.data[0].embedding == pytest.approx(embed_text("昌平区招生", 64))
    near = embed_text("昌平区招生人数", 64)
    far = embed_text("财政经费投入", 64)
    base = embed_text("昌平区招生", 64)
    def cos(a: list[float], b: list[float]) -> float:
        return sum(x * y for x, y in zip(a, b, strict=True))

    assert cos(base, near) > cos(base, far)


def test_embedding_failure_is_scripted(fake_openai: FakeOpenAI, client: openai.OpenAI) -> None:
    fake_openai.script_embeddings(status(500))
    with pytest.raises(openai.InternalServerError):
        client.embeddings.create(model="fake-embed", input="x")
    assert len(client.embeddings.create(model="fake-embed", input="x").data) == 1


def test_models(client: openai.OpenAI) -> None:
    assert {m.id for m in client.models.list()} == {"fake-chat", "fake-embed"}
