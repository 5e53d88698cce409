"""The learned ranker: a linear ranking score over named features (fitted on pairs of a right and a
wrong frame), and the calibration that turns a value-level decision into p(correct). Both are read
from a saved artefact (``model.json``) that ``nianbao train`` rebuilds; nothing here is tuned by hand."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from rag.errors import ConfigError
from rag.rank.features import NAMES

ARTEFACT = Path(__file__).with_name("model.json")
VERSION = 3


DECISION_NAMES = ("top_mass", "mass_margin", "top_score", "score_gap", *NAMES)
"""What the calibrator reads of a decision: the best value's share of the candidates' softmax mass,
its lead over the next value (in mass and in raw score), the best frame's raw score (how well
anything fits at all), and every feature of the best frame (which kinds of fit are trustworthy)."""

RULES_NAMES = ("rules_agree", "rules_other", "rules_score", "rules_lead")
"""What the rules answerer (``rag.extractive``) says of the ranker's best value: it states the same
value, it states another one, its best score for that value, and that score's lead over its best
score for any other value (see ``rag.combined``)."""
COMBINED_NAMES = (*DECISION_NAMES, *RULES_NAMES)
"""What the combined answerer's calibrator reads: the ranker's decision and the rules' view of it."""


@dataclass(frozen=True)
class Vetting:
    """The combined answerer's calibrator: a logistic p(correct) over ``COMBINED_NAMES`` (fitted on
    held-out decisions, so its probability is used as it is), and the least p(correct) it states."""

    coef: tuple[float, ...] = ()
    intercept: float = 0.0
    threshold: float = 1.0

    def confidence(self, signals: Sequence[float]) -> float:
        if not self.coef:
            return 0.0
        z = self.intercept + sum(c * x for c, x in zip(self.coef, signals, strict=True))
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))


@dataclass(frozen=True)
class Ranker:
    """A linear ranking score over a frame's features, and a calibrated p(correct) of a decision."""

    names: tuple[str, ...]
    coef: tuple[float, ...]
    decision_coef: tuple[float, ...]
    decision_intercept: float
    calibration_x: tuple[float, ...]
    calibration_y: tuple[float, ...]
    threshold: float
    """Least calibrated p(correct) for stating a number (read from the risk–coverage curve)."""
    meta: Mapping[str, object]
    vetting: Vetting = Vetting()
    """The calibrator of ``NIANBAO_ANSWERER=combined`` (none in an untrained ranker: it refuses)."""

    def score(self, features: Mapping[str, float]) -> float:
        """The frame's ranking score (higher fits the question better)."""
        return sum(c * features[n] for n, c in zip(self.names, self.coef, strict=True))

    def decision_logit(self, decision: Sequence[float]) -> float:
        return self.decision_intercept + sum(c * x for c, x in zip(self.decision_coef, decision, strict=True))

    def confidence(self, decision: Sequence[float]) -> float:
        """Calibrated p(correct) of answering with the best value (isotonic over the calibrator)."""
        z = self.decision_logit(decision)
        if not self.calibration_x:
            return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))
        return float(np.interp(z, self.calibration_x, self.calibration_y))

    def to_json(self) -> dict[str, object]:
        return {
            "version": VERSION, "features": list(self.names), "coef": list(self.coef),
            "decision": {"features": list(DECISION_NAMES), "coef": list(self.decision_coef),
                         "intercept": self.decision_intercept},
            "calibration": {"x": list(self.calibration_x), "y": list(self.calibration_y)},
            "threshold": self.threshold,
            "combined": {"features": list(COMBINED_NAMES), "coef": list(self.vetting.coef),
                         "intercept": self.vetting.intercept, "threshold": self.vetting.threshold},
            "meta": dict(self.meta),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Ranker:
        """A Ranker from its saved form; ConfigError when it does not fit this code's features."""
        names = tuple(data["features"])
        decision, calibration, combined = data["decision"], data["calibration"], data.get("combined", {})
        fits = names == NAMES and tuple(decision["features"]) == DECISION_NAMES \
            and tuple(combined.get("features", ())) == COMBINED_NAMES
        if data.get("version") != VERSION or not fits:
            raise ConfigError("排序模型与当前特征不符，请运行 nianbao train 重新训练")
        return cls(
            names=names, coef=tuple(float(c) for c in data["coef"]),
            decision_coef=tuple(float(c) for c in decision["coef"]),
            decision_intercept=float(decision["intercept"]),
            calibration_x=tuple(float(x) for x in calibration["x"]),
            calibration_y=tuple(float(y) for y in calibration["y"]),
            threshold=float(data["threshold"]), meta=dict(data.get("meta") or {}),
            vetting=Vetting(tuple(float(c) for c in combined["coef"]), float(combined["intercept"]),
                            float(combined["threshold"])),
        )


def load(path: Path = ARTEFACT) -> Ranker:
    """The ranker saved at ``path``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"无法读取排序模型 {path}：{exc}") from exc
    return Ranker.from_json(data)


@cache
def default() -> Ranker:
    """The ranker shipped with the code (loaded once per process)."""
    return load()


def untrained() -> Ranker:
    """A ranker with every weight zero (for building the first training set)."""
    return Ranker(NAMES, tuple(0.0 for _ in NAMES), tuple(0.0 for _ in DECISION_NAMES), 0.0, (), (), 0.5, {})
