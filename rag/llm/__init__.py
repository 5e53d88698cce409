"""The OpenAI-compatible LLM answerer (see ``answerer``); ``build_llm_answerer`` is its factory."""

from __future__ import annotations

from rag.llm.answerer import LLMAnswerer
from rag.settings import Settings

__all__ = ["LLMAnswerer", "build_llm_answerer"]


def build_llm_answerer(settings: Settings) -> LLMAnswerer | None:
    """An LLMAnswerer when an LLM is configured (``settings.llm_enabled``), else None."""
    return LLMAnswerer(settings) if settings.llm_enabled else None
