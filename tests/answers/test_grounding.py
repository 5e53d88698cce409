from __future__ import annotations

from dataclasses import replace

from rag.grounding import check, evaluate, stated_numbers
from rag.types import Answer, Chunk, Citation, Disagreement, Hit, StatedFigure


def _answer(text: str, quotes: list[str], *, value: float | None = None, unit: str = "",
            computation: str = "") -> Answer:
    citations = tuple(
        Citation(n, f"c{n}", "d", "f.txt", "t", "", "", None, n, quote) for n, quote in enumerate(quotes, 1)
    )
    hits = tuple(Hit(Chunk(f"c{n}", "d", "f.txt", "prose", q, "", "", n, n, "", None), 1.0)
                 for n, q in enumerate(quotes, 1))
    return Answer("q", text, value, unit, False, "extractive", citations, hits, computation=computation)


def test_number_in_a_cited_source_is_grounded() -> None:
    checked = check(_answer("2022年昌平区中职招生 1061 人[1]", ["招生总人数 1061 人"], value=1061, unit="人"))
    assert checked.grounded and not checked.warnings


def test_number_in_no_source_is_flagged() -> None:
    checked = check(_answer("招生 1062 人[1]", ["招生总人数 1061 人"], value=1062, unit="人"))
    assert not checked.grounded
    assert "1062" in checked.warnings[0]


def test_a_negative_change_supports_the_fall_stated_as_its_size() -> None:
    quote = ["贯通培养（人）\t210\t208\t-2\t-0.95%"]
    assert check(_answer("答：下降 0.95%。[1]", quote, value=0.95, unit="%")).grounded
    assert not check(_answer("答：0.95%。[1]", quote, value=0.95, unit="%")).grounded


def test_units_are_folded() -> None:
    assert check(_answer("约 2.41 万人[1]", ["高职毕业生 24100 人"])).grounded


def test_computed_result_needs_cited_inputs() -> None:
    formula = "6317 + 6996 = 13313 人"
    good = _answer(formula, ["中专学校招生6317人", "职业高中招生6996人"], value=13313, unit="人",
                   computation=formula)
    assert check(good).grounded
    missing_input = _answer(formula, ["中专学校招生6317人"], value=13313, unit="人", computation=formula)
    assert not check(missing_input).grounded
    wrong = "6317 + 6996 = 13333 人"
    bad_sum = _answer(wrong, ["中专学校招生6317人", "职业高中招生6996人"], value=13333, unit="人",
                      computation=wrong)
    assert not check(bad_sum).grounded


def test_years_markers_and_titles_are_not_claims() -> None:
    text = "据《changping-2023.txt》表 1-1，2022年的数字见[1]"
    assert stated_numbers(text) == []


def test_refusals_are_not_checked() -> None:
    refusal = Answer("q", "报告中没有找到该问题的答案。", None, "", True, "extractive", (), ())
    assert check(refusal) is refusal


def test_formula_evaluation() -> None:
    assert evaluate("1727.29 ÷ 18320.96 × 100%") == 1727.29 / 18320.96 * 100
    assert evaluate("|73113 - 134334| ÷ 134334 × 100%") == abs(73113 - 134334) / 134334 * 100
    assert evaluate("__import__('os')") is None


def test_a_disagreements_sum_of_cited_parts_counts_as_shown() -> None:
    text = "答：1267 人[1]。报告中此数据有两处不一致：正文为1267人[1]，表2-1各项之和为806 + 501 = {}人[2]。"
    quotes = ["此外,校外兼课教师 1267 人", "校外兼课教师数（人）\t806\t501"]

    def shown(total: int) -> Answer:
        figures = (StatedFigure(1267, "人", "1267", 1, "正文"),
                   StatedFigure(total, "人", f"806 + 501 = {total}", 2, "表2-1各项之和"))
        drafted = _answer(text.format(total), quotes, value=1267, unit="人")
        return replace(drafted, disagreements=(Disagreement("report", figures),))

    assert check(shown(1307)).grounded
    assert not check(shown(1310)).grounded
