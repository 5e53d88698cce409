"""Ingesting files in a child process, so one big upload neither holds the server's interpreter
(parsing and tokenising are CPU-bound Python: readers starved under the GIL) nor leaves the memory it
needed in the server (a Python process rarely returns freed memory to the system).

``ingest_in_child`` runs ``python -m ingestion.worker``: the request (settings without secrets,
paths) goes in as JSON on stdin, the per-file outcomes come back as JSON on stdout. The child writes
the index under the usual writer lock; the server's readers switch to the new generation on their
next read. The child dies with its parent (as the loader child does).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from ingestion.isolation import die_with_parent
from ingestion.pipeline import FileOutcome, ingest
from rag.errors import DocumentError, IndexError_
from rag.index import open_index
from rag.settings import Settings

_ROOT = Path(__file__).resolve().parent.parent
_SECRETS = ("api_keys", "admin_keys", "llm_api_key")


def ingest_in_child(path: Path, settings: Settings, *, timeout_s: float = 900.0) -> FileOutcome:
    """The outcome of ingesting ``path`` into ``settings.home`` in a child process; IndexError_
    ``index_locked`` (409) when another writer holds the index."""
    request = {"settings": _settings_json(settings), "path": str(path), "parent": os.getpid()}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "ingestion.worker"], input=json.dumps(request, ensure_ascii=False),
            capture_output=True, text=True, timeout=timeout_s, cwd=_ROOT, env=_env(),
        )
    except subprocess.TimeoutExpired as exc:
        raise DocumentError(f"{path.name}: 导入超时（{timeout_s:g} 秒）。", code="timeout") from exc
    try:
        reply: dict[str, Any] = json.loads(done.stdout)
    except ValueError as exc:
        raise IndexError_(f"the ingest worker failed (exit status {done.returncode})") from exc
    if "error" in reply:
        raise IndexError_(reply["error"]["message"], code=reply["error"]["code"])
    return FileOutcome(**reply["outcome"])


def _settings_json(settings: Settings) -> dict[str, Any]:
    data = asdict(settings)
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in data.items() if k not in _SECRETS}


def _settings(data: dict[str, Any]) -> Settings:
    types = {f.name: f.type for f in fields(Settings)}
    values: dict[str, Any] = {
        k: (Path(v) if "Path" in str(types.get(k)) else tuple(v) if isinstance(v, list) else v)
        for k, v in data.items() if k in types
    }
    return Settings(**values)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NIANBAO_", "OPENAI_"))}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return env


def _child_main() -> None:
    """Read one request on stdin, ingest its file, write one JSON reply on stdout."""
    reply_to = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # stray prints from libraries must not corrupt the reply
    request = json.loads(sys.stdin.read())
    die_with_parent(int(request["parent"]))
    index = open_index(_settings(request["settings"]))
    try:
        report = ingest([Path(request["path"])], index)
        reply: dict[str, Any] = {"outcome": asdict(report.files[0])}
    except IndexError_ as exc:
        reply = {"error": {"code": exc.code, "message": exc.message}}
    finally:
        index.close()
    json.dump(reply, reply_to, ensure_ascii=False)
    reply_to.flush()


if __name__ == "__main__":
    _child_main()
