"""The audit's checks on small reports built in code: each kind of contradiction is found with both
citations and its difference, and figures that agree (or measure other things) are left alone."""

from __future__ import annotations

from auditdata import FILE, fact, info, prose, table

from rag.audit import audit_document, contradictions_for
from rag.audit.measures import terms
from rag.audit.render import finding_json, markdown, text
from rag.types import Citation


def run(chunks=(), facts=(), tables=(), level="中职"):  # type: ignore[no-untyped-def]
    return audit_document(info(level), chunks=list(chunks), facts=list(facts), tables=list(tables)).findings


def test_a_prose_figure_that_differs_from_its_table_cell_is_found_with_both_citations() -> None:
    findings = run(
        [prose("2022年，示例区中职学校有专任教师 4993 人，比上一年增加 248 人。")],
        [fact("专任教师数（人）", "2022年", "5173")],
    )
    assert [(f.kind, f.first.raw, f.second.raw, f.difference) for f in findings] == [
        ("text_vs_table", "4993 人", "5173", 180.0)
    ]
    first, second = findings[0].first, findings[0].second
    assert (first.file, first.line, second.line, second.table) == (FILE, 10, 40, "1-1")
    assert "4993" in first.quote and "5173" in second.quote


def test_agreeing_figures_changes_and_approximations_are_not_findings() -> None:
    chunks = [prose("2022年，专任教师 5173 人，比上一年增加 30 人；招生约 1200 人。", line=12)]
    facts = [fact("专任教师数（人）", "2022年", "5173"), fact("招生·总人数", "2022年", "1061", line=41)]
    assert run(chunks, facts) == ()


def test_figures_far_apart_are_taken_to_measure_different_things() -> None:
    chunks = [prose("2022年，示例区中职学校专任教师中，具有硕士学位 825 人。")]
    assert run(chunks, [fact("专任教师数（人）", "2022年", "5173")]) == ()


def test_a_prose_figure_for_all_levels_is_compared_with_the_sum_of_the_level_columns() -> None:
    facts = [fact("行业导师数（人）", "高职院校", "1347"), fact("行业导师数（人）", "中职学校", "256")]
    findings = run([prose("同时，行业导师数量持续扩充，达 1593 人。")], facts, level="职业教育")
    assert [(f.second.raw, f.difference) for f in findings] == [("1347 + 256 = 1603", 10.0)]


def test_listed_parts_are_summed_before_they_are_compared() -> None:
    chunks = [
        prose("2022年，学校年培训超5.8万人次，其中面向社区开展培训22817人次；面向企业开展培训35367人次。")
    ]
    findings = run(chunks, [fact("培训规模·培训人数（人次）", "2022年", "58840", unit="人次")])
    assert [(f.first.raw, f.second.raw) for f in findings] == [("22817人次 + 35367人次 = 58184", "58840")]


def test_two_tables_that_agree_in_one_year_and_differ_in_another_are_found() -> None:
    facts = [
        fact("毕业生规模·总人数（人）", "2021年", "812", year=2021),
        fact("毕业生规模·总人数（人）", "2022年", "589"),
        fact("毕业生总数", "2021年", "804", table="5-1", line=90, year=2021),
        fact("毕业生总数", "2022年", "589", table="5-1", line=90),
    ]
    findings = run(facts=facts)
    assert [(f.kind, f.first.raw, f.second.raw, f.year) for f in findings] == [
        ("table_vs_table", "812", "804", 2021)
    ]


def test_two_tables_that_differ_in_every_year_count_different_things() -> None:
    facts = [
        fact("招生·小计", "2021年", "26133", year=2021),
        fact("招生·小计", "2022年", "21565"),
        fact("中职招生（人）", "2021年", "24854", table="2-2", line=90, year=2021),
        fact("中职招生（人）", "2022年", "20291", table="2-2", line=90),
    ]
    assert run(facts=facts) == ()


def test_a_total_row_off_the_sum_of_its_parts_is_found_when_another_column_adds_up() -> None:
    facts = [
        fact("招生·普通中专", "2021年", "100", year=2021),
        fact("招生·职业高中", "2021年", "50", year=2021),
        fact("招生·小计", "2021年", "150", year=2021),
        fact("招生·普通中专", "2022年", "120"),
        fact("招生·职业高中", "2022年", "60"),
        fact("招生·小计", "2022年", "190"),
    ]
    findings = run(facts=facts)
    assert [(f.kind, f.first.raw, f.second.raw, f.difference) for f in findings] == [
        ("total", "190", "120 + 60 = 180", -10.0)
    ]


def test_shares_off_their_counts_and_shares_not_summing_to_100_are_found() -> None:
    rows = [("博士", "30", "3%"), ("硕士", "170", "17%"), ("本科", "800", "75%")]
    facts = []
    for row, count, share in rows:
        facts.append(fact(row, "2022年·数量（人）", count, table="2-7"))
        facts.append(fact(row, "2022年·占比", share, table="2-7", unit="%"))
    kinds = sorted((f.kind, f.measure) for f in run(facts=facts))
    assert kinds == [("percent_sum", "表2-7·2022年·占比"), ("share", "本科·2022年·占比")]


def test_a_header_year_outside_the_title_years_is_found() -> None:
    tables = [
        table("1-3", "2023-2024年专任教师数量", ("2022", "2023", "增长量")),
        table("1-4", "2023-2024学年专任教师年龄结构", ("2023年·数量（人）", "2024年·占比")),
    ]
    findings = run(tables=tables)
    assert [(f.kind, f.first.raw, f.second.raw) for f in findings] == [("year", "2023—2024 年", "2022、2023")]


def test_contradictions_for_returns_the_findings_citing_a_figure() -> None:
    cell = fact("专任教师数（人）", "2022年", "5173")
    findings = run([prose("2022年，示例区中职学校有专任教师 4993 人。")], [cell])
    assert contradictions_for(cell, findings=findings) == list(findings)
    assert contradictions_for(file=FILE, line=40, value=5173, findings=findings) == list(findings)
    assert contradictions_for(file=FILE, line=40, value=17, findings=findings) == []
    cited = Citation(
        n=1,
        chunk_id="p10",
        doc_id="doc1",
        file=FILE,
        title="",
        section="",
        table="",
        page=None,
        line=10,
        quote="4993 人",
    )
    assert contradictions_for(cited, findings=findings) == list(findings)
    assert contradictions_for(file="other.txt", line=40, findings=findings) == []


def test_findings_render_as_json_text_and_markdown_with_both_citations() -> None:
    findings = run(
        [prose("2022年，示例区中职学校有专任教师 4993 人。")], [fact("专任教师数（人）", "2022年", "5173")]
    )
    payload = finding_json(findings[0])
    assert (payload["label"], payload["first"]["line"], payload["second"]["raw"]) == (
        "正文与表格不一致",
        10,
        "5173",
    )
    assert f"{FILE}:10" in text("示例", FILE, findings) and f"{FILE}:40" in text("示例", FILE, findings)
    assert "| 1 | 正文与表格不一致 |" in markdown("示例", FILE, findings)


def test_label_terms_leave_out_units_years_levels_and_generic_words() -> None:
    assert terms("专任教师“双师”人数（人）") == ("专任教师", "双师")
    assert terms("毕业生规模·总人数（人）") == ("毕业生",)
    assert terms("2025 年·高职院校") == ()
