"""Cell accuracy of table extraction: ingestion's TableFacts against hand-checked ground-truth cells.

A ground-truth cell is matched by the extracted facts of the same file and table number whose row
and column labels match loosely (NFKC, whitespace and punctuation ignored; the ground-truth label
equal to, or contained in, the extracted one; a row may also be recognised by a text cell of the
same source line, e.g. a school name next to its serial number). Among the best-matching facts,
one must hold the same value. A report is matched by file stem, so the ground truth of
``changping-zhongzhi-2023.txt`` checks ``changping-zhongzhi-2023.pdf`` too.
Run: ``python -m evals.cell_check [--reports DIR]``.
"""

from __future__ import annotations

import csv
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rag.errors import InputError
from rag.numbers import Quantity, normalize, parse_quantity
from rag.settings import BUNDLED_REPORTS
from rag.types import ParsedDocument, Table, TableFact

if TYPE_CHECKING:
    from rag.index import Index

GROUND_TRUTH_DIR = Path(__file__).resolve().parent / "ground_truth"
_KEEP = "+-%"


@dataclass(frozen=True)
class GroundCell:
    """One table cell as checked by hand against the report text."""

    file: str
    table: str
    row: str
    column: str
    value: str
    unit: str
    line: int

    @property
    def number(self) -> float | None:
        """The cell's value as a number, or None for a text cell."""
        try:
            return float(self.value)
        except ValueError:
            return None


@dataclass(frozen=True)
class CellResult:
    cell: GroundCell
    ok: bool
    found: str
    """What extraction gave for this cell, for people reading the report."""


@dataclass(frozen=True)
class TableScore:
    file: str
    table: str
    cells: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.cells if self.cells else 0.0


def load_ground_truth(directory: Path = GROUND_TRUTH_DIR) -> list[GroundCell]:
    """Every ground-truth cell in the CSV files of ``directory``."""
    cells = []
    for path in sorted(directory.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                cells.append(_cell(row, path.name))
    return cells


def _cell(row: Mapping[str, str], where: str) -> GroundCell:
    try:
        return GroundCell(row["file"], row["table"], row["row"], row["column"], row["value"],
                          row["unit"], int(row["line"]))
    except (KeyError, ValueError) as exc:
        raise InputError(f"{where}: malformed ground-truth row {dict(row)}") from exc


def label_key(label: str) -> str:
    """A label reduced for loose matching: NFKC, no whitespace, no punctuation but + - %."""
    text = normalize(label)
    return "".join(c for c in text if c in _KEEP or not (c.isspace() or _is_punct(c)))


def table_key(number: str) -> str:
    """A table number reduced for matching: '表 2-1' and '2－1' both give '2-1'."""
    return re.sub(r"[\s表：:]", "", normalize(number)).replace("—", "-").replace("–", "-")


def check_cells(cells: Sequence[GroundCell], docs: Iterable[ParsedDocument]) -> list[CellResult]:
    """One result per ground-truth cell, matched against the facts of ``docs``."""
    docs = list(docs)
    facts = [fact for doc in docs for fact in doc.facts]
    tables = [(doc.info.file, table) for doc in docs for table in doc.tables]
    return match_cells(cells, facts, tables)


def check_index(cells: Sequence[GroundCell], index: Index) -> list[CellResult]:
    """Results for the ground-truth cells of the reports in ``index``, against what it holds."""
    docs = index.documents()
    files = {_stem(doc.file) for doc in docs}
    facts = [fact for doc in docs for fact in index.facts(doc_id=doc.doc_id)]
    tables = [(doc.file, table) for doc in docs for table in index.tables(doc.doc_id)]
    return match_cells([c for c in cells if _stem(c.file) in files], facts, tables)


def _stem(file: str) -> str:
    return file.rsplit(".", 1)[0]


def match_cells(
    cells: Sequence[GroundCell], facts: Iterable[TableFact], tables: Iterable[tuple[str, Table]]
) -> list[CellResult]:
    """One result per ground-truth cell, matched against ``facts`` ((file, table) pairs give row text)."""
    by_table: dict[tuple[str, str], list[TableFact]] = defaultdict(list)
    for fact in facts:
        by_table[(_stem(fact.file), table_key(fact.table))].append(fact)
    rows = _row_texts(tables)
    return [_check(cell, by_table.get((_stem(cell.file), table_key(cell.table)), []), rows) for cell in cells]


def _row_texts(tables: Iterable[tuple[str, Table]]) -> dict[tuple[str, str, int], str]:
    return {
        (_stem(file), table_key(t.number), row.line): label_key(row.label + "".join(row.cells))
        for file, t in tables
        for row in t.rows
    }


def _check(cell: GroundCell, facts: list[TableFact], rows: Mapping[tuple[str, str, int], str]) -> CellResult:
    if not facts:
        return CellResult(cell, False, "table not extracted")
    ranked = []
    for fact in facts:
        row_tier = _row_tier(cell, fact, rows)
        col_tier = _tier(label_key(cell.column), label_key(fact.column))
        if row_tier is not None and col_tier is not None:
            ranked.append((row_tier + col_tier, fact))
    if not ranked:
        return CellResult(cell, False, "no row/column match")
    best = min(tier for tier, _ in ranked)
    candidates = [fact for tier, fact in ranked if tier == best]
    ok = any(_same_value(cell, fact) for fact in candidates)
    found = " | ".join(dict.fromkeys(f"{f.row}/{f.column}={f.raw}" for f in candidates))
    return CellResult(cell, ok, found)


def _tier(want: str, got: str) -> int | None:
    if want == got:
        return 0
    return 1 if want in got else None


def _row_tier(cell: GroundCell, fact: TableFact, rows: Mapping[tuple[str, str, int], str]) -> int | None:
    want = label_key(cell.row)
    tier = _tier(want, label_key(fact.row))
    if tier is not None:
        return tier
    row_text = rows.get((_stem(fact.file), table_key(fact.table), fact.line), "")
    return 2 if want and want in row_text else None


def _same_value(cell: GroundCell, fact: TableFact) -> bool:
    number = cell.number
    if number is None:
        return label_key(cell.value) in label_key(fact.raw)
    if fact.value is not None and abs(fact.value - number) <= 1e-9 * max(1.0, abs(number)):
        return True
    parsed = parse_quantity(fact.raw)
    if parsed is None or not parsed.unit:
        return False
    return abs(parsed.base()[0] - Quantity(number, cell.unit, "", 0, 0).base()[0]) <= 1e-6


def table_scores(results: Sequence[CellResult]) -> list[TableScore]:
    """Cell accuracy per (file, table), in ground-truth order."""
    counts: dict[tuple[str, str], list[int]] = {}
    for result in results:
        tally = counts.setdefault((result.cell.file, result.cell.table), [0, 0])
        tally[0] += 1
        tally[1] += int(result.ok)
    return [TableScore(file, table, n, ok) for (file, table), (n, ok) in counts.items()]


def parse_reports(files: Iterable[str], reports_dir: Path = BUNDLED_REPORTS) -> list[ParsedDocument]:
    """The named reports, loaded and parsed by ingestion exactly as `nianbao ingest` does."""
    from ingestion.loaders import load
    from ingestion.parse import parse

    present = {_stem(path.name): path for path in sorted(reports_dir.iterdir()) if path.is_file()}
    wanted = sorted({_stem(name) for name in files} & set(present))
    return [parse(load(present[stem])) for stem in wanted]


def run(ground_truth_dir: Path = GROUND_TRUTH_DIR, reports_dir: Path = BUNDLED_REPORTS) -> list[CellResult]:
    """Ground truth checked against ingestion's extraction of the bundled reports."""
    cells = load_ground_truth(ground_truth_dir)
    return check_cells(cells, parse_reports((c.file for c in cells), reports_dir))


def overall(results: Sequence[CellResult]) -> float:
    """Share of ground-truth cells extracted correctly."""
    return sum(r.ok for r in results) / len(results) if results else 0.0


def format_report(results: Sequence[CellResult], *, misses: int = 20) -> str:
    """A Markdown report: accuracy per table, overall, and the first ``misses`` wrong cells."""
    lines = ["| report | table | cells | correct | accuracy |", "| --- | --- | ---: | ---: | ---: |"]
    for s in table_scores(results):
        lines.append(f"| {s.file} | {s.table} | {s.cells} | {s.correct} | {s.accuracy:.1%} |")
    correct = sum(r.ok for r in results)
    lines.append(f"\n**Cell accuracy: {overall(results):.1%}** ({correct}/{len(results)} cells)")
    wrong = [r for r in results if not r.ok][:misses]
    if wrong:
        lines += ["", "| report | table | row | column | expected | extracted |", "|" + " --- |" * 6]
        for r in wrong:
            c = r.cell
            lines.append(f"| {c.file} | {c.table} | {c.row} | {c.column} | {c.value} | {r.found} |")
    return "\n".join(lines)


def _is_punct(char: str) -> bool:
    return unicodedata.category(char).startswith(("P", "S"))


def main(argv: Sequence[str] | None = None) -> int:
    """Print the cell-accuracy report for the bundled reports (or the same reports in ``--reports``)."""
    import argparse

    parser = argparse.ArgumentParser(description="table cells extracted vs hand-checked cells")
    parser.add_argument("--reports", type=Path, default=BUNDLED_REPORTS,
                        help="folder with the reports (.txt or .pdf, matched by file stem)")
    args = parser.parse_args(argv)
    print(format_report(run(reports_dir=args.reports)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
