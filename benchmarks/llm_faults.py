"""LLM fault figures: each upstream fault against the local fake OpenAI server, with the outcome,
the seconds until the caller had it, and the number of upstream calls.

    .venv/bin/python benchmarks/llm_faults.py [--deadline 2] [--retries 1] [--breaker 3]

Loopback only (tests/fake_openai.py on 127.0.0.1). Exit status 1 when a fault took longer than
the deadline + 1 s, made more than 1 + retries upstream calls, or the breaker did not open.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests"), str(REPO / "tests" / "llm")]

from fake_openai import (  # noqa: E402
    FakeOpenAI,
    Reply,
    disconnect,
    hang,
    json_reply,
    malformed,
    slow,
    status,
    text,
)
from llm_samples import FACTS, HITS  # noqa: E402

from rag.errors import LLMError  # noqa: E402
from rag.llm import LLMAnswerer  # noqa: E402
from rag.settings import Settings  # noqa: E402

GOOD = {"answer": "2022年昌平区中职学校招生 1061 人[1]。", "value": 1061, "unit": "人", "refused": False,
        "citations": [1], "calculation": None}
GOOD_JSON = json.dumps(GOOD, ensure_ascii=False)
QUESTION = "2022年昌平区中职学校招生多少人？"


def faults(deadline: float) -> list[tuple[str, list[Reply], bool]]:
    """(name, scripted replies, streamed?) for every fault."""
    return [
        ("good answer", [json_reply(GOOD)], False),
        ("hang", [hang(60)] * 3, False),
        ("hang (stream)", [hang(60)] * 3, True),
        ("429 then ok", [status(429, retry_after=0.2), json_reply(GOOD)], False),
        ("429 always", [status(429, retry_after=0.2)] * 3, False),
        ("429 Retry-After 30 s", [status(429, retry_after=30)] * 3, False),
        ("500 then ok", [status(500), json_reply(GOOD)], False),
        ("500 always", [status(500)] * 3, False),
        ("malformed HTTP body", [malformed()] * 3, False),
        ("malformed JSON content", [text("招生 1061 人")] * 3, False),
        ("cut-off JSON (length)", [json_reply(GOOD, finish_reason="length")] * 3, False),
        ("slow tokens within deadline (stream)", [slow(GOOD_JSON, token_delay_s=deadline / 400)], True),
        ("slow tokens past deadline (stream)", [slow(GOOD_JSON, token_delay_s=deadline / 20)], True),
        ("disconnect mid-stream", [disconnect(GOOD_JSON, after_tokens=10)] * 3, True),
        ("disconnect before first token", [disconnect(), json_reply(GOOD)], True),
    ]


def run_one(
    answerer: LLMAnswerer, server: FakeOpenAI, replies: list[Reply], streamed: bool
) -> tuple[str, float]:
    server.reset()
    server.script(*replies)
    started = time.monotonic()
    try:
        if streamed:
            items = list(answerer.stream(QUESTION, HITS, FACTS))
            outcome = f"answer {items[-1].value:g} after {len(items) - 1} preview pieces"  # type: ignore[union-attr]
        else:
            outcome = f"answer {answerer.answer(QUESTION, HITS, FACTS).value:g}"
    except LLMError as exc:
        outcome = f"LLMError {exc.code}"
    return outcome, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deadline", type=float, default=2.0)
    parser.add_argument("--retries", type=int, default=1)
    parser.add_argument("--breaker", type=int, default=3)
    args = parser.parse_args()
    failed = False
    with FakeOpenAI() as server:
        settings = server.llm_settings(Settings(), llm_timeout_s=args.deadline, llm_max_retries=args.retries,
                                       llm_breaker_failures=10_000)
        server.script(json_reply(GOOD))
        LLMAnswerer(settings).answer(QUESTION, HITS, FACTS)  # warm-up: imports, token encoding
        answerer = LLMAnswerer(settings)
        print(f"deadline {args.deadline:g} s, retries {args.retries}")
        print(f"{'fault':40} {'outcome':42} {'seconds':>7} {'calls':>5}")
        for name, replies, streamed in faults(args.deadline):
            outcome, seconds = run_one(answerer, server, replies, streamed)
            calls = len(server.chat_requests())
            bad = seconds > args.deadline + 1 or calls > 1 + args.retries
            failed |= bad
            print(f"{name:40} {outcome:42} {seconds:7.2f} {calls:5}{'  FAIL' if bad else ''}")
        failed |= breaker_figures(server, replace(settings, llm_breaker_failures=args.breaker))
    return 1 if failed else 0


def breaker_figures(server: FakeOpenAI, settings: Settings) -> bool:
    """Print how the breaker bounds upstream calls under a failing backend; True on failure."""
    answerer = LLMAnswerer(settings)
    server.reset()
    server.default = status(500)
    started = time.monotonic()
    for _ in range(20):
        with contextlib.suppress(LLMError):
            answerer.answer(QUESTION, HITS, FACTS)
    calls = len(server.chat_requests())
    expected = settings.llm_breaker_failures * (1 + settings.llm_max_retries)
    print(f"breaker: 20 requests against a failing backend -> {calls} upstream calls "
          f"(expected {expected}), state {answerer.breaker.state}, {time.monotonic() - started:.2f} s")
    return calls != expected or answerer.breaker.state != "open"


if __name__ == "__main__":
    sys.exit(main())
