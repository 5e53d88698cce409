"""Year labels in a table's header that contradict its title or the report's years."""

from __future__ import annotations

from collections.abc import Sequence

from rag.audit.findings import Finding, Source
from rag.audit.measures import years_in
from rag.types import ReportInfo, Table


def header_years(
    tables: Sequence[Table], info: ReportInfo, lines: Sequence[str] | None = None
) -> list[Finding]:
    """A finding per table whose column years fall outside its title's years, or after the report's."""
    found = []
    for table in tables:
        columns = sorted({y for column in table.columns for y in years_in(column)})
        titled = years_in(table.title)
        if not columns:
            continue
        latest = (
            max(y for y in (info.report_year, info.data_year, *titled) if y)
            if (info.report_year or titled)
            else None
        )
        outside = [y for y in columns if titled and not min(titled) <= y <= max(titled)]
        late = [y for y in columns if latest is not None and y > latest]
        if outside or late:
            found.append(
                _finding(table, info, columns, titled, outside or late, _header_line(table, columns, lines))
            )
    return found


def _finding(
    table: Table, info: ReportInfo, columns: list[int], titled: list[int], wrong: list[int], header_line: int
) -> Finding:
    span = (
        f"{min(titled)}—{max(titled)} 年" if len(set(titled)) > 1 else (f"{titled[0]} 年" if titled else "")
    )
    said = f"标题为 {span}" if titled else f"报告年份为 {info.report_year} 年"
    title = Source(
        file=info.file,
        line=table.line_start,
        quote=f"表{table.number} {table.title}",
        value=None,
        raw=span or str(info.report_year),
        table=table.number,
        doc_id=info.doc_id,
    )
    header = Source(
        file=info.file,
        line=header_line,
        quote="表头：" + "　".join(table.columns),
        value=None,
        raw="、".join(str(y) for y in columns),
        table=table.number,
        doc_id=info.doc_id,
    )
    return Finding(
        kind="year",
        measure=f"表{table.number} 表头年份",
        year=None,
        unit="年",
        first=title,
        second=header,
        difference=None,
        detail=f"{said}，表头却为 {'、'.join(map(str, columns))} 年（{'、'.join(map(str, wrong))} 不符）",
    )


def _header_line(table: Table, columns: list[int], lines: Sequence[str] | None) -> int:
    """The line of the table's header naming its years (the title's line when the text is unknown)."""
    end = table.rows[0].line if table.rows else table.line_end
    for n in range(table.line_start + 1, min(end, len(lines or ())) + 1):
        if lines and all(str(y) in lines[n - 1] for y in columns):
            return n
    return table.line_start
