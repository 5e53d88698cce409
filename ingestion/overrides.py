"""An admin's corrections of report metadata, kept in ``<home>/metadata-overrides.json`` by file name.

The file lives beside the index generations, not in them, so every re-index applies it again:

    {"dongcheng-2024.pdf": {"title": "东城区中等职业教育质量年度报告（2024年度）", "region": "东城区"}}

Fields: ``title``, ``region``, ``report_year``, ``data_year``, ``level``. A corrected field's source
becomes ``override``; the evidence it was first read from stays in ``ReportInfo.evidence``.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rag.errors import InputError
from rag.types import ReportInfo

OVERRIDES_FILE = "metadata-overrides.json"
TEXT_FIELDS = ("title", "region", "level")
YEAR_FIELDS = ("report_year", "data_year")
FIELDS = TEXT_FIELDS + YEAR_FIELDS
LEVELS = ("中职", "高职", "职业教育")

Override = dict[str, Any]


def load_overrides(home: Path) -> dict[str, Override]:
    """File name → corrected fields; empty when there is no override file."""
    path = home / OVERRIDES_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise InputError(f"元数据更正文件 {path.name} 无法读取：{exc}", code="bad_overrides") from exc
    if not isinstance(data, dict):
        raise InputError(f"元数据更正文件 {path.name} 的格式不对（应为 JSON 对象）", code="bad_overrides")
    return {str(file): checked(fields) for file, fields in data.items()}


def checked(fields: Mapping[str, Any]) -> Override:
    """``fields`` validated: known names, text or year values, a known level."""
    if not isinstance(fields, Mapping):
        raise InputError("元数据更正必须是字段到值的对象", code="bad_overrides")
    out: Override = {}
    for name, value in fields.items():
        if name not in FIELDS:
            raise InputError(f"未知的元数据字段：{name}（可用：{'、'.join(FIELDS)}）", code="bad_overrides")
        if name in YEAR_FIELDS:
            if not isinstance(value, int) or not 1900 <= value <= 2100:
                raise InputError(f"{name} 必须是 1900–2100 之间的年份", code="bad_overrides")
        elif not isinstance(value, str) or not value.strip():
            raise InputError(f"{name} 不能为空", code="bad_overrides")
        if name == "level" and value not in LEVELS:
            raise InputError(f"level 必须是 {'、'.join(LEVELS)} 之一", code="bad_overrides")
        out[name] = value.strip() if isinstance(value, str) else value
    return out


def save_override(home: Path, file: str, changes: Mapping[str, Any], *, clear: bool = False) -> Override:
    """Merge ``changes`` into the override of ``file`` (``clear`` drops it first) and write the file
    atomically; the override now in force comes back."""
    overrides = load_overrides(home)
    current = {} if clear else dict(overrides.get(file, {}))
    current.update(checked(changes))
    if current:
        overrides[file] = current
    else:
        overrides.pop(file, None)
    home.mkdir(parents=True, exist_ok=True)
    target = home / OVERRIDES_FILE
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(overrides, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, target)
    return current


def apply(info: ReportInfo, override: Mapping[str, Any] | None) -> ReportInfo:
    """``info`` with the corrected fields replaced and their source set to ``override``."""
    if not override:
        return info
    sources = dict(info.sources)
    sources.update({name: "override" for name in override})
    return dataclasses.replace(info, **dict(override), sources=tuple(sources.items()))
