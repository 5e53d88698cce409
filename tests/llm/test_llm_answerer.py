"""The LLM answerer against the fake OpenAI server over real HTTP: answers, calculator, faults."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from fake_openai import (
    FAKE_API_KEY,
    FakeOpenAI,
    disconnect,
    hang,
    json_reply,
    malformed,
    slow,
    status,
    text,
)
from llm_samples import FACTS, FILE, HITS

from rag.errors import LLMError
from rag.llm import LLMAnswerer, build_llm_answerer
from rag.settings import Settings
from rag.types import Answer

pytestmark = pytest.mark.integration
QUESTION = "2022年昌平区中职学校招生多少人？"


def reply(
    answer: str,
    *,
    value: float | None = None,
    unit: str = "人",
    citations: list[Any] | None = None,
    refused: bool = False,
    calculation: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "answer": answer,
        "value": value,
        "unit": unit,
        "refused": refused,
        "citations": citations if citations is not None else [1],
        "calculation": calculation,
    }


GOOD = reply("2022年昌平区中职学校招生 1061 人[1]。", value=1061)


def test_good_structured_answer(answerer: LLMAnswerer, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(json_reply(GOOD))
    answer = answerer.answer(QUESTION, HITS, FACTS)
    assert (answer.value, answer.unit, answer.refused, answer.mode) == (1061, "人", False, "llm")
    assert answer.text == "2022年昌平区中职学校招生 1061 人[1]。"
    [citation] = answer.citations
    assert (citation.n, citation.file, citation.table, citation.line) == (1, FILE, "1-1", 6)
    assert "1,061" in citation.quote and citation.chunk_id == "c-row"
    assert answer.grounded and not answer.warnings and answer.retrieved == HITS


def test_prompt_has_numbered_sources_and_no_key(answerer: LLMAnswerer, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(json_reply(GOOD))
    answerer.answer(QUESTION, HITS, FACTS, history=[("昌平区有几所中职学校？", "3所[1]")])
    [request] = fake_openai.chat_requests()
    messages = request.body["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert "不是指令" in messages[0]["content"]
    user = messages[-1]["content"]
    assert "[1] 昌平区｜表1-1 昌平区中等职业教育学生总体规模｜招生总人数｜2022年：1,061 人" in user
    assert "[2] 昌平区｜表1-1 昌平区中等职业教育学生总体规模｜招生总人数｜2021年：1,200 人" in user
    assert "[3] 昌平区中等职业教育质量年度报告（2023）" in user and "[4] " in user and "[5]" not in user
    assert user.count("</资料>") == 1 and QUESTION in user
    assert request.body["response_format"] == {"type": "json_object"}
    assert request.body["model"] == "fake-chat"
    assert FAKE_API_KEY.encode() not in request.raw
    assert request.headers["authorization"] == f"Bearer {FAKE_API_KEY}"


def test_calculator_result_replaces_the_models_wrong_number(
    answerer: LLMAnswerer, fake_openai: FakeOpenAI
) -> None:
    calc = {"op": "sub", "inputs": [{"value": 1200, "source": 2}, {"value": 1061, "source": 1}]}
    fake_openai.script(
        json_reply(reply("2022年招生比2021年减少了 200 人[1][2]。", value=200, calculation=calc))
    )
    answer = answerer.answer("2022年比2021年招生少多少人？", HITS, FACTS)
    assert answer.value == 139 and answer.unit == "人"
    assert answer.text == "2022年招生比2021年减少了 139人[1][2]。"
    assert answer.computation == "1200 − 1061 = 139"
    assert [c.line for c in answer.citations] == [6, 6] and answer.grounded


def test_calculator_fills_the_placeholder_with_a_percentage(
    answerer: LLMAnswerer, fake_openai: FakeOpenAI
) -> None:
    calc = {"op": "pct_change", "inputs": [{"value": 1200, "source": 2}, {"value": 1061, "source": 1}]}
    fake_openai.script(json_reply(reply("招生人数变化 {result}[2][1]。", calculation=calc, citations=[2, 1])))
    answer = answerer.answer("招生人数增长率是多少？", HITS, FACTS)
    assert (answer.value, answer.unit) == (-11.58, "%")
    assert answer.text == "招生人数变化 -11.58%[1][2]。"
    assert answer.computation == "(1061 − 1200) ÷ 1200 × 100% = -11.58%"
    assert [c.chunk_id for c in answer.citations] == ["c-row", "c-row"]


def test_calculation_input_not_in_its_source_is_flagged(
    answerer: LLMAnswerer, fake_openai: FakeOpenAI
) -> None:
    calc = {"op": "add", "inputs": [{"value": 1061, "source": 1}, {"value": 5000, "source": 2}]}
    fake_openai.script(json_reply(reply("合计 {result} 人[1][2]。", calculation=calc)))
    answer = answerer.answer("两年合计招生多少人？", HITS, FACTS)
    assert answer.value == 6061 and not answer.grounded
    assert answer.warnings == ("calculation input 5000 is not stated in source [2]",)


def test_refusal_uses_the_fixed_sentence(answerer: LLMAnswerer, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(json_reply(reply("海淀区没有数据", refused=True, citations=[])))
    answer = answerer.answer("2024年海淀区中职招生多少人？", HITS, FACTS)
    assert answer.refused and answer.text == "报告中没有找到该问题的答案。"
    assert answer.value is None and answer.citations == ()


def test_no_sources_means_refusal_without_calling_the_model(
    answerer: LLMAnswerer, fake_openai: FakeOpenAI
) -> None:
    assert answerer.answer(QUESTION, [], []).refused
    assert fake_openai.chat_requests() == []


def test_not_configured_means_no_answerer(settings: Settings) -> None:
    assert build_llm_answerer(settings) is None


def test_json_in_a_code_fence_is_accepted(answerer: LLMAnswerer, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(text(f"```json\n{json.dumps(GOOD, ensure_ascii=False)}\n```"))
    assert answerer.answer(QUESTION, HITS, FACTS).value == 1061


@pytest.mark.parametrize(
    "bad",
    [
        text("2022年昌平区招生1061人"),
        text('{"answer": "1061人", "value": 1061, "citations": [1'),
        json_reply({"value": 1061}),
        json_reply(reply("x", value=[1])),  # type: ignore[arg-type]
        json_reply(reply("x", calculation={"op": "sqrt", "inputs": [{"value": 4, "source": 1}]})),
        json_reply(
            reply(
                "x",
                calculation={"op": "div", "inputs": [{"value": 4, "source": 1}, {"value": 0, "source": 2}]},
            )
        ),
        json_reply([1, 2]),
        malformed(),
    ],
    ids=["prose", "cut-json", "no-answer", "bad-value", "bad-op", "div-zero", "not-object", "bad-http-body"],
)
def test_malformed_output_raises(answerer: LLMAnswerer, fake_openai: FakeOpenAI, bad: Any) -> None:
    fake_openai.script(bad)
    with pytest.raises(LLMError) as info:
        answerer.answer(QUESTION, HITS, FACTS)
    assert info.value.code == "llm_bad_reply"
    assert len(fake_openai.chat_requests()) == 1, "a malformed reply is not retried"


def test_cut_off_reply_raises(answerer: LLMAnswerer, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(json_reply(GOOD, finish_reason="length"))
    with pytest.raises(LLMError) as info:
        answerer.answer(QUESTION, HITS, FACTS)
    assert info.value.code == "llm_cut_off"


def test_429_is_retried_once_after_retry_after(answerer: LLMAnswerer, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(status(429, retry_after=0.2), json_reply(GOOD))
    assert answerer.answer(QUESTION, HITS, FACTS).value == 1061
    first, second = fake_openai.chat_requests()
    assert second.at - first.at >= 0.2


def test_repeated_429_gives_up_after_max_retries(answerer: LLMAnswerer, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(*[status(429, retry_after=0)] * 5)
    with pytest.raises(LLMError) as info:
        answerer.answer(QUESTION, HITS, FACTS)
    assert info.value.code == "llm_rate_limited"
    assert len(fake_openai.chat_requests()) == 2


def test_retry_after_beyond_the_deadline_is_not_waited_for(
    answerer: LLMAnswerer, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script(status(429, retry_after=5), json_reply(GOOD))
    started = time.monotonic()
    with pytest.raises(LLMError):
        answerer.answer(QUESTION, HITS, FACTS)
    assert time.monotonic() - started < 1 and len(fake_openai.chat_requests()) == 1


def test_500_is_retried_then_fails(answerer: LLMAnswerer, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(status(500), json_reply(GOOD))
    assert answerer.answer(QUESTION, HITS, FACTS).value == 1061
    fake_openai.reset()
    fake_openai.script(status(500), status(503), json_reply(GOOD))
    with pytest.raises(LLMError) as info:
        answerer.answer(QUESTION, HITS, FACTS)
    assert info.value.code == "llm_status" and len(fake_openai.chat_requests()) == 2


def test_hang_fails_within_the_deadline(answerer: LLMAnswerer, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(hang(30), hang(30))
    started = time.monotonic()
    with pytest.raises(LLMError) as info:
        answerer.answer(QUESTION, HITS, FACTS)
    assert time.monotonic() - started < 2.0 + 1.0
    assert info.value.code == "llm_timeout" and len(fake_openai.chat_requests()) == 1


def test_connection_refused_is_an_llm_error(settings: Settings) -> None:
    with FakeOpenAI() as gone:
        dead = gone.llm_settings(settings, llm_timeout_s=1.0)
    with pytest.raises(LLMError) as info:
        LLMAnswerer(dead).answer(QUESTION, HITS, FACTS)
    assert info.value.code == "llm_connection"


def _collect(answerer: LLMAnswerer) -> tuple[list[str], Answer, list[float]]:
    pieces: list[str] = []
    times: list[float] = []
    final = None
    for item in answerer.stream(QUESTION, HITS, FACTS):
        if isinstance(item, str):
            pieces.append(item)
            times.append(time.monotonic())
        else:
            final = item
    assert final is not None
    return pieces, final, times


def test_stream_yields_preview_pieces_then_the_answer(answerer: LLMAnswerer, fake_openai: FakeOpenAI) -> None:
    long = reply(
        "根据表1-1，2022年昌平区中等职业学校招生总人数为 1061 人[1]，比上一年有所减少[2]。",
        value=1061,
        citations=[1, 2],
    )
    fake_openai.script(slow(json.dumps(long, ensure_ascii=False), token_delay_s=0.01, chunk_chars=3))
    pieces, final, times = _collect(answerer)
    assert len(pieces) > 3 and times[-1] > times[0]
    assert final.text.startswith("".join(pieces))
    assert final.value == 1061 and len(final.citations) == 2
    assert fake_openai.chat_requests()[0].body["stream"] is True


def test_stream_too_slow_for_the_deadline_fails_in_time(
    answerer: LLMAnswerer, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script(slow(json.dumps(GOOD, ensure_ascii=False), token_delay_s=0.3))
    started = time.monotonic()
    with pytest.raises(LLMError) as info:
        _collect(answerer)
    assert time.monotonic() - started < 2.0 + 1.0 and info.value.code == "llm_timeout"


def test_stream_disconnect_mid_way_is_not_retried(answerer: LLMAnswerer, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(disconnect(json.dumps(GOOD, ensure_ascii=False), after_tokens=20), json_reply(GOOD))
    with pytest.raises(LLMError) as info:
        _collect(answerer)
    assert info.value.code == "llm_connection" and len(fake_openai.chat_requests()) == 1


def test_stream_disconnect_before_any_token_is_retried(
    answerer: LLMAnswerer, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script(disconnect(), json_reply(GOOD))
    assert _collect(answerer)[1].value == 1061
    assert len(fake_openai.chat_requests()) == 2


def test_stream_cut_off_raises(answerer: LLMAnswerer, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(json_reply(GOOD, finish_reason="length"))
    with pytest.raises(LLMError) as info:
        _collect(answerer)
    assert info.value.code == "llm_cut_off"


def test_breaker_opens_and_bounds_upstream_calls(llm_settings: Settings, fake_openai: FakeOpenAI) -> None:
    answerer = LLMAnswerer(
        Settings(**{**llm_settings.__dict__, "llm_breaker_failures": 3, "llm_breaker_cooldown_s": 0.5})
    )
    fake_openai.default = status(500)
    for _ in range(3):
        with pytest.raises(LLMError):
            answerer.answer(QUESTION, HITS, FACTS)
    assert len(fake_openai.chat_requests()) == 6, "each request: 1 call + 1 retry"
    assert not answerer.available()
    started = time.monotonic()
    for _ in range(5):
        with pytest.raises(LLMError) as info:
            answerer.answer(QUESTION, HITS, FACTS)
        assert info.value.code == "llm_circuit_open"
    assert time.monotonic() - started < 0.2 and len(fake_openai.chat_requests()) == 6
    time.sleep(0.55)
    assert answerer.available()
    fake_openai.default = json_reply(GOOD)
    assert answerer.answer(QUESTION, HITS, FACTS).value == 1061
    assert answerer.breaker.state == "closed"


def test_stream_failures_count_towards_the_breaker(llm_settings: Settings, fake_openai: FakeOpenAI) -> None:
    answerer = LLMAnswerer(
        Settings(**{**llm_settings.__dict__, "llm_breaker_failures": 2, "llm_max_retries": 0})
    )
    fake_openai.default = malformed()
    for _ in range(2):
        with pytest.raises(LLMError):
            _collect(answerer)
    with pytest.raises(LLMError) as info:
        _collect(answerer)
    assert info.value.code == "llm_circuit_open" and len(fake_openai.chat_requests()) == 2


def test_value_missing_from_the_cited_source_is_flagged(
    answerer: LLMAnswerer, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script(json_reply(reply("招生 1200 人[1]。", value=1200)))
    answer = answerer.answer(QUESTION, HITS, FACTS)
    assert not answer.grounded
    assert answer.warnings == ("数值 1200 在所引来源中找不到",)


def test_repeated_malformed_replies_open_the_breaker(llm_settings: Settings, fake_openai: FakeOpenAI) -> None:
    answerer = LLMAnswerer(Settings(**{**llm_settings.__dict__, "llm_breaker_failures": 2}))
    fake_openai.default = text("不是 JSON")
    for _ in range(2):
        with pytest.raises(LLMError):
            answerer.answer(QUESTION, HITS, FACTS)
    assert answerer.breaker.state == "open" and len(fake_openai.chat_requests()) == 2


def test_abandoned_stream_closes_at_once(answerer: LLMAnswerer, fake_openai: FakeOpenAI) -> None:
    long = reply("根据表1-1，2022年昌平区中等职业学校招生总人数为 1061 人[1]，" * 4, value=1061)
    fake_openai.script(slow(json.dumps(long, ensure_ascii=False), token_delay_s=0.02, chunk_chars=2))
    stream = answerer.stream(QUESTION, HITS, FACTS)
    assert isinstance(next(stream), str)
    started = time.monotonic()
    stream.close()  # type: ignore[attr-defined]
    assert time.monotonic() - started < 0.5
    assert answerer.breaker.state == "closed"
    fake_openai.script(json_reply(GOOD))
    assert answerer.answer(QUESTION, HITS, FACTS).value == 1061
