"""Colloquial words and other names of a level meet the reports' written ones, and only those."""

from __future__ import annotations

import pytest

from rag.rank.lexical import canonical, coverage, only_the_head_named
from rag.retriever import word_grams


@pytest.mark.parametrize(
    ("asked", "written"),
    [("跟企业一起开发的教材", "校企合作开发的教材"), ("同企业联合制定标准", "校企合作制定标准"),
     ("学校与企业共建基地", "校企共建基地"),
     ("在读学生", "在校生"), ("政府投了多少钱", "政府投了多少经费"),
     ("技校教职员工", "技工学校教职工"), ("电子书", "电子图书"),
     ("仪器设备总价值", "仪器设备值"), ("设备价值", "设备值"), ("多少台电脑", "多少台计算机"),
     ("普通高中占比", "普高占比"), ("用人单位满意度", "雇主满意度"), ("考上大专", "升入专科")],
)
def test_a_colloquial_phrase_is_written_as_the_reports_write_it(asked: str, written: str) -> None:
    assert canonical(asked) == canonical(written)


def test_students_meet_students_in_school_but_not_graduates() -> None:
    weights = {"学生": 1.0}
    assert coverage(weights, "在校生 2300 人") == 1.0
    assert coverage(weights, "毕业生 800 人") == 0.0


def test_a_level_word_meets_the_levels_other_names_but_not_another_level() -> None:
    weights = {"中职": 1.0, "学生": 1.0}
    assert coverage(weights, "中等职业学校在校生 783 人") == 1.0
    assert coverage(weights, "高等职业院校在校生 900 人") == 0.5


def test_a_total_worth_is_not_read_as_a_per_student_worth() -> None:
    assert canonical("设备资产总值") != canonical("生均设备资产值")


def test_an_age_bracket_is_weighed_by_the_words_reports_write() -> None:
    # 岁 ends its number's phrase: no 岁年 bigram that no report writes; 年龄段 is 年龄
    assert "岁年" not in word_grams(canonical("50-54岁年龄段专任教师"))
    assert "岁及" in word_grams("45岁及以上教师")  # a one-character word goes on with it
    assert canonical("35-39岁年龄段专任教师") == canonical("35-39岁年龄专任教师")


def test_a_share_of_something_else_names_only_the_share_word() -> None:
    assert only_the_head_named("项目经费所占比重", "教师职称结构合理，正高级职称教师3人，占比")
    assert not only_the_head_named("项目经费所占比重", "经费结构中，项目经费 6420.78 万元，占比")
    assert not only_the_head_named("专任老师占比", "专任教师中，中级职称教师占比为")
    assert not only_the_head_named("项目经费", "正高级职称教师3人")  # no share asked: other guards decide
