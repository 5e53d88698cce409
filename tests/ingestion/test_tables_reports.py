"""Table facts recovered from the five bundled reports: every dev `table` question and hand-picked cells."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from ingestion.loaders import load
from ingestion.parse import parse
from rag.numbers import normalize, parse_quantity
from rag.types import ParsedDocument, TableFact

HERE = Path(__file__).parent
DEV_QUESTIONS = HERE.parent.parent / "evals" / "dev-questions.jsonl"

# For each dev question: (what the row label contains, what the column label contains, region).
EXPECTED = {
    "A-001": (["开设专业总数"], ["高职院校"], "北京市"),
    "A-004": (["就业去向落实率"], ["高职院校"], "北京市"),
    "A-006": (["校企合作开发教材数"], ["中职学校"], "北京市"),
    "A-007": (["A+"], ["数量"], "北京市"),
    "A-012": (["北京市商业学校"], ["入选数量"], "北京市"),
    "A-015": (["2025"], ["横向科研经费"], "北京市"),
    "A-017": ([], ["发明专利"], "北京市"),
    "A-020": (["接收国外留学生人数"], ["2025", "高职院校"], "北京市"),
    "A-024": (["2025"], ["校企合作企业总数"], "北京市"),
    "A-027": (["2025"], ["订单培养人数"], "北京市"),
    "B-001": (["普高招生"], ["2024"], "东城区"),
    "B-005": (["固定资产值"], ["2024"], "东城区"),
    "B-012": (["数据"], ["减免学费总额"], "东城区"),
    "B-013": (["双师型教师占比"], ["2024"], "东城区"),
    "B-022": (["招生", "小计"], ["2017"], "北京市"),
    "B-029": (["固定资产值"], ["2019"], "北京市"),
    "B-035": (["副高级"], ["2020", "数量"], "北京市"),
    "B-037": (["双师型教师"], ["2019"], "北京市"),
    "B-038": (["月平均收入"], ["2020"], "北京市"),
    "B-057": (["2020-2021"], ["招生规模"], "朝阳区"),
    "B-059": ([], ["研究生及以上学历"], "朝阳区"),
    "B-062": (["2021"], ["初次就业起薪"], "朝阳区"),
    "B-070": (["招生规模", "总人数"], ["2022"], "昌平区"),
    "B-083": (["京东诚至班"], ["学生人数"], "昌平区"),
}


def _squash(text: str) -> str:
    return re.sub(r"\s", "", normalize(text))


@pytest.fixture(scope="session")
def parsed(reports_dir: Path) -> dict[str, ParsedDocument]:
    return {path.name: parse(load(path)) for path in sorted(reports_dir.glob("*.txt"))}


def _table_questions() -> list[dict]:
    questions = [json.loads(line) for line in DEV_QUESTIONS.read_text(encoding="utf-8").splitlines() if line]
    return [q for q in questions if q["kind"] == "table"]


def _matches(fact: TableFact, row: list[str], column: list[str]) -> bool:
    return all(_squash(r) in _squash(fact.row) for r in row) and all(
        _squash(c) in _squash(fact.column) for c in column
    )


def test_every_dev_table_question_has_an_expectation() -> None:
    assert {q["id"] for q in _table_questions()} <= set(EXPECTED)


@pytest.mark.parametrize("question", _table_questions(), ids=lambda q: q["id"])
def test_dev_table_answer_is_a_fact_with_right_row_column_and_region(
    question: dict, parsed: dict[str, ParsedDocument]
) -> None:
    row, column, region = EXPECTED[question["id"]]
    doc = parsed[question["source"]["file"]]
    value = question["answer"]["value"]
    found = [
        f for f in doc.facts
        if f.value is not None and abs(f.value - value) < 1e-9 and _matches(f, row, column)
    ]
    assert found, f"no fact {value} with row {row} and column {column}"
    assert all(f.region == region for f in found)
    assert question["source"]["line"] in {f.line for f in found}
    assert any(question["source"]["table"].replace(" ", "").startswith(f"表{f.table}") for f in found)


def _picked() -> list[dict[str, str]]:
    with (HERE / "picked_cells.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_picked_cells_cover_all_reports_and_are_many() -> None:
    cells = _picked()
    assert len(cells) >= 30
    assert len({c["file"] for c in cells}) == 5


@pytest.mark.parametrize("cell", _picked(), ids=lambda c: f"{c['file'][:9]}-{c['table']}-{c['row']}")
def test_picked_cell_is_recovered(cell: dict[str, str], parsed: dict[str, ParsedDocument]) -> None:
    doc = parsed[cell["file"]]
    expected = parse_quantity(cell["value"])
    candidates = [
        f for f in doc.facts
        if f.table == cell["table"] and _squash(f.row) == _squash(cell["row"])
        and _squash(cell["column"]) in _squash(f.column)
    ]
    if expected is None:
        assert cell["value"] in {f.raw for f in candidates}
    else:
        assert expected.value in {f.value for f in candidates}


def test_every_fact_points_at_a_source_line_holding_its_raw_text(
    parsed: dict[str, ParsedDocument], reports_dir: Path
) -> None:
    for name, doc in parsed.items():
        lines = load(reports_dir / name).lines
        for fact in doc.facts:
            assert fact.raw in lines[fact.line - 1], (name, fact)


def test_fact_and_chunk_ids_are_stable_and_unique(
    parsed: dict[str, ParsedDocument], reports_dir: Path
) -> None:
    again = parse(load(reports_dir / "changping-zhongzhi-2023.txt"))
    first = parsed["changping-zhongzhi-2023.txt"]
    assert [f.id for f in again.facts] == [f.id for f in first.facts]
    assert [c.id for c in again.chunks] == [c.id for c in first.chunks]
    for doc in parsed.values():
        assert len({f.id for f in doc.facts}) == len(doc.facts)
        assert len({c.id for c in doc.chunks}) == len(doc.chunks)
