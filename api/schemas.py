"""The API's JSON schemas, converted from and to ``rag.types``."""

from __future__ import annotations

import time
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.sources import chat_content
from rag.types import Answer, Chunk, Citation, ReportInfo

MODEL_ID = "nianbao"
MAX_TURNS = 20


class AskRequest(BaseModel):
    question: str = Field(description="The question, in Chinese (too long: 400 question_too_long).")
    history: list[tuple[str, str]] = Field(
        default_factory=list, max_length=MAX_TURNS,
        description=(
            "Earlier turns as [question, answer] pairs, oldest first, for follow-ups. Each earlier "
            "question is resolved against the ones before it (its slots: region, year, level, measure); "
            "the answer texts are not parsed: values a follow-up compares (两者相差多少) are re-answered."
        ),
    )


class CitationOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    n: int
    file: str
    title: str
    section: str
    table: str
    page: int | None
    line: int
    quote: str
    doc_id: str = ""
    chunk_id: str = ""


class RetrievedOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    file: str
    text: str
    score: float


class GroupOut(BaseModel):
    """Citations of a passage answer under one section heading (numbers refer to ``citations[].n``)."""

    file: str
    title: str
    section: str
    citations: list[int]


class StatedFigureOut(BaseModel):
    value: float
    unit: str
    raw: str
    """As written, or the sum of parts it is ('806 + 501 = 1307')."""
    citation: int
    """The number (``citations[].n``) of its source."""
    where: str
    """Where it is stated: '正文', '表2-1', or the report's title."""


class DisagreementOut(BaseModel):
    """A figure the answer rests on that its sources state differently; the preferred figure first."""

    scope: Literal["report", "reports"]
    """report: two places of one report; reports: several reports for one year."""
    figures: list[StatedFigureOut]


class AnswerOut(BaseModel):
    """The same object as ``nianbao ask --json`` (citations also carry doc_id and chunk_id)."""

    model_config = ConfigDict(extra="allow")
    question: str
    answer: str
    value: float | None
    unit: str
    refused: bool
    mode: str
    citations: list[CitationOut]
    retrieved: list[RetrievedOut]
    latency_ms: float
    groups: list[GroupOut] = Field(
        default_factory=list,
        description="For a passage answer (a question not asking for a number): its citations by section.",
    )
    disagreements: list[DisagreementOut] = Field(
        default_factory=list,
        description="Figures the answer rests on that its sources state differently (first: ``value``).",
    )


class EvidenceOut(BaseModel):
    source: str
    """pdf_title, largest_text, text, running_header, pdf_subject or file_name."""
    text: str


class DocumentOut(BaseModel):
    doc_id: str
    file: str
    title: str
    region: str
    report_year: int | None
    data_year: int | None
    level: str
    origin: Literal["bundled", "uploaded"] = "bundled"
    """A bundled report, or one an admin uploaded (only uploads can be replaced without replace=true)."""
    sources: dict[str, str] = Field(default_factory=dict)
    """Where each field came from (field → source; ``override`` for an admin's correction)."""
    evidence: list[EvidenceOut] = Field(default_factory=list)
    """Every candidate the metadata was chosen from."""


class UploadOut(BaseModel):
    document: DocumentOut | None
    chunks: int = 0
    message: str = ""


class ChunkOut(BaseModel):
    id: str
    kind: str
    text: str
    section: str
    table: str
    line_start: int
    line_end: int
    page: int | None


class PassageOut(BaseModel):
    """A cited passage with its neighbours (and, for a table row, its whole table)."""

    document: DocumentOut
    passage: ChunkOut
    before: list[ChunkOut]
    after: list[ChunkOut]
    table: ChunkOut | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        """The message's text, joining the text parts of a multi-part message."""
        if isinstance(self.content, list):
            return "".join(str(part.get("text", "")) for part in self.content if part.get("type") == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")
    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(min_length=1, max_length=2 * MAX_TURNS + 2)
    stream: bool = False


def document_out(info: ReportInfo) -> DocumentOut:
    """API view of a report's metadata."""
    return DocumentOut(
        doc_id=info.doc_id, file=info.file, title=info.title, region=info.region,
        report_year=info.report_year, data_year=info.data_year, level=info.level,
        sources=dict(info.sources), evidence=[EvidenceOut(source=s, text=t) for s, t in info.evidence],
    )


def chunk_out(chunk: Chunk) -> ChunkOut:
    """API view of one chunk."""
    return ChunkOut(
        id=chunk.id, kind=chunk.kind, text=chunk.text, section=chunk.section, table=chunk.table,
        line_start=chunk.line_start, line_end=chunk.line_end, page=chunk.page,
    )


def citation_json(citation: Citation) -> dict[str, Any]:
    """One citation as JSON, with the ids the source view needs."""
    return {
        "n": citation.n, "file": citation.file, "title": citation.title, "section": citation.section,
        "table": citation.table, "page": citation.page, "line": citation.line, "quote": citation.quote,
        "doc_id": citation.doc_id, "chunk_id": citation.chunk_id,
    }


def with_citation_ids(payload: dict[str, Any], answer: Answer) -> dict[str, Any]:
    """``payload`` (an ``answer_to_json`` object) with doc_id/chunk_id added to each citation."""
    by_n = {c.n: c for c in answer.citations}
    cited = []
    for item in payload.get("citations", []):
        source = by_n.get(item.get("n"))
        extra = {"doc_id": source.doc_id, "chunk_id": source.chunk_id} if source else {}
        cited.append({**extra, **item})
    return {**payload, "citations": cited}


def completion(answer: Answer, payload: dict[str, Any], *, model: str) -> dict[str, Any]:
    """A non-streaming ``chat.completion``: the sources list ends ``content``; the citations are also in
    extra fields."""
    return {
        "id": completion_id(), "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": [{
            "index": 0, "finish_reason": "stop",
            "message": {"role": "assistant", "content": chat_content(answer),
                        "citations": payload["citations"]},
        }],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        "citations": payload["citations"],
        "nianbao": payload,
    }


def completion_chunk(
    cid: str, *, model: str, delta: dict[str, Any], finish: Literal["stop"] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One ``chat.completion.chunk`` of a stream."""
    chunk = {
        "id": cid, "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return {**chunk, **(extra or {})}


def models() -> dict[str, Any]:
    """The ``/v1/models`` list: this service as one model."""
    model = {"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "nianbao"}
    return {"object": "list", "data": [model]}


def completion_id() -> str:
    """A fresh ``chatcmpl-…`` id."""
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"
