"""A question's count in a unit (图书册数) meets a label that writes the unit instead (图书（册）), and
a unit that counts other things (所 for 册) does not fit."""

from __future__ import annotations

import pytest

from rag.evidence import unit_fit
from rag.rank.lexical import canonical, coverage, extra_grams


def test_a_count_in_a_unit_meets_the_label_of_that_unit() -> None:
    weights = {"馆藏": 1.0, "图书": 1.0}
    assert canonical("馆藏图书册数") == canonical("馆藏图书（册）").replace("（册）", " ")
    assert coverage(weights, "馆藏图书（册）") == 1.0
    assert extra_grams({"图书": 1.0}, "图书册数") == 0


def test_a_count_word_that_is_no_unit_stays() -> None:
    assert canonical("专业数（个）") == "专业数（个）"
    assert "人次" not in canonical("培训人次数")
    assert canonical("数字终端数") == "数字终端数"


@pytest.mark.parametrize(
    ("asked", "stated", "fits"),
    [("所", "所", True), ("个", "所", True), ("本", "部", True), ("所", "册", False), ("人", "个", False)],
)
def test_count_words_that_count_other_things_do_not_fit(asked: str, stated: str, fits: bool) -> None:
    assert (unit_fit(asked, stated) is not None) == fits
