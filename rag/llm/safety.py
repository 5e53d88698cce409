"""Controls outside the model: what leaves the LLM answerer never carries links, images, markup,
the system prompt or the API key, whatever the sources or the question told the model to do."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Markdown lets an image's brackets span line breaks.
_IMAGE = re.compile(r"!\[[^\]]{0,200}\]\s*(?:\([^)]{0,500}\)|\[[^\]]{0,200}\])")
_LINK = re.compile(r"\[([^\]\n]*)\]\s*\((?:[^)\n]*)\)")
_REF_DEF = re.compile(r"^\s*\[[^\]\n]+\]:\s*\S+.*$", re.MULTILINE)
_AUTOLINK = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9+.-]*:|www\.)[^>\s]*>")
_URL = re.compile(
    r"(?:\b(?:https?|ftp|file|javascript|vbscript|data)[:：]|(?<![\w@.])www\.|(?<![\w:/])//(?=[\w-]+\.))"
    r"[^\s\u3000-\u303f\uff00-\uffef<>\"']*",
    re.IGNORECASE,
)
_TAG = re.compile(r"</?[A-Za-z!][^<>]*(?:>|$)")
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_KEYLIKE = re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_\-]{12,}")
_SPACE = re.compile(r"\s+")
LEAK_WINDOW = 14
"""Characters of the system prompt that, repeated in a reply, count as a leak (no report line shares
12 with it, several share 10: see tests)."""


def strip_markup(text: str) -> str:
    """``text`` without images, links (their text stays), URLs, HTML tags or invisible characters."""
    text = _INVISIBLE.sub("", text)
    text = _IMAGE.sub("", text)
    text = _LINK.sub(lambda m: _link_text(m.group(1)), text)
    text = _REF_DEF.sub("", text)
    text = _AUTOLINK.sub("", text)
    text = _TAG.sub("", text)
    text = _URL.sub("", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def clean_unit(unit: str) -> str:
    """A unit as a short plain string."""
    return strip_markup(unit)[:12]


class LeakGuard:
    """Detects the system prompt (any run of ``LEAK_WINDOW`` characters of it) or a secret in text."""

    def __init__(self, prompt: str, *, secrets: Iterable[str] = (), allowed: Iterable[str] = ()) -> None:
        for text in allowed:
            prompt = prompt.replace(text, "\0")
        squeezed = _squeeze(prompt)
        self._windows = {
            squeezed[i : i + LEAK_WINDOW]
            for i in range(len(squeezed) - LEAK_WINDOW + 1)
            if "\0" not in squeezed[i : i + LEAK_WINDOW]
        }
        self._secrets = tuple(s for s in secrets if len(s) >= 6)

    def leaks(self, text: str) -> bool:
        """True when ``text`` repeats the system prompt or contains a secret or key-like string."""
        if any(secret in text for secret in self._secrets) or _KEYLIKE.search(text):
            return True
        squeezed = _squeeze(text)
        return any(squeezed[i : i + LEAK_WINDOW] in self._windows
                   for i in range(len(squeezed) - LEAK_WINDOW + 1))


def _squeeze(text: str) -> str:
    return _SPACE.sub("", _INVISIBLE.sub("", text))


def _link_text(text: str) -> str:
    """A markdown link's text; a bare number stays a citation marker ``[n]``."""
    return f"[{text}]" if text.strip().isdigit() else text
