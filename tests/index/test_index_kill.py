"""Killing ingestion at random points: the index is always exactly one complete corpus, and a rerun
converges with no duplicate or lost chunks (issue 6, item 2)."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag.index import open_index
from rag.settings import Settings

REPO = Path(__file__).resolve().parents[2]
KILL_POINTS = 12
SMALL_REPORTS = ("changping-zhongzhi-2023.txt", "chaoyang-zhongzhi-2022.txt", "dongcheng-zhongzhi-2024.txt")

pytestmark = [pytest.mark.slow, pytest.mark.integration, pytest.mark.timeout(1500)]


def _ingest(home: Path, folder: Path, *, rebuild: bool) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-m", "cli.main", "ingest", str(folder), *(["--rebuild"] if rebuild else [])]
    env = {**os.environ, "NIANBAO_HOME": str(home)}
    return subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def _run(home: Path, folder: Path, *, rebuild: bool = False) -> float:
    started = time.monotonic()
    assert _ingest(home, folder, rebuild=rebuild).wait(timeout=600) == 0
    return time.monotonic() - started


def _state(home: Path) -> frozenset[str]:
    """The chunk ids of the current generation, after checking its stores agree."""
    index = open_index(Settings(home=home))
    try:
        assert index.verify() == []
        ids = [c.id for d in index.documents() for c in index.chunks(d.doc_id)]
        assert len(ids) == len(set(ids)) == index.stats()["chunks"]
        return frozenset(ids)
    finally:
        index.close()


def test_killed_ingestion_leaves_one_complete_corpus_and_reruns_converge(
    tmp_path: Path, reports_dir: Path
) -> None:
    home, corpus_a, corpus_b = tmp_path / "home", tmp_path / "a", tmp_path / "b"
    for corpus in (corpus_a, corpus_b):
        corpus.mkdir()
        for name in SMALL_REPORTS:
            shutil.copy(reports_dir / name, corpus / name)
    changed = corpus_b / "changping-zhongzhi-2023.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n补充说明：2023年昌平区新增专业3个。\n",
                       encoding="utf-8")
    _run(home, corpus_b)
    state_b = _state(home)
    full = _run(home, corpus_a, rebuild=True)
    state_a = _state(home)
    assert state_a != state_b

    rng = random.Random(20240611)
    outcomes: list[int] = []
    try:
        _kill_repeatedly(home, (corpus_a, corpus_b), (state_a, state_b), rng=rng, full=full,
                         outcomes=outcomes)
    finally:
        _reap()
    assert outcomes.count(-signal.SIGKILL) >= KILL_POINTS

    _run(home, corpus_b)
    assert _state(home) == state_b
    assert len(list((home / "generations").iterdir())) <= 2


def _kill_repeatedly(home: Path, corpora: tuple[Path, Path], states: tuple[frozenset[str], ...], *,
                     rng: random.Random, full: float, outcomes: list[int]) -> None:
    while outcomes.count(-signal.SIGKILL) < KILL_POINTS and len(outcomes) < 3 * KILL_POINTS:
        process = _ingest(home, rng.choice(corpora), rebuild=rng.random() < 0.5)
        _STARTED.append(process)
        time.sleep(rng.uniform(0.05, 0.9 * full))
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        outcomes.append(process.wait())
        assert _state(home) in states  # never a mix, never half a corpus


_STARTED: list[subprocess.Popen[bytes]] = []


def _reap() -> None:
    """Kill whatever this test started that still runs (after a failed assertion)."""
    for process in _STARTED:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
