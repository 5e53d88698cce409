from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from fake_openai import FakeOpenAI, json_reply

from cli.main import main
from evals.compare import compare, format_comparison
from evals.questions import Question, Source, load_questions
from evals.runner import EvalRun, run_eval, summary, write_outputs
from evals.scoring import grade
from evals.summary import Scored
from rag.settings import BUNDLED_REPORTS, Settings

REPO = Path(__file__).resolve().parents[2]
DEV = REPO / "evals" / "dev-questions.jsonl"
SAMPLE_IDS = ("B-070", "B-011", "B-092", "B-075", "B-087", "B-108")
SAMPLE_REPORTS = ("changping-zhongzhi-2023.txt", "dongcheng-zhongzhi-2024.txt", "chaoyang-zhongzhi-2022.txt")
ANSWER_KEYS = {
    "question", "answer", "value", "unit", "refused", "mode", "citations", "retrieved", "latency_ms",
}


def scored(question: Question, **answer: Any) -> Scored:
    data = {"id": question.id, "answer": "", "value": None, "unit": "", "refused": False,
            "mode": "extractive", "citations": [], "retrieved": [], "latency_ms": 12.0, **answer}
    return Scored(question, data, grade(question, data))


def synthetic_run() -> EvalRun:
    table = Question(id="T1", question="招生多少人？", kind="table", value=1061, unit="人",
                     source=Source(file="c.txt", line=55, quote="总人数\t1200\t1061"))
    prose = Question(id="P1", question="毕业生多少万人？", kind="prose", value=2.41, unit="万人",
                     source=Source(file="b.txt", line=490, quote="高职毕业生 2.41 万人"))
    refuse = Question(id="U1", question="丰台区毕业生？", kind="unanswerable", unanswerable=True)
    system = [
        scored(table, answer="1061人", value=1061, unit="人", citations=[{"quote": "总人数\t1200\t1061"}],
               retrieved=[{"file": "c.txt", "text": "招生规模 总人数 1200 1061"}]),
        scored(prose, answer="1.21万人", value=1.21, unit="万人",
               retrieved=[{"file": "b.txt", "text": "中职毕业生1.21万人"}]),
        scored(refuse, answer="报告中没有丰台区的数据。", refused=True),
    ]
    baseline = [
        scored(table, answer="1200", value=1200), scored(prose), scored(refuse, answer="3人", value=3),
    ]
    return EvalRun("dev.jsonl", "extractive", "2026-01-01T00:00:00+00:00", 1.5, system, baseline)


def test_summary_and_outputs_from_a_synthetic_run(tmp_path: Path) -> None:
    data = write_outputs(synthetic_run(), tmp_path)
    mine = data["system"]
    assert mine["correct"] == 2 and mine["refusal_accuracy"] == 1.0
    assert mine["by_kind"]["prose"]["accuracy"] == 0.0
    assert mine["citation_accuracy"] == 1.0 and mine["recall_at_5"] == 0.5
    assert data["baseline"]["correct"] == 0 and data["accuracy_ratio"] is None
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "## Headline figures" in report and "### P1 · prose · b.txt" in report
    assert "No report with ground-truth cells" in report
    assert "expected: **2.41万人**" in report and "got: **1.21万人**" in report
    assert "中职毕业生1.21万人" in report  # the retrieved source explains the failure
    assert (tmp_path / "accuracy.png").read_bytes()[:4] == b"\x89PNG"
    answers = [json.loads(line) for line in (tmp_path / "answers.jsonl").read_text().splitlines()]
    assert [a["id"] for a in answers] == ["T1", "P1", "U1"]


def test_answers_that_showed_a_disagreement_are_counted_on_their_own_line(tmp_path: Path) -> None:
    table = Question(id="T1", question="招生多少人？", kind="table", value=1061, unit="人")
    figures = [{"value": 1061, "unit": "人", "raw": "1061", "citation": 1, "where": "表1-1"},
               {"value": 1062, "unit": "人", "raw": "1062", "citation": 2, "where": "正文"}]
    shown = scored(table, answer="1061人", value=1061, unit="人",
                   disagreements=[{"scope": "report", "figures": figures}])
    run = EvalRun("dev.jsonl", "extractive", "2026-01-01T00:00:00+00:00", 1.0, [shown, scored(table)],
                  [scored(table), scored(table)])
    data = write_outputs(run, tmp_path)
    assert data["system"]["showed_disagreement"] == 1 and data["baseline"]["showed_disagreement"] == 0
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "| Answers that showed a disagreement of their sources | 1 | 0 |" in report


def test_compare_lists_better_and_worse() -> None:
    old = summary(synthetic_run())
    new = json.loads(json.dumps(old))
    new["items"][0].update(correct=False, reason="wrong value", got="1200人")
    new["items"][1].update(correct=True, reason="ok", got="2.41万人")
    result = compare(old, new)
    assert [c.id for c in result.worse] == ["T1"] and [c.id for c in result.better] == ["P1"]
    text = format_comparison(result)
    assert "WORSE  T1" in text and "better P1" in text
    new["items"][0].update(cited=not old["items"][0]["cited"])  # a wrong answer's citation is no change
    assert [c.id for c in compare(old, new).worse] == ["T1"]


def test_compare_warns_when_the_runs_answered_different_questions() -> None:
    old = summary(synthetic_run())
    new = json.loads(json.dumps(old))
    new["questions_file"] = "evals/questions-extra.jsonl"
    new["items"] = [dict(new["items"][0], id="X1"), *new["items"][1:]]
    result = compare(old, new)
    assert not result.same_questions and result.common == 2
    first = format_comparison(result).splitlines()[0]
    assert first.startswith("WARNING: the two runs answered different questions")
    assert "1 only in old, 1 only in new" in first and "the 2 in both" in first
    assert "questions-extra.jsonl" in first
    assert compare(old, old).same_questions and "WARNING" not in format_comparison(compare(old, old))


def test_compare_via_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_outputs(synthetic_run(), tmp_path / "old")
    write_outputs(synthetic_run(), tmp_path / "new")
    assert main(["eval", "--compare", str(tmp_path / "old"), str(tmp_path / "new")]) == 0
    out = capsys.readouterr().out
    assert "worse: 0   better: 0" in out and "WARNING" not in out
    assert main(["eval", "--compare", str(tmp_path / "old"), str(tmp_path / "missing")]) == 1


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose home holds an index of the bundled reports, built once for this module."""
    from ingestion.pipeline import ingest
    from rag.index import open_index

    root = tmp_path_factory.mktemp("eval")
    (root / "reports").mkdir()
    for name in SAMPLE_REPORTS:  # the small reports keep this test quick
        shutil.copy(BUNDLED_REPORTS / name, root / "reports" / name)
    settings = Settings(home=root / "home", reports_dir=root / "reports")
    index = open_index(settings)
    try:
        assert ingest([settings.reports_dir], index).ok
    finally:
        index.close()
    return settings


@pytest.mark.integration
def test_eval_end_to_end_on_a_few_dev_questions(ingested: Settings) -> None:
    questions = [q for q in load_questions(DEV) if q.id in SAMPLE_IDS]
    messages: list[str] = []
    run = run_eval(questions, ingested, questions_file=str(DEV), progress=messages.append)
    assert [s.question.id for s in run.system] == [q.id for q in questions]
    for s in run.system:
        assert s.answer.keys() >= ANSWER_KEYS and s.answer["id"] == s.question.id
    assert any(m.startswith(f"[{len(questions)}/{len(questions)}]") for m in messages)
    assert not any("ingesting" in m for m in messages)
    data = summary(run)
    assert data["cells"]["total"] > 100 and data["cells"]["accuracy"] >= 0.9
    assert {t["file"] for t in data["cells"]["tables"]} == set(SAMPLE_REPORTS)
    assert data["system"]["questions"] == len(questions)
    assert data["system"]["correct"] >= data["baseline"]["correct"]


@pytest.mark.integration
def test_eval_cli_writes_every_output(
    ingested: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = tmp_path / "q.jsonl"
    dev = DEV.read_text(encoding="utf-8").splitlines()
    lines = [line for line in dev if json.loads(line)["id"] in SAMPLE_IDS[:3]]
    questions.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("NIANBAO_HOME", str(ingested.home))
    monkeypatch.setenv("NIANBAO_REPORTS_DIR", str(ingested.reports_dir))
    out = tmp_path / "out"
    assert main(["eval", "--questions", str(questions), "--out", str(out)]) == 0
    for name in ("answers.jsonl", "baseline-answers.jsonl", "summary.json", "report.md", "accuracy.png"):
        assert (out / name).stat().st_size > 0, name
    assert len((out / "answers.jsonl").read_text(encoding="utf-8").splitlines()) == 3
    captured = capsys.readouterr()
    assert "accuracy" in captured.out and "[3/3]" in captured.err


@pytest.mark.integration
def test_eval_in_llm_mode_scores_what_the_llm_said(ingested: Settings, fake_openai: FakeOpenAI) -> None:
    right = {"answer": "2022年昌平区中职招生1061人[1]", "value": 1061, "unit": "人", "refused": False,
             "citations": [1]}
    wrong = {"answer": "2022年昌平区中职招生9999人[1]", "value": 9999, "unit": "人", "refused": False,
             "citations": [1]}
    fake_openai.script(json_reply(right), json_reply(wrong))
    settings = fake_openai.llm_settings(ingested, llm_max_retries=0)
    question = next(q for q in load_questions(DEV) if q.id == "B-070")
    run = run_eval([question, question], settings)
    assert len(fake_openai.chat_requests()) == 2
    assert [s.answer["mode"] for s in run.system] == ["llm", "llm"] and run.mode == "llm"
    assert [s.grade.correct for s in run.system] == [True, False]
    assert run.system[1].grade.got == "9999人"
