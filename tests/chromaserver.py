"""A real Chroma server (`chroma run`, shipped by the chromadb package) on 127.0.0.1:<free port>."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import TracebackType

from liveserver import free_port


def chroma_command() -> str:
    """The `chroma` executable of the running interpreter's environment."""
    beside = Path(sys.executable).with_name("chroma")
    return str(beside) if beside.exists() else shutil.which("chroma") or "chroma"


class ChromaServer:
    """``with ChromaServer(path) as server: server.url`` — a `chroma run` process, stopped on exit."""

    def __init__(self, path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._path = path
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> ChromaServer:
        log = open(self._path.parent / f"chroma-{self.port}.log", "wb")
        self._process = subprocess.Popen(
            [chroma_command(), "run", "--path", str(self._path), "--host", "127.0.0.1",
             "--port", str(self.port)],
            stdout=log, stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + 60
        while not self._alive():
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise RuntimeError(f"chroma run did not start (see {log.name})")
            time.sleep(0.1)
        return self

    def _alive(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
