"""An LLMAnswerer pointed at the fake OpenAI server (sample sources are in llm_samples.py)."""

from __future__ import annotations

import pytest
from fake_openai import FakeOpenAI

from rag.llm import LLMAnswerer
from rag.settings import Settings


@pytest.fixture
def llm_settings(settings: Settings, fake_openai: FakeOpenAI) -> Settings:
    """LLM settings for the fake server: 2 s deadline, one retry, breaker after 3 failures."""
    return fake_openai.llm_settings(settings, llm_timeout_s=2.0, llm_max_retries=1)


@pytest.fixture
def answerer(llm_settings: Settings) -> LLMAnswerer:
    return LLMAnswerer(llm_settings)
