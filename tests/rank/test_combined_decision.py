from __future__ import annotations

import pytest

from rag.combined import rules_choice, rules_view, same
from rag.errors import ConfigError
from rag.lookup import MARGIN, THRESHOLD
from rag.rank.model import COMBINED_NAMES, DECISION_NAMES, RULES_NAMES, Ranker, Vetting, default

PEOPLE = (3150.0, "人")
OTHER = (2980.0, "人")


def test_the_rules_state_their_best_reading_only_above_the_threshold_and_clear_of_another_value() -> None:
    assert rules_choice([(PEOPLE, THRESHOLD + 0.5), (OTHER, THRESHOLD)]) == PEOPLE
    assert rules_choice([(PEOPLE, THRESHOLD - 0.01)]) is None
    assert rules_choice([(PEOPLE, THRESHOLD + 0.5), (OTHER, THRESHOLD + 0.5 - MARGIN / 2)]) is None
    assert rules_choice([(PEOPLE, THRESHOLD + 0.5), (OTHER, THRESHOLD - 0.5)]) == PEOPLE
    assert rules_choice([]) is None


def test_the_rules_view_says_whether_they_state_the_rankers_value_another_or_none() -> None:
    found = [(PEOPLE, 1.6), (OTHER, 0.9)]
    agree, other, score, lead = rules_view(found, PEOPLE)
    assert (agree, other) == (1.0, 0.0) and score == pytest.approx(1.6) and lead == pytest.approx(0.7)
    agree, other, score, lead = rules_view(found, OTHER)
    assert (agree, other) == (0.0, 1.0) and score == pytest.approx(0.9) and lead == pytest.approx(-0.7)
    assert rules_view(found, (12.5, "%")) == (0.0, 1.0, 0.0, -1.6)
    assert rules_view([], PEOPLE) == (0.0, 0.0, 0.0, 0.0)


def test_a_value_without_a_unit_is_the_same_value_with_one_but_units_that_differ_are_not() -> None:
    assert same((1061.0, ""), (1061.0, "人")) and same("5:5", "5:5")
    assert not same((1061.0, "人"), (1061.0, "所")) and not same((1061.0, "人"), (1062.0, "人"))
    assert not same("5:5", (5.0, ""))


def test_the_shipped_combined_calibrator_trusts_agreement_more_than_contradiction() -> None:
    vetting = default().vetting
    assert len(vetting.coef) == len(COMBINED_NAMES) and 0.5 <= vetting.threshold <= 1.0
    signals = [0.8, 0.6, 8.0, 2.0] + [0.0] * (len(DECISION_NAMES) - 4)
    agreeing = vetting.confidence([*signals, 1.0, 0.0, 1.6, 0.7])
    contradicted = vetting.confidence([*signals, 0.0, 1.0, 0.0, -1.6])
    assert 0.0 <= contradicted < agreeing <= 1.0


def test_an_untrained_combined_calibrator_never_answers() -> None:
    assert Vetting().confidence([1.0] * len(COMBINED_NAMES)) == 0.0
    assert len(COMBINED_NAMES) == len(DECISION_NAMES) + len(RULES_NAMES)


def test_an_artefact_without_the_combined_calibrator_asks_to_be_retrained() -> None:
    saved = default().to_json()
    del saved["combined"]
    with pytest.raises(ConfigError):
        Ranker.from_json(saved)
