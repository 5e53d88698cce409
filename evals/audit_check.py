"""Recall and precision of the consistency audit on the bundled reports, against the hand-checked
list in ``evals/contradictions.jsonl``, and its run time. Run: ``python -m evals.audit_check``.

An entry is found when a finding of the same file cites one of its ``a`` lines on one side and one
of its ``b`` lines on the other. A finding is real when it matches an entry marked ``real``; a
finding matching no entry counts as not real (it is printed, to be checked by hand and added).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.audit import AuditReport, Finding, audit_document
from rag.settings import BUNDLED_REPORTS

CONTRADICTIONS = Path(__file__).resolve().parent / "contradictions.jsonl"


@dataclass(frozen=True)
class AuditScore:
    recall: float
    """Entries found, of those listed as real."""
    precision: float
    """Findings that match an entry marked real, of all findings."""
    found: tuple[str, ...]
    missed: tuple[str, ...]
    unlisted: tuple[Finding, ...]
    false: tuple[Finding, ...]
    findings: int


def load_entries(path: Path = CONTRADICTIONS) -> list[dict[str, Any]]:
    """The hand-checked contradictions, one JSON object a line."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def matches(finding: Finding, entry: dict[str, Any]) -> bool:
    """Whether ``finding`` cites the entry's two places (either way round)."""
    if finding.first.file != entry["file"]:
        return False
    a, b = set(entry["a"]["lines"]), set(entry["b"]["lines"])
    one, two = finding.first.line, finding.second.line
    return (one in a and two in b) or (one in b and two in a)


def score(findings: Sequence[Finding], entries: Sequence[dict[str, Any]]) -> AuditScore:
    """Recall over the real entries and precision over the findings."""
    real = [e for e in entries if e.get("real")]
    found = tuple(e["id"] for e in real if any(matches(f, e) for f in findings))
    missed = tuple(e["id"] for e in real if e["id"] not in found)
    unlisted = tuple(f for f in findings if not any(matches(f, e) for e in entries))
    false = tuple(f for f in findings if any(matches(f, e) for e in entries if not e.get("real")))
    true_count = sum(1 for f in findings if any(matches(f, e) for e in real))
    return AuditScore(
        recall=len(found) / len(real) if real else 1.0,
        precision=true_count / len(findings) if findings else 1.0,
        found=found,
        missed=missed,
        unlisted=unlisted,
        false=false,
        findings=len(findings),
    )


def audit_files(paths: Iterable[Path]) -> list[AuditReport]:
    """The audit of each report file, parsed the way ingestion parses it."""
    from ingestion.loaders import load
    from ingestion.parse import parse

    reports = []
    for path in paths:
        loaded = load(path)
        doc = parse(loaded)
        reports.append(
            audit_document(
                doc.info, chunks=doc.chunks, facts=doc.facts, tables=doc.tables, lines=loaded.lines
            )
        )
    return reports


def main() -> int:
    started = time.perf_counter()
    reports = audit_files(sorted(BUNDLED_REPORTS.glob("*.txt")))
    total = time.perf_counter() - started
    findings = [f for r in reports for f in r.findings]
    result = score(findings, load_entries())
    audit_seconds = sum(r.seconds for r in reports)
    print(
        f"audit of {len(reports)} reports: {result.findings} findings, "
        f"recall {result.recall:.1%} ({len(result.found)}/{len(result.found) + len(result.missed)}), "
        f"precision {result.precision:.1%}, {audit_seconds:.2f} s auditing, {total:.2f} s with parsing"
    )
    for entry_id in result.missed:
        print(f"missed: {entry_id}")
    for f in result.unlisted + result.false:
        print(f"not known to be real: {f.first.file}:{f.first.line} vs {f.second.line} {f.detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
