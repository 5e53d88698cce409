"""An LLMAnswerer pointed at the fake OpenAI server (sample sources are in llm_samples.py), and the
real llama.cpp server of the ``llmserver`` tier (llamaserver.py; ``scripts/llm-server`` installs it)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI
from llamaserver import MODEL, PYTHON, LlamaServer

from ingestion.pipeline import ingest
from rag.llm import LLMAnswerer
from rag.services import build_services
from rag.settings import BUNDLED_REPORTS, Settings


@pytest.fixture
def llm_settings(settings: Settings, fake_openai: FakeOpenAI) -> Settings:
    """LLM settings for the fake server: 2 s deadline, one retry, breaker after 3 failures."""
    return fake_openai.llm_settings(settings, llm_timeout_s=2.0, llm_max_retries=1)


@pytest.fixture
def answerer(llm_settings: Settings) -> LLMAnswerer:
    return LLMAnswerer(llm_settings)


@pytest.fixture(scope="module")
def llama(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    """A started server; skipped only when llama-cpp-python or the model is not installed."""
    missing = [str(p) for p in (PYTHON, MODEL) if not p.exists()]
    if missing:
        reason = f"llama-cpp-python server not installed ({', '.join(missing)}): run scripts/llm-server"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the real-server tier: {reason}")
        pytest.skip(reason)
    server = LlamaServer(tmp_path_factory.mktemp("llama") / "server.log").start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture(scope="module")
def llm_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home whose index holds the bundled reports (for the real-server tier)."""
    home = tmp_path_factory.mktemp("llmserver") / "home"
    services = build_services(Settings(home=home, reports_dir=BUNDLED_REPORTS))
    try:
        assert ingest([BUNDLED_REPORTS], services.index).ok
    finally:
        services.index.close()
    return home
