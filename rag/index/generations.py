"""Index generations on disk, the single-writer lock and the atomic switch.

Layout under ``home``::

    write.lock              flock'ed exclusively by the one process writing
    CURRENT                 the id of the generation readers use (replaced atomically)
    PREVIOUS                the id it replaced (kept so a reader mid-switch still finds its files)
    generations/<id>/       index.sqlite + chroma/ of one complete index
    cache/                  jieba's dictionary cache and word file (rag.index.tokenize)

A writer builds a new generation beside the current one and switches CURRENT only once it is
complete and on disk; a generation that was never switched to is garbage, removed by the next writer.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from rag.errors import IndexError_

STORE = "index.sqlite"
CHROMA = "chroma"


@dataclass(frozen=True)
class Layout:
    home: Path

    @property
    def generations(self) -> Path:
        return self.home / "generations"

    @property
    def cache(self) -> Path:
        return self.home / "cache"

    @property
    def current_file(self) -> Path:
        return self.home / "CURRENT"

    def folder(self, generation: str) -> Path:
        """The folder of one generation."""
        return self.generations / generation


def current(layout: Layout) -> str | None:
    """The id of the generation readers should use, or None for an empty index."""
    try:
        generation = layout.current_file.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexError_(f"无法读取索引指针 {layout.current_file}：{exc}") from exc
    return generation or None


def stamp(layout: Layout) -> tuple[int, int] | None:
    """A cheap fingerprint of CURRENT (inode, mtime) that changes whenever it is switched."""
    try:
        info = layout.current_file.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise IndexError_(f"无法读取 {layout.home} 下的索引：{exc.strerror}") from exc
    return info.st_ino, info.st_mtime_ns


class WriteLock:
    """The exclusive, non-blocking writer lock: a second writer fails at once instead of waiting."""

    def __init__(self, layout: Layout) -> None:
        self._path = layout.home / "write.lock"
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock or raise IndexError_ naming the holder."""
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self._path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release()
        except OSError as exc:
            raise IndexError_(f"无法写入 {self._path.parent} 下的索引：{exc.strerror}") from exc
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "另一个进程"
            handle.close()
            raise IndexError_(
                f"索引正在被 {holder} 写入，请等它完成后再试", code="index_locked"
            ) from exc
        handle.seek(0)
        handle.truncate()
        handle.write(f"进程 {os.getpid()}")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        """Let the next writer in."""
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def new_generation(layout: Layout) -> str:
    """Create an empty generation folder; its id comes back."""
    generation = f"{time.time_ns():x}-{os.getpid()}"
    try:
        layout.generations.mkdir(parents=True, exist_ok=True)
        layout.folder(generation).mkdir()
    except OSError as exc:
        raise IndexError_(f"无法在 {layout.home} 下创建新的索引版本：{exc.strerror}") from exc
    return generation


def switch(layout: Layout, generation: str) -> None:
    """Make ``generation`` current: its files reach the disk first, then CURRENT is replaced atomically."""
    try:
        _fsync_tree(layout.folder(generation))
        previous = current(layout)
        if previous is not None:
            _write_atomically(layout.home / "PREVIOUS", previous)
        _write_atomically(layout.current_file, generation)
    except OSError as exc:
        raise IndexError_(f"无法切换到新的索引版本：{exc.strerror}") from exc


def collect_garbage(layout: Layout, *, keep: tuple[str, ...] = ()) -> list[str]:
    """Delete generations other than CURRENT, PREVIOUS and ``keep`` (call only under the write lock);
    the ids of the deleted ones come back."""
    if not layout.generations.is_dir():
        return []
    alive = {current(layout), _read(layout.home / "PREVIOUS"), *keep}
    removed = []
    for folder in layout.generations.iterdir():
        if folder.name not in alive:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return removed


def discard(layout: Layout, generation: str) -> None:
    """Delete an unfinished generation."""
    shutil.rmtree(layout.folder(generation), ignore_errors=True)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="ascii") as handle:
        handle.write(text + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_tree(folder: Path) -> None:
    for root, _dirs, files in os.walk(folder):
        for name in files:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(root))
    _fsync_dir(folder.parent)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
