"""Small reports built in code: a prose chunk and table facts, for the audit's pure functions."""

from __future__ import annotations

from rag.types import Chunk, ReportInfo, Table, TableFact, TableRow

FILE = "sample-2022.txt"


def info(level: str = "中职", data_year: int = 2022) -> ReportInfo:
    return ReportInfo(
        doc_id="doc1",
        file=FILE,
        title="示例区中等职业教育质量年度报告",
        region="示例区",
        report_year=data_year + 1,
        data_year=data_year,
        level=level,
        content_hash="h",
    )


def prose(text: str, line: int = 10, section: str = "1.1 规模") -> Chunk:
    return Chunk(
        id=f"p{line}",
        doc_id="doc1",
        file=FILE,
        kind="prose",
        text=text,
        context="",
        section=section,
        line_start=line,
        line_end=line,
        region="示例区",
        year=2022,
    )


def fact(
    row: str,
    column: str,
    raw: str,
    *,
    table: str = "1-1",
    line: int = 40,
    year: int | None = 2022,
    unit: str = "人",
    title: str = "学生总体规模",
) -> TableFact:
    value = float(raw.rstrip("%")) if raw.rstrip("%").replace(".", "").lstrip("-").isdigit() else None
    return TableFact(
        id=f"{table}:{row}:{column}",
        doc_id="doc1",
        file=FILE,
        region="示例区",
        year=year,
        table=table,
        title=title,
        row=row,
        column=column,
        raw=raw,
        value=value,
        unit=unit,
        line=line,
    )


def table(number: str, title: str, columns: tuple[str, ...], line: int = 30) -> Table:
    return Table(
        id=f"t{number}",
        doc_id="doc1",
        number=number,
        title=title,
        unit="",
        columns=columns,
        rows=(TableRow(label="专任教师", cells=("1", "2"), line=line + 2),),
        line_start=line,
        line_end=line + 3,
    )
