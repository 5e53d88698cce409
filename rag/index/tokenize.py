"""Keyword tokens for BM25: jieba search-mode words, numbers kept whole, punctuation dropped.

jieba's dictionary (half a million words) takes 0.9 s to load. A writer, which tokenises whole
reports, loads it once (``load_whole_dictionary``) and leaves a copy as a SQLite file in the cache
folder; any other process has jieba look the words of its few short texts up in that file instead,
with the same frequencies, so it cuts exactly the same words (and loads the whole dictionary once it
has tokenised much).
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import sys
import threading
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType


def _import_jieba() -> ModuleType:
    """jieba, imported without ``pkg_resources`` when nothing loaded that yet: jieba only uses it to
    open its own data files and opens them by path without it, and importing it costs 0.14 s."""
    if "pkg_resources" in sys.modules:
        import jieba
    else:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # `import pkg_resources` fails
        try:
            import jieba
        finally:
            del sys.modules["pkg_resources"]
    jieba.setLogLevel(logging.WARNING)
    return jieba


jieba = _import_jieba()
"""Imported here first: ``rag.retriever`` (and the ranker) use this module's jieba."""
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_WORD = re.compile(r"\w")
_STOPWORDS = frozenset(
    ["的", "了", "和", "与", "及", "在", "是", "为", "对", "中", "等", "以", "并", "其", "或", "之", "于",
     "由", "从", "将", "被", "把", "有", "个", "这", "那", "什么", "多少", "哪些", "吗", "呢"]
)
WHOLE_AFTER = 20_000
"""About 13 one-off questions' lookups (1,500 each, 4–12 µs a lookup)."""
_LOCK = threading.Lock()
_CACHE_DIR: list[Path] = []


def use_cache_dir(folder: Path) -> None:
    """Keep jieba's caches in ``folder`` (under the index home), not the system temp folder, and
    have jieba look words up in the word file there when one was written; applies unless jieba
    already loaded its dictionary in this process."""
    with _LOCK:
        _CACHE_DIR[:] = [folder]
        jieba.dt.tmp_dir = str(folder)
        if not jieba.dt.initialized and _words_file(jieba).is_file():
            words = _WordFile(_words_file(jieba))
            jieba.dt.FREQ, jieba.dt.total = words, words.total  # what jieba.lcut uses everywhere
            jieba.dt.initialized = True


def load_whole_dictionary() -> None:
    """Load jieba's whole dictionary into memory (for tokenising many texts), and write the word
    file when there is none yet."""
    with _LOCK:
        if isinstance(jieba.dt.FREQ, _WordFile):
            jieba.dt.initialized = False
        if _CACHE_DIR:
            _CACHE_DIR[0].mkdir(parents=True, exist_ok=True)
        jieba.initialize()
        if _CACHE_DIR and not _words_file(jieba).is_file():
            _write_words(_words_file(jieba), jieba.dt.FREQ, jieba.dt.total)


def ensure_word_file() -> None:
    """Write the word file readers look words up in, unless it is there (a writer's first step)."""
    if _CACHE_DIR and not word_file_written():
        load_whole_dictionary()


def word_file_written() -> bool:
    """Whether the word file of this jieba version is in the cache folder."""
    return bool(_CACHE_DIR) and _words_file(jieba).is_file()


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
    if not jieba.dt.initialized:
        load_whole_dictionary()  # no word file yet: this process loads the dictionary and writes one
    return [t for t in jieba.lcut_for_search(segment) if _WORD.search(t) and t not in _STOPWORDS]


def _words_file(jieba: ModuleType) -> Path:
    return _CACHE_DIR[0] / f"jieba-{jieba.__version__}-words.sqlite"


def _write_words(path: Path, frequencies: Mapping[str, int], total: int) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    with sqlite3.connect(tmp) as conn:
        conn.execute("CREATE TABLE words (word TEXT PRIMARY KEY, freq INTEGER NOT NULL) WITHOUT ROWID")
        conn.execute("INSERT INTO words VALUES ('', ?)", (total,))
        conn.executemany("INSERT INTO words VALUES (?, ?)", ((w, f) for w, f in frequencies.items() if w))
    conn.close()
    os.replace(tmp, path)


class _WordFile:
    """jieba's word frequencies (its words' prefixes at 0), read from the word file per lookup: the
    three operations jieba's tokenizer uses on its dictionary. The total is stored under ''.

    A process that keeps tokenising (a server after some questions, an evaluation) loads the whole
    dictionary after ``WHOLE_AFTER`` lookups: from then on a lookup is a dict's."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        self._lookups = 0
        self.total = self[""]

    def get(self, word: str, default: int | None = None) -> int | None:
        with self._lock:
            row = self._conn.execute("SELECT freq FROM words WHERE word = ?", (word,)).fetchone()
            self._lookups += 1
            busy = self._lookups == WHOLE_AFTER
        if busy:
            load_whole_dictionary()
        return int(row[0]) if row else default

    def __getitem__(self, word: str) -> int:
        found = self.get(word)
        if found is None:
            raise KeyError(word)
        return found

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self.get(word) is not None
