"""Loading an untrusted file in a child process with memory, CPU and wall-clock limits.

``load_isolated`` runs ``ingestion.loaders.load`` in ``python -m ingestion.isolation`` (a fresh
interpreter: no fork of a threaded server, no pickle from the child), with ``RLIMIT_AS`` set to
``memory_mb``, ``RLIMIT_CPU`` just above the timeout, and a wall-clock timeout after which the
child is killed. A decompression bomb, a huge page count or deeply nested objects therefore fail
that one file with ``memory`` / ``timeout`` / ``pdf_broken`` while the parent's memory stays
bounded. The result comes back as JSON on the child's stdout.

Size cap: ``max_bytes`` defaults to ``loaders.DEFAULT_MAX_BYTES`` (50 MiB + 2 MiB), so a 50 MiB text
report loads and a bigger file fails at once with ``too_large`` before any child starts. Measured
on the 2-core machine under load ≈ 8: a 50 MiB report takes ≈ 7–14 s end to end (load 2.9 s, JSON
out 2.3 s, JSON in 1.3 s), child peak 175 MB, parent growth ≈ 0.35 GB; the parent's memory is
bounded by the size caps (≈ 7× the text it receives), the child's by ``memory_mb``.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ingestion.loaders import DEFAULT_MAX_BYTES, load
from rag.errors import DocumentError
from rag.types import LoadedText

_ROOT = Path(__file__).resolve().parent.parent
_STDERR_CAP = 1 << 20
_CHILD_ENV = frozenset({"PATH", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "VIRTUAL_ENV", "PYTHONHASHSEED"})


@dataclass(frozen=True)
class IsolatedLoad:
    """What one isolated load produced: the text or the error, and the child's peak memory."""

    loaded: LoadedText | None
    error: DocumentError | None
    child_peak_mb: float
    """Peak resident memory of the child (0 when it was killed before reporting)."""


def load_isolated(
    path: Path,
    *,
    timeout_s: float = 30.0,
    memory_mb: int = 1024,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> LoadedText:
    """The file's LoadedText, loaded in a limited child process, or DocumentError with a stable code."""
    result = run_isolated(path, timeout_s=timeout_s, memory_mb=memory_mb, max_bytes=max_bytes)
    if result.error is not None:
        raise result.error
    assert result.loaded is not None
    return result.loaded


def run_isolated(
    path: Path,
    *,
    timeout_s: float = 30.0,
    memory_mb: int = 1024,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> IsolatedLoad:
    """``load_isolated``'s outcome with the child's peak memory, for benchmarks and tests."""
    try:
        _check_size(path, max_bytes)
    except DocumentError as exc:
        return IsolatedLoad(None, exc, 0.0)
    request = {
        "path": str(path.resolve()),
        "max_bytes": max_bytes,
        "memory_mb": memory_mb,
        "cpu_s": timeout_s,
    }
    with tempfile.TemporaryFile() as stderr, _start_child(stderr) as proc:
        try:
            out, _ = proc.communicate(json.dumps(request).encode(), timeout=timeout_s)
        except subprocess.TimeoutExpired:
            error = DocumentError(f"{path.name}：读取超过 {timeout_s:g} 秒", code="timeout")
            return IsolatedLoad(None, error, 0.0)
        finally:
            if proc.poll() is None:  # timed out or interrupted: never leave the child running
                proc.kill()
                proc.wait()
        return _result(path.name, proc.returncode, out, _tail(stderr))


def _start_child(stderr: IO[bytes]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "ingestion.isolation"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr,
        env=_child_env(),
        cwd=_ROOT,
        start_new_session=True,
    )


def _check_size(path: Path, max_bytes: int) -> None:
    try:
        size = path.stat().st_size
    except OSError:
        return  # the child reports missing or unreadable files with their own codes
    if size > max_bytes:
        raise DocumentError(
            f"{path.name}：文件大小 {size / 1e6:.1f} MB，超过 {max_bytes / 1e6:.1f} MB 的上限",
            code="too_large",
        )


def _child_env() -> dict[str, str]:
    """Only what Python needs: API keys and other secrets stay out of the process parsing untrusted input."""
    env = {name: value for name, value in os.environ.items() if name in _CHILD_ENV}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _tail(stream: IO[bytes]) -> str:
    stream.seek(0, os.SEEK_END)
    stream.seek(max(0, stream.tell() - 2000))
    return stream.read().decode("utf-8", errors="replace")


def _result(name: str, returncode: int, out: bytes, stderr: str) -> IsolatedLoad:
    try:
        reply = json.loads(out) if out else None
    except ValueError:
        reply = None
    if not isinstance(reply, dict):
        return IsolatedLoad(None, _crash(name, returncode, stderr), 0.0)
    peak = float(reply.get("peak_mb", 0.0))
    if "ok" in reply:
        return IsolatedLoad(_loaded(reply["ok"]), None, peak)
    error = DocumentError(str(reply["error"]["message"]), code=str(reply["error"]["code"]))
    return IsolatedLoad(None, error, peak)


def _loaded(data: dict[str, Any]) -> LoadedText:
    return LoadedText(
        file=data["file"],
        lines=tuple(data["lines"]),
        encoding=data["encoding"],
        content_hash=data["content_hash"],
        pages=tuple(data["pages"]),
        evidence=tuple((str(source), str(text)) for source, text in data.get("evidence", ())),
        furniture_removed=bool(data.get("furniture_removed", False)),
    )


def _crash(name: str, returncode: int, stderr: str) -> DocumentError:
    if returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        return DocumentError(f"{name}：读取占用的 CPU 时间过多", code="timeout")
    if "MemoryError" in stderr or "Cannot allocate memory" in stderr or returncode == -signal.SIGABRT:
        return DocumentError(f"{name}：读取需要的内存过多", code="memory")
    return DocumentError(f"{name}：读取进程意外退出（退出码 {returncode}）", code="pdf_broken")


# --- child ------------------------------------------------------------------------------------


def _child_main() -> None:
    """Read one request on stdin, load the file under limits, write one JSON reply on stdout."""
    reply_to = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # stray prints from libraries must not corrupt the reply
    request = json.loads(sys.stdin.read())
    _limit(memory_mb=int(request["memory_mb"]), cpu_s=float(request["cpu_s"]))
    logging.disable(logging.WARNING)
    reply = _child_reply(Path(request["path"]), int(request["max_bytes"]))
    reply["peak_mb"] = _peak_rss_mb()
    json.dump(reply, reply_to, ensure_ascii=False)
    reply_to.flush()


def _peak_rss_mb() -> float:
    """This process's peak RSS since exec (VmHWM; ru_maxrss would include the forking parent's)."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(status.split("VmHWM:")[1].split()[0]) / 1024
    except (OSError, IndexError, ValueError):
        return 0.0


def _limit(*, memory_mb: int, cpu_s: float) -> None:
    memory = memory_mb * 1024 * 1024
    cpu = int(cpu_s) + 2
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (_STDERR_CAP, _STDERR_CAP))


def _child_reply(path: Path, max_bytes: int) -> dict[str, Any]:
    try:
        loaded = load(path, max_bytes=max_bytes)
    except DocumentError as exc:
        return {"error": {"code": exc.code, "message": exc.message}}
    except MemoryError:
        return {"error": {"code": "memory", "message": f"{path.name}：读取需要的内存过多"}}
    except RecursionError:
        return {"error": {"code": "pdf_broken", "message": f"{path.name}：文件内部嵌套过深"}}
    return {
        "ok": {
            "file": loaded.file,
            "encoding": loaded.encoding,
            "content_hash": loaded.content_hash,
            "lines": loaded.lines,
            "pages": loaded.pages,
            "evidence": loaded.evidence,
            "furniture_removed": loaded.furniture_removed,
        }
    }


if __name__ == "__main__":
    _child_main()
