"""Benchmark questions in the shared JSONL format (see `/work/shared/eval/README.md`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rag.errors import InputError

KINDS = ("table", "prose", "computed", "cross_doc", "list", "passage", "unanswerable")


@dataclass(frozen=True)
class Source:
    """Where the gold answer is written: file, 1-based line, exact quote, table title."""

    file: str | None = None
    line: int | None = None
    quote: str | None = None
    table: str | None = None


@dataclass(frozen=True)
class GoldSection:
    """Lines ``start``..``end`` (1-based, inclusive) of ``file`` that answer a passage question."""

    file: str
    start: int
    end: int

    def holds(self, file: str, line: int) -> bool:
        return file == self.file and self.start <= line <= self.end


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    kind: str
    value: float | None = None
    unit: str = ""
    text: str | None = None
    """Expected ratio text, e.g. '0.26:0.74'."""
    keywords: tuple[str, ...] = ()
    unanswerable: bool = False
    tolerance: float = 0.0
    source: Source = field(default_factory=Source)
    note: str = ""
    sections: tuple[GoldSection, ...] = ()
    """For a ``passage`` question: the line ranges that answer it (a citation must fall inside one)."""
    before: tuple[str, ...] = ()
    """For the last turn of a conversation: the earlier questions, asked first (in order) with the
    service's own answers as history."""
    follow: str = ""
    """For the last turn of a conversation: the kind of follow-up it is (measure, region, year …)."""

    @property
    def report(self) -> str:
        """The report the question is about (its main source file), or '(none)'."""
        return self.source.file or "(none)"


def load_questions(path: Path) -> list[Question]:
    """Every question in the JSONL file at ``path``; InputError on a malformed line."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read questions file {path}: {exc.strerror}") from exc
    questions = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            questions.append(_parse_line(line, f"{path.name}:{number}"))
    return questions


def _parse_line(line: str, where: str) -> Question:
    try:
        data = json.loads(line)
        return conversation_from_dict(data) if "turns" in data else question_from_dict(data)
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{where}: not a valid question ({exc})") from exc


def question_from_dict(data: dict[str, Any]) -> Question:
    """A Question from one decoded JSON object of the shared format."""
    answer = data["answer"]
    value = answer.get("value")
    return Question(
        id=str(data["id"]),
        question=str(data["question"]),
        kind=str(data.get("kind", "")),
        value=None if value is None else float(value),
        unit=str(answer.get("unit") or ""),
        text=answer.get("text"),
        keywords=tuple(answer.get("keywords") or ()),
        unanswerable=bool(answer.get("unanswerable", False)),
        tolerance=float(data.get("tolerance") or 0.0),
        source=Source(**{k: v for k, v in (data.get("source") or {}).items() if k in Source.__annotations__}),
        note=str(data.get("note") or ""),
        sections=tuple(GoldSection(str(g["file"]), int(g["from"]), int(g["to"]))
                       for g in answer.get("sections") or ()),
    )


def conversation_from_dict(data: dict[str, Any]) -> Question:
    """The scored last turn of a conversation ``{"id", "turns": [{question, kind, answer, …}, …]}``,
    carrying the earlier turns' questions in ``before``."""
    turns = list(data["turns"])
    if not turns:
        raise ValueError("a conversation needs at least one turn")
    last = question_from_dict({"id": data["id"], **turns[-1]})
    before = tuple(str(turn["question"]) for turn in turns[:-1])
    return replace(last, before=before, follow=str(turns[-1].get("follow") or data.get("follow") or ""))
