"""Report selection when a region has reports for several years: every report stating an asked
year is considered, the latest first."""

from __future__ import annotations

from rag.query import parse_query
from rag.retriever import Coverage, Retriever, select_documents, stated_years
from rag.types import Chunk, Hit, ReportInfo, SearchFilter, TableFact


def _doc(doc_id: str, data_year: int, *, region: str = "昌平区", level: str = "中职") -> ReportInfo:
    return ReportInfo(doc_id, f"{doc_id}.txt", doc_id, region, data_year + 1, data_year, level, doc_id)


DOCS = [_doc("cp2022", 2022), _doc("cp2023", 2023), _doc("cp2024", 2024),
        _doc("cy2024", 2024, region="朝阳区")]
COVERAGE: Coverage = {
    "cp2022": frozenset({2020, 2021, 2022}),
    "cp2023": frozenset({2022, 2023}),
    "cp2024": frozenset({2022, 2023, 2024, 2025}),
    "cy2024": frozenset({2023, 2024}),
}


def _chosen(question: str, coverage: Coverage | None = COVERAGE) -> list[str]:
    docs, reason = select_documents(parse_query(question), DOCS, coverage)
    assert not reason
    return [d.doc_id for d in docs]


def test_every_report_stating_the_year_is_considered_latest_first() -> None:
    assert _chosen("2022年昌平区中职学校招生多少人？") == ["cp2024", "cp2023", "cp2022"]
    assert _chosen("2023年昌平区中职学校招生多少人？") == ["cp2024", "cp2023"]
    assert _chosen("2020年昌平区中职学校招生多少人？") == ["cp2022"]


def test_a_comparison_prefers_reports_stating_both_years() -> None:
    assert _chosen("昌平区中职学校2022年招生人数比2020年多了多少？") == ["cp2022", "cp2024", "cp2023"]
    assert _chosen("昌平区中职学校2024年招生人数比2022年多了多少？") == ["cp2024", "cp2023", "cp2022"]
    assert _chosen("昌平区中职学校2023年招生人数比2021年多了多少？") == ["cp2024", "cp2023", "cp2022"]


def test_a_year_after_a_reports_own_data_year_does_not_count_as_stated() -> None:
    # cp2024 names 2025 (plans), but its data end in 2024: no report has 2025 data.
    docs, reason = select_documents(parse_query("2025年昌平区中职学校招生多少人？"), DOCS, COVERAGE)
    assert docs == [] and "2025" in reason


def test_a_year_no_report_states_falls_back_to_the_nearest_later_report() -> None:
    # 2021's figure may still be given as a change in the next report (比上一年减少139人).
    assert _chosen("2021年昌平区中职学校招生多少人？", {"cp2022": frozenset({2022})}) == ["cp2022"]
    assert _chosen("2022年昌平区中职学校招生多少人？", None) == ["cp2022"]


def test_a_lookup_naming_several_regions_is_not_answered_by_one_of_them() -> None:
    docs, reason = select_documents(parse_query("中职招生 朝阳2024 + 昌平2023 合计"), DOCS, COVERAGE)
    assert docs == [] and "朝阳区、昌平区" in reason
    assert _chosen("昌平区中职学校2023年招生人数比朝阳区多多少？")  # a comparison names both


def test_region_and_level_still_decide_first() -> None:
    assert _chosen("2023年朝阳区中职学校招生多少人？") == ["cy2024"]
    docs, reason = select_documents(parse_query("2023年昌平区高职院校招生多少人？"), DOCS, COVERAGE)
    assert docs == [] and "高职" in reason


def test_without_a_year_the_latest_report_of_each_level_is_meant() -> None:
    assert _chosen("昌平区中职学校招生多少人？") == ["cp2024"]
    beijing = [_doc("bj2020", 2020, region="北京市"), _doc("bj2025", 2025, region="北京市", level="职业教育")]
    docs, _ = select_documents(parse_query("北京市职业院校招生多少人？"), beijing, None)
    assert [d.doc_id for d in docs] == ["bj2025", "bj2020"]


def test_stated_years_come_from_facts_and_text() -> None:
    fact = TableFact("f", "d", "d.txt", "昌平区", 2021, "1-1", "招生", "总人数", "2021年", "900", 900.0,
                     "人", 3, None)
    texts = ["2023年昌平区招生1061人，比2022 年减少139人。", "共有12所学校，1999人"]
    assert stated_years([fact], texts) == frozenset({2021, 2022, 2023})


class _Reports:
    """An in-memory SearchIndex: reports with their prose chunks (no search hits)."""

    def __init__(self, texts: dict[ReportInfo, list[str]]) -> None:
        self._texts = texts
        self.chunk_reads: list[str] = []

    def generation(self) -> str | None:
        return "g1"

    def documents(self) -> list[ReportInfo]:
        return list(self._texts)

    def chunks(self, doc_id: str) -> list[Chunk]:
        self.chunk_reads.append(doc_id)
        doc = next(d for d in self._texts if d.doc_id == doc_id)
        return [
            Chunk(f"{doc_id}-{n}", doc_id, doc.file, "prose", text, "", "", n, n, doc.region, doc.data_year)
            for n, text in enumerate(self._texts[doc], start=1)
        ]

    def facts(self, *, doc_id: str | None = None, region: str | None = None, year: int | None = None,
              table: str | None = None) -> list[TableFact]:
        return []

    def keyword_search(self, query: str, *, k: int, where: SearchFilter | None = None) -> list[Hit]:
        return []

    def dense_search(self, query: str, *, k: int, where: SearchFilter | None = None) -> list[Hit]:
        return []

    def gram_counts(self) -> tuple[dict[str, int], int] | None:
        return None


def test_the_retriever_reads_the_years_the_asked_regions_reports_state() -> None:
    reports = _Reports({
        DOCS[0]: ["2022年昌平区中职学校招生1061人。"],
        DOCS[2]: ["2024年招生1100人，2022年为1061人。"],
        DOCS[1]: ["2023年招生1080人。"],
        DOCS[3]: ["2022年朝阳区招生2345人。"],
    })
    retrieval = Retriever(reports).retrieve(parse_query("昌平区中职学校2024年招生比2022年多多少人？"))
    # cp2023 states neither year; cp2024 states both; 朝阳's report is never read
    assert [d.doc_id for d in retrieval.documents] == ["cp2024", "cp2022"]
    assert "cy2024" not in reports.chunk_reads


def test_a_question_naming_a_school_reads_the_reports_that_name_it() -> None:
    city, district = _doc("bj2025", 2025, region="北京市", level="职业教育"), DOCS[0]
    reports = _Reports({
        city: ["2025年，北京市职业院校资产合计90亿元。"],
        district: ["2022年，北京市昌平职业学校资产合计30678万元。",
                   "北京市昌平职业学校中本贯通毕业班留校读高职段的学生共75人。"],
    })
    retriever = Retriever(reports)

    def chosen(question: str) -> list[str]:
        return [d.doc_id for d in retriever.retrieve(parse_query(question)).documents]

    assert chosen("2022年北京市昌平职业学校资产合计多少万元？") == ["cp2022"]  # 北京市 is the name's
    assert chosen("昌平职业学校留校读高职段的学生有多少人") == ["cp2022"]  # its 高职段 is in its 中职 report
    assert chosen("2025年北京市职业院校资产合计多少？") == ["bj2025"]
