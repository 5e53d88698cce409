"""Loading files into text lines. (Placeholder: utf-8 text only; the real loaders replace this.)"""

from __future__ import annotations

import hashlib
from pathlib import Path

from rag.errors import DocumentError
from rag.types import LoadedText


def load(path: Path) -> LoadedText:
    """The file's text lines, or DocumentError."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"{path.name}: not UTF-8 text") from exc
    return LoadedText(
        file=path.name,
        lines=tuple(text.splitlines()),
        encoding="utf-8",
        content_hash=hashlib.sha256(data).hexdigest(),
    )
