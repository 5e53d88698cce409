from __future__ import annotations

from pathlib import Path

from evals.cell_check import (
    GroundCell,
    check_cells,
    format_report,
    label_key,
    load_ground_truth,
    overall,
    run,
    table_key,
    table_scores,
)
from rag.types import ParsedDocument, ReportInfo, Table, TableFact, TableRow

REPO = Path(__file__).resolve().parents[2]
CELL_ACCURACY_FLOOR = 1.0
"""What the parser achieves: every one of the 821 hand-checked cells; a lost cell is a regression."""


def fact(
    row: str, column: str, raw: str, value: float | None, *, table: str = "2-1", line: int = 10
) -> TableFact:
    return TableFact(id=f"{row}{column}", doc_id="d", file="r.txt", region="", year=None, table=table,
                     title="", row=row, column=column, raw=raw, value=value, unit="", line=line)


def doc(*facts: TableFact, tables: tuple[Table, ...] = ()) -> ParsedDocument:
    info = ReportInfo("d", "r.txt", "t", "", None, None, "", "h")
    return ParsedDocument(info, (), tables, facts)


def cell(row: str, column: str, value: str, *, table: str = "2-1", unit: str = "人") -> GroundCell:
    return GroundCell("r.txt", table, row, column, value, unit, 10)


def test_labels_match_loosely() -> None:
    assert label_key("专任教师“双师”人数（人）") == "专任教师双师人数人"
    assert label_key("招生·小计") == label_key("招生 小计")
    assert label_key("A+") != label_key("A") != label_key("A-")
    assert table_key("表 2－1") == table_key("2-1") == "2-1"


def test_row_and_column_containment_and_value() -> None:
    facts = doc(
        fact("开设专业总数（个）", "高职院校", "676", 676),
        fact("开设专业总数（个）", "中职学校", "461", 461),
    )
    cells = [cell("开设专业总数", "高职院校", "676"), cell("开设专业总数", "中职学校", "676")]
    results = check_cells(cells, [facts])
    assert [r.ok for r in results] == [True, False]
    assert "461" in results[1].found


def test_exact_label_beats_containment() -> None:
    facts = doc(fact("A+", "数量", "19", 19), fact("A", "数量", "18", 18))
    assert check_cells([cell("A", "数量", "19")], [facts])[0].ok is False
    assert check_cells([cell("A", "数量", "18")], [facts])[0].ok is True


def test_group_prefix_is_required_when_the_ground_truth_has_one() -> None:
    facts = doc(fact("小计", "2017年", "24918", 24918))
    assert not check_cells([cell("招生·小计", "2017年", "24918")], [facts])[0].ok
    grouped = doc(fact("招生·小计", "2017 年", "24918", 24918))
    assert check_cells([cell("招生·小计", "2017年", "24918")], [grouped])[0].ok


def test_row_found_by_a_text_cell_on_the_same_line() -> None:
    table = Table("t", "d", "2-4", "", "部", ("学校名称", "入选数量(部)"),
                  (TableRow("23", ("北京市商业学校", "8"), 10),), 9, 11)
    facts = doc(fact("23", "入选数量(部)", "8", 8, table="2-4"), tables=(table,))
    assert check_cells([cell("北京市商业学校", "入选数量", "8", table="2-4")], [facts])[0].ok


def test_units_and_text_cells() -> None:
    facts = doc(fact("毕业生", "2025年", "2.41万", None), fact("学校", "名称", "北京市昌平职业学校", None))
    assert check_cells([cell("毕业生", "2025年", "24100")], [facts])[0].ok
    assert check_cells([cell("学校", "名称", "北京市昌平职业学校", unit="")], [facts])[0].ok


def test_missing_table_is_reported() -> None:
    results = check_cells([cell("x", "y", "1", table="9-9")], [doc(fact("x", "y", "1", 1))])
    assert results[0].found == "table not extracted"
    assert table_scores(results)[0].accuracy == 0.0
    assert "Cell accuracy: 0.0%" in format_report(results)


def test_ground_truth_covers_every_table_a_question_cites() -> None:
    import json
    import re

    cells = load_ground_truth()
    covered = {(c.file, table_key(c.table)) for c in cells}
    files = (REPO / "evals" / "dev-questions.jsonl", REPO / "evals" / "questions-extra.jsonl")
    lines = [line for f in files for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    for line in lines:
        source = json.loads(line)["source"]
        if source.get("table"):
            number = re.match(r"表\s*([0-9]+(?:-[0-9]+)?)", source["table"])
            assert number, source["table"]
            assert (source["file"], table_key(number.group(1))) in covered, source


def test_cell_accuracy_on_the_bundled_reports_meets_the_floor() -> None:
    results = run()
    assert len(results) >= 800
    assert overall(results) >= CELL_ACCURACY_FLOOR, format_report(results)
