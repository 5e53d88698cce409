"""``GET /api/documents`` shows each report's metadata with where every field came from, on a real
index holding a PDF whose running header is its title."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_openai import embed_text
from fastapi.testclient import TestClient
from pdfs import LAYOUTS, render_report

from api.app import create_app
from ingestion.overrides import save_override
from ingestion.pipeline import ingest
from rag.index import open_index
from rag.retriever import Retriever
from rag.services import Services
from rag.settings import Settings

KEY = "meta-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
TITLE = "海淀区中等职业教育质量年度报告（2023）"


class BigramEmbedder:
    """Hashed character n-grams (similar texts, similar vectors), as in tests/ingestion/test_pipeline.py."""

    name = "test-bigram-64"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [embed_text(t, 64) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return embed_text(text, 64)


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    reports = tmp_path / "reports"
    reports.mkdir()
    lines = [TITLE, *(f"第{n}段：2022年海淀区持续推进职业教育改革。" for n in range(80))]
    render_report(reports / "haidian.pdf", "\n".join(lines), LAYOUTS["header-title"], title=TITLE)
    settings = Settings(home=tmp_path / "home", reports_dir=reports, api_keys=(KEY,))
    embedder = BigramEmbedder()
    index = open_index(settings, embedder=embedder)
    assert ingest([reports], index).ok
    yield Services(settings=settings, index=index, embedder=embedder, retriever=Retriever(index))
    index.close()


def test_documents_show_metadata_sources_and_corrections(services: Services) -> None:
    with TestClient(create_app(services.settings, services)) as client:
        (doc,) = client.get("/api/documents", headers=AUTH).json()
        fields = (doc["title"], doc["region"], doc["report_year"], doc["data_year"])
        assert fields == (TITLE, "海淀区", 2023, 2022)
        assert doc["sources"] == {"title": "pdf_title", "region": "pdf_title", "report_year": "pdf_title",
                                  "data_year": "text", "level": "pdf_title"}
        assert {"source": "running_header", "text": TITLE} in doc["evidence"]
        save_override(services.settings.home, "haidian.pdf", {"data_year": 2023})
        assert ingest([services.settings.reports_dir], services.index).ok
        (doc,) = client.get("/api/documents", headers=AUTH).json()
        assert doc["data_year"] == 2023 and doc["sources"]["data_year"] == "override"
