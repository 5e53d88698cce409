"""Whether a stated number or a chosen reading fits the operands of a computed question: it names
what tells them apart, lists them one by one, reads them alike, is of the asked year."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.evidence import run_by_the_other
from rag.frames import CHANGE, NO_SUBJECT, quantities
from rag.query import LEVELS, Query
from rag.rank.lexical import FUNCTION_WORDS, alternatives, canonical, words
from rag.types import TableFact

_NOT_INCLUDED = re.compile(r"[（(]不(?:含|包括|计)[^）)]*[）)]")


def states_whole(query: Query, label: str, named: str, *, table: bool) -> bool:
    """Whether the number stated as ``label`` answers the whole computed question: it names every
    operand (``named``, its cell or clause), and is not one item's own number in a list of them
    (一等奖 6 项、二等奖 13 项). A difference is always computed, or read from a stated change."""
    if query.operation == "difference" or not names_operands(query.parts, named):
        return False
    return table or not lists_parts(query.parts, label)


def clause_of(label: str) -> str:
    """The clause a number ends, after the clause naming the group it is counted in, if one comes
    just before (「专任教师中，中级职称教师占比为 39.34%」: a share of 专任教师), or the one it has
    no subject without (「高级职称教师 2026 人，占比 40.57%」)."""
    *before, last = re.split(r"[，,；;。]", label)
    if not before or not (_GROUP.search(before[-1]) or NO_SUBJECT.match(last)):
        return last
    if NO_SUBJECT.match(last) and before[-1].lstrip().startswith("其中") and len(before) >= 2:
        # 「共有教职工313人，其中专任教师258人，占比82.4%」: a part's share is of the whole before 其中.
        return f"{before[-2]}，{before[-1]}，{last}"
    return f"{before[-1]}，{last}"


_GROUP = re.compile(r"(?<!其)中$")


def of_asked_year(part: Query, fact: TableFact | None) -> bool:
    """False for a cell in another year's row or column (a table whose title names a span of
    years, 2015—2020, lets every column through the lookup)."""
    if fact is None or not part.years:
        return True
    named = {int(y) for y in re.findall(r"(?:19|20)\d\d", f"{fact.row} {fact.column}")}
    return not named or bool(named & set(part.years))


def read_alike(parts: Sequence[Query], labels: Sequence[str]) -> bool:
    """When the question names a kind of school (职业高中), no operand is read from that kind's row
    while another is read from the whole level's (中职学校): one year's 中职 total is not compared
    with another year's 职业高中 row. ``labels`` say what each chosen number is."""
    readings = {_school_reading(part, label) for part, label in zip(parts, labels, strict=True)
                if part.school_type}
    return not {"kind", "level"} <= readings


def _school_reading(part: Query, label: str) -> str:
    """'kind' when the label names the operand's kind of school, 'level' when it names only the
    whole level, '' when it names neither (a report on that kind of school alone)."""
    text = _NOT_INCLUDED.sub("", label)
    if any(name in text for name in part.school_type):
        return "kind"
    return "level" if any(word in text for word in LEVELS.get(part.level, ())) else ""


def names_operands(parts: Sequence[Query], text: str, *, change: bool = False) -> bool:
    """True when ``text`` names what tells the operands apart (普通中专 vs 成人中专, 中职 vs all, each
    item of a sum); with ``change``, a stated change (「增加 248 人」) tells a year from the one before."""
    text = canonical(text)
    if any(run_by_the_other(p, text) for p in parts):
        return False
    marks = [_operand_marks(p) for p in parts]
    for i, own in enumerate(marks):
        others = set().union(*(m for j, m in enumerate(marks) if j != i))
        if own - others and not any(_mentions(mark, text) for mark in own - others):
            return False
    if not all(core[:2] in text for core in _distinct_cores([canonical(p.measure) for p in parts])):
        return False
    years = [set(p.years) for p in parts]
    differing = sorted(set[int]().union(*years) - years[0].intersection(*years[1:])) if years else []
    if all(str(y) in text for y in differing):
        return True
    consecutive = len(differing) == 2 and differing[1] - differing[0] == 1
    return change and consecutive and bool(CHANGE.search(text))


def lists_parts(parts: Sequence[Query], label: str) -> bool:
    """True when the clause of a sentence up to its number gives another number after the first
    operand it names (「一等奖 6 项、二等奖 13 项、三等奖 17 项」): each item has its own, so the
    last is a part, not the total (「一等奖、二等奖和三等奖共 36 项」 names them together)."""
    clause_ = clause_of(label)
    marks = [_operand_marks(p) for p in parts]
    own = [m - set().union(*(other for other in marks if other is not m)) for m in marks]
    names = [name for mine in own for mark in mine for name in LEVELS.get(mark, alternatives(mark))]
    found = [(i, len(name)) for name in names if (i := clause_.find(name)) >= 0]
    if not found:
        return False
    at, length = min(found)
    # After the name (45岁及以上 names a number), numbers in the stated one's unit: 「高级职称教师
    # 2026 人，占比 40.57%」 gives a count and its share, not two items.
    after = quantities(clause_[at + length:])
    return len(after) > 1 and sum(q.unit == after[-1].unit for q in after) > 1


def _distinct_cores(measures: Sequence[str]) -> list[str]:
    """What each measure says that the others do not, between their shared start and end
    (专任教师「正高级」占比 vs 专任教师「副高级职称」占比): word marks miss a 正 or 副."""
    start = shared_start(measures)
    end = shared_start([m[::-1] for m in measures])
    return [core.lstrip("中的") for m in measures if (core := m[start: max(start, len(m) - end)])]


def shared_start(texts: Sequence[str]) -> int:
    return next((i for i, chars in enumerate(zip(*texts, strict=False)) if len(set(chars)) > 1),
                min((len(t) for t in texts), default=0))


def _operand_marks(part: Query) -> set[str]:
    marks = {w for w in words(canonical(part.measure)) if w not in FUNCTION_WORDS}
    return marks | ({part.level} if part.level else set())


def _mentions(mark: str, text: str) -> bool:
    """Whether ``text`` names ``mark``, by another name of it, or, for a compound of two words
    (高级职称), by its first (高级教师)."""
    names = LEVELS.get(mark, alternatives(mark))
    return any(name in text for name in names) or (len(mark) >= 4 and mark[:2] in text)


def one_scope(query: Query) -> bool:
    """True when every operand is about the same region (so one report may state the result)."""
    return len({p.region for p in query.parts}) <= 1
