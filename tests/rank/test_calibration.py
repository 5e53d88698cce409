from __future__ import annotations

import random
from itertools import pairwise

from rag.rank.features import NAMES
from rag.rank.model import DECISION_NAMES, Ranker, default
from training.train import risk_threshold


def test_the_shipped_ranker_loads_and_its_calibration_is_monotone() -> None:
    ranker = default()
    assert ranker.names == NAMES
    ys = ranker.calibration_y
    assert ys and all(a <= b for a, b in pairwise(ys))
    assert 0.0 <= ranker.threshold <= 1.0
    low = [0.0] * len(DECISION_NAMES)
    high = [1.0, 1.0, 30.0, 10.0] + [0.0] * (len(DECISION_NAMES) - 4)
    assert ranker.confidence(low) <= ranker.confidence(high)


def test_the_threshold_reproduces_the_target_wrong_rate_on_held_out_data() -> None:
    rng = random.Random(3)
    confidences = [rng.random() for _ in range(4000)]
    correct = [float(rng.random() < c) for c in confidences]
    fit, held = slice(0, 2000), slice(2000, 4000)
    threshold = risk_threshold(confidences[fit], correct[fit], 0.05)
    answered = [(c, ok) for c, ok in zip(confidences[held], correct[held], strict=True) if c >= threshold]
    wrong = sum(1 for _, ok in answered if not ok) / 2000
    assert 0.5 < threshold < 1.0 and 0.02 < wrong < 0.08


def test_a_ranker_round_trips_through_its_saved_form() -> None:
    ranker = default()
    assert Ranker.from_json(ranker.to_json()) == ranker
