"""Errors raised by nianbao. Every message is safe to show a user.

NianbaoError
├── ConfigError          settings that cannot work
├── DocumentError        one input file cannot be loaded or parsed (the batch goes on)
├── IndexError_          the index is missing, locked by another writer, or unusable
├── LLMError             the configured LLM failed (callers fall back to extractive)
└── InputError           a request is invalid (question too long, unknown document, …)
"""

from __future__ import annotations


class NianbaoError(Exception):
    code = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class ConfigError(NianbaoError):
    code = "config"


class DocumentError(NianbaoError):
    code = "document"


class IndexError_(NianbaoError):
    code = "index"


class LLMError(NianbaoError):
    code = "llm"


class InputError(NianbaoError):
    code = "input"
