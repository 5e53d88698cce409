"""JSON schemas of the audit and admin endpoints, converted from ``rag.audit`` and ``rag.types``."""

from __future__ import annotations

from dataclasses import asdict

from pydantic import BaseModel

from api.schemas import DocumentOut, document_out
from rag.audit import AuditReport, Finding


class SourceOut(BaseModel):
    """One cited side of a finding; open it with ``GET /api/documents/{doc_id}/passages/{line}``."""

    file: str
    line: int
    quote: str
    value: float | None
    raw: str
    table: str = ""
    doc_id: str = ""


class FindingOut(BaseModel):
    kind: str
    label: str
    measure: str
    year: int | None
    unit: str
    difference: float | None
    detail: str
    first: SourceOut
    second: SourceOut


class AuditOut(BaseModel):
    document: DocumentOut
    findings: list[FindingOut]
    seconds: float


class AdminDocumentOut(BaseModel):
    """A report as the admin page lists it."""

    document: DocumentOut
    origin: str
    """bundled, uploaded or missing (the file is gone but the report is still indexed)."""
    tables: int
    facts: int
    chunks: int
    findings: int


def finding_out(finding: Finding) -> FindingOut:
    """API view of one finding."""
    return FindingOut(
        kind=finding.kind,
        label=finding.label,
        measure=finding.measure,
        year=finding.year,
        unit=finding.unit,
        difference=finding.difference,
        detail=finding.detail,
        first=SourceOut(**asdict(finding.first)),
        second=SourceOut(**asdict(finding.second)),
    )


def audit_out(report: AuditReport) -> AuditOut:
    """API view of one report's audit."""
    return AuditOut(
        document=document_out(report.info),
        findings=[finding_out(f) for f in report.findings],
        seconds=round(report.seconds, 3),
    )
