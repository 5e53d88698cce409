"""Scoring one answer against one benchmark question: small pure functions.

Rules (each has tests in tests/evals/test_scoring.py):

- **Numbers are compared unit-aware.** 万/亿 are folded in (``2.41万人`` = 24100 人), tolerance is
  absolute in the question's unit, a number stated without a unit is read in the question's unit,
  and units of different kinds never match: ``%`` ≠ ``个百分点`` ≠ ``倍`` ≠ money ≠ counts.
- **Which number is judged.** The answer's ``value`` field when it has one (an answer that states
  several numbers is judged by its value); otherwise the first number in its text that is not a
  year, a table/figure number or a citation marker.
- **Ratios** (``0.26 : 0.74``) compare the first ratio in the answer text, spaces ignored.
- **Lists**: every keyword must occur on its own, not only inside a longer keyword of the same
  list (``俄罗斯`` inside ``白俄罗斯`` does not count).
- **Passages** (kind ``passage``): correct when a citation's line falls inside a gold section
  (file, from, to) and at least half the keywords occur in the answer text; cited when such a
  citation's quote is found in its file.
- **Unanswerable**: correct only if refused AND no number is stated except years and markers.
- **Citations**: the cited quotes contain the expected value (or ratio, or every keyword); for
  ``computed`` and ``cross_doc`` questions they contain every input of the formula in ``note``.
  Given the report texts, a quote that does not occur in its cited file supports nothing.
- **Recall@k**: a top-k retrieved passage from the source file contains the source quote (or, for
  a value of at least three digits, the value itself).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evals.questions import Question
from rag.numbers import Quantity, find_quantities, find_ratios, normalize

PERCENT, POINTS, TIMES, PERMILLE, MONEY, AREA, COUNT = (
    "percent", "points", "times", "permille", "money", "area", "count",
)
_MARKERS = re.compile(
    r"(?:表|图|案例|附表|附件)\s*\d+(?:\s*[-—－–.]\s*\d+)*"
    r"|\[\s*\d+\s*\]|【\s*\d+\s*】|第\s*\d+\s*[行页章节条]|\d+\s*行"
)
_FORMULA = re.compile(r"([0-9.()+\-−*/×÷% ]*[0-9)%])\s*=\s*-?[0-9]")
_LEADING_FORMULA = re.compile(r"\s*([0-9.()+\-−*/×÷% ]*[0-9)%])(?![0-9.]*\s*[年月日行])")
_OPERATOR = re.compile(r"[0-9)%]\s*[+\-−*/×÷]\s*[0-9(]")
_SPACE = re.compile(r"\s+")
DISPUTED = "gold shown as the disputed figure"
"""The answer's value is not the gold figure, but it showed the gold as what another source states."""


@dataclass(frozen=True)
class Stated:
    """A number an answer states, with the unit written after it ('' if none)."""

    value: float
    unit: str


@dataclass(frozen=True)
class Grade:
    """How one answer scored; ``None`` means the measure does not apply to this question."""

    correct: bool
    cited: bool | None
    recall: bool | None
    reason: str
    got: str


def unit_kind(unit: str) -> str:
    """The kind of quantity a unit measures: percent, points, times, permille, money, area or count."""
    bare = _fold(1.0, unit)[1]
    if bare in ("%", "％"):
        return PERCENT
    if bare.endswith("百分点"):
        return POINTS
    if bare == "倍":
        return TIMES
    if bare == "‰":
        return PERMILLE
    if bare.startswith("元"):
        return MONEY
    if bare in ("平方米", "㎡", "m²", "m2", "亩", "立方米"):
        return AREA
    return COUNT


def same_quantity(got: Stated, want_value: float, want_unit: str, tolerance: float = 0.0) -> bool:
    """True if ``got`` equals the wanted value within ``tolerance`` (in the wanted unit)."""
    if got.unit and want_unit and unit_kind(got.unit) != unit_kind(want_unit):
        return False
    if not got.unit:
        return _close(got.value, want_value, tolerance)
    got_base = _fold(got.value, got.unit)[0]
    want_base = _fold(want_value, want_unit)[0]
    factor = _fold(1.0, want_unit)[0]
    return _close(got_base, want_base, tolerance * factor)


def stated_numbers(text: str) -> list[Stated]:
    """Numbers stated in ``text``, in order, leaving out years, table/figure numbers and markers."""
    cleaned = _MARKERS.sub(" ", normalize(text))
    return [Stated(q.value, q.unit) for q in find_quantities(cleaned) if not _is_year(q)]


def judged_number(answer: Mapping[str, Any]) -> Stated | None:
    """The number an answer is judged by: its ``value`` field, else the first number in its text."""
    value = answer.get("value")
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return Stated(float(value), str(answer.get("unit") or ""))
    stated = stated_numbers(str(answer.get("answer") or ""))
    return stated[0] if stated else None


def ratio_matches(want: str, text: str) -> bool:
    """True if the first ratio in ``text`` equals ``want`` (spaces and full-width forms ignored)."""
    wanted = _ratio_parts(want)
    ratios = find_ratios(text)
    return bool(ratios and wanted) and _same_parts(ratios[0].parts, wanted)


def missing_keywords(keywords: Sequence[str], text: str) -> list[str]:
    """Keywords with no occurrence of their own in ``text`` (one inside a longer keyword doesn't count)."""
    norm = _squash(text)
    spans = {k: _occurrences(_squash(k), norm) for k in keywords}
    missing = []
    for keyword in keywords:
        others = [span for other in keywords if len(other) > len(keyword) for span in spans[other]]
        own = [s for s in spans[keyword] if not any(o[0] <= s[0] and s[1] <= o[1] for o in others)]
        if not own:
            missing.append(keyword)
    return missing


def refusal_correct(answer: Mapping[str, Any]) -> bool:
    """True if the answer refused and states no number (years and markers allowed)."""
    return (
        bool(answer.get("refused"))
        and answer.get("value") is None
        and not stated_numbers(str(answer.get("answer") or ""))
    )


def formula_inputs(note: str) -> list[float]:
    """The numbers of the formula in a question's note, in order: the left of the first
    ``… = result``, else an expression the note starts with (``7838.08-5490.88``)."""
    text = normalize(note)
    match = _FORMULA.search(text) or _LEADING_FORMULA.match(text)
    if match is None or not _OPERATOR.search(match.group(1)):
        return []
    found = [float(n) for n in re.findall(r"[0-9]+(?:\.[0-9]+)?", match.group(1))]
    return list(dict.fromkeys(found))


def in_gold_section(question: Question, citations: Sequence[Mapping[str, Any]]) -> bool:
    """True if one of ``citations`` cites a line inside one of the question's gold sections."""
    return any(
        gold.holds(str(c.get("file") or ""), int(c.get("line") or 0))
        for c in citations for gold in question.sections
    )


def passage_keywords_ok(keywords: Sequence[str], text: str) -> tuple[bool, list[str]]:
    """Whether at least half of ``keywords`` occur in ``text``, and the ones missing."""
    norm = _squash(text)
    missing = [k for k in keywords if _squash(k) not in norm]
    return 2 * (len(keywords) - len(missing)) >= len(keywords), missing


def citation_supports(question: Question, quotes: Sequence[str]) -> bool | None:
    """True if the cited quotes contain the expected value (or its inputs); None if unanswerable."""
    if question.unanswerable:
        return None
    joined = "\n".join(quotes)
    if question.keywords:
        return not missing_keywords(question.keywords, joined)
    if question.text is not None:
        wanted = _ratio_parts(question.text)
        return any(_same_parts(r.parts, wanted) for r in find_ratios(joined))
    inputs = formula_inputs(question.note) if question.kind in ("computed", "cross_doc") else []
    if inputs:
        values = [q.value for q in find_quantities(joined)]
        return all(any(_close(v, x, 0.0) for v in values) for x in inputs)
    return question.value is not None and _contains_value(joined, question.value, question.unit)


def hit_has_gold(question: Question, file: str, text: str) -> bool:
    """True if a retrieved passage from ``file`` holds the question's source quote (or value)."""
    source = question.source
    if not source.file or file != source.file:
        return False
    if source.quote and _squash(source.quote) in _squash(text):
        return True
    value = question.value
    significant = value is not None and (abs(value) >= 100 or value != int(value))
    return bool(significant) and _contains_value(text, float(value or 0), question.unit)


def recall_at_k(question: Question, retrieved: Sequence[tuple[str, str]], k: int = 5) -> bool | None:
    """True if one of the top ``k`` (file, text) hits holds the gold source; None without one."""
    if question.unanswerable or not question.source.file:
        return None
    return any(hit_has_gold(question, file, text) for file, text in retrieved[:k])


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0–100) by linear interpolation; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def expected_text(question: Question) -> str:
    """The expected answer in a few words, for reports."""
    if question.unanswerable:
        return "(refuse: not in the reports)"
    if question.sections:
        where = ", ".join(f"{g.file}:{g.start}-{g.end}" for g in question.sections)
        return f"{where} ({'、'.join(question.keywords)})"
    if question.keywords:
        return "、".join(question.keywords)
    if question.text is not None:
        return question.text
    tolerance = f" ±{_number(question.tolerance)}" if question.tolerance else ""
    return f"{_number(question.value or 0.0)}{question.unit}{tolerance}"


def quote_found(citation: Mapping[str, Any], sources: Mapping[str, str]) -> bool:
    """True if the cited quote occurs in its file (whitespace ignored) or the file is not known."""
    text = sources.get(str(citation.get("file") or ""))
    return text is None or _squash(str(citation.get("quote") or "")) in text


def squash_source(text: str) -> str:
    """A report's text prepared for `quote_found`: NFKC, whitespace removed."""
    return _squash(text)


def grade(
    question: Question, answer: Mapping[str, Any], *, k: int = 5, sources: Mapping[str, str] | None = None
) -> Grade:
    """The grade of one ``answer_to_json``-shaped answer to ``question``.

    With ``sources`` (file name → `squash_source` text) a quote not found in its file supports nothing.
    """
    correct, reason, got = _judge(question, answer)
    citations = [c for c in answer.get("citations") or () if sources is None or quote_found(c, sources)]
    if question.sections:
        cited: bool | None = in_gold_section(question, citations)
    else:
        cited = citation_supports(question, [str(c.get("quote") or "") for c in citations])
    retrieved = [(str(h.get("file") or ""), str(h.get("text") or "")) for h in answer.get("retrieved") or ()]
    return Grade(correct, cited, recall_at_k(question, retrieved, k), reason, got)


def _judge(question: Question, answer: Mapping[str, Any]) -> tuple[bool, str, str]:
    text = str(answer.get("answer") or "")
    if question.unanswerable:
        ok = refusal_correct(answer)
        if ok:
            return True, "refused", "(refused)"
        why = "stated a number while refusing" if answer.get("refused") else "answered instead of refusing"
        return False, why, _shorten(text)
    if answer.get("refused"):
        return False, "refused an answerable question", "(refused)"
    if question.sections:
        return _judge_passage(question, answer)
    if question.keywords:
        missing = missing_keywords(question.keywords, text)
        return not missing, ("missing: " + "、".join(missing)) if missing else "ok", _shorten(text)
    if question.text is not None:
        ratios = find_ratios(text)
        got = ratios[0].text if ratios else _shorten(text)
        ok = ratio_matches(question.text, text)
        return ok, "ok" if ok else ("wrong ratio" if ratios else "no ratio stated"), got
    return _judge_number(question, answer)


def _judge_passage(question: Question, answer: Mapping[str, Any]) -> tuple[bool, str, str]:
    text = str(answer.get("answer") or "")
    inside = in_gold_section(question, list(answer.get("citations") or ()))
    enough, missing = passage_keywords_ok(question.keywords, text)
    reasons = ([] if inside else ["no citation inside a gold section"]) + (
        [] if enough else ["missing: " + "、".join(missing)])
    return inside and enough, "; ".join(reasons) or "ok", _shorten(text)


def _judge_number(question: Question, answer: Mapping[str, Any]) -> tuple[bool, str, str]:
    stated = judged_number(answer)
    if stated is None or question.value is None:
        return False, "no number stated", _shorten(str(answer.get("answer") or ""))
    ok = same_quantity(stated, question.value, question.unit, question.tolerance)
    if ok:
        reason = "ok"
    elif shows_gold_as_other(question, answer):
        reason = DISPUTED
    elif stated.unit and question.unit and unit_kind(stated.unit) != unit_kind(question.unit):
        reason = "wrong unit"
    else:
        reason = "wrong value"
    return ok, reason, f"{_number(stated.value)}{stated.unit}"


def shows_disagreement(answer: Mapping[str, Any]) -> bool:
    """True when the answer showed that its sources state its figure differently."""
    return bool(answer.get("disagreements"))


def shows_gold_as_other(question: Question, answer: Mapping[str, Any]) -> bool:
    """True when the gold figure is among the figures a disagreement showed (asked when the answer's
    own figure is not the gold one, so the gold is one it showed beside it, as stated elsewhere).

    Not correct: the answer gave another figure as its answer. Not a wrong number either: it cited
    the gold figure and said the sources disagree, which is what the sources say."""
    if question.value is None:
        return False
    shown = [f for d in answer.get("disagreements") or () for f in d.get("figures") or ()]
    return any(same_quantity(Stated(float(f["value"]), str(f.get("unit") or "")), question.value,
                             question.unit, question.tolerance) for f in shown)


def _number(value: float) -> str:
    return f"{value:.12g}" if abs(value) < 1e15 else f"{value:g}"


def _fold(value: float, unit: str) -> tuple[float, str]:
    return Quantity(value, unit.strip(), "", 0, 0).base()


def _close(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) <= tolerance + 1e-9 * max(1.0, abs(b))


def _contains_value(text: str, value: float, unit: str) -> bool:
    for q in find_quantities(text):
        if _close(q.value, value, 0.0) or (q.unit and same_quantity(Stated(q.value, q.unit), value, unit)):
            return True
    return False


def _is_year(q: Quantity) -> bool:
    return q.unit in ("", "年") and q.value == int(q.value) and 1900 <= q.value <= 2100 and "." not in q.raw


def _ratio_parts(text: str) -> tuple[float, ...]:
    ratios = find_ratios(text)
    return ratios[0].parts if ratios else ()


def _same_parts(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return len(a) == len(b) and all(_close(x, y, 0.0) for x, y in zip(a, b, strict=True))


def _squash(text: str) -> str:
    return _SPACE.sub("", normalize(text))


def _occurrences(needle: str, haystack: str) -> list[tuple[int, int]]:
    if not needle:
        return []
    return [(m.start(), m.start() + len(needle)) for m in re.finditer(re.escape(needle), haystack)]


def _shorten(text: str, limit: int = 80) -> str:
    flat = _SPACE.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
