"""Sources shaped like the 昌平 report, shared by the LLM tests and benchmarks/llm_faults.py."""

from __future__ import annotations

from rag.types import Chunk, Hit, TableFact

FILE = "changping-2023.txt"
CONTEXT = "昌平区中等职业教育质量年度报告（2023）\n昌平区｜2022年\n1.1 规模和结构"

ROW = Chunk(
    id="c-row", doc_id="d1", file=FILE, kind="table_row",
    text="招生总人数\t1,200\t1,061\t-139\t-11.58%", context=f"{CONTEXT}\n表 1-1 学生总体规模",
    section="1.1 规模和结构", line_start=6, line_end=6, region="昌平区", year=2022, table="1-1",
)
PROSE = Chunk(
    id="c-prose", doc_id="d1", file=FILE, kind="prose",
    text="1.1 规模和结构\n2022 年昌平区共有 1061 名学生被中等职业学校录取，职普比为 0.26 : 0.74。",
    context=CONTEXT, section="1.1 规模和结构", line_start=2, line_end=3, region="昌平区", year=2022,
)


def fact(column: str, raw: str, value: float, year: int) -> TableFact:
    return TableFact(
        id=f"f-{year}", doc_id="d1", file=FILE, region="昌平区", year=year, table="1-1",
        title="昌平区中等职业教育学生总体规模", row="招生总人数", column=column, raw=raw, value=value,
        unit="人", line=6,
    )


FACTS = (fact("2022年", "1,061", 1061.0, 2022), fact("2021年", "1,200", 1200.0, 2021))
HITS = (Hit(ROW, 1.0), Hit(PROSE, 0.5))
REAL_CHUNK_IDS = {ROW.id, PROSE.id}
