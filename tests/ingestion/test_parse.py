"""The parser on small real excerpts: each repair, report metadata, chunks and their contexts."""

from __future__ import annotations

import hashlib

import pytest

from ingestion.normalize import clean_lines, heading, is_toc_line, table_title
from ingestion.parse import parse
from ingestion.reports import find_region
from rag.types import LoadedText, ParsedDocument

DONGCHENG_PAGE_BREAK = """东城区中等职业教育质量年度报告（2024年度）

1. 基本情况

5.2 助力“一带一路”建设

为贯彻落实北京市发展改革委《北京市推进“一带一路”高质量发展行动计划（2021-2025



<SPACES>
北京市东城区中等职业教育质量年度报告（2024年度）

23

年）》精神，东城区各中职学校积极参加“一带一路”各项建设项目，丰富国际交流合作内容，拓

宽对外交流范围。

<SPACES>
北京市东城区中等职业教育质量年度报告（2024年度）

24

独立设置职业高中3所、成人中专1所。另有其他学校附设中职校3所（不计校数）。中等职业学校在

校生783人（含非教育部门办17人），其中职业高中学生781人，成人中专学生2人。""".replace("<SPACES>", "  ")

CHANGPING = """北京市昌平区中等职业教育 质量年度报告（2023）
2022年12月
1. 基本情况\t1
1.1 规模和结构\t1
1.2 设施设备\t2
3.3 落实教师编制及教师培养培训情况.....\t9
北京市昌平区中等职业教育质量年度报告（2023）
2022年，昌平区职业教育在坚定落实各项疫情防控措施的同时，认真学习贯彻习近平总书记对职业教育作出的重要指示。
1. 基本情况
1.1 规模和结构
1.1.1 昌平区中等职业教育总体办学规模
2022年，昌平区共有两所区属中等职业学校。
表 1-1 昌平区中等职业教育学生总体规模
项目\t\t2021年\t2022年\t增长量\t增长率
招生规模\t总人数\t1200\t1061\t-139\t-11.58%
\t全日制职高（人）\t1181\t1057\t-124\t-10.50%
在校生规模\t总人数（人）\t2751\t3150\t399\t14.50%
从学生总体规模来看，（1）招生人数略有下降，2022年昌平区中等职业学校招生人数1061人，比上一年减少139人。
表 4-1 昌平区中等职业特色订单班开展情况
序号\t学徒班名称\t合作企业\t学生人数
6\t京东诚至班\t北京京东乾石科技有限公司\t95
7\t宝马 BEST 订单班\t华晨宝马汽车有限公司\t29
总计\t11\t11\t373
【案例 4-1】全面升级生产性实训基地，培养高质量技能人才"""

BEIJING_2020 = """ 2020 年北京市中等职业教育质量年度报告

第二部分 发展与质量

一、发展概况

表2-1 2015—2020年北京市中等职业学校学生数量情况（单位：人）

类别 2015 年 2016 年 2017 年 2018 年 2019 年 2020 年

招生

普通中专（人） 12129 11486 11013 7869 8271 10056

小计 40622 35483 24918 24642 21565 26133

在校生

小计 134334 121065 92277 90985 76517 73113

数据来源：《北京市教育事业统计资料》 2015—2016、2016—2017、2017—2018、2018

表2-3 2015—2020年北京市中职学校设施设备数据表

设施设备 2015 年 2016 年 2017 年 2018 年 2019 年 2020 年

占地面积

(平方米)
4484086 4402192 4276423 3984304 3855003 3786591

固定资产值（万元） 618525 703139 777007 807887 849653 910477

数据来源：《北京市教育事业统计资料》 2015—2016、2016—2017、2017—2018、2018

表 2-7 2019—2020 年北京市中等职业学校专任教师学历结构

学历水平

2019 年 2020 年

数量

（人）
占比 数量（人） 占比

博士 54 0.90% 34 0.59%

硕士 958 15.92% 998 17.31%

表 2-11 2019-2020 年北京市中等职业教育毕业生就业质量计分卡

指标 单位 2019 年 2020 年

4 毕业生月平均收入 元/月 3657.60 3878.86

注：①2019 年数据是依据 51 所北京市中等职业学校 2019 年填报的数据表数据统计得出。"""

BEIJING_2025 = """2025

北京市
职业教育
质量年度报告

2026年1月

表 3-1\t2025 年北京高职院校科研与社会服务基本情况\t78
表 3-2\t2025 年北京中职学校科研与社会服务基本情况\t78
表 5-1\t2025 年北京职业院校国际化情况基本指标统计\t114

三、服务贡献

表 3-12025 年北京高职院校科研与社会服务基本情况

年度\t学年横向科研经费到账（万元）\t获得知识产权项目数（个）
2025 年\t4767.7\t379
2024 年\t1723.23\t365

表 3-22025 年北京中职学校科研与社会服务基本情况

横向技术服务到账额（万元）\t获得发明专利或实用新型专利数量（个）\t接收外省市联合办学学生数量（人）
355.61\t44\t2676

数据来源：北京职业教育质量年报项目组 2025 年调查数据

表 5-1 2025 年北京职业院校国际化情况基本指标统计

指标\t单位\t2025 年\t
\t\t高职院校\t中职学校
开发并被国外采用的教材数量\t本\t39\t--
接收国外留学生人数\t人\t1004\t172

数据来源：高职院校数据来源于全国高等职业院校人才培养工作状态数据采集与管理平台。"""


def _loaded(text: str, name: str) -> LoadedText:
    digest = hashlib.sha256(text.encode()).hexdigest()
    return LoadedText(file=name, lines=tuple(text.split("\n")), encoding="utf-8", content_hash=digest)


def _parse(text: str, name: str = "excerpt.txt") -> ParsedDocument:
    return parse(_loaded(text, name))


def _facts(doc: ParsedDocument, table: str) -> dict[tuple[str, str], float | None]:
    return {(f.row, f.column): f.value for f in doc.facts if f.table == table}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("表 3-12025 年北京高职院校科研情况", ("3-1", "2025 年北京高职院校科研情况")),
        ("表 6-22025 年北京中职学校校企合作基本情况表", ("6-2", "2025 年北京中职学校校企合作基本情况表")),
        ("表 1-1：2022-2024年东城区招生职普比变化情况", ("1-1", "2022-2024年东城区招生职普比变化情况")),
        ("表2-1 2015—2020年学生数量情况（单位：人）", ("2-1", "2015—2020年学生数量情况（单位：人）")),
        ("表5 朝阳区职业高中学生升学、就业情况统计表", ("5", "朝阳区职业高中学生升学、就业情况统计表")),
        ("表 2-10。", None),
        ("表明我市职业教育发展良好", None),
    ],
)
def test_table_title_splits_a_year_glued_to_the_number(line: str, expected: tuple[str, str] | None) -> None:
    assert table_title(line) == expected


def test_glued_table_number_becomes_number_and_title() -> None:
    doc = _parse(BEIJING_2025)
    assert [(t.number, t.title) for t in doc.tables] == [
        ("3-1", "2025 年北京高职院校科研与社会服务基本情况"),
        ("3-2", "2025 年北京中职学校科研与社会服务基本情况"),
        ("5-1", "2025 年北京职业院校国际化情况基本指标统计"),
    ]


def test_toc_lines_are_dropped_and_never_become_tables_or_headings() -> None:
    assert is_toc_line("3.3 落实教师编制及教师培养培训情况.....\t9")
    assert is_toc_line("表 3-1\t2025 年北京高职院校科研与社会服务基本情况\t78")
    assert not is_toc_line("6\t京东诚至班\t北京京东乾石科技有限公司\t95")
    kept = {line.raw for line in clean_lines(_loaded(CHANGPING, "c.txt"))}
    assert "1.2 设施设备\t2" not in kept
    assert "6\t京东诚至班\t北京京东乾石科技有限公司\t95" in kept
    doc = _parse(CHANGPING)
    assert all("\t" not in chunk.section for chunk in doc.chunks)


def test_page_headers_and_page_numbers_are_dropped_and_split_sentences_joined() -> None:
    doc = _parse(DONGCHENG_PAGE_BREAK, "dongcheng.txt")
    prose = "\n".join(c.text for c in doc.chunks if c.kind == "prose")
    assert "在校生783人" in prose
    assert "行动计划（2021-2025年）》精神" in prose
    assert "23" not in prose.split("\n")
    assert "北京市东城区中等职业教育质量年度报告（2024年度）" not in prose


def test_page_number_lines_inside_tables_are_kept() -> None:
    lines = clean_lines(_loaded(CHANGPING, "c.txt"))
    assert any(line.raw.startswith("6\t") for line in lines)


def test_group_label_on_its_own_line_applies_to_following_rows() -> None:
    facts = _facts(_parse(BEIJING_2020), "2-1")
    assert facts[("招生·小计", "2017 年")] == 24918
    assert facts[("在校生·小计", "2020 年")] == 73113
    assert facts[("招生·普通中专（人）", "2015 年")] == 12129


def test_a_value_in_a_repeated_column_blank_below_it_counts_the_rows_it_spans() -> None:
    doc = _parse("表 4-1 2023年专业评估结果\n等级\t数量\t占比\t数量\t占比\n"
                 "优+\t5\t10%\t20\t40%\n优\t15\t30%\t\t\n良\t30\t60%\t30\t60%\n"
                 "合计\t50\t100%\t50\t100%\n")
    facts = _facts(doc, "4-1")
    assert facts[("优+", "数量")] == 5
    assert facts[("优+、优", "合计数量")] == 20
    assert facts[("优+、优", "合计占比")] == 40
    assert facts[("良", "占比")] == 60 and facts[("良", "数量")] == 30
    assert facts[("合计", "数量")] == 50


def test_group_label_in_first_cell_applies_to_rows_with_empty_first_cell() -> None:
    doc = _parse(CHANGPING)
    facts = _facts(doc, "1-1")
    assert facts[("招生规模·总人数", "2022年")] == 1061
    assert facts[("招生规模·全日制职高（人）", "增长率")] == -10.50
    assert facts[("在校生规模·总人数（人）", "2022年")] == 3150
    fact = next(f for f in doc.facts if f.row == "招生规模·总人数" and f.column == "2022年")
    assert (fact.year, fact.unit, fact.region, fact.raw) == (2022, "人", "昌平区", "1061")


def test_wrapped_row_label_joins_the_value_row_below() -> None:
    doc = _parse(BEIJING_2020)
    facts = _facts(doc, "2-3")
    assert facts[("占地面积(平方米)", "2020 年")] == 3786591
    assert facts[("固定资产值（万元）", "2019 年")] == 849653
    fact = next(f for f in doc.facts if f.table == "2-3" and f.column == "2019 年" and f.value == 849653)
    assert fact.unit == "万元" and fact.year == 2019


def test_two_line_space_header_spans_years_over_sub_columns() -> None:
    table = next(t for t in _parse(BEIJING_2020).tables if t.number == "2-7")
    assert table.columns == ("2019 年·数量（人）", "2019 年·占比", "2020 年·数量（人）", "2020 年·占比")
    assert table.rows[1].label == "硕士" and table.rows[1].cells == ("958", "15.92%", "998", "17.31%")


def test_two_line_tab_header_and_unit_column() -> None:
    doc = _parse(BEIJING_2025)
    table = next(t for t in doc.tables if t.number == "5-1")
    assert table.columns == ("2025 年·高职院校", "2025 年·中职学校")
    fact = next(f for f in doc.facts if f.row == "接收国外留学生人数" and f.value == 1004)
    assert (fact.column, fact.unit, fact.year) == ("2025 年·高职院校", "人", 2025)
    missing = next(f for f in doc.facts if f.table == "5-1" and f.raw == "--")
    assert missing.value is None


def test_unit_column_in_space_table_gives_the_unit() -> None:
    doc = _parse(BEIJING_2020)
    fact = next(f for f in doc.facts if f.table == "2-11" and f.column == "2020 年")
    assert (fact.row, fact.value, fact.unit) == ("毕业生月平均收入", 3878.86, "元/月")


def test_value_row_without_label_keeps_its_columns() -> None:
    doc = _parse(BEIJING_2025)
    fact = next(f for f in doc.facts if f.table == "3-2" and "发明专利" in f.column)
    assert (fact.row, fact.value, fact.unit, fact.year) == ("", 44, "个", 2025)


def test_year_row_label_gives_the_fact_year() -> None:
    facts = [f for f in _parse(BEIJING_2025).facts if f.table == "3-1" and f.value == 1723.23]
    assert [(f.row, f.year, f.unit) for f in facts] == [("2024 年", 2024, "万元")]


def test_numbered_table_uses_the_name_as_row_label() -> None:
    doc = _parse(CHANGPING)
    rows = {r.label: r.cells for r in next(t for t in doc.tables if t.number == "4-1").rows}
    assert rows["京东诚至班"] == ("北京京东乾石科技有限公司", "95")
    assert "总计" in rows


def test_tables_end_at_source_notes_and_prose() -> None:
    doc = _parse(CHANGPING)
    table = next(t for t in doc.tables if t.number == "1-1")
    assert [r.label for r in table.rows][-1] == "在校生规模·总人数（人）"
    assert any("从学生总体规模来看" in c.text for c in doc.chunks if c.kind == "prose")


def test_report_info_is_read_from_the_text() -> None:
    info = _parse(CHANGPING, "changping.txt").info
    assert (info.title, info.region, info.report_year, info.data_year, info.level) == (
        "北京市昌平区中等职业教育质量年度报告（2023）", "昌平区", 2023, 2022, "中职"
    )
    assert _parse(BEIJING_2025).info.region == "北京市"
    assert _parse(BEIJING_2020).info.title.endswith("2020 年北京市中等职业教育质量年度报告")


@pytest.mark.parametrize(
    ("title", "region"),
    [
        ("北京市海淀区中等职业教育质量年度报告（2024年度）", "海淀区"),
        ("东城区中等职业教育质量年度报告（2024年度）", "东城区"),
        ("2020 年北京市中等职业教育质量年度报告", "北京市"),
        ("天津市职业教育质量年度报告（2023）", "天津市"),
    ],
)
def test_region_comes_from_the_title(title: str, region: str) -> None:
    assert find_region(title) == region


def test_chunks_carry_context_and_raw_text() -> None:
    doc = _parse(CHANGPING)
    row = next(c for c in doc.chunks if c.kind == "table_row" and c.text.startswith("招生规模\t总人数"))
    assert row.text == "招生规模\t总人数\t1200\t1061\t-139\t-11.58%"
    assert "表1-1 昌平区中等职业教育学生总体规模" in row.context
    assert "招生规模·总人数｜2021年：1200 人｜2022年：1061 人" in row.context
    assert row.section == "1. 基本情况 > 1.1 规模和结构 > 1.1.1 昌平区中等职业教育总体办学规模"
    assert row.context.startswith("北京市昌平区中等职业教育质量年度报告（2023）｜昌平区｜2022年｜1. 基本情况")
    whole = next(c for c in doc.chunks if c.kind == "table" and c.table == "1-1")
    assert whole.text.splitlines()[0] == "表 1-1 昌平区中等职业教育学生总体规模"


def test_prose_never_crosses_a_heading_or_table() -> None:
    doc = _parse(CHANGPING)
    for chunk in doc.chunks:
        if chunk.kind == "prose":
            assert "\t" not in chunk.text
            assert chunk.text.count("1.1.1") <= 1


@pytest.mark.parametrize(
    ("text", "style"),
    [
        ("1.1 规模和结构", "num2"),
        ("（一）办学规模：招生数量明显回升", "paren_cn"),
        ("二、人才培养", "cn"),
        ("3．招生职普比略有提高", "num1"),
        ("46.57 51.32 57.39 63.95 78.11 81.65", None),
        ("2.46 倍，招生职普比为 28.93:71.07", None),
        ("19 所中职学校 45 个新增专业(技能方向)进行备案，从 2020 年起列入招生计划", None),
    ],
)
def test_heading_styles(text: str, style: str | None) -> None:
    assert heading(text) == style


NUMBERED_LIST = """表 2-13 2020 年北京市中等职业学校撤销 7 个专业一览表

 序 号 学校名称 专业类别 专业名称 技能方向

1

北京市昌平职业学校

财经商贸类 保险事务

2 财经商贸类 物流服务与管理

3

北京市求实职业学校

财经商贸类 金融事务 互联网金融方向

4 信息技术类 数字媒体技术应用

数据来源：北京市教育委员会关于公布 2020 年中等职业学校新增专业备案名单的通知（京"""


def test_numbered_list_records_span_lines_and_repeat_merged_cells() -> None:
    doc = _parse(NUMBERED_LIST)
    table = doc.tables[0]
    assert table.columns == ("学校名称", "专业类别", "专业名称", "技能方向")
    assert [r.cells for r in table.rows] == [
        ("北京市昌平职业学校", "财经商贸类", "保险事务", ""),
        ("北京市昌平职业学校", "财经商贸类", "物流服务与管理", ""),
        ("北京市求实职业学校", "财经商贸类", "金融事务", "互联网金融方向"),
        ("北京市求实职业学校", "信息技术类", "数字媒体技术应用", ""),
    ]
    lines = doc.facts[0].line, next(f.line for f in doc.facts if f.raw == "保险事务")
    assert lines == (7, 9)
    row = next(c for c in doc.chunks if c.kind == "table_row")
    assert row.text == "北京市昌平职业学校\n财经商贸类 保险事务" and (row.line_start, row.line_end) == (7, 9)


def test_empty_and_blank_documents_parse_to_nothing() -> None:
    for text in ("", "\n \n\t\n"):
        doc = _parse(text)
        assert (doc.chunks, doc.tables, doc.facts) == ((), (), ())


def test_a_huge_line_without_punctuation_is_cut_into_bounded_chunks() -> None:
    doc = _parse("北京职业教育" * 40_000)
    assert len(doc.chunks) > 100
    assert max(len(c.text) for c in doc.chunks) <= 400
    assert "".join(c.text for c in doc.chunks) == "北京职业教育" * 40_000


WRAPPED_LIST = """5. 深化“3+2”中高职衔接改革，畅通中职学生升学路径

表 2-17 2020 年新增“3+2”中高职衔接办学项目名单

序号 中职学校 中职专业 高职学院 高职专业

1.

北京商贸学校 数字媒体技术应用 北京电子科技职业学院 计算机应用技术（大

数据应用方向）

2. 北京商贸学校 人力资源管理事务 北京政法职业学院 社区管理与服务

3. 北京市对外贸易学校 城市轨道交通运营管理 北京交通运输职业学院

4. 北京市自动化工程学校

【案例 2-27】中高职衔接，拓宽学生成长通道。"""


def test_numbered_list_items_are_table_rows_not_headings() -> None:
    doc = _parse(WRAPPED_LIST)
    table = doc.tables[0]
    assert table.line_end == 17
    assert {c.section for c in doc.chunks} == {"5. 深化“3+2”中高职衔接改革，畅通中职学生升学路径"}


def test_report_without_a_year_in_its_title_takes_the_year_the_text_names_most() -> None:
    info = _parse("海淀区职业教育质量报告\n2023年，招生1000人。2023年在校生3000人。2022年毕业900人。").info
    assert (info.region, info.report_year, info.data_year, info.level) == ("海淀区", None, 2023, "职业教育")


def test_a_numbered_tab_table_is_not_mistaken_for_a_table_of_contents() -> None:
    rows = "\n".join(f"{n}. 学校{n}\t{count}" for n, count in enumerate([7, 1, 5, 9, 5, 1], start=1))
    doc = _parse(f"表 2-4 入选教材数量\n序号 学校名称\t入选数量(部)\n{rows}\n数据来源：市教委")
    assert len(doc.tables[0].rows) == 6


def test_toc_with_mixed_entries_is_dropped() -> None:
    toc = "亮点\t21\n一、创新思政课\t21\n(四) 教材建设\t49\n1. 融入“四新”开发金教材\t49\n图 6- 1 模式图\t1311"
    lines = clean_lines(_loaded(toc + "\n正文开始。", "t.txt"))
    assert [line.raw for line in lines] == ["正文开始。"]


def test_unit_line_under_the_title_is_the_table_unit_not_a_header() -> None:
    doc = _parse("表 3 经费情况\n（单位：万元）\n项目\t2022年\t2023年\n财政拨款\t120.5\t130\n数据来源：财政")
    table = doc.tables[0]
    assert (table.unit, table.columns) == ("万元", ("2022年", "2023年"))
    fact = next(f for f in doc.facts if f.column == "2023年")
    assert (fact.row, fact.value, fact.unit, fact.year) == ("财政拨款", 130, "万元", 2023)
