"""Audits are computed by the index's writer and stored with the generation; answers and the API read
them (``AuditCache``) without running a check. A bundled report ingested into a real index."""

from __future__ import annotations

import sqlite3
from functools import partial

import pytest

import rag.audit
import rag.audit.indexed
from ingestion.pipeline import ingest
from ingestion.sources import source_lines
from rag.audit import AuditReport
from rag.audit.indexed import AuditCache, audit_indexed
from rag.index import Index, generations, open_index
from rag.settings import BUNDLED_REPORTS, Settings

REPORT = BUNDLED_REPORTS / "chaoyang-zhongzhi-2022.txt"


@pytest.fixture
def index(settings: Settings) -> Index:
    index = open_index(settings)
    assert ingest([REPORT], index).ok
    return index


def _computed(index: Index, settings: Settings, doc_id: str) -> AuditReport:
    return audit_indexed(index, doc_id, lines_of=partial(source_lines, settings))


def _no_audit(*_args: object, **_kwargs: object) -> AuditReport:
    raise AssertionError("audited on the answer path")


def test_the_cache_reads_the_findings_the_writer_stored(
    index: Index, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc_id = index.documents()[0].doc_id
    expected = _computed(index, settings, doc_id)
    assert expected.findings  # the report contradicts itself twice
    monkeypatch.setattr(rag.audit.indexed, "audit_document", _no_audit)
    stored = AuditCache(index).get(doc_id)
    assert stored.findings == expected.findings
    assert stored.info == expected.info


def test_a_generation_without_stored_audits_is_audited_on_demand_then_repaired_by_ingest(
    index: Index, settings: Settings
) -> None:
    layout = generations.Layout(settings.home)
    conn = sqlite3.connect(layout.folder(str(generations.current(layout))) / generations.STORE)
    conn.execute("DROP TABLE audits")
    conn.close()
    reader = open_index(settings)
    doc = reader.documents()[0]
    assert reader.stored_audit(doc.doc_id) is None
    on_demand = AuditCache(reader, lines_of=partial(source_lines, settings)).get(doc.doc_id)
    assert on_demand.findings == _computed(reader, settings, doc.doc_id).findings
    assert reader.unchanged(doc.file, doc.content_hash) is None  # so ingest parses the file again
    report = ingest([REPORT], reader)
    assert [f.status for f in report.files] == ["unchanged"]
    assert reader.stored_audit(doc.doc_id) is not None


def test_an_audit_that_fails_does_not_fail_the_ingest(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> AuditReport:
        raise ValueError("an audit bug")

    monkeypatch.setattr(rag.audit, "audit_document", broken)
    index = open_index(settings)
    assert ingest([REPORT], index).ok
    doc_id = index.documents()[0].doc_id
    assert AuditCache(index).get(doc_id).findings == ()
    assert index.missing_parts() == []  # stored (without findings): no repair on every question
