"""Leave-one-report-out accuracy: for each report, a ranker trained and calibrated without it
answers that report's dev and validation questions, as the ranked and as the combined answerer (the
rules answerer, which is not trained, beside them). The figure that predicts a new report.

    python -m training.loro
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from evals.questions import load_questions
from evals.scoring import grade
from rag import combined, extractive, grounding, ranked
from rag.answering import answer_to_json, understand
from rag.query import Query
from rag.rank import Ranker
from rag.retriever import Retriever
from rag.services import build_services
from rag.settings import Settings
from rag.types import Answer
from training import train
from training.benchmark import QUESTION_FILES, calibration_items

REPO = Path(__file__).resolve().parent.parent
Answerer = Callable[[Query, Retriever, Ranker], Answer]
ANSWERERS: dict[str, Answerer] = {
    "rules": lambda q, r, _: extractive.answer(q, r.retrieve, r.lexicon()),
    "ranked": lambda q, r, k: ranked.answer(q, r.retrieve, r.lexicon(), ranker=k),
    "combined": lambda q, r, k: combined.answer(q, r.retrieve, r.lexicon(), ranker=k),
}


def main() -> None:
    services = build_services(Settings.from_env())
    retriever = services.retriever
    benchmark = calibration_items(REPO)
    questions = [q for name in QUESTION_FILES for q in load_questions(REPO / name)]
    totals: Counter[tuple[str, str]] = Counter()
    for doc in sorted(retriever.documents(), key=lambda d: d.file):
        ranker = train.build(retriever, benchmark, exclude=[doc.file])
        mine = [q for q in questions if q.report == doc.file]
        for mode, answerer in ANSWERERS.items():
            right = wrong = 0
            for q in mine:
                graded = grade(q, answer_to_json(grounding.check(answerer(understand(q.question, services),
                                                                           retriever, ranker))))
                right += graded.correct
                wrong += graded.reason in ("wrong value", "wrong unit", "answered instead of refusing")
            totals.update({(mode, "right"): right, (mode, "wrong"): wrong, (mode, "n"): len(mine)})
            print(f"{doc.file} {mode}: {right}/{len(mine)} right, {wrong} wrong numbers")
    for mode in ANSWERERS:
        n, right, wrong = totals[mode, "n"], totals[mode, "right"], totals[mode, "wrong"]
        print(f"leave-one-report-out, {mode}: {right}/{n} = {right / n:.1%} right, "
              f"{wrong} wrong numbers ({wrong / n:.1%})")
    services.index.close()


if __name__ == "__main__":
    main()
