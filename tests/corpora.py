"""Small corpora for tests: copies of bundled reports, and services with them ingested."""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ingestion.pipeline import ingest
from rag.services import Services, build_services
from rag.settings import BUNDLED_REPORTS, Settings


def copy_reports(folder: Path, names: Iterable[str]) -> Path:
    """``folder`` (created) holding copies of the named bundled reports."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(BUNDLED_REPORTS / name, folder / name)
    return folder


@contextmanager
def ingested(settings: Settings, *paths: Path) -> Iterator[Services]:
    """Services over ``settings`` with ``paths`` (files or folders; default: its reports folder)
    ingested; every file must ingest. The index is closed on exit."""
    services = build_services(settings)
    try:
        report = ingest(list(paths) or [settings.reports_dir], services.index)
        assert report.ok, report.failed
        yield services
    finally:
        services.index.close()


@contextmanager
def written(root: Path, reports: dict[str, str]) -> Iterator[Services]:
    """Services over a home under ``root`` whose only reports are ``reports`` (file name → text),
    written for a test and ingested."""
    folder = root / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in reports.items():
        (folder / name).write_text(text, encoding="utf-8")
    with ingested(Settings(home=root / "home", reports_dir=folder)) as services:
        yield services
