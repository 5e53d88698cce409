from __future__ import annotations

from dataclasses import replace

from rag.query import parse_query
from rag.retriever import fuse, select_documents
from rag.types import Chunk, Hit, ReportInfo


def _hit(cid: str) -> Hit:
    chunk = Chunk(cid, "d", "f.txt", "prose", cid, "", "", 1, 1, "", None)
    return Hit(chunk, 0.0)


def test_rrf_sums_weighted_reciprocal_ranks() -> None:
    fused = fuse({"bm25": [_hit("a"), _hit("b")], "dense": [_hit("b"), _hit("c")]},
                 weights={"bm25": 1.0, "dense": 0.5}, k=60)
    assert [h.chunk.id for h in fused] == ["b", "a", "c"]
    assert fused[0].score == 1.0 / 62 + 0.5 / 61
    assert fused[0].ranks == {"bm25": 2, "dense": 1}


def test_rrf_weight_zero_ignores_a_ranking() -> None:
    fused = fuse({"bm25": [_hit("a")], "dense": [_hit("z")]}, weights={"bm25": 1.0, "dense": 0.0})
    assert fused[0].chunk.id == "a"


def test_rrf_of_nothing_is_empty() -> None:
    assert fuse({}, weights={}) == []


def _doc(doc_id: str, region: str, report_year: int, data_year: int) -> ReportInfo:
    return ReportInfo(doc_id, f"{doc_id}.txt", doc_id, region, report_year, data_year, "中职", doc_id)


DOCS = [
    replace(_doc("bj2025", "北京市", 2025, 2025), level="职业教育"),
    _doc("bj2020", "北京市", 2020, 2020),
    _doc("cp", "昌平区", 2023, 2022),
]


def _chosen(question: str) -> list[str]:
    return [d.doc_id for d in select_documents(parse_query(question), DOCS)[0]]


def test_documents_chosen_by_region_and_data_year() -> None:
    assert _chosen("2017年北京市中职招生多少人？") == ["bj2020"]
    assert _chosen("2024年北京专任教师多少人？") == ["bj2025"]
    assert _chosen("昌平区2023年度报告招生多少人？") == ["cp"]


def test_uncovered_region_or_year_is_a_reason_to_refuse() -> None:
    docs, reason = select_documents(parse_query("2024年海淀区中职招生多少人？"), DOCS)
    assert docs == [] and "海淀区" in reason
    docs, reason = select_documents(parse_query("2030年昌平区中职招生多少人？"), DOCS)
    assert docs == [] and reason


def test_a_level_the_report_does_not_cover_is_a_reason_to_refuse() -> None:
    docs, reason = select_documents(parse_query("2022年昌平区高职院校招生多少人？"), DOCS)
    assert docs == [] and "高职" in reason
    assert _chosen("2020年北京市高职院校招生多少人？") == ["bj2025"]


def test_lexicon_weights_of_empty_and_one_character_text() -> None:
    from rag.retriever import Lexicon

    lexicon = Lexicon.from_texts(["副高级职称", "正高级职称"])
    assert lexicon.weights("") == {}
    assert "副高" in lexicon.weights("副高级")
