from __future__ import annotations

import pytest

from rag.frames import label_unit, prose_frames
from rag.types import Chunk


def _chunk(text: str, *, year: int | None = 2022) -> Chunk:
    return Chunk(id="c1", doc_id="d1", file="r.txt", kind="prose", text=text, context="",
                 section="1 基本情况", line_start=10, line_end=10 + text.count("\n"), region="昌平区",
                 year=year)


def test_a_clause_owns_its_number_so_teachers_and_students_are_two_frames() -> None:
    frames = prose_frames(_chunk("全区现有专任教师 2019 人，在校学生 8563 人。"))
    by_value = {f.value: f for f in frames}
    assert "教师" in by_value[2019].measure and "学生" not in by_value[2019].measure
    assert "学生" in by_value[8563].measure and "教师" not in by_value[8563].measure


def test_qualifiers_the_text_states_are_kept() -> None:
    text = "北京市中等职业学校（不含技工学校）专任教师近 7000 人，毕业生就业率约 98%。"
    frames = prose_frames(_chunk(text))
    teachers = next(f for f in frames if f.value == 7000)
    assert teachers.excludes == "技工学校" and teachers.qualifier == "近"
    assert next(f for f in frames if f.value == 98).qualifier == "约"


def test_roles_part_change_and_total() -> None:
    frames = prose_frames(_chunk("共有学生 3150 人，其中女生 1200 人，比上一年增加 399 人。"))
    roles = {f.value: f.role for f in frames}
    assert roles[3150] == "total" and roles[1200] == "part" and roles[399] == "change"


def test_a_case_block_is_its_own_scope_and_years_come_from_the_sentence() -> None:
    text = "案例 3 某校实训\n2021年该校学生获奖 12 项。"
    frame = next(f for f in prose_frames(_chunk(text)) if f.value == 12)
    assert frame.scope == "case" and frame.year == 2021


def test_years_dates_and_table_numbers_are_not_frames() -> None:
    frames = prose_frames(_chunk("见表 2-1，2022年5月1日起施行，共 3 所学校。"))
    assert [f.value for f in frames] == [3]


@pytest.mark.parametrize(
    ("label", "unit"),
    [("经费（万元）", "万元"), ("纸质图书（册）", "册"), ("生均经费（元/生）", "元/生"),
     ("电子商务（直播运营） 数量", ""), ("专业（群）名称 招生人数", "人")],
)
def test_a_label_implies_a_unit_only_from_a_bracket_naming_one(label: str, unit: str) -> None:
    assert label_unit(label) == unit
