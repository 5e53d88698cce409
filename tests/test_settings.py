from pathlib import Path

import pytest

from rag.errors import ConfigError
from rag.settings import Settings


def test_settings_read_from_env() -> None:
    s = Settings.from_env(
        {"NIANBAO_HOME": "/tmp/x", "NIANBAO_API_KEYS": "a, b,", "NIANBAO_LLM_MODEL": "m",
         "NIANBAO_LLM_BASE_URL": "http://127.0.0.1:1/v1"}
    )
    assert s.home == Path("/tmp/x")
    assert s.api_keys == ("a", "b")
    assert s.llm_enabled


def test_defaults_have_no_llm() -> None:
    assert not Settings.from_env({}).llm_enabled


def test_bad_number_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        Settings.from_env({"NIANBAO_LLM_TIMEOUT_S": "soon"})
