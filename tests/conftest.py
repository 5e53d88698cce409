from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from chromaserver import ChromaServer
from fake_openai import FakeOpenAI

from rag.settings import BUNDLED_REPORTS, Settings

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with a fresh, empty home; no LLM, offline embedder."""
    return Settings(home=tmp_path / "home", reports_dir=BUNDLED_REPORTS)


@pytest.fixture(scope="session")
def reports_dir() -> Path:
    return BUNDLED_REPORTS


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A started scripted OpenAI-protocol server on 127.0.0.1 (see tests/fake_openai.py)."""
    with FakeOpenAI() as server:
        yield server


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """One real `chroma run` server on loopback for the whole session (tests use their own homes)."""
    with ChromaServer(tmp_path_factory.mktemp("chroma") / "data") as server:
        yield server
