"""Leave-one-report-out accuracy: for each report, a ranker trained and calibrated without it
answers that report's dev and validation questions. The figure that predicts a new report.

    python -m training.loro
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from evals.questions import load_questions
from evals.scoring import grade
from rag import grounding, ranked
from rag.answering import answer_to_json, understand
from rag.services import build_services
from rag.settings import Settings
from training import train
from training.benchmark import QUESTION_FILES, calibration_items

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    services = build_services(Settings.from_env())
    retriever = services.retriever
    benchmark = calibration_items(REPO)
    questions = [q for name in QUESTION_FILES for q in load_questions(REPO / name)]
    totals: Counter[str] = Counter()
    for doc in sorted(retriever.documents(), key=lambda d: d.file):
        ranker = train.build(retriever, benchmark, exclude=[doc.file])
        mine = [q for q in questions if q.report == doc.file]
        right = wrong = 0
        for q in mine:
            query = understand(q.question, services)
            stated = ranked.answer(query, retriever.retrieve, retriever.lexicon(), ranker=ranker)
            result = grounding.check(stated)
            graded = grade(q, answer_to_json(result))
            right += graded.correct
            wrong += graded.reason in ("wrong value", "wrong unit", "answered instead of refusing")
        totals.update(right=right, wrong=wrong, n=len(mine))
        print(f"{doc.file}: {right}/{len(mine)} right, {wrong} wrong numbers")
    n = totals["n"]
    print(f"leave-one-report-out: {totals['right']}/{n} = {totals['right'] / n:.1%} right, "
          f"{totals['wrong']} wrong numbers ({totals['wrong'] / n:.1%})")
    services.index.close()


if __name__ == "__main__":
    main()
