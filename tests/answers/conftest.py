from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from corpora import ingested

from rag.services import Services, build_services
from rag.settings import BUNDLED_REPORTS, Settings


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home whose index holds the bundled reports (ingested once per module)."""
    home = tmp_path_factory.mktemp("answers") / "home"
    with ingested(Settings(home=home, reports_dir=BUNDLED_REPORTS)):
        return home


@pytest.fixture(scope="module")
def services(home: Path) -> Iterator[Services]:
    """Extractive services over the ingested bundled reports."""
    built = build_services(Settings(home=home, reports_dir=BUNDLED_REPORTS))
    yield built
    built.index.close()
