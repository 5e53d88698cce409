"""The OpenAI-compatible LLM answerer (see ``answerer``); ``build_llm_answerer`` is its factory.

The answerer imports openai and LangChain (over 1 s): it is loaded on first use, so importing a light
module of this package (``rag.llm.safety``) does not pay for it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rag.settings import Settings

if TYPE_CHECKING:
    from rag.llm.answerer import LLMAnswerer

__all__ = ["LLMAnswerer", "build_llm_answerer"]


def build_llm_answerer(settings: Settings) -> LLMAnswerer | None:
    """An LLMAnswerer when an LLM is configured (``settings.llm_enabled``), else None."""
    if not settings.llm_enabled:
        return None
    from rag.llm.answerer import LLMAnswerer

    return LLMAnswerer(settings)


def __getattr__(name: str) -> Any:
    if name == "LLMAnswerer":
        from rag.llm.answerer import LLMAnswerer

        return LLMAnswerer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
