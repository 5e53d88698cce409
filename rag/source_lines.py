"""The exact source line of a sentence inside a chunk, read from the report's text file.

Chunks join wrapped lines and drop blank ones, so a position inside ``chunk.text`` gives only an
estimate of its line (``rag.frames.line_at``). When the report's text file is at hand (the
bundled reports folder or the uploads folder), the sentence's first characters are looked up in the
chunk's own line span instead. Other formats (PDF, Word) keep the estimate.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Sequence
from pathlib import Path

from rag.numbers import normalize
from rag.types import Chunk, ReportInfo

TEXT_SUFFIXES = (".txt", ".md")
PROBE = 8
"""Characters of a sentence (whitespace removed) looked for on a line."""
_SPACE = re.compile(r"\s+")


class SourceLines:
    """Finds a sentence's line in the text files under ``folders`` (files read once, then cached)."""

    def __init__(self, folders: Sequence[Path]) -> None:
        self._folders = tuple(folders)
        self._lines: dict[tuple[str, float], tuple[str, ...] | None] = {}
        self._lock = threading.Lock()

    def line_of(self, chunk: Chunk, sentence: str, estimate: int) -> int:
        """The line in ``chunk``'s span where ``sentence`` starts, or ``estimate`` when not found."""
        lines = self._file_lines(chunk.file)
        probe = _squash(sentence)[:PROBE]
        if not lines or not probe:
            return estimate
        span = range(max(chunk.line_start, 1), min(chunk.line_end, len(lines)) + 1)
        found = [n for n in span if probe in lines[n - 1]]
        if not found:
            found = [n for n in span if n < len(lines) and probe in lines[n - 1] + lines[n]]
        return min(found, key=lambda n: abs(n - estimate)) if found else estimate

    def report_lines(self, info: ReportInfo) -> tuple[str, ...] | None:
        """The lines of ``info``'s text file as it was indexed (None when it is not a text file here or
        has changed since): what the audit needs to cite a prose figure at its exact line."""
        path = self._path(info.file)
        if path is None:
            return None
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != info.content_hash:
            return None
        return tuple(_decoded(data).split("\n"))

    def _file_lines(self, file: str) -> tuple[str, ...] | None:
        path = self._path(file)
        if path is None:
            return None
        key = (str(path), path.stat().st_mtime)
        with self._lock:
            if key in self._lines:
                return self._lines[key]
        lines = tuple(_squash(line) for line in _decoded(path.read_bytes()).split("\n"))
        with self._lock:
            self._lines[key] = lines
        return lines

    def _path(self, file: str) -> Path | None:
        if Path(file).suffix.lower() not in TEXT_SUFFIXES or Path(file).name != file:
            return None
        return next((folder / file for folder in self._folders if (folder / file).is_file()), None)


def _decoded(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding).replace("\r\n", "\n").replace("\r", "\n")
        except UnicodeDecodeError:
            continue
    return ""


def _squash(text: str) -> str:
    return _SPACE.sub("", normalize(text))
