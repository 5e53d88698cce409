"""nianbao for people who build their own LangChain chains.

``NianbaoRetriever`` is a ``BaseRetriever`` over nianbao's hybrid retrieval (the reports a question
can be about, keyword + dense hits fused); each ``Document`` carries where its text is in metadata.
``answer_runnable`` is a ``Runnable`` over ``rag.answering.answer``: a question, or chat messages
(the last human message answered, earlier turns as history), in; the checked ``Answer`` out.

    retriever = NianbaoRetriever(services=services, k=4)
    answerer = answer_runnable(services)
    chain = answerer | (lambda a: a.text)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.messages import BaseMessage, convert_to_messages
from langchain_core.prompt_values import PromptValue
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import ConfigDict

from rag.answering import answer, understand
from rag.errors import InputError
from rag.services import Services
from rag.types import Answer, Hit, ReportInfo

AnswerInput = str | PromptValue | Sequence[BaseMessage | tuple[str, str] | dict[str, Any]]


class NianbaoRetriever(BaseRetriever):
    """The passages nianbao retrieves for a question, best first (none when no report can answer it)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    services: Any
    """The ``rag.services.Services`` to retrieve with (typed Any: pydantic cannot describe them)."""
    k: int = 5
    """How many passages to return."""

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        services: Services = self.services
        retrieval = services.retriever.retrieve(understand(query, services))
        reports = {d.doc_id: d for d in retrieval.documents}
        return [to_document(hit, reports.get(hit.chunk.doc_id)) for hit in retrieval.hits[: self.k]]


def to_document(hit: Hit, report: ReportInfo | None) -> Document:
    """A LangChain Document for one hit: the raw source text, and where it is in ``metadata``."""
    chunk = hit.chunk
    metadata = {
        "file": chunk.file, "title": report.title if report else "", "section": chunk.section,
        "table": chunk.table, "line": chunk.line_start, "line_end": chunk.line_end, "page": chunk.page,
        "region": chunk.region, "year": chunk.year, "kind": chunk.kind, "doc_id": chunk.doc_id,
        "chunk_id": chunk.id, "score": hit.score,
    }
    return Document(page_content=chunk.text, metadata=metadata, id=chunk.id)


def answer_runnable(services: Services) -> Runnable[AnswerInput, Answer]:
    """A Runnable answering a question or a conversation with ``rag.answering.answer``."""

    def run(value: AnswerInput) -> Answer:
        question, history = conversation(value)
        return answer(question, services, history=history)

    return RunnableLambda(run, name="nianbao_answer")


def conversation(value: AnswerInput) -> tuple[str, list[tuple[str, str]]]:
    """The question to answer and earlier (question, answer) pairs, from any accepted input."""
    if isinstance(value, str):
        return value, []
    messages = value.to_messages() if isinstance(value, PromptValue) else convert_to_messages(value)
    turns = [(m.type, m.text) for m in messages if m.type in ("human", "ai")]
    if not turns or turns[-1][0] != "human":
        raise InputError("最后一条消息必须来自用户。", code="no_question")
    history: list[tuple[str, str]] = []
    pending: str | None = None
    for kind, text in turns[:-1]:
        if kind == "human":
            pending = text
        elif pending is not None:
            history.append((pending, text))
            pending = None
    return turns[-1][1], history
