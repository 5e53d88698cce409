"""The head-noun and table-column features, on excerpts written like the reports'."""

from __future__ import annotations

import pytest

from rag.frames import Frame, fact_frame, prose_frames
from rag.query import parse_query
from rag.rank.decide import Scored, row_columns
from rag.rank.features import Context, features
from rag.rank.lexical import head_of
from rag.types import Chunk, TableFact
from training.train import hardest_first


def _prose(text: str) -> list[Frame]:
    chunk = Chunk(id="c1", doc_id="d1", file="r.txt", kind="prose", text=text, context="",
                  section="2 学生发展", line_start=1, line_end=1, region="北京市", year=2025)
    return prose_frames(chunk)


def _context(frames: list[Frame]) -> Context:
    return Context(weights={"招生": 1.0}, data_years={"d1": 2022}, hit_ranks={}, report_levels={"d1": "中职"},
                   columns=row_columns(frames))


def _features(question: str, frames: list[Frame], value: float) -> dict[str, float]:
    frame = next(f for f in frames if f.value == value)
    return features(parse_query(question), frame, _context(frames))


@pytest.mark.parametrize(
    ("phrase", "head", "qualifiers"),
    [("毕业生对口就业率", "就业率", ("对口",)), ("直接就业率为", "就业率", ("直接",)),
     ("获得金牌", "金牌", ("获得",)), ("中职占比", "比例", ()), ("实训基地数（个）", "基地数", ("实训",)),
     ("2022年", "", ())],
)
def test_the_head_is_the_last_content_word_and_the_word_before_it_qualifies_it(
    phrase: str, head: str, qualifiers: tuple[str, ...]
) -> None:
    assert head_of(phrase) == (head, qualifiers)


def test_a_rate_qualified_otherwise_is_told_from_the_asked_one() -> None:
    frames = _prose("2025年，全市中职毕业生直接就业率为 35.2%，对口就业率为 88.6%。")
    asked = "2025年北京中职毕业生对口就业率是多少？"
    right, other = _features(asked, frames, 88.6), _features(asked, frames, 35.2)
    assert right["head_agree"] == other["head_agree"] == 1.0
    assert right["qualifier_unasked"] == 0.0 and right["qualifier_unmatched"] == 0.0
    assert other["qualifier_unasked"] == 1.0 and other["qualifier_unmatched"] == 1.0


def test_another_medal_shares_no_head_with_the_asked_one() -> None:
    frames = _prose("2025年，全市职业院校学生在技能大赛中获得金牌 12 枚。另获铜奖 30 项。")
    asked = "2025年北京职业院校学生获得金牌多少枚？"
    assert _features(asked, frames, 12.0)["head_agree"] == 1.0
    bronze = _features(asked, frames, 30.0)
    assert bronze["head_agree"] == 0.0 and bronze["head_other"] == 1.0


def _cell(column: str, raw: str, year: int, line: int) -> TableFact:
    return TableFact(id=f"f{line}", doc_id="d1", file="r.txt", region="昌平区", year=year, table="t1",
                     title="昌平区中等职业教育学生总体规模", row="招生规模·总人数", column=column, raw=raw,
                     value=float(raw), unit="人", line=line)


def _row() -> list[Frame]:
    """The two year columns of one table row: 2021年 1200, 2022年 1061."""
    chunk = Chunk(id="c1", doc_id="d1", file="r.txt", kind="table", text="招生规模 1200 1061", context="",
                  section="2 学生发展", line_start=1, line_end=3, region="昌平区", year=2022)
    return [f for fact in (_cell("2021年", "1200", 2021, 2), _cell("2022年", "1061", 2022, 3))
            if (f := fact_frame(fact, [chunk])) is not None]


def test_a_multi_year_row_knows_which_column_the_question_asks_for() -> None:
    frames = _row()
    asked = "2021年昌平区中职招生多少人？"
    asked_year, other_year = _features(asked, frames, 1200.0), _features(asked, frames, 1061.0)
    assert asked_year["column_matched"] == 1.0 and asked_year["other_column_matched"] == 0.0
    assert other_year["other_column_matched"] == 1.0


def test_training_pairs_take_the_other_column_of_the_right_row_first() -> None:
    frames = [*_prose("2025年，全市职业院校学生获得金牌 12 枚。全区招生 900 人。"), *_row()]
    query, ctx = parse_query("2021年昌平区中职招生多少人？"), _context(frames)
    scored = [Scored(f, 0.0, features(query, f, ctx)) for f in frames]
    right = [s for s in scored if s.frame.value == 1200.0]
    order = [s.frame.value for s in hardest_first([s for s in scored if s not in right], right)]
    assert order[0] == 1061.0  # the row's 2022年 column
    assert order.index(900.0) < order.index(12.0)  # the same head (招生) before another one
