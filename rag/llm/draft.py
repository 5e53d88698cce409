"""The model's structured reply: parsed, validated, and (while streaming) read as it grows."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from rag.errors import LLMError
from rag.llm.calculator import BAD_REPLY, Calculation, Operand, calculation
from rag.numbers import parse_quantity

_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")
_ANSWER_KEY = re.compile(r'"answer"\s*:\s*"')
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


@dataclass(frozen=True)
class Draft:
    """What the model claims; nothing here is trusted until checked against the sources."""

    answer: str
    value: float | None
    unit: str
    refused: bool
    citations: tuple[int, ...]
    calculation: Calculation | None


def parse_draft(content: str) -> Draft:
    """The Draft in the model's reply; LLMError when it is not the JSON object asked for."""
    data = _json_object(content)
    answer = data.get("answer")
    if not isinstance(answer, str):
        raise LLMError("大模型的回复中没有 answer 文本", code=BAD_REPLY)
    refused = _flag(data.get("refused", False))
    unit = data.get("unit") or ""
    return Draft(
        answer=answer.strip(),
        value=_stated_value(data.get("value")),
        unit=unit if isinstance(unit, str) else str(unit),
        refused=refused,
        citations=_citations(data.get("citations")),
        calculation=None if refused else _calculation(data.get("calculation")),
    )


def partial_answer(buffer: str) -> str:
    """The decoded prefix of the ``answer`` string in a JSON reply still being streamed."""
    match = _ANSWER_KEY.search(buffer)
    if match is None:
        return ""
    out: list[str] = []
    i = match.end()
    while i < len(buffer):
        ch = buffer[i]
        if ch == '"':
            break
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        if i + 1 >= len(buffer):
            break
        code = buffer[i + 1]
        if code == "u":
            if i + 6 > len(buffer):
                break
            out.append(_unicode(buffer[i + 2 : i + 6]))
            i += 6
            continue
        out.append(_ESCAPES.get(code, code))
        i += 2
    return "".join(out)


def _unicode(hex4: str) -> str:
    try:
        return chr(int(hex4, 16))
    except ValueError:
        return ""


def _json_object(content: str) -> dict[str, Any]:
    text = _FENCE.sub("", content.strip())
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        raise LLMError("大模型的回复不是 JSON 对象", code=BAD_REPLY)
    try:
        data = json.loads(text[start : end + 1])
    except json.JSONDecodeError as exc:
        raise LLMError("大模型的回复不是有效的 JSON", code=BAD_REPLY) from exc
    if not isinstance(data, dict):
        raise LLMError("大模型的回复不是 JSON 对象", code=BAD_REPLY)
    return data


def _flag(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if raw is None or (isinstance(raw, str) and raw.strip().lower() in ("true", "false", "")):
        return isinstance(raw, str) and raw.strip().lower() == "true"
    raise LLMError("大模型回复中的 refused 不是 true/false", code=BAD_REPLY)


def _stated_value(raw: Any) -> float | None:
    """The answer's number; models often write it as text ('1,061人'), which is read leniently."""
    if isinstance(raw, str):
        quantity = parse_quantity(raw)
        return quantity.value if quantity is not None and math.isfinite(quantity.value) else None
    return _number(raw, "value", optional=True)


def _number(raw: Any, what: str, *, optional: bool = False) -> float | None:
    if raw is None or (optional and raw == ""):
        if optional:
            return None
        raise LLMError(f"大模型的回复缺少 {what}", code=BAD_REPLY)
    if isinstance(raw, bool):
        raise LLMError(f"大模型回复中的 {what} 不是数字", code=BAD_REPLY)
    if isinstance(raw, str):
        raw = raw.replace(",", "").replace("，", "").strip().rstrip("%")
    try:
        value = float(raw)
    except (TypeError, ValueError) as exc:
        raise LLMError(f"大模型回复中的 {what} 不是数字", code=BAD_REPLY) from exc
    if not math.isfinite(value):
        raise LLMError(f"大模型回复中的 {what} 不是有限数字", code=BAD_REPLY)
    return value


def _citations(raw: Any) -> tuple[int, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raw = [raw]
    out: list[int] = []
    for item in raw:
        digits = re.sub(r"\D", "", str(item)) if not isinstance(item, int) else str(item)
        if digits:
            out.append(int(digits))
    return tuple(out)


def _calculation(raw: Any) -> Calculation | None:
    if raw is None or raw == {}:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("inputs"), list):
        raise LLMError("大模型给出的计算格式不正确", code=BAD_REPLY)
    operands = []
    for item in raw["inputs"]:
        if not isinstance(item, dict):
            raise LLMError("大模型给出的计算输入格式不正确", code=BAD_REPLY)
        value = _number(item.get("value"), "计算输入")
        assert value is not None
        source = _citations([item.get("source")])
        operands.append(Operand(value, source[0] if source else 0))
    return calculation(str(raw.get("op", "")), tuple(operands))
