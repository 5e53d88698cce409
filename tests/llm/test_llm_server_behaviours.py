"""The LLM answerer against the behaviours of a real llama.cpp-style server, reproduced by the fake:
a single busy slot that pings queued streams, no cancellation of non-streamed requests, a small
context window, chat templates without a system role, and the breaker's probe."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest
from fake_openai import FakeOpenAI, hang, json_reply, prompt_tokens, slow, status
from llm_samples import FACTS, HITS, PROSE, ROW

from rag.errors import LLMError
from rag.llm import LLMAnswerer
from rag.settings import Settings
from rag.tokens import count_tokens
from rag.types import Answer, Hit

pytestmark = pytest.mark.integration
QUESTION = "2022年昌平区中职学校招生多少人？"
GOOD = {"answer": "2022年昌平区中职学校招生 1061 人[1]。", "value": 1061, "unit": "人", "refused": False,
        "citations": [1], "calculation": None}


@pytest.fixture
def busy() -> Iterator[FakeOpenAI]:
    """One slot, pings every 0.2 s to queued streams."""
    count_tokens("预热")  # the token encoding loads once, outside the deadlines measured here
    with FakeOpenAI(slots=1, ping_s=0.2) as server:
        yield server


def _occupy(server: FakeOpenAI, seconds: float) -> threading.Thread:
    """A non-streamed request holding the only slot for ``seconds`` (its client gives up at once)."""
    server.script(slow(json.dumps(GOOD, ensure_ascii=False), token_delay_s=seconds / 40, chunk_chars=1))

    def post() -> None:
        body = {"model": "m", "messages": [{"role": "user", "content": "x"}]}
        # the client gives up, the server keeps generating: it cannot cancel a non-streamed request
        with contextlib.suppress(httpx.TimeoutException):
            httpx.post(f"{server.url}/chat/completions", json=body, timeout=0.5)

    thread = threading.Thread(target=post, daemon=True)
    thread.start()
    time.sleep(0.3)
    return thread


def _drain(answerer: LLMAnswerer) -> list[str | Answer]:
    return list(answerer.stream(QUESTION, HITS, FACTS))


def test_stream_deadline_holds_while_pinged_in_the_queue(settings: Settings, busy: FakeOpenAI) -> None:
    answerer = LLMAnswerer(busy.llm_settings(settings, llm_timeout_s=1.5, llm_max_retries=0))
    _occupy(busy, 6.0)
    started = time.monotonic()
    with pytest.raises(LLMError) as info:
        _drain(answerer)
    assert time.monotonic() - started < 1.5 + 1.0
    assert info.value.code == "llm_timeout" and busy.pings >= 1, "the queued stream was pinged"


def test_non_stream_deadline_holds_behind_a_busy_slot(settings: Settings, busy: FakeOpenAI) -> None:
    answerer = LLMAnswerer(busy.llm_settings(settings, llm_timeout_s=1.5, llm_max_retries=1))
    _occupy(busy, 6.0)
    started = time.monotonic()
    with pytest.raises(LLMError) as info:
        answerer.answer(QUESTION, HITS, FACTS)
    assert time.monotonic() - started < 1.5 + 1.0 and info.value.code == "llm_timeout"


@pytest.mark.parametrize("streamed", [True, False])
def test_an_answer_given_up_on_frees_the_slot(settings: Settings, busy: FakeOpenAI, streamed: bool) -> None:
    """Both kinds of answer are streamed upstream, so one closed on its deadline ends there too and
    the next request is served (a server cannot cancel a non-streamed request)."""
    long = {**GOOD, "answer": "招生 1061 人[1]，" * 30}
    busy.script(slow(json.dumps(long, ensure_ascii=False), token_delay_s=0.05))
    answerer = LLMAnswerer(busy.llm_settings(settings, llm_timeout_s=1.0, llm_max_retries=0))
    with pytest.raises(LLMError):
        _drain(answerer) if streamed else answerer.answer(QUESTION, HITS, FACTS)
    assert busy.chat_requests()[0].body["stream"] is True
    busy.script(json_reply(GOOD))
    patient = LLMAnswerer(busy.llm_settings(settings, llm_timeout_s=2.0, llm_max_retries=0))
    assert patient.answer(QUESTION, HITS, FACTS).value == 1061


def test_max_tokens_is_always_sent(settings: Settings, fake_openai: FakeOpenAI) -> None:
    answerer = LLMAnswerer(fake_openai.llm_settings(settings, llm_max_tokens=300))
    fake_openai.script(json_reply(GOOD), json_reply(GOOD))
    answerer.answer(QUESTION, HITS, FACTS)
    _drain(answerer)
    assert [r.body.get("max_tokens") for r in fake_openai.chat_requests()] == [300, 300]


def _many_sources() -> tuple[Hit, ...]:
    """Sixteen passages of ~400 tokens each: far more than a 2,048-token window holds."""
    filler = "昌平区职业教育持续推进产教融合，校企合作不断深化，专业设置对接区域产业需求。" * 8
    return tuple(
        Hit(replace(PROSE, id=f"p{i}", text=f"{PROSE.text}\n{filler}{i}"), 1.0 - i / 100) for i in range(16)
    )


def test_the_prompt_fits_the_context_window(settings: Settings) -> None:
    with FakeOpenAI(context_tokens=2048) as small:
        small.default = json_reply(GOOD)
        fitted = LLMAnswerer(small.llm_settings(settings, llm_context_tokens=2048, llm_max_tokens=256))
        answer = fitted.answer(QUESTION, (Hit(ROW, 2.0), *_many_sources()), FACTS)
        [request] = small.chat_requests()
        assert prompt_tokens(request.body) + 256 <= 2048
        assert answer.value == 1061 and "1,061" in request.messages_text(), "the best source is kept"
        unfitted = LLMAnswerer(small.llm_settings(settings, llm_context_tokens=32768))
        with pytest.raises(LLMError) as info:
            unfitted.answer(QUESTION, _many_sources(), FACTS)
        assert info.value.code == "llm_status"


def test_rules_can_go_in_the_first_user_message(settings: Settings, fake_openai: FakeOpenAI) -> None:
    answerer = LLMAnswerer(fake_openai.llm_settings(settings, llm_system_in_user=True))
    fake_openai.script(json_reply(GOOD), json_reply(GOOD))
    answerer.answer(QUESTION, HITS, FACTS)
    answerer.answer(QUESTION, HITS, FACTS, history=[("2021年呢？", "1200人。")])
    for request in fake_openai.chat_requests():
        messages = request.body["messages"]
        assert {m["role"] for m in messages} <= {"user", "assistant"}
        assert "只输出一个 JSON 对象" in messages[0]["content"]
        assert QUESTION in messages[-1]["content"]


def test_the_breaker_probe_has_a_short_deadline(settings: Settings, fake_openai: FakeOpenAI) -> None:
    tuned = fake_openai.llm_settings(settings, llm_timeout_s=3.0, llm_max_retries=0, llm_breaker_failures=1,
                                     llm_breaker_cooldown_s=0.2, llm_probe_timeout_s=0.5)
    answerer = LLMAnswerer(tuned)
    fake_openai.script(status(500))
    with pytest.raises(LLMError):
        answerer.answer(QUESTION, HITS, FACTS)
    time.sleep(0.25)
    fake_openai.script(hang(10))
    started = time.monotonic()
    with pytest.raises(LLMError) as info:
        answerer.answer(QUESTION, HITS, FACTS)
    assert time.monotonic() - started < 0.5 + 1.0 and info.value.code == "llm_circuit_open"
    assert answerer.breaker.state == "open"
    probe = fake_openai.chat_requests()[-1].body
    assert probe["max_tokens"] == 1 and len(fake_openai.chat_requests()) == 2
    time.sleep(0.25)
    fake_openai.script(json_reply({"answer": "ok"}), json_reply(GOOD))
    assert answerer.answer(QUESTION, HITS, FACTS).value == 1061
    assert answerer.breaker.state == "closed" and len(fake_openai.chat_requests()) == 4
