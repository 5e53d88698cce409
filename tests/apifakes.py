"""Deterministic stand-ins for the services and engine, for tests of the HTTP layer alone."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from api.engine import Engine
from rag.types import Answer, Chunk, Citation, Hit, ReportInfo

DOC = ReportInfo("doc1", "changping-zhongzhi-2023.txt", "昌平区中职教育质量年度报告", "昌平区", 2023, 2022,
                 "中职", "h1")
ROW = Chunk("row1", "doc1", DOC.file, "table_row", "招生人数\t1061", "表1", "一、招生", 12, 12,
            "昌平区", 2022, table="表1 招生情况")
TABLE_TEXT = "表1 招生情况\n项目\t人数\n招生人数\t1061\n在校生\t3120"
TABLE = Chunk("tab1", "doc1", DOC.file, "table", TABLE_TEXT, "表1", "一、招生", 10, 13, "昌平区", 2022,
              table="表1 招生情况")
PROSE = Chunk("p1", "doc1", DOC.file, "prose", "2022年昌平区中职学校共招生1061人。", "", "一、招生", 8, 8,
              "昌平区", 2022)


@dataclass
class FakeIndex:
    docs: list[ReportInfo] = field(default_factory=lambda: [DOC])
    chunk_list: list[Chunk] = field(default_factory=lambda: [PROSE, TABLE, ROW])

    def documents(self) -> list[ReportInfo]:
        return list(self.docs)

    def chunks(self, doc_id: str) -> list[Chunk]:
        return [c for c in self.chunk_list if c.doc_id == doc_id]

    def chunk(self, chunk_id: str) -> Chunk | None:
        return next((c for c in self.chunk_list if c.id == chunk_id), None)

    def remove(self, doc_id: str) -> bool:
        before = len(self.docs)
        self.docs = [d for d in self.docs if d.doc_id != doc_id]
        return len(self.docs) < before

    def generation(self) -> str:
        return f"g{len(self.docs)}"

    def stats(self) -> dict[str, int]:
        return {"documents": len(self.docs), "tables": 1, "facts": 2, "chunks": len(self.chunk_list)}

    def close(self) -> None:
        pass


@dataclass
class FakeServices:
    index: FakeIndex = field(default_factory=FakeIndex)
    llm: Any = None


def fake_answer(question: str, services: Any = None, history: Sequence[tuple[str, str]] = ()) -> Answer:
    """A fixed answer citing the table row; echoes the history length in ``computation``."""
    cite = Citation(1, ROW.id, ROW.doc_id, ROW.file, DOC.title, ROW.section, ROW.table, None, 12,
                    "招生人数\t1061")
    return Answer(question, "2022年昌平区中职学校招生1061人。", 1061.0, "人", False, "extractive", (cite,),
                  (Hit(ROW, 1.0),), 5.0, computation=f"history={len(history)}")


def to_json(answer: Answer) -> dict[str, Any]:
    """The documented ``ask --json`` object."""
    return {
        "question": answer.question, "answer": answer.text, "value": answer.value, "unit": answer.unit,
        "refused": answer.refused, "mode": answer.mode,
        "citations": [{"n": c.n, "file": c.file, "title": c.title, "section": c.section, "table": c.table,
                       "page": c.page, "line": c.line, "quote": c.quote} for c in answer.citations],
        "retrieved": [{"id": h.chunk.id, "file": h.chunk.file, "text": h.chunk.text, "score": h.score}
                      for h in answer.retrieved],
        "latency_ms": answer.latency_ms, "computation": answer.computation,
    }


def fake_engine(tokens: Sequence[str] = ()) -> Engine:
    """An engine answering every question with ``fake_answer``, streaming ``tokens`` first."""

    def stream(question: str, services: Any, history: Sequence[tuple[str, str]]) -> Iterator[str | Answer]:
        yield from tokens
        yield fake_answer(question, services, history)

    return Engine(answer=fake_answer, stream=stream, to_json=to_json)
