"""Keyword tokens for BM25: jieba search-mode words, numbers kept whole, punctuation dropped."""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import cache
from pathlib import Path
from types import ModuleType

_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_WORD = re.compile(r"\w")
_STOPWORDS = frozenset(
    ["的", "了", "和", "与", "及", "在", "是", "为", "对", "中", "等", "以", "并", "其", "或", "之", "于",
     "由", "从", "将", "被", "把", "有", "个", "这", "那", "什么", "多少", "哪些", "吗", "呢"]
)
_LOCK = threading.Lock()
_CACHE_DIR: list[Path] = []


def use_cache_dir(folder: Path) -> None:
    """Keep jieba's dictionary cache in ``folder`` (under the index home), not the system temp folder;
    applies when jieba is first loaded in this process."""
    with _LOCK:
        _CACHE_DIR[:] = [folder]


def tokenize(text: str) -> list[str]:
    """Search tokens of ``text``: NFKC-folded, lower-case, numbers whole (commas removed)."""
    normal = unicodedata.normalize("NFKC", text).lower()
    tokens: list[str] = []
    position = 0
    for match in _NUMBER.finditer(normal):
        tokens.extend(_words(normal[position : match.start()]))
        tokens.append(match.group().replace(",", ""))
        position = match.end()
    tokens.extend(_words(normal[position:]))
    return tokens


def _words(segment: str) -> list[str]:
    if not segment.strip():
        return []
    return [t for t in _jieba().lcut_for_search(segment) if _WORD.search(t) and t not in _STOPWORDS]


@cache
def _jieba() -> ModuleType:
    import logging

    import jieba

    with _LOCK:
        jieba.setLogLevel(logging.WARNING)
        if _CACHE_DIR:
            _CACHE_DIR[0].mkdir(parents=True, exist_ok=True)
            jieba.dt.tmp_dir = str(_CACHE_DIR[0])
        jieba.initialize()
    return jieba
