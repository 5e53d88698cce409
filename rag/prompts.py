"""Prompt files from ``prompts/``: a header declaring variables, then text with ``{{var}}`` slots.

A prompt file looks like::

    ---
    variables: sources, question
    ---
    <资料>
    {{sources}}
    </资料>

Rendering fails loudly (``ConfigError``) on a missing file, a slot that is not declared, a declared
variable that the text never uses, or a call that passes too few or too many variables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rag.errors import ConfigError

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"

_SLOT = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_HEADER = re.compile(r"\A---\n(?P<header>.*?)\n---\n", re.DOTALL)


@dataclass(frozen=True)
class Prompt:
    name: str
    variables: frozenset[str]
    text: str


def render(name: str, /, **variables: object) -> str:
    """The prompt ``name`` with every declared ``{{var}}`` replaced by ``str(value)``."""
    prompt = load(name)
    given = set(variables)
    if missing := sorted(prompt.variables - given):
        raise ConfigError(f"提示词 {name} 缺少变量 {missing}")
    if unused := sorted(given - prompt.variables):
        raise ConfigError(f"提示词 {name} 没有用到变量 {unused}")
    return _SLOT.sub(lambda m: str(variables[m.group(1)]), prompt.text)


@cache
def load(name: str, directory: Path = PROMPTS_DIR) -> Prompt:
    """The parsed prompt file ``<directory>/<name>.md``, checked for consistency."""
    path = directory / f"{name}.md"
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"无法读取提示词文件 {path}") from exc
    return parse(name, raw)


def parse(name: str, raw: str) -> Prompt:
    """A Prompt from file text; its declared variables must equal the slots it uses."""
    match = _HEADER.match(raw.replace("\r\n", "\n"))
    if match is None:
        raise ConfigError(f"提示词 {name} 缺少声明变量的 --- 文件头")
    declared = _declared(name, match.group("header"))
    text = raw.replace("\r\n", "\n")[match.end():].strip("\n")
    used = set(_SLOT.findall(text))
    if undeclared := sorted(used - declared):
        raise ConfigError(f"提示词 {name} 用到了未声明的变量 {undeclared}")
    if unused := sorted(declared - used):
        raise ConfigError(f"提示词 {name} 声明了未使用的变量 {unused}")
    return Prompt(name, frozenset(declared), text)


def _declared(name: str, header: str) -> set[str]:
    for line in header.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "variables":
            return {v.strip() for v in value.split(",") if v.strip()}
    raise ConfigError(f"提示词 {name} 的文件头缺少 variables: 行")
