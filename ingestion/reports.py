"""What a report is about (title, region, report year, data year, level), read from its text."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from ingestion.normalize import Line
from rag.numbers import normalize
from rag.types import LoadedText, ReportInfo

_TITLE_WORDS = ("年度报告", "年报", "质量报告", "报告")
_REGION = re.compile(r"^(?P<city>[\u4e00-\u9fff]{2,3}?[省市])?(?P<district>[\u4e00-\u9fff]{1,3}?[区县])?")


def find_title(lines: Sequence[Line]) -> str:
    """The report's title: the first line naming a report, joined with the short lines above it."""
    head = list(lines[:80])
    for i, line in enumerate(head):
        text = line.raw.strip()
        if not any(word in text for word in _TITLE_WORDS) or len(text) > 60 or re.search(r"[，。；,]", text):
            continue
        parts = [text]
        for above in reversed(head[max(0, i - 4):i]):
            if len(above.raw.strip()) > 12 or _looks_dated(above.raw):
                break
            parts.insert(0, above.raw.strip())
        return _join_title(parts)
    return head[0].raw.strip() if head else ""


def _looks_dated(text: str) -> bool:
    return bool(re.search(r"\d{4}\s*年\s*\d{1,2}\s*月", text))


def _join_title(parts: list[str]) -> str:
    joined = parts[0]
    for part in parts[1:]:
        joined += " " + part if joined[-1].isdigit() else part
    return re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff（(])", "", joined)


def find_region(title: str) -> str:
    """The most specific region a title names: '北京市昌平区…' → '昌平区', '2025 北京市…' → '北京市'."""
    text = re.sub(r"^[\d\s年度（）()]+", "", normalize(title))
    match = _REGION.match(text)
    if match is None:
        return ""
    return match.group("district") or match.group("city") or ""


def find_report_year(title: str) -> int | None:
    """The year printed in the title."""
    match = re.search(r"(?<!\d)((?:19|20)\d\d)(?!\d)", normalize(title))
    return int(match.group(1)) if match else None


def find_data_year(lines: Sequence[Line], report_year: int | None) -> int | None:
    """The year the data describes: the report year or the one before, whichever the text names more
    (without a report year: the year the text names most)."""
    counts = Counter(re.findall(r"(?<!\d)((?:19|20)\d\d)\s*年(?!\d)", "\n".join(line.norm for line in lines)))
    if report_year is None:
        return int(counts.most_common(1)[0][0]) if counts else None
    this_year, last_year = counts[str(report_year)], counts[str(report_year - 1)]
    return report_year - 1 if last_year > this_year else report_year


def find_level(title: str, lines: Sequence[Line]) -> str:
    """'中职', '高职' or '职业教育' (both)."""
    text = normalize(title)
    if "中等职业" in text or "中职" in text:
        return "中职"
    if "高等职业" in text or "高职" in text:
        return "高职"
    return "职业教育"


def describe(loaded: LoadedText, lines: Sequence[Line]) -> ReportInfo:
    """The ReportInfo of ``loaded``, whose kept lines are ``lines``."""
    title = find_title(lines) or loaded.file
    report_year = find_report_year(title)
    return ReportInfo(
        doc_id=loaded.content_hash[:16],
        file=loaded.file,
        title=title,
        region=find_region(title),
        report_year=report_year,
        data_year=find_data_year(lines, report_year),
        level=find_level(title, lines),
        content_hash=loaded.content_hash,
    )
