"""An audit's findings as stored in an index generation (JSON), written by the index's writer and
read by ``rag.audit.indexed`` without running any check."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from rag.audit import AuditReport, Finding, Source
from rag.types import ReportInfo


def encode(report: AuditReport) -> str:
    """``report``'s findings and seconds as one JSON text (the report's metadata is stored apart)."""
    body = {"seconds": report.seconds, "findings": [asdict(f) for f in report.findings]}
    return json.dumps(body, ensure_ascii=False)


def decode(info: ReportInfo, text: str) -> AuditReport:
    """The audit ``encode`` stored, for the report ``info``."""
    body = json.loads(text)
    findings = tuple(_finding(f) for f in body["findings"])
    return AuditReport(info=info, findings=findings, seconds=float(body["seconds"]))


def _finding(body: dict[str, Any]) -> Finding:
    return Finding(**{**body, "first": Source(**body["first"]), "second": Source(**body["second"])})
