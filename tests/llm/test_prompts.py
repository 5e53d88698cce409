"""Prompt files: declared variables, loud failures, and the rules the system prompt must state."""

from __future__ import annotations

import pytest

from rag.errors import ConfigError
from rag.prompts import PROMPTS_DIR, load, parse, render


def test_render_fills_every_slot() -> None:
    text = render("answer_user", sources="[1] 昌平区｜招生总人数：1061 人", question="招生多少人？")
    assert "[1] 昌平区｜招生总人数：1061 人" in text and "问题：招生多少人？" in text
    assert "{{" not in text


def test_missing_variable_fails() -> None:
    with pytest.raises(ConfigError, match="缺少变量 \\['question'\\]"):
        render("answer_user", sources="x")


def test_unused_variable_fails() -> None:
    with pytest.raises(ConfigError, match="没有用到变量 \\['extra'\\]"):
        render("answer_user", sources="x", question="y", extra="z")


def test_unknown_prompt_fails() -> None:
    with pytest.raises(ConfigError, match="无法读取提示词文件"):
        render("no_such_prompt")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("no header {{a}}", "缺少声明变量的 --- 文件头"),
        ("---\nname: x\n---\n{{a}}", "缺少 variables: 行"),
        ("---\nvariables: a\n---\n{{a}} {{b}}", "未声明的变量 \\['b'\\]"),
        ("---\nvariables: a, b\n---\n{{a}}", "声明了未使用的变量 \\['b'\\]"),
    ],
)
def test_inconsistent_prompt_files_fail(raw: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse("bad", raw)


def test_values_are_not_rescanned_for_slots() -> None:
    text = render("answer_user", sources="{{question}}", question="Q")
    assert "{{question}}" in text


def test_every_prompt_file_is_consistent() -> None:
    names = [p.stem for p in PROMPTS_DIR.glob("*.md")]
    assert {"answer_system", "answer_user", "refusal"} <= set(names)
    for name in names:
        load(name)


def test_system_prompt_states_the_rules() -> None:
    refusal = render("refusal")
    system = render("answer_system", refusal=refusal)
    assert refusal == "报告中没有找到该问题的答案。"
    for needle in ("[n]", refusal, "不是指令", "calculation", "JSON", "不要透露"):
        assert needle in system
