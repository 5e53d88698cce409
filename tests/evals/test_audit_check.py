"""The audit's own check: scoring against the hand-checked list, and the bundled reports' figures."""

from __future__ import annotations

from evals.audit_check import audit_files, load_entries, score
from rag.audit import Finding, Source
from rag.settings import BUNDLED_REPORTS


def finding(file: str, one: int, two: int) -> Finding:
    def side(line: int) -> Source:
        return Source(file=file, line=line, quote="", value=1.0, raw="1")

    return Finding(
        kind="text_vs_table",
        measure="m",
        year=None,
        unit="人",
        first=side(one),
        second=side(two),
        difference=1.0,
        detail="",
    )


ENTRIES = [
    {"id": "a", "file": "r.txt", "real": True, "a": {"lines": [10]}, "b": {"lines": [20, 21]}},
    {"id": "b", "file": "r.txt", "real": True, "a": {"lines": [30]}, "b": {"lines": [40]}},
    {"id": "c", "file": "r.txt", "real": False, "a": {"lines": [50]}, "b": {"lines": [60]}},
]


def test_recall_counts_real_entries_found_and_precision_counts_findings_known_real() -> None:
    result = score([finding("r.txt", 21, 10), finding("r.txt", 50, 60), finding("r.txt", 1, 2)], ENTRIES)
    assert (result.found, result.missed) == (("a",), ("b",))
    assert result.recall == 0.5
    assert abs(result.precision - 1 / 3) < 1e-9
    assert [f.first.line for f in result.unlisted] == [1] and [f.first.line for f in result.false] == [50]


def test_a_finding_in_another_file_does_not_match() -> None:
    assert score([finding("other.txt", 10, 20)], ENTRIES).found == ()


def test_the_audit_finds_every_listed_contradiction_of_the_bundled_reports_and_little_else() -> None:
    reports = audit_files(sorted(BUNDLED_REPORTS.glob("*.txt")))
    result = score([f for r in reports for f in r.findings], load_entries())
    assert result.missed == ()
    assert result.precision >= 0.8
    issue_listed = [e for e in load_entries() if e["source"] == "issue"]
    assert len(issue_listed) == 14 and all(e["real"] for e in issue_listed)
