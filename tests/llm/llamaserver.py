"""A real llama.cpp server (llama-cpp-python) for the ``llmserver`` tier, and settings for it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

from rag.settings import BUNDLED_REPORTS, Settings

LLM_HOME = Path(os.environ.get("NIANBAO_LLM_HOME", Path.home() / ".cache" / "nianbao" / "llm"))
PYTHON = Path(os.environ.get("NIANBAO_TEST_LLM_PYTHON", LLM_HOME / "venv" / "bin" / "python"))
MODEL = Path(os.environ.get("NIANBAO_TEST_LLM_MODEL", LLM_HOME / "gemma3-270m-q4_k_m.gguf"))
CONTEXT = 2048
START_S = 180.0


class LlamaServer:
    """``python -m llama_cpp.server`` on 127.0.0.1, one slot, that can be killed and restarted."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.port = _free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> LlamaServer:
        command = [str(PYTHON), "-m", "llama_cpp.server", "--model", str(MODEL), "--host", "127.0.0.1",
                   "--port", str(self.port), "--chat_format", "gemma", "--n_threads", "2",
                   "--logits_all", "false", "--n_ctx", str(CONTEXT), "--verbose", "false"]
        with self.log.open("ab") as out:
            self._process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{self.url}/models", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.3)
        raise RuntimeError(f"llama_cpp.server did not start in {START_S:g} s")

    def kill(self) -> None:
        """SIGKILL, as a crash would: nothing is finished or closed politely."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGKILL)
            self._process.wait(timeout=30)
        self._process = None

    def restart(self) -> None:
        self.kill()
        self.start()

    def ensure_running(self) -> None:
        if self._process is None or self._process.poll() is not None:
            self.start()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])



def llm_settings(home: Path, server: LlamaServer, **overrides: object) -> Settings:
    """Settings for the gemma server: its 2,048-token window, rules in the user turn (gemma's
    template drops system messages), short replies so a slow machine still finishes."""
    fields: dict[str, object] = {
        "home": home, "reports_dir": BUNDLED_REPORTS, "llm_base_url": server.url, "llm_model": "gemma",
        "llm_context_tokens": CONTEXT, "llm_system_in_user": True, "llm_max_tokens": 96,
        "llm_timeout_s": 20.0, "llm_max_retries": 0, **overrides,
    }
    return Settings(**fields)  # type: ignore[arg-type]
