from __future__ import annotations

from typing import Any

import pytest

from evals.questions import Question, Source, question_from_dict
from evals.scoring import (
    DISPUTED,
    Stated,
    citation_supports,
    formula_inputs,
    grade,
    judged_number,
    missing_keywords,
    percentile,
    ratio_matches,
    recall_at_k,
    refusal_correct,
    same_quantity,
    shows_disagreement,
    stated_numbers,
    unit_kind,
)


def numeric(
    value: float, unit: str, *, kind: str = "table", tolerance: float = 0.0, **source: Any
) -> Question:
    return Question(id="Q", question="?", kind=kind, value=value, unit=unit, tolerance=tolerance,
                    source=Source(**source))


def answer(text: str = "", value: Any = None, unit: str = "", *, refused: bool = False,
           quotes: tuple[str, ...] = (), retrieved: tuple[tuple[str, str], ...] = ()) -> dict[str, Any]:
    return {
        "answer": text, "value": value, "unit": unit, "refused": refused,
        "citations": [{"quote": q} for q in quotes],
        "retrieved": [{"file": f, "text": t} for f, t in retrieved],
    }


@pytest.mark.parametrize(
    ("got", "want", "want_unit", "ok"),
    [
        (Stated(1.2, "万"), 12000, "人", True),
        (Stated(2.41, "万人"), 24100, "人", True),
        (Stated(24100, "人"), 2.41, "万人", True),
        (Stated(24100, ""), 2.41, "万人", False),  # a bare number is read in the question's unit
        (Stated(2.41, ""), 2.41, "万人", True),
        (Stated(3.2, "亿元"), 32000, "万元", True),
        (Stated(18320.96, "万元"), 18320.96, "万元", True),
        (Stated(24.35, "%"), 24.35, "%", True),
        (Stated(24.35, "个百分点"), 24.35, "%", False),
        (Stated(0.97, "%"), 0.97, "个百分点", False),
        (Stated(0.97, "百分点"), 0.97, "个百分点", True),
        (Stated(27.8, "%"), 27.8, "倍", False),
        (Stated(27.8, ""), 27.8, "倍", True),
        (Stated(3878.86, "元"), 3878.86, "元/月", True),
        (Stated(95, "名"), 95, "人", True),
        (Stated(1062, "人"), 1061, "人", False),
    ],
)
def test_same_quantity_is_unit_aware(got: Stated, want: float, want_unit: str, ok: bool) -> None:
    assert same_quantity(got, want, want_unit) is ok


def test_tolerance_is_absolute_in_the_question_unit() -> None:
    assert same_quantity(Stated(45.5746, "%"), 45.57, "%", 0.01)
    assert not same_quantity(Stated(45.6, "%"), 45.57, "%", 0.01)
    assert same_quantity(Stated(4.1445, "倍"), 4.14, "倍", 0.01)
    assert same_quantity(Stated(1.00005, "万元"), 1.0, "万元", 0.0001)


def test_unit_kinds() -> None:
    assert unit_kind("万元") == unit_kind("元/月") == "money"
    assert unit_kind("个百分点") == "points" != unit_kind("%")
    assert unit_kind("人次") == unit_kind("所") == "count"


def test_stated_numbers_skip_years_tables_and_markers() -> None:
    text = "据表2-1和图 3-2，2025年（第478行）北京高职毕业生2.41万人[1]【2】。"
    assert stated_numbers(text) == [Stated(2.41, "万人")]
    assert stated_numbers("2022—2024年") == []
    assert stated_numbers("１，０６１人") == [Stated(1061, "人")]


def test_an_answer_with_several_numbers_is_judged_by_its_value() -> None:
    several = answer("高职676个，中职461个。", value=461, unit="个")
    assert judged_number(several) == Stated(461, "个")
    q = numeric(676, "个")
    assert not grade(q, several).correct
    assert grade(q, answer("高职676个，中职461个。")).correct  # no value: the first number


def test_value_field_wins_over_text() -> None:
    q = numeric(1061, "人")
    assert grade(q, answer("2022年招生1200人", value=1061, unit="人")).correct
    assert not grade(q, answer("2022年招生1061人", value=1200, unit="人")).correct


def test_numeric_grade_reasons() -> None:
    q = numeric(24.35, "%")
    assert grade(q, answer("占比24.35个百分点", value=24.35, unit="个百分点")).reason == "wrong unit"
    assert grade(q, answer("占比25%", value=25, unit="%")).reason == "wrong value"
    assert grade(q, answer("报告没有说明")).reason == "no number stated"
    assert grade(q, answer("无法回答", refused=True)).reason == "refused an answerable question"


def test_ratio_text_ignores_spaces_and_fullwidth() -> None:
    assert ratio_matches("0.26:0.74", "职普比为 0.26 : 0.74")
    assert ratio_matches("28.93:71.07", "招生职普比为28.93：71.07")
    assert not ratio_matches("0.26:0.74", "职普比为 0.37 : 0.63，2022年为0.26:0.74")
    assert not ratio_matches("0.26:0.74", "职普比约为0.26")


def test_list_keywords_substring_trap() -> None:
    keywords = ["俄罗斯", "白俄罗斯", "哈萨克斯坦"]
    assert missing_keywords(keywords, "白俄罗斯、哈萨克斯坦") == ["俄罗斯"]
    assert missing_keywords(keywords, "俄罗斯、白俄罗斯、哈萨克斯坦三国") == []
    assert missing_keywords(keywords, "白俄罗斯、哈萨克斯坦、俄罗斯") == []
    assert missing_keywords(["婴幼儿托育"], "婴幼\n儿托育") == []


def test_refusal_that_states_a_number_is_wrong() -> None:
    assert refusal_correct(answer("报告中没有2019年东城区的招生数据（表1-1只含2022-2024年）。", refused=True))
    assert not refusal_correct(answer("报告未直接给出，但约为259人。", refused=True))
    assert not refusal_correct(answer("报告未给出。", value=259, refused=True))
    assert not refusal_correct(answer("报告没有海淀区数据"))  # not flagged as refused
    q = Question(id="U", question="?", kind="unanswerable", unanswerable=True)
    refused_with_number = answer("未找到，但全市招生24918人", refused=True)
    assert grade(q, refused_with_number).reason == "stated a number while refusing"
    assert grade(q, answer("是259人", value=259)).reason == "answered instead of refusing"


def test_formula_inputs_from_notes() -> None:
    assert formula_inputs("(134334-73113)/134334=45.57%。输入：001:237。") == [134334, 73113]
    assert formula_inputs("6317+6996=13313（输入均在478行；正文概数“1.33万人”）") == [6317, 6996]
    assert formula_inputs("1727.29/18320.96=9.43%。输入：004:340。") == [1727.29, 18320.96]
    assert formula_inputs("24.35%-24.7%=-0.35个百分点") == [24.35, 24.7]
    assert formula_inputs("中职为461") == []
    assert formula_inputs("7838.08-5490.88") == [7838.08, 5490.88]
    assert formula_inputs("(10776.3-9648.38)/9648.38") == [10776.3, 9648.38]
    assert formula_inputs("655-256；朝阳表1第33行") == [655, 256]
    assert formula_inputs("2022-2024年只有三年数据") == []
    assert formula_inputs("表1-1只覆盖2022-2024年") == []
    assert formula_inputs("3150") == []


def test_citation_contains_value_or_inputs() -> None:
    q = numeric(2.41, "万人", kind="prose")
    assert citation_supports(q, ["高职毕业生 2.41 万人"])
    assert citation_supports(q, ["高职毕业生24100人"])
    assert not citation_supports(q, ["中职毕业生1.21万人"])
    computed = question_from_dict({
        "id": "C", "question": "?", "kind": "computed", "answer": {"value": 13313, "unit": "人"},
        "note": "6317+6996=13313（输入均在478行）",
    })
    assert citation_supports(computed, ["中专学校招生6317人，职业高中招生6996人"])
    assert citation_supports(computed, ["中专学校招生6317人", "职业高中招生6996人"])
    assert not citation_supports(computed, ["共招生13313人"])
    table = numeric(676, "个")
    assert citation_supports(table, ["开设专业总数（个）\t676\t461"])


def test_citation_for_lists_ratios_and_unanswerable() -> None:
    listing = Question(id="L", question="?", kind="list", keywords=("俄罗斯", "白俄罗斯"))
    assert citation_supports(listing, ["联合俄罗斯、白俄罗斯"])
    assert not citation_supports(listing, ["联合白俄罗斯"])
    ratio = Question(id="R", question="?", kind="prose", text="0.26:0.74")
    assert citation_supports(ratio, ["职普比为 0.26 : 0.74"])
    unanswerable = Question(id="U", question="?", kind="unanswerable", unanswerable=True)
    assert citation_supports(unanswerable, []) is None


def test_recall_at_k_needs_the_right_file_and_quote() -> None:
    q = numeric(1061, "人", file="c.txt", quote="招生规模\t总人数\t1200\t1061")
    right = ("c.txt", "表1-1 … 招生规模 总人数 1200 1061 -139")
    assert recall_at_k(q, [("x.txt", "a"), right], k=2)
    assert not recall_at_k(q, [("x.txt", "a"), right], k=1)
    assert not recall_at_k(q, [("d.txt", "招生规模 总人数 1200 1061")], k=5)
    assert recall_at_k(q, [("c.txt", "今年招生1061人")], k=5)  # the value itself, three digits or more
    small = numeric(8, "部", file="c.txt", quote="23\t北京市商业学校\t8")
    assert not recall_at_k(small, [("c.txt", "入选8部")], k=5)
    assert recall_at_k(Question(id="U", question="?", kind="unanswerable", unanswerable=True), []) is None


def test_percentile() -> None:
    assert percentile([], 50) != percentile([], 50)  # NaN
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([10.0, 20.0], 95) == pytest.approx(19.5)
    assert percentile([7.0], 95) == 7.0


def test_expected_and_got_keep_every_digit() -> None:
    from evals.scoring import expected_text

    q = numeric(18320.96, "万元", tolerance=0.01)
    assert expected_text(q) == "18320.96万元 ±0.01"
    assert grade(q, answer("18320.9万元", value=18320.9, unit="万元")).got == "18320.9万元"


def test_a_quote_missing_from_its_file_supports_nothing() -> None:
    from evals.scoring import squash_source

    q = numeric(676, "个")
    sources = {"r.txt": squash_source("开设专业总数（个）\t676\t461\n")}
    real = answer("676个", value=676, unit="个", quotes=("开设专业总数（个） 676 461",))
    real["citations"][0]["file"] = "r.txt"
    made_up = answer("676个", value=676, unit="个", quotes=("开设专业676个",))
    made_up["citations"][0]["file"] = "r.txt"
    assert grade(q, real, sources=sources).cited
    assert not grade(q, made_up, sources=sources).cited
    assert grade(q, made_up).cited  # without the texts only the quote itself is checked
    made_up["citations"][0]["file"] = "elsewhere.pdf"
    assert grade(q, made_up, sources=sources).cited  # an unknown file cannot be checked


def test_a_malformed_value_field_falls_back_to_the_text() -> None:
    q = numeric(1061, "人")
    assert grade(q, answer("招生1061人", value="n/a", unit="人")).correct
    assert grade(q, answer("招生1061人", value=float("nan"), unit="人")).correct


def _disputed(value: float, other: float) -> dict[str, Any]:
    shown = answer(f"答：{value}人。报告中此数据有两处不一致：正文为{value}人[1]，表2-1为{other}人[2]。",
                   value=value, unit="人")
    figures = [{"value": value, "unit": "人", "raw": str(value), "citation": 1, "where": "正文"},
               {"value": other, "unit": "人", "raw": str(other), "citation": 2, "where": "表2-1"}]
    return {**shown, "disagreements": [{"scope": "report", "figures": figures}]}


def test_a_disagreement_is_graded_by_the_preferred_figure() -> None:
    assert grade(numeric(4993, "人"), _disputed(4993, 5173)).correct
    shown_other = grade(numeric(5173, "人"), _disputed(4993, 5173))
    assert not shown_other.correct and shown_other.reason == DISPUTED
    assert grade(numeric(5000, "人"), _disputed(4993, 5173)).reason == "wrong value"
    assert shows_disagreement(_disputed(4993, 5173)) and not shows_disagreement(answer("1人", value=1))
