"""The composition root: every long-lived object a request needs, built once from Settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rag.audit.indexed import AuditCache, LinesOf
from rag.embedders import Embedder, build_embedder
from rag.index import Index, open_index
from rag.retriever import Retriever
from rag.settings import Settings
from rag.source_lines import SourceLines

if TYPE_CHECKING:
    from rag.llm import LLMAnswerer


@dataclass(frozen=True)
class Services:
    """What answering needs: settings, the index and its embedder, retrieval, and the LLM (or None)."""

    settings: Settings
    index: Index
    embedder: Embedder
    retriever: Retriever
    llm: LLMAnswerer | None = None
    source_lines: SourceLines | None = None
    """Exact lines of cited sentences from the reports' text files (passage answers)."""
    audits: AuditCache | None = None
    """The reports' consistency audits, once per index generation (answers name contradicted figures)."""


def build_services(settings: Settings, *, report_lines: LinesOf | None = None) -> Services:
    """Services for ``settings``: opens the index, builds the embedder and, when configured, the LLM.
    ``report_lines`` reads a report's lines for its audit (default: text files only; the service
    passes ingestion's loader, so a PDF's prose figures are cited at their lines too)."""
    embedder = build_embedder(settings)
    index = open_index(settings, embedder=embedder)
    source_lines = SourceLines((settings.reports_dir, settings.home / "uploads"))
    return Services(
        settings=settings,
        index=index,
        embedder=embedder,
        retriever=Retriever(index),
        llm=_build_llm(settings),
        source_lines=source_lines,
        audits=AuditCache(index, lines_of=report_lines or source_lines.report_lines),
    )


def _build_llm(settings: Settings) -> LLMAnswerer | None:
    """The LLM answerer when one is configured, else None."""
    if not settings.llm_enabled:
        return None
    from rag.llm import build_llm_answerer  # openai + LangChain take ~2 s to import: only when used

    return build_llm_answerer(settings)
