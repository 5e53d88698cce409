"""What a report is about (title, region, report year, data year, level), from the strongest evidence.

Evidence, in order of trust when equally good: the PDF's /Title, the first page's largest text,
the title line of the text, the running header (a header repeated on every page *is* the title),
the PDF's /Subject, the file name. A candidate is good when it reads as a title (names a report,
no sentence punctuation) and names a year and a region; the best one gives the title, and region,
report year and level come from the best candidate that names them. ``ReportInfo.sources`` records
where each field came from, ``ReportInfo.evidence`` every candidate seen.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TypeVar

from ingestion.normalize import Line
from rag.numbers import normalize
from rag.types import LoadedText, ReportInfo

T = TypeVar("T")
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


_PRIORITY = ("pdf_title", "largest_text", "text", "running_header", "pdf_subject", "file_name")


def candidates(loaded: LoadedText, lines: Sequence[Line]) -> list[tuple[str, str]]:
    """Every (source, text) that may name the report, in ``_PRIORITY`` order."""
    found = dict(loaded.evidence)
    found["text"] = find_title(lines)
    found.setdefault("running_header", next(iter(running_headers(loaded.lines)), ""))
    found["file_name"] = loaded.file.rsplit(".", 1)[0]
    present = [source for source in _PRIORITY if found.get(source, "").strip()]
    return [(source, " ".join(found[source].split())) for source in present]


def running_headers(lines: Sequence[str]) -> list[str]:
    """Short report-naming lines repeated on several pages of unpaged text, most frequent first."""
    counts = Counter(" ".join(line.split()) for line in lines if 0 < len(line.strip()) <= 40)
    return [text for text, n in counts.most_common() if n >= 3 and _is_title_like(text)]


def _is_title_like(text: str) -> bool:
    names_report = any(word in text for word in _TITLE_WORDS)
    return names_report and len(text) <= 60 and not re.search(r"[，。；,]", text)


def _quality(text: str) -> int:
    return 4 * _is_title_like(text) + (find_report_year(text) is not None) + bool(find_region(text))


def describe(loaded: LoadedText, lines: Sequence[Line]) -> ReportInfo:
    """The ReportInfo of ``loaded``, whose kept lines are ``lines``, with the source of each field."""
    seen = candidates(loaded, lines)
    ranked = sorted(seen, key=lambda c: -_quality(c[1]))  # stable: priority breaks ties
    fallback = ("text", find_title(lines))
    title_source, title = next(((s, t) for s, t in ranked if _is_title_like(t)), fallback)
    if not title:
        title_source, title = "file_name", loaded.file
    ordered = [(title_source, title), *ranked]
    region_source, region = _first_found(ordered, find_region)
    year_source, report_year = _first_found(ordered, find_report_year)
    level_source, level = _first_found(ordered, lambda text: _level(text) or None)
    return ReportInfo(
        doc_id=loaded.content_hash[:16],
        file=loaded.file,
        title=title,
        region=region or "",
        report_year=report_year,
        data_year=find_data_year(lines, report_year),
        level=level or find_level(title, lines),
        content_hash=loaded.content_hash,
        sources=(
            ("title", title_source), ("region", region_source), ("report_year", year_source),
            ("data_year", "text"), ("level", level_source or "default"),
        ),
        evidence=tuple(seen),
    )


def _first_found(
    ordered: Sequence[tuple[str, str]], find: Callable[[str], T | None]
) -> tuple[str, T | None]:
    """(source, value) of the first candidate ``find`` finds a value in; ('', None) when none does."""
    for source, text in ordered:
        value = find(text)
        if value:
            return source, value
    return "", None


def _level(text: str) -> str:
    level = find_level(text, ())
    return "" if level == "职业教育" and "职业教育" not in text and "职业院校" not in text else level
