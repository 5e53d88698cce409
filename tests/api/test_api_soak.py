"""Slow tier: 16 clients for 60 s against `nianbao serve` while a full re-index runs (benchmarks/load.py
--soak): zero 5xx, zero connection errors, every citation fetched back."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.integration]
REPO = Path(__file__).resolve().parent.parent.parent


@pytest.mark.timeout(900)
def test_soak_during_reindex() -> None:
    command = [sys.executable, "benchmarks/load.py", "--soak", "--seconds", "60", "--requests", "10000"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=850)
    assert done.returncode == 0, done.stdout + done.stderr
    figures = json.loads(done.stdout.splitlines()[0])
    assert figures["errors"] == 0 and figures["requests"] > 100
    assert figures["citations_resolved"] > 0
    assert figures["reindex"]["last"]["ok"] is True
