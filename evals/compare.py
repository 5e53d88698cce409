"""Comparing two eval runs: which questions got better or worse, and how the headline figures moved."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.errors import InputError

_FIGURES = ("accuracy", "citation_accuracy", "refusal_accuracy", "recall_at_5")


@dataclass(frozen=True)
class Change:
    id: str
    before: str
    after: str


@dataclass(frozen=True)
class Comparison:
    better: list[Change]
    worse: list[Change]
    added: list[str]
    removed: list[str]
    figures: dict[str, tuple[float | None, float | None]]
    common: int = 0
    """How many questions both runs answered (the only ones compared one by one)."""
    files: tuple[str, str] = ("", "")
    """The question files the two runs read, as recorded in their summaries."""

    @property
    def same_questions(self) -> bool:
        """False when the runs answered different question sets (their figures are not comparable)."""
        return not self.added and not self.removed


def load_summary(directory: Path) -> dict[str, Any]:
    """The ``summary.json`` of an eval output folder; InputError if missing or unreadable."""
    path = directory / "summary.json"
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"not an eval output folder (no readable {path})") from exc
    return data


def compare(old: Mapping[str, Any], new: Mapping[str, Any]) -> Comparison:
    """Questions whose correctness (or, if correct in both, citation) changed from ``old`` to ``new``."""
    before = {item["id"]: item for item in old["items"]}
    after = {item["id"]: item for item in new["items"]}
    better: list[Change] = []
    worse: list[Change] = []
    for qid in before.keys() & after.keys():
        was, now = _score(before[qid]), _score(after[qid])
        if now != was:
            change = Change(qid, _verdict(before[qid]), _verdict(after[qid]))
            (better if now > was else worse).append(change)
    figures = {k: (old["system"].get(k), new["system"].get(k)) for k in _FIGURES}
    return Comparison(
        better=sorted(better, key=lambda c: c.id),
        worse=sorted(worse, key=lambda c: c.id),
        added=sorted(after.keys() - before.keys()),
        removed=sorted(before.keys() - after.keys()),
        figures=figures,
        common=len(before.keys() & after.keys()),
        files=(str(old.get("questions_file", "")), str(new.get("questions_file", ""))),
    )


def format_comparison(result: Comparison) -> str:
    """A plain-text account of a comparison, worse first (led by a warning when the runs answered
    different questions)."""
    lines = [] if result.same_questions else [_different(result)]
    lines.append(f"worse: {len(result.worse)}   better: {len(result.better)}")
    lines += [f"  WORSE  {c.id}: {c.before}  →  {c.after}" for c in result.worse]
    lines += [f"  better {c.id}: {c.before}  →  {c.after}" for c in result.better]
    for key, (was, now) in result.figures.items():
        lines.append(f"{key}: {_pct(was)} → {_pct(now)}")
    if result.added:
        lines.append("only in new: " + ", ".join(result.added))
    if result.removed:
        lines.append("only in old: " + ", ".join(result.removed))
    return "\n".join(lines)


def _different(result: Comparison) -> str:
    old_file, new_file = result.files
    files = f" ({old_file} vs {new_file})" if old_file != new_file else ""
    return (f"WARNING: the two runs answered different questions{files}: {len(result.removed)} only in old, "
            f"{len(result.added)} only in new; better/worse covers the {result.common} in both, "
            f"and the figures below are not comparable")


def _score(item: Mapping[str, Any]) -> int:
    correct = bool(item.get("correct"))
    return 2 * correct + (correct and bool(item.get("cited")))


def _verdict(item: Mapping[str, Any]) -> str:
    state = "ok" if item.get("correct") else item.get("reason", "wrong")
    cited = "" if item.get("cited") is None else (", cited" if item.get("cited") else ", not cited")
    return f"{item.get('got', '')} ({state}{cited})"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"
