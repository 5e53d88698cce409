"""`nianbao ask` as a new user meets it: a bad question is refused before any work, a question in
another language is told how to ask, and a closed pipe ends the command quietly."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from cli.ingest import complete
from cli.main import SIGPIPE_STATUS, main
from rag.answering import ASK_IN_CHINESE, answer
from rag.index import generations, open_index
from rag.services import Services
from rag.settings import BUNDLED_REPORTS, Settings

REPO = Path(__file__).resolve().parent.parent.parent


@pytest.mark.parametrize("question", ["", "   ", "招生" * 5000])
def test_a_bad_question_is_refused_before_the_index_is_touched(
    question: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NIANBAO_HOME", str(tmp_path / "home"))
    assert main(["ask", question]) == 1
    err = capsys.readouterr().err
    assert err.startswith("nianbao: 问题") and "索引为空" not in err
    assert not (tmp_path / "home").exists()


@pytest.mark.parametrize("question", ["How many students enrolled in Changping in 2022?", "2022 enrollment?"])
def test_a_question_without_chinese_is_told_to_ask_in_chinese(services: Services, question: str) -> None:
    result = answer(question, services)
    assert result.refused and result.text.endswith(ASK_IN_CHINESE)
    assert "中文" in ASK_IN_CHINESE and "2022年昌平区中职学校招生多少人？" in ASK_IN_CHINESE


def test_a_chinese_refusal_has_no_language_hint(services: Services) -> None:
    result = answer("2024年海淀区中职招生多少人？", services)
    assert result.refused and ASK_IN_CHINESE not in result.text


def test_a_closed_pipe_ends_quietly(home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NIANBAO_", "OPENAI_"))}
    env["NIANBAO_HOME"] = str(home)
    read, write = os.pipe()
    os.close(read)  # the reader is gone before anything is written, as with `| head -0`
    try:
        done = subprocess.run([sys.executable, "-m", "cli.main", "ask", "2022年昌平区中职学校招生多少人？"],
                              cwd=REPO, env=env, stdout=write, stderr=subprocess.PIPE, text=True, timeout=240)
    finally:
        os.close(write)
    assert done.returncode == SIGPIPE_STATUS
    assert done.stderr == ""


def _older_copy(home: Path, tmp_path: Path, statements: str) -> Path:
    """A copy of ``home`` whose current generation's store has had ``statements`` run on it (as an
    older version wrote it, without the tables it lacked)."""
    old = tmp_path / "old-home"
    shutil.copytree(home, old)
    layout = generations.Layout(old)
    conn = sqlite3.connect(layout.folder(str(generations.current(layout))) / generations.STORE)
    conn.executescript(statements)
    conn.close()
    return old


@pytest.mark.integration
def test_an_index_written_by_an_older_version_is_completed_then_answers(home: Path, tmp_path: Path) -> None:
    old = _older_copy(home, tmp_path, "DROP TABLE keyword_terms; DROP TABLE keyword_chunks; "
                                      "DROP TABLE audits;")
    layout = generations.Layout(old)
    for words in layout.cache.glob("jieba-*-words.sqlite"):
        words.unlink()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NIANBAO_", "OPENAI_"))}
    env["NIANBAO_HOME"] = str(old)

    def ask() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "cli.main", "ask", "2022年昌平区中职学校招生多少人？"],
                              cwd=REPO, env=env, capture_output=True, text=True, timeout=240)

    first, second = ask(), ask()
    assert first.returncode == 0, first.stderr
    assert "索引由旧版本写入，缺少关键词索引、审计结果、分词词表：正在补建" in first.stderr
    assert "1061" in first.stdout.split("\n")[0]
    assert second.stdout == first.stdout and "旧版本" not in second.stderr


@pytest.mark.integration
def test_a_one_off_answer_imports_no_audit_check_and_no_pkg_resources(home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NIANBAO_", "OPENAI_"))}
    env["NIANBAO_HOME"] = str(home)
    question = "东城区2023年中职生均一般公共预算教育经费比2022年多了多少元"
    code = (f"import sys; from cli.main import main; main(['ask', '{question}']);"
            "print(sorted(m for m in sys.modules if m == 'pkg_resources' or m.startswith('rag.audit.')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=240)
    assert "[1]" in done.stdout, done.stderr  # answered with a source, whose findings were looked up
    assert done.stdout.splitlines()[-1] == "['rag.audit.findings', 'rag.audit.indexed', 'rag.audit.stored']"


def test_an_older_index_that_cannot_be_completed_now_is_used_as_it_is(home: Path, tmp_path: Path) -> None:
    old = _older_copy(home, tmp_path, "DROP TABLE audits;")
    layout = generations.Layout(old)
    settings = Settings(home=old, reports_dir=BUNDLED_REPORTS)
    index = open_index(settings)
    writer = generations.WriteLock(layout)
    writer.acquire()  # another process is writing
    said: list[str] = []
    try:
        complete(index, settings, said.append)
    finally:
        writer.release()
    assert said[-1].startswith("未能补建（索引正在被") and said[-1].endswith("按现有索引回答")
    assert index.missing_parts() == ["审计结果"]
    index.close()
