"""The composition root: every long-lived object a request needs, built once from Settings."""

from __future__ import annotations

from dataclasses import dataclass

from rag.embedders import Embedder, build_embedder
from rag.index import Index, open_index
from rag.llm import LLMAnswerer, build_llm_answerer
from rag.retriever import Retriever
from rag.settings import Settings


@dataclass(frozen=True)
class Services:
    """What answering needs: settings, the index and its embedder, retrieval, and the LLM (or None)."""

    settings: Settings
    index: Index
    embedder: Embedder
    retriever: Retriever
    llm: LLMAnswerer | None = None


def build_services(settings: Settings) -> Services:
    """Services for ``settings``: opens the index, builds the embedder and, when configured, the LLM."""
    embedder = build_embedder(settings)
    index = open_index(settings, embedder=embedder)
    return Services(
        settings=settings,
        index=index,
        embedder=embedder,
        retriever=Retriever(index),
        llm=build_llm_answerer(settings),
    )
