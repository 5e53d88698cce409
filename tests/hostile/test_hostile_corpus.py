"""Every file of the hostile corpus loads or fails with a stable code, in time, with bounded memory.

The light part (≈ 50 files) runs in the default tier; the heavy part (50 MB text, bombs, deep
nesting, many pages) is marked slow. Each prints its file → outcome → seconds table.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from ingestion.loaders import ERROR_CODES

TIMEOUT_S = 30.0
MEMORY_MB = 1024
SPAWN_SLACK_S = 5.0
PARENT_BUDGET_MB = 700


def _corpus_module() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "hostile_corpus.py"
    spec = importlib.util.spec_from_file_location("hostile_corpus", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _check(select: str, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = _corpus_module()
    cases = corpus.build(folder, select=select)
    # Growth, not the absolute peak: in a full test run this process already holds Chroma, jieba, …
    baseline_mb = corpus.reset_peak_memory()
    outcomes = corpus.run(folder, cases, timeout_s=TIMEOUT_S, memory_mb=MEMORY_MB)
    parent_mb = corpus.peak_memory_mb() - baseline_mb
    child_mb = max(o.child_mb for o in outcomes)
    with capsys.disabled():
        print(f"\n{corpus.table(outcomes)}")
        print(f"peak memory: parent +{parent_mb:.0f} MB, largest child {child_mb:.0f} MB")
    unexpected = [(o.case.name, o.outcome, o.message) for o in outcomes if not o.as_expected]
    assert unexpected == []
    for o in outcomes:
        assert o.outcome == "ok" or o.outcome in ERROR_CODES
        assert o.seconds < TIMEOUT_S + SPAWN_SLACK_S, o.case.name
        if o.outcome != "ok":
            assert o.case.name[:20] in o.message
    assert parent_mb < PARENT_BUDGET_MB
    assert child_mb <= MEMORY_MB


def test_light_hostile_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _check("light", tmp_path, capsys)


@pytest.mark.slow
def test_heavy_hostile_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _check("heavy", tmp_path, capsys)


def test_corpus_has_at_least_40_files(tmp_path: Path) -> None:
    corpus = _corpus_module()
    names = [case.name for case in corpus.build(tmp_path, select="light")]
    assert len(names) + len(corpus.HEAVY) >= 40
    assert len(set(names)) == len(names)
