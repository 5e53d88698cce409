"""An audit as JSON-ready dicts, plain text and a Markdown report for reviewers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from rag.audit.findings import Finding, Source
from rag.numbers import format_number


def finding_json(finding: Finding) -> dict[str, Any]:
    """One finding as JSON (both citations, the difference, and the kind's Chinese label)."""
    return {
        "kind": finding.kind,
        "label": finding.label,
        "measure": finding.measure,
        "year": finding.year,
        "unit": finding.unit,
        "difference": finding.difference,
        "detail": finding.detail,
        "first": asdict(finding.first),
        "second": asdict(finding.second),
    }


def report_json(
    file: str, doc_id: str, title: str, findings: Sequence[Finding], seconds: float
) -> dict[str, Any]:
    """One report's audit as JSON."""
    return {
        "file": file,
        "doc_id": doc_id,
        "title": title,
        "seconds": round(seconds, 3),
        "findings": [finding_json(f) for f in findings],
    }


def text(title: str, file: str, findings: Sequence[Finding]) -> str:
    """A report's findings as plain text, one block per finding."""
    lines = [f"{title}（{file}）：{len(findings)} 处不一致"]
    for n, f in enumerate(findings, 1):
        lines.append(f"{n}. [{f.label}] {f.measure}{_year(f)}：{f.detail}")
        lines += [f"   {_cite(f.first)}", f"   {_cite(f.second)}"]
    return "\n".join(lines)


def markdown(title: str, file: str, findings: Sequence[Finding]) -> str:
    """A report's findings as a Markdown section with a table of both citations."""
    out = [f"## {title}", "", f"`{file}`: {len(findings)} 处不一致", ""]
    if not findings:
        return "\n".join(out)
    out += ["| # | 类型 | 指标 | 差异 | 出处一 | 出处二 |", "| --- | --- | --- | ---: | --- | --- |"]
    for n, f in enumerate(findings, 1):
        diff = "" if f.difference is None else format_number(abs(f.difference))
        out.append(
            f"| {n} | {f.label} | {_md(f.measure)}{_year(f)} | {diff} | {_md(_cite(f.first))} "
            f"| {_md(_cite(f.second))} |"
        )
    return "\n".join(out)


def _cite(source: Source) -> str:
    where = f"{source.file}:{source.line}" + (f"（表{source.table}）" if source.table else "")
    return f"{where} {source.raw} 「{source.quote}」"


def _year(finding: Finding) -> str:
    return f"（{finding.year} 年）" if finding.year else ""


def _md(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")
