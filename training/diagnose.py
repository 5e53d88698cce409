"""The ranker's own diagnostics on the benchmark's lookup and unanswerable questions: where the
right value ranks, what the calibrated threshold does with it, and the risk–coverage curve; with
``--generated``, the same curve over the generated questions, each report's scored by a ranker
trained without it (the decisions the threshold is read from); each curve for the ranked and for the
combined answerer's calibrator (``rag.combined``).

    python -m training.diagnose [--verbose] [--generated]
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from rag.rank import model as ranker_model
from rag.rank.decide import amount
from rag.rank.model import Ranker
from rag.services import build_services
from rag.settings import Settings
from training.benchmark import calibration_items
from training.train import (
    Example,
    Point,
    ambiguous,
    calibration_points,
    examples,
    generated_questions,
    out_of_fold,
    rescore,
)

REPO = Path(__file__).resolve().parent.parent
COVERAGES = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def outcomes(ranker: Ranker, items: Sequence[Example]) -> list[tuple[str, str, float]]:
    """(question, outcome, confidence) per item; outcomes name the class of each result."""
    out = []
    for example in items:
        decision = rescore(ranker, example)
        values = [amount(s.frame) for s in decision.ranked]
        first = decision.best is not None and amount(decision.best) == example.answer
        if example.answer is None:
            outcome = "unanswerable answered" if decision.answers(ranker) else "unanswerable refused"
        elif example.answer not in values:
            outcome = "right value not a candidate"
        elif decision.answers(ranker):
            outcome = "answered right" if first else "answered wrong"
        else:
            outcome = "refused, ranked first" if first else "refused, ranked lower"
        out.append((example.question, outcome, decision.confidence))
    return out


def risk_coverage(ranker: Ranker, items: Sequence[Example]) -> list[tuple[float, float, float, float]]:
    """(share answered, accuracy of the answered, wrong per question, least confidence answered)
    at each coverage of ``COVERAGES``, the most confident decisions answered first."""
    decided = []
    for example in items:
        decision = rescore(ranker, example)
        if decision.best is not None:
            right = example.answer is not None and amount(decision.best) == example.answer
            decided.append((decision.confidence, right))
    return curve(decided, len(items))


def curve(decided: list[tuple[float, bool]], asked: int) -> list[tuple[float, float, float, float]]:
    """The risk–coverage rows of (confidence, right) decisions out of ``asked`` questions."""
    decided = sorted(decided, key=lambda d: -d[0])
    rows = []
    for share in COVERAGES:
        n = round(share * asked)
        answered = decided[:n]
        if not answered:
            continue
        hits = sum(1 for _, ok in answered if ok)
        rows.append((len(answered) / asked, hits / len(answered), (len(answered) - hits) / asked,
                     answered[-1][0]))
    return rows


def main(argv: Sequence[str] = sys.argv[1:]) -> None:
    services = build_services(Settings.from_env())
    ranker = ranker_model.default()
    items = examples(services.retriever, calibration_items(REPO))
    results = outcomes(ranker, items)
    print(f"{len(items)} benchmark lookups and unanswerable questions, threshold {ranker.threshold:.3f}")
    for outcome, n in sorted(Counter(o for _, o, _ in results).items()):
        print(f"  {outcome:28} {n}")
    print("risk–coverage (answered / accuracy of answered / wrong per question / least confidence):")
    _print(risk_coverage(ranker, items))
    print(f"combined, threshold {ranker.vetting.threshold:.3f}:")
    _print(curve(_combined(ranker, calibration_points(ranker, items)), len(items)))
    if "--generated" in argv:
        asked = [(g.question, g.file, g.answer) for g in generated_questions(services.retriever)]
        generated = [e for e in examples(services.retriever, asked) if not ambiguous(e)]
        held = out_of_fold(generated)
        decided = [(ranker.confidence(p.signals), p.correct == 1.0) for p in held]
        print(f"generated, held out by report ({len(decided)} decisions, withheld answers included):")
        _print(curve(decided, len(decided)))
        print("combined:")
        _print(curve(_combined(ranker, held), len(held)))
    if "--verbose" in argv:
        for question, outcome, confidence in results:
            if outcome not in ("answered right", "unanswerable refused"):
                print(f"{outcome:28} {confidence:.3f} {question}")
    services.index.close()


def _combined(ranker: Ranker, points: Sequence[Point]) -> list[tuple[float, bool]]:
    return [(ranker.vetting.confidence(p.combined), p.correct == 1.0) for p in points]


def _print(rows: Sequence[tuple[float, float, float, float]]) -> None:
    for share, accuracy, risk, least in rows:
        print(f"  {share:6.1%}  {accuracy:6.1%}  {risk:6.1%}  {least:.3f}")


if __name__ == "__main__":
    main()
