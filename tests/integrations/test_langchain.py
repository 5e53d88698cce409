"""The LangChain integration composed into real LangChain chains, offline: two bundled reports in a
real index, the retriever feeding a prompt and a chat model (LangChain's own scripted fake), and the
answer Runnable behind a prompt template, with a conversation, in a batch and in parallel."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from corpora import copy_reports, ingested
from langchain_core.documents import Document
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableLambda, RunnableParallel, RunnablePassthrough

from rag.errors import InputError
from rag.integrations.langchain import NianbaoRetriever, answer_runnable
from rag.services import Services
from rag.settings import BUNDLED_REPORTS, Settings
from rag.types import Answer

QUESTION = "2022年昌平区中职学校招生多少人？"
REPORTS = ("changping-zhongzhi-2023.txt", "chaoyang-zhongzhi-2022.txt")
METADATA = {"file", "title", "section", "table", "line", "region", "year"}


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    root = tmp_path_factory.mktemp("langchain")
    reports = copy_reports(root / "reports", REPORTS)
    with ingested(Settings(home=root / "home", reports_dir=reports)) as built:
        yield built


def sources(docs: list[Document]) -> str:
    return "\n\n".join(f"[{d.metadata['file']} 第{d.metadata['line']}行]\n{d.page_content}" for d in docs)


def test_retriever_documents_carry_where_their_text_is(services: Services) -> None:
    docs = NianbaoRetriever(services=services, k=4).invoke(QUESTION)
    assert len(docs) == 4
    assert all(set(d.metadata) >= METADATA for d in docs)
    assert all(d.metadata["file"] == "changping-zhongzhi-2023.txt" for d in docs)
    assert all(d.metadata["region"] == "昌平区" and "昌平区" in d.metadata["title"] for d in docs)
    assert any("1061" in d.page_content for d in docs)
    lines = (BUNDLED_REPORTS / docs[0].metadata["file"]).read_text(encoding="utf-8").splitlines()
    first = docs[0]
    assert first.page_content.splitlines()[0] in lines[first.metadata["line"] - 1]


def test_retriever_finds_nothing_for_a_region_without_a_report(services: Services) -> None:
    assert NianbaoRetriever(services=services).invoke("2022年海淀区中职学校招生多少人？") == []


def test_retriever_in_a_chain_feeds_the_prompt_of_a_chat_model(services: Services) -> None:
    prompt = ChatPromptTemplate.from_messages(
        [("system", "只根据资料回答。\n资料：\n{context}"), ("human", "{question}")])
    model = FakeListChatModel(responses=["2022年昌平区中职学校招生1061人。"])
    seen: list[str] = []

    def record(value: object) -> object:
        seen.append(value.to_string())  # type: ignore[attr-defined]
        return value

    retriever = NianbaoRetriever(services=services, k=3)
    chain = ({"context": retriever | sources, "question": RunnablePassthrough()} | prompt
             | RunnableLambda(record) | model | StrOutputParser())
    assert chain.invoke(QUESTION) == "2022年昌平区中职学校招生1061人。"
    assert "changping-zhongzhi-2023.txt 第" in seen[0] and "1061" in seen[0] and QUESTION in seen[0]


def test_answer_runnable_behind_a_prompt_template(services: Services) -> None:
    prompt = ChatPromptTemplate.from_messages([("human", "{question}")])
    chain = prompt | answer_runnable(services)
    result = chain.invoke({"question": QUESTION})
    assert isinstance(result, Answer)
    assert result.value == 1061 and result.citations
    assert result.citations[0].file == "changping-zhongzhi-2023.txt"
    text = (answer_runnable(services) | RunnableLambda(lambda a: a.text)).invoke(QUESTION)
    assert "1061" in text


def test_answer_runnable_takes_a_conversation(services: Services) -> None:
    opener = "昌平区中职学校招生多少人？"
    first = answer_runnable(services).invoke(opener)
    follow = answer_runnable(services).invoke(
        [HumanMessage(opener), AIMessage(first.text), HumanMessage("那朝阳区呢？")])
    assert follow.question == "那朝阳区呢？" and "655" in follow.text
    assert follow.citations and all(c.file == "chaoyang-zhongzhi-2022.txt" for c in follow.citations)
    with pytest.raises(InputError):
        answer_runnable(services).invoke([HumanMessage(opener), AIMessage(first.text)])


def test_retriever_and_answer_side_by_side_and_batched(services: Services) -> None:
    both = RunnableParallel(docs=NianbaoRetriever(services=services, k=2), answer=answer_runnable(services))
    out = both.invoke(QUESTION)
    assert len(out["docs"]) == 2 and out["answer"].value == 1061
    questions = [QUESTION, "2021年朝阳区中职学校招生多少人？"]
    answers = answer_runnable(services).batch(questions)
    assert [a.text for a in answers] == [answer_runnable(services).invoke(q).text for q in questions]
    assert answers[0].value == 1061 and answers[1].question == questions[1]
