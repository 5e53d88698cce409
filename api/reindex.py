"""A full re-index of the recorded corpus (``ingestion.corpus``) run in the background, one at a time."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from ingestion import corpus
from rag.errors import NianbaoError
from rag.index import Index, generations
from rag.settings import Settings

log = logging.getLogger("nianbao.api")


class Reindexer:
    """Starts at most one re-index at a time and remembers how the last one went."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = False
        self.last: dict[str, Any] | None = None

    def start(self, settings: Settings, index: Index) -> bool:
        """Start rebuilding the recorded corpus into a new generation; False if one is already running,
        IndexError_ ``index_locked`` (409) while another change of the corpus or index runs."""
        with self._lock:
            if self._running:
                return False
            held = corpus.CorpusLock(settings).acquire()
            try:
                _check_writable(settings)
                indexed = [d.file for d in index.documents()]
                paths = corpus.paths(settings, corpus.load(settings, indexed=indexed))
            except BaseException:
                held.release()
                raise
            self._running = True
        threading.Thread(target=self._run, args=(paths, index, held), name="nianbao-reindex",
                         daemon=True).start()
        return True

    def status(self) -> dict[str, Any]:
        """``{"running": bool, "last": {...} | None}``."""
        return {"running": self._running, "last": self.last}

    def _run(self, paths: list[Path], index: Index, held: corpus.CorpusLock) -> None:
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
            held.release()
            with self._lock:
                self._running = False


def _check_writable(settings: Settings) -> None:
    """IndexError_ ``index_locked`` when another process (say ``nianbao ingest``) is writing the index."""
    lock = generations.WriteLock(generations.Layout(settings.home))
    lock.acquire()
    lock.release()
