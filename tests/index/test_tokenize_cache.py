"""jieba's dictionary cache lives under NIANBAO_HOME, not in the system temp folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
