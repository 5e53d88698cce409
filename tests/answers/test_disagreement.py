"""Answers built on a figure their sources state differently: both figures shown with their
citations, the answer still grounded; on the bundled reports (within one report) and on a corpus
of one report and its copy a year later (across reports)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pytest
from corpora import ingested

from rag import compose, disagreement, grounding
from rag.answering import UNVERIFIED, answer
from rag.compose import cite
from rag.query import parse_query
from rag.services import Services
from rag.settings import BUNDLED_REPORTS, Settings
from rag.types import Answer

pytestmark = pytest.mark.integration
_YEAR = re.compile(r"(?<![\d.])(20[12]\d)(?=\s*(?:年|学年|级|届|[-—）)]))")


def test_the_2025_beijing_teachers_show_text_and_table(services: Services) -> None:
    got = answer("2025年北京高职院校专任教师数是多少？", services)
    assert got.value == 4993 and got.grounded and UNVERIFIED not in got.text
    assert "报告中此数据有两处不一致：正文为4993人[1]，表2-1为5173人[2]。" in got.text
    (found,) = got.disagreements
    assert found.scope == "report"
    assert [(f.value, f.citation, f.where) for f in found.figures] == [(4993, 1, "正文"), (5173, 2, "表2-1")]
    cited = {c.n: (c.file, c.line) for c in got.citations}
    assert cited == {1: ("beijing-zhiye-2025.txt", 503), 2: ("beijing-zhiye-2025.txt", 529)}
    assert "5173" in got.citations[1].quote


def test_the_learned_rankers_answer_gets_the_same_note(services: Services) -> None:
    """The ranked answerer's answer as it composes it (whether the model is confident enough to
    give it depends on the trained artefact): here the 812 of 表1-1."""
    question = "2021年昌平区中职毕业生有多少人？"
    query = parse_query(question)
    frame = next(f for f in services.retriever.frames(_doc_id(services, "changping-zhongzhi-2023.txt"))
                 if f.fact is not None and f.value == 812)
    stated = compose.stated(query, services.retriever.retrieve(query), frame, confidence=0.99)
    got = grounding.check(disagreement.annotate(stated, services))
    assert got.value == 812 and got.grounded
    assert "报告中此数据有两处不一致：表1-1为812人[1]，表5-1为804人[2]。" in got.text
    assert (got.citations[1].file, got.citations[1].line) == ("changping-zhongzhi-2023.txt", 288)


def test_an_llm_answer_citing_the_table_cell_gets_the_text_figure(services: Services) -> None:
    """Whichever answerer chose the figure: here an LLM's answer citing 表2-1's 5173."""
    frame = next(f for f in services.retriever.frames(_doc_id(services, "beijing-zhiye-2025.txt"))
                 if f.line == 529 and f.value == 5173)
    said = "2025年北京高职院校有专任教师5173人[1]。"
    asked = "2025年北京高职院校专任教师多少人？"
    draft = Answer(asked, said, 5173, "人", False, "llm", (cite(1, frame),), ())
    got = grounding.check(disagreement.annotate(draft, services))
    assert got.grounded and got.value == 5173
    assert "表2-1为5173人[1]，正文为4993人[2]" in got.text
    assert got.citations[1].line == 503 and "4993" in got.citations[1].quote


def test_a_sum_of_parts_is_shown_with_its_formula_and_stays_grounded(services: Services) -> None:
    got = answer("2025年北京各类职业院校专任教师总数是多少人？", services)
    assert got.value == 9797 and got.grounded
    assert "表2-1各项之和为4804 + 5173 = 9977人[2]" in got.text


def test_only_the_cited_figure_counts_not_its_neighbours_or_a_sum_it_is_part_of(services: Services) -> None:
    outside = answer("2025年北京高职院校校外实践教学场所有多少个？", services)
    assert outside.value == 2102
    assert [f.value for d in outside.disagreements for f in d.figures] == [2102, 2129]
    assert "1953" not in outside.text.split("\n")[-1]
    part = answer("2025年北京高职院校开发并被国外采用的课程标准有多少个？", services)
    assert part.value == 204 and not part.disagreements and "不一致" not in part.text


def test_an_uncontested_figure_gets_no_note(services: Services) -> None:
    got = answer("2022年昌平区中职学校招生多少人？", services)
    assert got.value == 1061 and not got.disagreements and "不一致" not in got.text


@pytest.fixture(scope="module")
def two_years(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """昌平's 2023 and 朝阳's 2022 reports, each with a copy of it with every year one later (as
    ``benchmarks/scale.py`` makes them): both state the previous year, the copy's figure being the
    original's own from a year before."""
    root = tmp_path_factory.mktemp("two-years")
    reports = root / "reports"
    reports.mkdir()
    for name, later in (("changping-zhongzhi-2023.txt", "changping-zhongzhi-2024.txt"),
                        ("chaoyang-zhongzhi-2022.txt", "chaoyang-zhongzhi-2023.txt")):
        source = BUNDLED_REPORTS / name
        shutil.copyfile(source, reports / name)
        shifted = _YEAR.sub(lambda m: str(int(m.group(1)) + 1), source.read_text(encoding="utf-8"))
        (reports / later).write_text(shifted, encoding="utf-8")
    with ingested(Settings(home=root / "home", reports_dir=reports)) as built:
        yield built


def test_a_figure_from_an_older_report_is_restated_from_the_latest(two_years: Services) -> None:
    older = _doc_id(two_years, "changping-zhongzhi-2023.txt")
    frame = next(f for f in two_years.retriever.frames(older) if f.line == 61 and f.value == 589)
    draft = Answer("2022年昌平区中职毕业生多少人？", f"答：{frame.raw} 人。[1]", frame.value, "人", False,
                   "extractive", (cite(1, frame),), ())
    got = grounding.check(disagreement.annotate(draft, two_years))
    assert (frame.value, got.value) == (589, 812) and got.grounded
    assert got.text.startswith("答：812 人。")
    files = [c.file for c in got.citations[:2]]
    assert files == ["changping-zhongzhi-2024.txt", "changping-zhongzhi-2023.txt"]
    across = next(d for d in got.disagreements if d.scope == "reports")
    assert [(f.value, f.citation) for f in across.figures] == [(812, 1), (589, 2)]
    assert "以最新的《北京市昌平区中等职业教育质量年度报告（2024）》为准" in got.text


def test_an_llm_answer_from_an_older_report_keeps_its_words_and_gets_the_note(two_years: Services) -> None:
    older = _doc_id(two_years, "changping-zhongzhi-2023.txt")
    frame = next(f for f in two_years.retriever.frames(older) if f.line == 61 and f.value == 589)
    draft = Answer("2022年昌平区中职毕业生多少人？", "2022年毕业生589人[1]。", 589, "人", False, "llm",
                   (cite(1, frame),), ())
    got = grounding.check(disagreement.annotate(draft, two_years))
    assert got.value == 589 and got.text.startswith("2022年毕业生589人[1]。") and got.grounded
    across = next(d for d in got.disagreements if d.scope == "reports")
    assert [(f.value, f.citation) for f in across.figures] == [(812, 2), (589, 1)]
    assert got.citations[1].file == "changping-zhongzhi-2024.txt"


def test_a_year_comparison_shows_the_reports_disagreeing(two_years: Services) -> None:
    got = answer("昌平区中职学校2023年毕业生比2022年多了多少人？", two_years)
    assert got.value == 223 and got.computation.startswith("812 - 589") and got.grounded
    across = next(d for d in got.disagreements if d.scope == "reports")
    assert sorted(f.value for f in across.figures) == [589, 812]
    assert across.figures[0].where.endswith("（2024）")
    files = {c.file for c in got.citations}
    assert files == {"changping-zhongzhi-2023.txt", "changping-zhongzhi-2024.txt"}


def _doc_id(services: Services, file: str) -> str:
    return next(d.doc_id for d in services.index.documents() if d.file == file)


def test_a_comparison_takes_last_years_figure_from_the_latest_reports_text(two_years: Services) -> None:
    """The 2023 copy says 「“双师型”教师数由 2021 年的 217 人增长为 231 人」; the 2022 report's table
    gives 231 for 2021. The latest report's 217 is preferred, in both the formula and the note."""
    got = answer("朝阳区“双师型”教师数比2021年增加了多少人？", two_years)
    assert got.value == 14 and got.computation == "231 - 217 = 14 人" and got.grounded
    (across,) = got.disagreements
    assert [f.value for f in across.figures] == [217, 231]
    cited = {c.n: c.file for c in got.citations}
    assert cited[across.figures[1].citation] == "chaoyang-zhongzhi-2022.txt"
    assert {cited[1], cited[2]} == {"chaoyang-zhongzhi-2023.txt"}
