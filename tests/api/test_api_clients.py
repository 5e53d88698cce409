"""The clients people already use, against a real uvicorn server on real components (the 昌平 report
ingested into a temp home): the ``openai`` SDK and LangChain's ``ChatOpenAI``, invoke and stream.
Each shows only ``content``, so the 「来源」 list in it is what makes the ``[n]`` markers point somewhere;
the structured ``citations`` field stays for clients that read it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from corpora import copy_reports, ingested
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI
from liveserver import LiveServer

from api.app import create_app
from rag.settings import Settings

pytestmark = pytest.mark.integration
KEY = "clients-key"
QUESTION = "2022年昌平区中职学校招生多少人？"
REPORT = "changping-zhongzhi-2023.txt"
SOURCE_LINE = re.compile(r"^- \[(\d+)\] (.+)，第 (\d+) 行$")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("clients")
    settings = Settings(home=root / "home", reports_dir=copy_reports(root / "reports", [REPORT]),
                        api_keys=(KEY,), rate_limit_per_minute=10_000)
    with ingested(settings) as services, LiveServer(create_app(settings, services)) as live:
        yield live


@pytest.fixture
def chat(server: LiveServer) -> ChatOpenAI:
    return ChatOpenAI(base_url=f"{server.url}/v1", api_key=KEY, model="nianbao",  # type: ignore[arg-type]
                      timeout=60, max_retries=0)


def sources(content: str) -> dict[int, tuple[str, int]]:
    """The 「来源」 list at the end of ``content``: marker → (where, line)."""
    body, heading, tail = content.rpartition("\n\n来源：\n")
    assert heading and body, content
    found = {}
    for line in tail.splitlines():
        match = SOURCE_LINE.match(line)
        assert match, line
        found[int(match.group(1))] = (match.group(2), int(match.group(3)))
    return found


def assert_cited_answer(content: str, citations: list[dict[str, Any]] | None = None) -> None:
    """1061 stated, every marker in the text listed under 来源 with the 昌平 report's title and a line."""
    listed = sources(content)
    text = content.rpartition("\n\n来源：\n")[0]
    assert "1061" in text
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", text)}
    assert markers and markers == set(listed)
    assert all("昌平区" in where and line > 0 for where, line in listed.values())
    if citations is not None:
        assert {c["n"]: c["line"] for c in citations} == {n: line for n, (_, line) in listed.items()}


def test_openai_sdk_non_stream_shows_the_sources_in_content(server: LiveServer) -> None:
    client = openai.OpenAI(base_url=f"{server.url}/v1", api_key=KEY, timeout=60, max_retries=0)
    messages: list[Any] = [{"role": "user", "content": QUESTION}]
    response = client.chat.completions.create(model="nianbao", messages=messages)
    assert_cited_answer(response.choices[0].message.content or "", (response.model_extra or {})["citations"])


def test_openai_sdk_stream_shows_the_sources_in_content(server: LiveServer) -> None:
    client = openai.OpenAI(base_url=f"{server.url}/v1", api_key=KEY, timeout=60, max_retries=0)
    chunks = list(client.chat.completions.create(
        model="nianbao", messages=[{"role": "user", "content": QUESTION}], stream=True))
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert_cited_answer(content, (chunks[-1].model_extra or {})["citations"])
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_langchain_chat_openai_invoke(chat: ChatOpenAI) -> None:
    reply = chat.invoke([HumanMessage(QUESTION)])
    assert isinstance(reply, AIMessage) and isinstance(reply.content, str)
    assert_cited_answer(reply.content)
    assert reply.response_metadata["finish_reason"] == "stop"


def test_langchain_chat_openai_stream(chat: ChatOpenAI) -> None:
    pieces = list(chat.stream(QUESTION))
    assert all(isinstance(p, AIMessageChunk) for p in pieces)
    assert_cited_answer("".join(str(p.content) for p in pieces))


def test_langchain_chain_with_a_follow_up(chat: ChatOpenAI) -> None:
    first = chat.invoke(QUESTION)
    prompt = ChatPromptTemplate.from_messages(
        [("human", "{opener}"), ("ai", "{earlier}"), ("human", "{question}")])
    chain = prompt | chat | StrOutputParser()
    follow = chain.invoke({"opener": QUESTION, "earlier": first.content, "question": "那2021年呢？"})
    listed = sources(follow)
    assert "2021" in follow and listed
    assert all("昌平区" in where for where, _ in listed.values())
