"""Single writer across processes: a second writer fails at once with a clear message."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from indexfakes import CountingEmbedder, make_doc

from rag.errors import IndexError_
from rag.index import open_index
from rag.settings import Settings

REPO = Path(__file__).resolve().parents[2]

HOLDER = textwrap.dedent(
    """
    import sys, time
    sys.path[:0] = [{tests!r}, {tests!r} + "/index"]
    from indexfakes import CountingEmbedder
    from rag.index import open_index
    from rag.settings import Settings
    index = open_index(Settings(home=__import__("pathlib").Path({home!r})), embedder=CountingEmbedder())
    with index.writing():
        print("writing", flush=True)
        time.sleep(30)
    """
)


@pytest.mark.integration
def test_a_second_writer_process_fails_fast_with_a_clear_message(settings: Settings) -> None:
    script = HOLDER.format(tests=str(REPO / "tests"), home=str(settings.home))
    holder = subprocess.Popen([sys.executable, "-c", script], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "writing"
        index = open_index(settings, embedder=CountingEmbedder())
        started = time.monotonic()
        with pytest.raises(IndexError_) as caught:
            index.upsert(make_doc("a.txt", ["招生1061人"]))
        assert time.monotonic() - started < 2.0
        assert caught.value.code == "index_locked"
        assert f"进程 {holder.pid}" in caught.value.message
        assert index.documents() == []
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    # the lock dies with its holder: the next writer goes ahead
    after = open_index(settings, embedder=CountingEmbedder())
    assert after.upsert(make_doc("a.txt", ["招生"])).status == "added"


def test_a_second_writer_thread_fails_fast(settings: Settings) -> None:
    import threading

    index = open_index(settings, embedder=CountingEmbedder())
    errors: list[IndexError_] = []

    def other() -> None:
        try:
            index.upsert(make_doc("b.txt", ["朝阳区"]))
        except IndexError_ as exc:
            errors.append(exc)

    with index.writing():
        thread = threading.Thread(target=other)
        thread.start()
        thread.join(timeout=5)
    assert [e.code for e in errors] == ["index_locked"]


def test_leftover_generations_of_a_crashed_writer_are_collected(settings: Settings) -> None:
    index = open_index(settings, embedder=CountingEmbedder())
    index.upsert(make_doc("a.txt", ["招生1061人"]))
    crashed = settings.home / "generations" / "deadbeef-1"
    crashed.mkdir()
    (crashed / "index.sqlite").write_bytes(b"half written")
    index.upsert(make_doc("b.txt", ["朝阳区招生"]))
    names = {p.name for p in (settings.home / "generations").iterdir()}
    assert "deadbeef-1" not in names
    assert len(names) == 2  # current and previous
    assert [d.file for d in index.documents()] == ["a.txt", "b.txt"]


REBUILDER = textwrap.dedent(
    """
    import sys, time
    sys.path[:0] = [{tests!r}, {tests!r} + "/index"]
    from indexfakes import CountingEmbedder, make_doc
    from rag.index import open_index
    from rag.settings import Settings
    index = open_index(Settings(home=__import__("pathlib").Path({home!r})), embedder=CountingEmbedder())
    with index.writing(rebuild=True):
        for n in range(6):
            index.upsert(make_doc(f"new{{n}}.txt", [f"第{{n}}份新报告，招生{{n}}00人。"]))
            time.sleep(0.3)
    print("done", flush=True)
    """
)


@pytest.mark.integration
def test_a_reader_process_sees_the_old_or_the_new_corpus_never_a_mix(settings: Settings) -> None:
    index = open_index(settings, embedder=CountingEmbedder())
    with index.writing():
        for n in range(3):
            index.upsert(make_doc(f"old{n}.txt", [f"第{n}份旧报告，招生{n}人。"]))
    old, new = {f"old{n}.txt" for n in range(3)}, {f"new{n}.txt" for n in range(6)}
    script = REBUILDER.format(tests=str(REPO / "tests"), home=str(settings.home))
    writer = subprocess.Popen([sys.executable, "-c", script], cwd=REPO, stdout=subprocess.PIPE, text=True)
    seen: list[frozenset[str]] = []
    try:
        while writer.poll() is None:
            files = frozenset(d.file for d in index.documents())
            hits = {h.chunk.file for h in index.keyword_search("招生", k=20)}
            assert files in (old, new) and hits <= files
            seen.append(files)
            time.sleep(0.05)
    finally:
        writer.kill()
        writer.wait()
        if writer.stdout is not None:
            writer.stdout.close()
    assert writer.returncode == 0
    assert {f.file for f in index.documents()} == new
    assert old in seen  # the reader really read during the rebuild
    index.close()


def test_an_unusable_home_fails_with_an_index_error(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.write_text("a file where the index folder should be", encoding="utf-8")
    index = open_index(Settings(home=home), embedder=CountingEmbedder())
    with pytest.raises(IndexError_, match="无法写入"):
        index.upsert(make_doc("a.txt", ["招生"]))
    with pytest.raises(IndexError_, match="无法读取"):
        index.documents()
