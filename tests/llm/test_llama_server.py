"""nianbao against a real llama.cpp server: deadlines behind a busy slot, streaming that never shows
an unchecked draft, a killed and restarted server, context overflow, replies that are not JSON.
Assertions are on behaviour only: the 270M base model's content is meaningless."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from liveserver import LiveServer
from llamaserver import CONTEXT, LlamaServer, llm_settings
from llm_samples import FACTS, HITS, PROSE

from api.app import create_app
from api.sources import markdown_safe
from rag.answering import FALLBACK, PAUSED, UNVERIFIED, answer
from rag.errors import LLMError
from rag.llm import LLMAnswerer
from rag.services import build_services
from rag.types import Answer, Hit

pytestmark = [pytest.mark.llmserver, pytest.mark.integration]
QUESTION = "2022年昌平区中职学校招生多少人？"
EOS_BANNED = {"1": -100, "106": -100}
"""gemma's <eos> and <end_of_turn>: banned, so the occupying request runs to its max_tokens."""


def _occupy(server: LlamaServer, *, tokens: int) -> None:
    """Take the only slot with a non-streamed request whose client leaves at once: the server,
    unable to cancel it, generates ``tokens`` tokens for nobody."""
    body = {"model": "gemma", "messages": [{"role": "user", "content": "1, 2, 3,"}], "max_tokens": tokens,
            "logit_bias": EOS_BANNED}

    def post() -> None:
        with contextlib.suppress(httpx.HTTPError):
            httpx.post(f"{server.url}/chat/completions", json=body, timeout=1.0)

    threading.Thread(target=post, daemon=True).start()
    time.sleep(1.5)


def test_deadline_holds_behind_a_busy_slot(llm_home: Path, llama: LlamaServer) -> None:
    """Past the server's 15 s ping interval, so pings to the queued stream would reset a read timeout."""
    deadline = 17.0
    answerer = LLMAnswerer(llm_settings(llm_home, llama, llm_timeout_s=deadline))
    try:
        _occupy(llama, tokens=CONTEXT - 64)
        for call in (lambda: list(answerer.stream(QUESTION, HITS, FACTS)),
                     lambda: answerer.answer(QUESTION, HITS, FACTS)):
            started = time.monotonic()
            with contextlib.suppress(LLMError):
                call()
            assert time.monotonic() - started < deadline + 1.0
    finally:
        llama.restart()  # the occupying request would hold the slot for a long while yet


def _events(text: str) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for block in text.strip().split("\n\n"):
        lines = block.splitlines()
        name = next((line[7:] for line in lines if line.startswith("event: ")), "")
        data = "".join(line[6:] for line in lines if line.startswith("data: "))
        out.append((name, json.loads(data)))
    return out


def _checked(payload: dict[str, Any]) -> None:
    """A final answer: from the LLM or the fallback, and marked when it is not grounded."""
    assert payload["mode"] in ("llm", "fallback")
    if not payload["grounded"]:
        assert payload["answer"].startswith(UNVERIFIED)


def test_streaming_never_shows_an_unchecked_draft(llm_home: Path, llama: LlamaServer) -> None:
    settings = llm_settings(llm_home, llama)
    services = build_services(settings)
    try:
        with LiveServer(create_app(settings, services)) as live:
            with httpx.stream("POST", f"{live.url}/api/ask/stream", json={"question": QUESTION},
                              timeout=120) as response:
                events = _events("".join(response.iter_text()))
            client = openai.OpenAI(base_url=f"{live.url}/v1", api_key="none", timeout=120, max_retries=0)
            chunks = list(client.chat.completions.create(
                model="nianbao", messages=[{"role": "user", "content": QUESTION}], stream=True))
    finally:
        services.index.close()
    names = [name for name, _ in events]
    assert names[-3:] == ["answer", "citations", "done"]
    assert all(data["preview"] is True for name, data in events if name == "token")
    _checked(events[-3][1])
    pieces = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    final = (chunks[-1].model_extra or {})["nianbao"]
    _checked(final)
    # /v1 content is the checked answer made Markdown-safe, then the 来源 list.
    shown = markdown_safe(final["answer"])
    assert len(pieces) == 1 and pieces[0].startswith(shown), "only the checked answer"


def test_a_killed_server_falls_back_then_recovers(llm_home: Path, llama: LlamaServer) -> None:
    settings = llm_settings(llm_home, llama, llm_breaker_failures=2, llm_breaker_cooldown_s=1.0,
                            llm_timeout_s=30.0, llm_probe_timeout_s=30.0)  # a loaded machine is slow
    services = build_services(settings)
    try:
        assert services.llm is not None
        llama.kill()
        down = [answer(QUESTION, services) for _ in range(3)]
        assert all(a.mode == "fallback" and a.value == 1061 for a in down)
        assert any(w.startswith(FALLBACK) for w in down[0].warnings) and PAUSED in down[2].warnings
        assert services.llm.breaker.state == "open"
        llama.start()
        time.sleep(1.1)
        after = answer(QUESTION, services)
        assert after.mode in ("llm", "fallback")
        assert services.llm.breaker.state == "closed", "the probe reached the restarted server"
    finally:
        services.index.close()
        llama.ensure_running()


def _long_sources() -> tuple[Hit, ...]:
    filler = "昌平区职业教育持续推进产教融合，校企合作不断深化，专业设置对接区域产业需求。" * 8
    return tuple(Hit(replace(PROSE, id=f"p{i}", text=f"{PROSE.text}\n{filler}{i}"), 1.0) for i in range(12))


def test_the_prompt_is_trimmed_to_the_context_window(llm_home: Path, llama: LlamaServer) -> None:
    oversized = LLMAnswerer(llm_settings(llm_home, llama, llm_context_tokens=32768))
    with pytest.raises(LLMError) as info:
        oversized.answer(QUESTION, _long_sources(), FACTS)
    # refused with a 400, or (streamed) with an error in place of the first chunk
    refused = ("llm_status", "llm_bad_reply")
    assert info.value.code in refused, "the server refuses a prompt beyond its window"
    fitted = LLMAnswerer(llm_settings(llm_home, llama, llm_max_tokens=8))
    with pytest.raises(LLMError) as cut:
        fitted.answer(QUESTION, _long_sources(), FACTS)
    assert cut.value.code not in refused, "a budgeted prompt is accepted (and cut at 8 tokens)"


def test_a_reply_that_is_not_the_json_asked_for_falls_back(llm_home: Path, llama: LlamaServer) -> None:
    services = build_services(llm_settings(llm_home, llama, llm_max_tokens=4))
    try:
        result = answer(QUESTION, services)
    finally:
        services.index.close()
    assert isinstance(result, Answer) and result.mode == "fallback" and result.value == 1061
    assert any(w.startswith(FALLBACK) for w in result.warnings)
