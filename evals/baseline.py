"""The obvious approach, scored by the same functions: LangChain `RecursiveCharacterTextSplitter`
chunks, jieba + BM25 keyword retrieval, and the answer is the first number (not a year) of the
top hit. It never refuses and never computes; it shows what this project must beat."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.scoring import stated_numbers

CHUNK_SIZE = 500
CHUNK_OVERLAP = 50
_SEPARATORS = ["\n\n", "\n", "。", "；", "，", " ", ""]
_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class Passage:
    file: str
    text: str


class Baseline:
    """BM25 over naive character chunks; ``answer`` returns an ``answer_to_json``-shaped dict."""

    def __init__(self, passages: Sequence[Passage], *, documents: Sequence[Passage] = ()) -> None:
        import bm25s

        self.passages = list(passages)
        self.documents = list(documents)
        self._bm25 = bm25s.BM25()
        self._bm25.index([_tokens(p.text) for p in self.passages], show_progress=False)

    def search(self, question: str, *, k: int = 5) -> list[tuple[Passage, float]]:
        """The top ``k`` passages for ``question`` with their BM25 scores."""
        tokens = _tokens(question)
        if not tokens or not self.passages:
            return []
        ids, scores = self._bm25.retrieve([tokens], k=min(k, len(self.passages)), show_progress=False)
        return [(self.passages[int(i)], float(s)) for i, s in zip(ids[0], scores[0], strict=True) if s > 0]

    def answer(self, question: str, *, k: int = 5) -> dict[str, Any]:
        """The top hit's first number as the answer, with the hits as citation and sources."""
        started = time.perf_counter()
        hits = self.search(question, k=k)
        top = hits[0][0] if hits else None
        numbers = stated_numbers(top.text) if top else []
        first = numbers[0] if numbers else None
        passage = top.text if top else ""
        return {
            "question": question,
            "answer": f"{first.value:g}{first.unit}\n{passage}" if first else passage,
            "value": first.value if first else None,
            "unit": first.unit if first else "",
            "refused": False,
            "mode": "baseline",
            "citations": [{"n": 1, "file": top.file, "quote": top.text}] if top else [],
            "retrieved": [
                {"id": f"b{n}", "file": p.file, "text": p.text, "score": score}
                for n, (p, score) in enumerate(hits, start=1)
            ],
            "latency_ms": (time.perf_counter() - started) * 1000,
        }


def split_report(file: str, text: str) -> list[Passage]:
    """``text`` cut by LangChain's RecursiveCharacterTextSplitter into naive passages."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, separators=_SEPARATORS
    )
    return [Passage(file, chunk) for chunk in splitter.split_text(text)]


def build_baseline(paths: Sequence[Path]) -> Baseline:
    """A baseline over the given report files (loaded by ingestion's loaders, nothing else)."""
    from ingestion.loaders import load

    documents = []
    for path in paths:
        loaded = load(path)
        documents.append(Passage(loaded.file, "\n".join(loaded.lines)))
    return Baseline([p for d in documents for p in split_report(d.file, d.text)], documents=documents)


def _tokens(text: str) -> list[str]:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    return [t for t in jieba.lcut_for_search(text) if _WORD.search(t)]
