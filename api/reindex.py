"""A full re-index (bundled reports plus uploads) run in the background, one at a time."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from rag.errors import NianbaoError
from rag.index import Index

log = logging.getLogger("nianbao.api")


class Reindexer:
    """Starts at most one re-index at a time and remembers how the last one went."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = False
        self.last: dict[str, Any] | None = None

    def start(self, paths: list[Path], index: Index) -> bool:
        """Start re-indexing ``paths`` into a new generation; False if one is already running."""
        with self._lock:
            if self._running:
                return False
            self._running = True
        threading.Thread(target=self._run, args=(paths, index), name="nianbao-reindex", daemon=True).start()
        return True

    def status(self) -> dict[str, Any]:
        """``{"running": bool, "last": {...} | None}``."""
        return {"running": self._running, "last": self.last}

    def _run(self, paths: list[Path], index: Index) -> None:
        from ingestion.pipeline import ingest

        started = time.time()
        try:
            report = ingest(paths, index, rebuild=True, progress=log.info)
            self.last = {"ok": True, "documents": report.documents, "chunks": report.chunks,
                         "failed": [f.path.rsplit("/", 1)[-1] for f in report.failed],
                         "seconds": round(report.seconds, 1), "finished_at": time.time()}
        except NianbaoError as exc:
            self.last = {"ok": False, "message": exc.message, "seconds": round(time.time() - started, 1)}
        except Exception:  # a background thread has no caller to raise to: log it, report it
            log.exception("re-index failed")
            self.last = {"ok": False, "message": "重建索引失败。", "seconds": round(time.time() - started, 1)}
        finally:
            with self._lock:
                self._running = False
