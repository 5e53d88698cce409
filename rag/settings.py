"""One typed settings object, read from the environment once and passed explicitly."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rag.errors import ConfigError

BUNDLED_REPORTS = Path(__file__).resolve().parent.parent / "data" / "reports"
DEFAULT_UPLOAD_BYTES = 20 * 1024 * 1024
"""30x the whole bundled corpus (0.67 MB of text) and 64x its largest report: room for a PDF with
images, while an upload stays far from the sizes that starved readers (45 MB held the lock 98 s)."""


@dataclass(frozen=True)
class Settings:
    home: Path = Path(".nianbao")
    reports_dir: Path = BUNDLED_REPORTS

    llm_base_url: str = ""
    llm_api_key: str = ""
    llm_model: str = ""
    llm_timeout_s: float = 30.0
    llm_max_retries: int = 1
    llm_breaker_failures: int = 3
    """Consecutive failed LLM requests that open the circuit breaker (answers go extractive)."""
    llm_breaker_cooldown_s: float = 30.0
    """How long the breaker stays open before one probe request is let through."""
    llm_probe_timeout_s: float = 5.0
    """Deadline of the breaker's probe (a one-token request) before a real question is sent again."""
    llm_max_tokens: int = 512
    """``max_tokens`` sent with every request: room for the answer JSON, so generation always ends."""
    llm_context_tokens: int = 8192
    """The server's context window: the prompt's passages and facts are trimmed to fit it."""
    llm_system_in_user: bool = False
    """Send the rules in the first user message, for chat templates without a system role."""

    embed_base_url: str = ""
    embed_api_key: str = ""
    embed_model: str = ""

    chroma_url: str = ""
    """A Chroma server (http://host:port) holding the vectors; empty = an embedded folder per generation."""

    api_keys: tuple[str, ...] = ()
    cors_origins: tuple[str, ...] = ()
    admin_keys: tuple[str, ...] = ()
    """Keys that may also upload, delete and re-index (``api_keys`` may only ask and read)."""
    allowed_hosts: tuple[str, ...] = ()
    """Host header values served; empty = loopback names in open mode, any host with keys."""
    max_upload_bytes: int = DEFAULT_UPLOAD_BYTES
    max_body_bytes: int = 1024 * 1024
    """Largest request body other than an upload, refused (413) before it is parsed."""
    max_history_chars: int = 20_000
    """Characters of earlier turns (history, or earlier chat messages) one request may carry."""
    failed_auth_per_minute: int = 10
    """Wrong keys one client address may present per minute before it gets 429 for every key."""
    max_question_chars: int = 500
    rate_limit_per_minute: int = 120
    answerer: str = "rules"
    """Which extractive answerer states numbers: 'rules' (hand-set scores), 'ranked' (learned) or
    'combined' (the ranker's value, stated when one calibrated decision over both agrees)."""
    answer_cache_size: int = 256
    """Answers the API keeps per index generation for repeated questions (extractive mode); 0 = off."""

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_model and (self.llm_base_url or self.llm_api_key))

    @property
    def open_mode(self) -> bool:
        """No keys configured: anyone who reaches the service may do everything (loopback only)."""
        return not (self.api_keys or self.admin_keys)

    @property
    def remote_embeddings(self) -> bool:
        return bool(self.embed_model and self.embed_base_url)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from NIANBAO_* variables (and OPENAI_API_KEY / OPENAI_BASE_URL)."""
        env = os.environ if env is None else env
        get = env.get
        try:
            return cls(
                home=Path(get("NIANBAO_HOME", ".nianbao")),
                reports_dir=Path(get("NIANBAO_REPORTS_DIR", str(BUNDLED_REPORTS))),
                llm_base_url=get("NIANBAO_LLM_BASE_URL", get("OPENAI_BASE_URL", "")),
                llm_api_key=get("NIANBAO_LLM_API_KEY", get("OPENAI_API_KEY", "")),
                llm_model=get("NIANBAO_LLM_MODEL", ""),
                llm_timeout_s=float(get("NIANBAO_LLM_TIMEOUT_S", "30")),
                llm_max_retries=int(get("NIANBAO_LLM_MAX_RETRIES", "1")),
                llm_breaker_failures=int(get("NIANBAO_LLM_BREAKER_FAILURES", "3")),
                llm_breaker_cooldown_s=float(get("NIANBAO_LLM_BREAKER_COOLDOWN_S", "30")),
                llm_probe_timeout_s=float(get("NIANBAO_LLM_PROBE_TIMEOUT_S", "5")),
                llm_max_tokens=int(get("NIANBAO_LLM_MAX_TOKENS", "512")),
                llm_context_tokens=int(get("NIANBAO_LLM_CONTEXT_TOKENS", "8192")),
                llm_system_in_user=_flag(get("NIANBAO_LLM_SYSTEM_IN_USER", "")),
                embed_base_url=get("NIANBAO_EMBED_BASE_URL", ""),
                embed_api_key=get("NIANBAO_EMBED_API_KEY", get("OPENAI_API_KEY", "")),
                embed_model=get("NIANBAO_EMBED_MODEL", ""),
                chroma_url=get("NIANBAO_CHROMA_URL", "").strip(),
                api_keys=_split(get("NIANBAO_API_KEYS", "")),
                cors_origins=_split(get("NIANBAO_CORS_ORIGINS", "")),
                admin_keys=_split(get("NIANBAO_ADMIN_KEYS", "")),
                allowed_hosts=_split(get("NIANBAO_ALLOWED_HOSTS", "")),
                max_upload_bytes=int(get("NIANBAO_MAX_UPLOAD_BYTES", str(DEFAULT_UPLOAD_BYTES))),
                max_body_bytes=int(get("NIANBAO_MAX_BODY_BYTES", str(1024 * 1024))),
                max_history_chars=int(get("NIANBAO_MAX_HISTORY_CHARS", "20000")),
                failed_auth_per_minute=int(get("NIANBAO_FAILED_AUTH_PER_MINUTE", "10")),
                max_question_chars=int(get("NIANBAO_MAX_QUESTION_CHARS", "500")),
                rate_limit_per_minute=int(get("NIANBAO_RATE_LIMIT_PER_MINUTE", "120")),
                answer_cache_size=int(get("NIANBAO_ANSWER_CACHE_SIZE", "256")),
                answerer=_answerer(get("NIANBAO_ANSWERER", "rules")),
            )
        except ValueError as exc:
            raise ConfigError(f"NIANBAO_* 设置中有无效的数字：{exc}") from exc


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


def _answerer(value: str) -> str:
    if value not in ("rules", "ranked", "combined"):
        raise ConfigError(f"NIANBAO_ANSWERER 只能是 rules、ranked 或 combined，不能是 {value!r}")
    return value


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())
