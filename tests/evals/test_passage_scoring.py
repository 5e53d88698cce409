"""The ``passage`` kind (a citation inside a gold section, half the keywords) and conversation files."""

from __future__ import annotations

import json
from pathlib import Path

from evals.questions import GoldSection, load_questions, question_from_dict
from evals.scoring import grade
from evals.summary import Scored, metrics, wrong_number

REPO = Path(__file__).resolve().parents[2]
GOLD = {"id": "P1", "question": "昌平区是怎么开展校企合作的？", "kind": "passage",
        "answer": {"sections": [{"file": "c.txt", "from": 245, "to": 269}],
                   "keywords": ["产教融合", "学徒班"]}}


def passage_answer(text: str, line: int) -> dict[str, object]:
    return {"answer": text, "refused": False, "value": None,
            "citations": [{"file": "c.txt", "line": line, "quote": text}], "retrieved": []}


def test_gold_sections_are_read_from_the_question() -> None:
    question = question_from_dict(GOLD)
    assert question.sections == (GoldSection("c.txt", 245, 269),)
    assert question.sections[0].holds("c.txt", 269) and not question.sections[0].holds("c.txt", 270)


def test_correct_needs_a_citation_inside_and_half_the_keywords() -> None:
    question = question_from_dict(GOLD)
    assert grade(question, passage_answer("深化产教融合", 247)).correct
    outside = grade(question, passage_answer("深化产教融合", 300))
    assert not outside.correct and "gold section" in outside.reason
    too_few = grade(question, passage_answer("校企合作", 247))
    assert not too_few.correct and "missing" in too_few.reason


def test_a_refused_passage_question_is_wrong() -> None:
    answer = {"answer": "报告中没有找到该问题的答案。", "refused": True, "value": None, "citations": []}
    assert not grade(question_from_dict(GOLD), answer).correct


def test_a_conversation_is_scored_on_its_last_turn(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    conversation = {"id": "CV1", "follow": "measure", "turns": [
        {"question": "2022年昌平区中职学校招生多少人？"},
        {"question": "那毕业生呢？", "kind": "table", "answer": {"value": 589, "unit": "人"}}]}
    path.write_text(json.dumps(conversation, ensure_ascii=False) + "\n", encoding="utf-8")
    (question,) = load_questions(path)
    assert question.before == ("2022年昌平区中职学校招生多少人？",)
    assert (question.question, question.value, question.follow) == ("那毕业生呢？", 589, "measure")
    wrong = {"answer": "答：1061 人。", "value": 1061, "unit": "人", "refused": False, "citations": []}
    scored = Scored(question, wrong, grade(question, wrong))
    assert wrong_number(scored) and metrics([scored])["wrong_numbers"] == 1
    assert metrics([scored])["by_follow"]["measure"]["correct"] == 0


def test_the_bundled_passage_and_conversation_files_load() -> None:
    passages = load_questions(REPO / "evals" / "questions-passage.jsonl")
    conversations = load_questions(REPO / "evals" / "conversations.jsonl")
    assert len(passages) >= 30 and all(q.sections and q.keywords for q in passages)
    assert {q.source.file or q.sections[0].file for q in passages} >= {
        "beijing-zhiye-2025.txt", "beijing-zhongzhi-2020.txt", "changping-zhongzhi-2023.txt",
        "chaoyang-zhongzhi-2022.txt", "dongcheng-zhongzhi-2024.txt"}
    assert len(conversations) >= 20 and all(q.before for q in conversations)
    assert {q.follow for q in conversations} >= {
        "measure", "region", "year", "year_shift", "level", "difference", "previous_year", "fresh"}
