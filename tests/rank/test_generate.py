from __future__ import annotations

from rag.frames import Frame, fact_frame, prose_frames
from rag.rank.decide import Scored
from rag.types import Chunk, ReportInfo, TableFact
from training.generate import generate
from training.train import WITHHELD_EVERY, Example, withheld

REPORT = ReportInfo(doc_id="d1", file="r.txt", title="昌平区中等职业教育质量年度报告", region="昌平区",
                    report_year=2023, data_year=2022, level="中职", content_hash="h")


def _frames(text: str) -> list[Frame]:
    chunk = Chunk(id="c1", doc_id="d1", file="r.txt", kind="prose", text=text, context="",
                  section="2 学生发展", line_start=1, line_end=1, region="昌平区", year=2022)
    return prose_frames(chunk)


def _with_a_table(text: str) -> list[Frame]:
    """The prose frames of ``text`` and one table cell labelled 招生人数, as the reports' tables are."""
    table = Chunk(id="t1", doc_id="d1", file="r.txt", kind="table", text="招生人数 1061", context="",
                  section="2 学生发展", line_start=9, line_end=9, region="昌平区", year=2022)
    fact = TableFact(id="f1", doc_id="d1", file="r.txt", region="昌平区", year=2022, table="t1",
                     title="学生规模", row="招生人数", column="2022年", raw="1061", value=1061.0, unit="人",
                     line=9)
    cell = fact_frame(fact, [table])
    assert cell is not None
    return [*_frames(text), cell]


def test_a_generated_question_names_what_its_number_counts() -> None:
    text = "2022年，全区中职学校招生 1061 人，较上一年增长 139 人。学校选派 70 名师生参加志愿服务。"
    questions = generate(_with_a_table(text), REPORT, per_report=20, seed=1)
    by_value = {g.answer[0]: g.question for g in questions
                if isinstance(g.answer, tuple) and not g.source.startswith("r.txt:9:")}
    assert "招生" in by_value[1061.0]
    assert 139.0 not in by_value  # 「较上一年增长」 alone names nothing counted
    assert "师生" in by_value[70.0]


def test_no_question_asks_about_a_bare_verb() -> None:
    text = "2022年，全区组织 12 次，采用 5 种。全区中职学校招生 1061 人。"
    asked = {g.source for g in generate(_with_a_table(text), REPORT, per_report=20, seed=1)}
    assert asked == {"r.txt:1:1061 人", "r.txt:9:1061"}  # a verb the tables use as a measure (招生) is asked


def test_a_withheld_question_keeps_no_frame_or_rules_reading_stating_its_answer_even_rounded() -> None:
    frames = _frames("全区中职毕业生就业率 57.35%，表中记为 57.4%，升学率 33%。")
    scored = tuple(Scored(f, 0.0, {}) for f in frames)
    rules = (((57.35, "%"), 1.5), ((57.4, "%"), 1.2), ((33.0, "%"), 0.4))
    examples = [Example("毕业生就业率是多少", "r.txt", (57.35, "%"), scored, rules)] * WITHHELD_EVERY
    variants = withheld(examples)
    assert len(variants) == 1 and variants[0].answer is None
    assert [s.frame.value for s in variants[0].scored] == [33.0]
    assert variants[0].rules == (((33.0, "%"), 0.4),)  # the rules answerer's readings are withheld alike
