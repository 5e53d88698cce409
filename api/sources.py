"""The short Markdown 「来源」 list that ends ``/v1/chat/completions`` content, so that OpenAI-compatible
chat clients, which show only ``content``, show where every ``[n]`` points.

The list is plain enough to read as text too::

    2022年昌平区中职学校招生1061人[1]。

    来源：
    - [1] 北京市昌平区中等职业教育质量年度报告（2023年），表 1-1 学生规模，第 58 行
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.types import Answer, Citation

HEADING = "来源："
_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")
_SPACE = re.compile(r"\s+")
_LIST = re.compile(r"\n\n" + HEADING + r"\n(?:- \[\d+\] [^\n]*(?:\n|$))+\s*$")


def with_markers(answer: Answer) -> str:
    """The answer text, with numbered markers [n] appended for citations it does not mark."""
    missing = [c.n for c in answer.citations if f"[{c.n}]" not in answer.text]
    return answer.text + "".join(f"[{n}]" for n in missing)


def chat_content(answer: Answer) -> str:
    """The answer text with its markers, then the sources list (when it cites anything)."""
    return with_markers(answer) + sources_markdown(answer.citations)


def sources_markdown(citations: Sequence[Citation]) -> str:
    """``\\n\\n来源：`` and one ``- [n] title，table or section，line`` item per citation; '' for none."""
    if not citations:
        return ""
    return "\n\n" + HEADING + "\n" + "\n".join(f"- [{c.n}] {_where(c)}" for c in citations)


def strip_sources(text: str) -> str:
    """``text`` without a trailing sources list (an earlier assistant turn sent back by a client)."""
    return _LIST.sub("", text)


def _where(citation: Citation) -> str:
    table = citation.table
    place = (f"表 {table}" if table[:1].isdigit() else table) if table else citation.section
    page = f"第 {citation.page} 页" if citation.page else ""
    parts = (citation.title or citation.file, place, page, f"第 {citation.line} 行")
    return "，".join(_escape(p) for p in parts if p)


def _escape(text: str) -> str:
    """One line of literal text: whitespace runs made one space, Markdown syntax backslash-escaped."""
    return _MARKDOWN.sub(r"\\\1", _SPACE.sub(" ", text).strip())
