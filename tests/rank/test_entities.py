from __future__ import annotations

import pytest

from rag.frames import prose_frames
from rag.query import parse_query
from rag.rank.features import Context, features, measure_weights
from rag.rank.lexical import school_name
from rag.types import Chunk

SCHOOL_FEATURES = ("school_agree", "school_elsewhere", "school_absent", "region_for_school")


def _chunk(text: str) -> Chunk:
    return Chunk(id="c1", doc_id="d1", file="r.txt", kind="prose", text=text, context="",
                 section="3 教师队伍", line_start=1, line_end=1, region="北京市", year=2025)


def _features(question: str, text: str, value: float, *, report_level: str = "职业教育") -> dict[str, float]:
    frame = next(f for f in prose_frames(_chunk(text)) if f.value == value)
    ctx = Context(weights={}, data_years={"d1": 2025}, hit_ranks={}, report_levels={"d1": report_level},
                  columns={})
    return features(parse_query(question), frame, ctx)


@pytest.mark.parametrize(
    ("text", "name"),
    [("北京市劲松职业高中组织学生研学", "劲松"), ("北京市昌平职业学校的毕业生", "昌平"),
     ("北京电子科技职业学院入选教材", "电子科技"), ("昌平区职业学校有几所", ""),
     ("北京市中等职业学校的教师", ""), ("东城区两所中职学校", ""), ("2025年北京职业院校的学生", "")],
)
def test_a_named_school_is_told_from_a_districts_or_a_kinds_schools(text: str, name: str) -> None:
    assert school_name(text) == name


def test_a_question_about_one_school_knows_its_own_figure_from_the_regions() -> None:
    text = "全市职业院校专任教师共 9797 人。北京市商业学校专任教师 215 人。"
    own = _features("北京市商业学校有多少名专任教师？", text, 215)
    region = _features("北京市商业学校有多少名专任教师？", text, 9797)
    assert own["school_agree"] == 1.0 and own["region_for_school"] == 0.0
    assert region["school_agree"] == 0.0 and region["school_elsewhere"] == 1.0
    assert region["region_for_school"] == 1.0
    regional = _features("北京职业院校专任教师有多少人？", text, 9797)
    assert not any(regional[n] for n in SCHOOL_FEATURES)


def test_an_all_levels_figure_is_marked_for_a_one_level_question_only_where_levels_differ() -> None:
    text = "2025年，北京职业院校专任教师共 9797 人。"
    one_level = "2025年北京高职院校专任教师有多少人？"
    assert _features(one_level, text, 9797)["level_umbrella"] == 1.0
    assert _features(one_level, text, 9797, report_level="中职")["level_umbrella"] == 0.0
    assert _features("2025年北京职业院校专任教师有多少人？", text, 9797)["level_umbrella"] == 0.0


def test_measure_weights_come_in_bigram_order_so_training_does_not_depend_on_hash_order() -> None:
    class Lexicon:
        def weights(self, text: str) -> dict[str, float]:
            return {"教师": 1.0, "专任": 2.0, "任教": 0.5}

    weights = measure_weights(parse_query("专任教师有多少人？"), Lexicon())  # type: ignore[arg-type]
    assert list(weights) == sorted(weights) and weights["专任"] == 2.0
