"""jieba's dictionary cache and word file live under NIANBAO_HOME, not in the system temp folder; a
reader looks words up in the word file and cuts the same words."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jieba

REPO = Path(__file__).resolve().parent.parent.parent
SCRIPT = """
from rag.index import open_index
from rag.index.tokenize import tokenize
from rag.settings import Settings
open_index(Settings.from_env())
assert tokenize("昌平区中职学校招生")
"""


def test_jieba_cache_is_written_under_the_home(tmp_path: Path) -> None:
    home, temp = tmp_path / "home", tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "NIANBAO_HOME": str(home), "TMPDIR": str(temp)}
    subprocess.run([sys.executable, "-c", SCRIPT], cwd=REPO, env=env, check=True, timeout=300)
    assert (home / "cache" / "jieba.cache").is_file()
    assert not list(temp.glob("jieba*"))


CUTS = """
import json, sys
import jieba
from rag.index import tokenize
from rag.settings import BUNDLED_REPORTS
tokenize.use_cache_dir(__import__("pathlib").Path(sys.argv[1]))
if sys.argv[2] == "whole":
    tokenize.load_whole_dictionary()
tokenize.WHOLE_AFTER = 5000 if sys.argv[2] == "busy" else 10**9
lines = [l for p in sorted(BUNDLED_REPORTS.glob("*.txt")) for l in p.read_text(encoding="utf-8").splitlines()]
cuts = [[tokenize.tokenize(l), jieba.lcut(l)] for l in lines[::25]]
print(json.dumps({"loaded": isinstance(jieba.dt.FREQ, dict), "cuts": cuts}, ensure_ascii=False))
"""


def test_a_reader_cuts_the_same_words_from_the_word_file_without_loading_the_dictionary(
    tmp_path: Path,
) -> None:
    def run(mode: str) -> dict[str, object]:
        done = subprocess.run([sys.executable, "-c", CUTS, str(tmp_path / "cache"), mode], cwd=REPO,
                              check=True, timeout=300, capture_output=True, text=True)
        return dict(json.loads(done.stdout))

    writer = run("whole")  # a writer loads the dictionary and leaves the word file
    assert (tmp_path / "cache" / f"jieba-{jieba.__version__}-words.sqlite").is_file()
    reader = run("reader")
    busy = run("busy")  # a reader that keeps tokenising loads the dictionary after a while
    assert writer["loaded"] and not reader["loaded"] and busy["loaded"]
    assert reader["cuts"] == writer["cuts"] == busy["cuts"]
    assert len(writer["cuts"]) > 100  # type: ignore[arg-type]
