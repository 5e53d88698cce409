"""The corpus: which reports the index holds, recorded in ``home/corpus.json``.

Bundled reports are the files in ``settings.reports_dir``; uploads are the files the record names
(with the SHA-256 of their bytes) in ``home/uploads``; deleted are the bundled names an admin
removed. A file lying in ``uploads/`` that the record does not name is a leftover and is never
ingested. ``nianbao ingest`` (no paths) and the server's re-index both rebuild exactly ``paths()``.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Literal

from rag.errors import IndexError_
from rag.settings import Settings

RECORD = "corpus.json"
SUFFIXES = (".txt", ".md", ".pdf")
Origin = Literal["bundled", "uploaded"]


@dataclass(frozen=True)
class Corpus:
    """The recorded corpus: uploads (file name → SHA-256 of its bytes) and deleted bundled names."""

    uploads: Mapping[str, str] = field(default_factory=dict)
    deleted: frozenset[str] = frozenset()

    def with_upload(self, name: str, sha256: str, *, replaces: Iterable[str] = ()) -> Corpus:
        """This corpus with ``name`` uploaded, taking the place of the bundled ``replaces``."""
        return Corpus({**self.uploads, name: sha256}, (self.deleted | set(replaces)) - {name})

    def without(self, names: Iterable[str], *, bundled: Iterable[str]) -> Corpus:
        """This corpus with every one of ``names`` gone (a bundled one stays deleted)."""
        gone = set(names)
        uploads = {n: h for n, h in self.uploads.items() if n not in gone}
        return Corpus(uploads, self.deleted | (gone & set(bundled)))


class CorpusLock:
    """The exclusive, non-blocking lock every change of the corpus holds (across threads and
    processes): an upload, a delete, a re-index, ``nianbao ingest``. A second one fails at once."""

    def __init__(self, settings: Settings) -> None:
        self._path = settings.home / "corpus.lock"
        self._file: IO[str] | None = None

    def acquire(self) -> CorpusLock:
        """Take the lock, or IndexError_ ``index_locked`` (409) while another change runs."""
        self._path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self._path, "a", encoding="utf-8")  # noqa: SIM115 - held until release()
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.close()
            message = "文档库正在更新（导入、删除或重建索引），请稍后再试。"
            raise IndexError_(message, code="index_locked") from exc
        self._file = handle
        return self

    def release(self) -> None:
        """Let the next change in (any thread may release)."""
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def __enter__(self) -> CorpusLock:
        return self.acquire()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def uploads_dir(settings: Settings) -> Path:
    """Where uploaded files are kept."""
    return settings.home / "uploads"


def bundled(settings: Settings) -> dict[str, Path]:
    """The bundled reports by file name (in sub-folders too, as ``ingest`` finds them)."""
    folder = settings.reports_dir
    if not folder.is_dir():
        return {}
    found = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    return {p.name: p for p in found}


def load(settings: Settings, *, indexed: Iterable[str] = ()) -> Corpus:
    """The recorded corpus; without a record (a home from before it), the uploads still indexed."""
    path = settings.home / RECORD
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        folder = uploads_dir(settings)
        kept = [n for n in indexed if (folder / n).is_file()]
        return Corpus({n: sha256_of(folder / n) for n in kept})
    except (OSError, ValueError) as exc:
        raise IndexError_(f"the corpus record {path} cannot be read: {exc}") from exc
    return Corpus(dict(data.get("uploads", {})), frozenset(data.get("deleted", [])))


def save(settings: Settings, corpus: Corpus) -> None:
    """Write the record atomically (a reader sees the old or the new one, never half)."""
    path = settings.home / RECORD
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(f".tmp-{os.getpid()}")
    data = {"uploads": dict(sorted(corpus.uploads.items())), "deleted": sorted(corpus.deleted)}
    with temp.open("w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False, indent=1)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temp, path)


def paths(settings: Settings, corpus: Corpus) -> list[Path]:
    """Exactly the files the index should hold: bundled (not deleted, not replaced), then uploads."""
    folder = uploads_dir(settings)
    kept = [p for n, p in bundled(settings).items() if n not in corpus.deleted and n not in corpus.uploads]
    return kept + [folder / n for n in sorted(corpus.uploads) if (folder / n).is_file()]


def origin(corpus: Corpus, name: str) -> Origin:
    """Whether the indexed file ``name`` was uploaded or is bundled."""
    return "uploaded" if name in corpus.uploads else "bundled"


def bundled_conflicts(settings: Settings, name: str, sha256: str) -> list[str]:
    """The bundled reports an upload would replace or shadow: same name (ignoring case, width and
    suffix) or the same bytes (which the index stores once, under the latest name)."""
    stem = _stem(name)
    found = bundled(settings)
    return [n for n, p in found.items() if _stem(n) == stem or sha256_of(p) == sha256]


def same_content(corpus: Corpus, sha256: str) -> list[str]:
    """The uploaded names holding these bytes."""
    return [n for n, h in corpus.uploads.items() if h == sha256]


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes (what the index's content hash is)."""
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while block := source.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _stem(name: str) -> str:
    return unicodedata.normalize("NFKC", name).casefold().rsplit(".", 1)[0]

