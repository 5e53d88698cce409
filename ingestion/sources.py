"""Where an indexed report's file lives (bundled or uploaded), and its lines as loaded."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from ingestion.isolation import load_isolated
from ingestion.loaders import load
from rag.errors import NianbaoError
from rag.settings import Settings
from rag.types import ReportInfo

Origin = Literal["bundled", "uploaded", "missing"]


def uploads_dir(settings: Settings) -> Path:
    """Where uploaded reports are kept."""
    return settings.home / "uploads"


def locate(settings: Settings, file: str) -> tuple[Origin, Path | None]:
    """Whether a report's file is bundled or uploaded, and its path (None when it is gone)."""
    for origin, folder in (("uploaded", uploads_dir(settings)), ("bundled", settings.reports_dir)):
        path = folder / file
        if path.is_file():
            return origin, path  # type: ignore[return-value]
    return "missing", None


def source_lines(settings: Settings, info: ReportInfo) -> tuple[str, ...] | None:
    """The report's lines as ingestion loaded them (PDFs in a limited child process); None if unreadable."""
    _, path = locate(settings, info.file)
    if path is None:
        return None
    try:
        loaded = load_isolated(path) if path.suffix.lower() == ".pdf" else load(path)
    except NianbaoError:
        return None
    return loaded.lines if loaded.content_hash == info.content_hash else None
