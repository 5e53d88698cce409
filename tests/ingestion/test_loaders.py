from __future__ import annotations

import random
from pathlib import Path

import pytest
from pdfs import SAMPLE_LINES, make_image_only_pdf, make_pages_pdf, make_report_pdf
from pypdf import PdfWriter

from ingestion import loaders
from ingestion.loaders import ERROR_CODES, load
from rag.errors import DocumentError

EXCERPT = "表 1-1 昌平区中等职业教育学生总体规模\n项目\t\t2021年\t2022年\n招生规模\t总人数\t1200\t1061\n"


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _code(path: Path, **kwargs: int) -> str:
    with pytest.raises(DocumentError) as info:
        load(path, **kwargs)
    assert info.value.code in ERROR_CODES
    assert path.name in info.value.message
    return info.value.code


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (EXCERPT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + EXCERPT.encode("utf-8"), "utf-8-sig"),
        (EXCERPT.encode("gb18030"), "gb18030"),
        (EXCERPT.encode("gbk"), "gb18030"),
        (EXCERPT.encode("utf-16"), "utf-16"),
        (EXCERPT.encode("utf-16-le"), "utf-16-le"),
        (EXCERPT.encode("utf-16-be"), "utf-16-be"),
    ],
)
def test_text_encodings_round_trip(tmp_path: Path, data: bytes, encoding: str) -> None:
    loaded = load(_write(tmp_path, "r.txt", data))
    assert loaded.encoding == encoding
    assert loaded.lines == tuple(EXCERPT.splitlines())
    assert loaded.pages == ()


def test_real_report_excerpt_in_gb18030(tmp_path: Path, reports_dir: Path) -> None:
    text = (reports_dir / "changping-zhongzhi-2023.txt").read_text(encoding="utf-8")[:5000]
    loaded = load(_write(tmp_path, "changping.txt", text.encode("gb18030")))
    assert loaded.encoding == "gb18030"
    assert "\n".join(loaded.lines) == text.rstrip("\n")


def test_bundled_reports_load_as_utf8(reports_dir: Path) -> None:
    for path in sorted(reports_dir.glob("*.txt")):
        loaded = load(path)
        assert loaded.encoding == "utf-8"
        assert len(loaded.lines) > 300


def test_utf8_cut_mid_character_stays_utf8(tmp_path: Path) -> None:
    data = EXCERPT.encode("utf-8") + "中文".encode()[:-1]
    loaded = load(_write(tmp_path, "cut.txt", data))
    assert loaded.encoding == "utf-8"
    assert loaded.lines[0] == EXCERPT.splitlines()[0]
    assert loaded.lines[-1].startswith("中")


def test_form_feeds_give_pages_and_nuls_are_dropped(tmp_path: Path) -> None:
    loaded = load(_write(tmp_path, "p.txt", "第一页\n正文\x00\n\f第二页\n".encode()))
    assert loaded.lines == ("第一页", "正文", "第二页")
    assert loaded.pages == (1, 1, 2)


def test_content_hash_is_of_the_bytes(tmp_path: Path) -> None:
    a = load(_write(tmp_path, "a.txt", EXCERPT.encode("utf-8")))
    b = load(_write(tmp_path, "b.txt", EXCERPT.encode("gb18030")))
    assert a.lines == b.lines
    assert a.content_hash != b.content_hash
    assert a.content_hash == load(tmp_path / "a.txt").content_hash


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b" \n\r\n\t  \n", "empty"),
        ("junk.txt", random.Random(1).randbytes(20_000), "binary"),
        ("nuls.txt", b"abc\x00\x00\x00\x00def" * 100, "binary"),
        ("exe.txt", b"\x7fELF\x02\x01\x01" + bytes(200), "unsupported_type"),
        ("report.docx", b"PK\x03\x04" + bytes(100), "unsupported_type"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(100), "unsupported_type"),
        ("table.csv", b"a,b\n1,2\n", "unsupported_type"),
        ("private.txt", ("\ue000\ue001\ue002" * 500).encode("utf-8"), "binary"),
        ("latin.txt", bytes(range(0xA1, 0xFF)) * 40 + b"\xff", "encoding"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_refused_inputs_have_stable_codes(tmp_path: Path, name: str, data: bytes, code: str) -> None:
    assert _code(_write(tmp_path, name, data)) == code


def test_missing_and_too_large(tmp_path: Path) -> None:
    assert _code(tmp_path / "missing.txt") == "not_found"
    assert _code(_write(tmp_path, "big.txt", b"x" * 2000), max_bytes=1000) == "too_large"


def test_text_named_pdf_loads_as_text(tmp_path: Path) -> None:
    loaded = load(_write(tmp_path, "report.pdf", EXCERPT.encode("gb18030")))
    assert loaded.encoding == "gb18030"
    assert loaded.lines[0].startswith("表 1-1")


def test_report_pdf_round_trips_text_and_table(tmp_path: Path) -> None:
    loaded = load(make_report_pdf(tmp_path / "r.pdf"))
    assert loaded.encoding == "pdf"
    assert loaded.lines == SAMPLE_LINES
    assert loaded.pages == (1,) * len(SAMPLE_LINES)


def test_pdf_named_txt_loads_as_pdf(tmp_path: Path) -> None:
    pdf = make_report_pdf(tmp_path / "r.pdf")
    loaded = load(_write(tmp_path, "r.txt", pdf.read_bytes()))
    assert loaded.encoding == "pdf"
    assert loaded.lines == SAMPLE_LINES


def test_pdf_pages_are_numbered(tmp_path: Path) -> None:
    loaded = load(make_pages_pdf(tmp_path / "p.pdf", 3))
    assert loaded.lines == ("第1页 测试", "第2页 测试", "第3页 测试")
    assert loaded.pages == (1, 2, 3)


def test_pdf_with_empty_user_password_loads(tmp_path: Path) -> None:
    loaded = load(make_report_pdf(tmp_path / "e.pdf", password=""))
    assert loaded.lines == SAMPLE_LINES


def test_pdf_with_real_password_is_refused(tmp_path: Path) -> None:
    assert _code(make_report_pdf(tmp_path / "e.pdf", password="secret")) == "pdf_encrypted"


def test_image_only_pdf_has_no_text(tmp_path: Path) -> None:
    assert _code(make_image_only_pdf(tmp_path / "scan.pdf", pages=2)) == "pdf_no_text"


def test_broken_pdfs(tmp_path: Path) -> None:
    good = make_report_pdf(tmp_path / "good.pdf").read_bytes()
    assert _code(_write(tmp_path, "cut.pdf", good[: len(good) // 2])) == "pdf_broken"
    assert (
        _code(_write(tmp_path, "junk.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"%%EOF")) == "pdf_broken"
    )
    writer = PdfWriter()
    with (tmp_path / "zero.pdf").open("wb") as out:
        writer.write(out)
    assert _code(tmp_path / "zero.pdf") == "pdf_broken"


def test_pages_past_the_layout_cap_keep_plain_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loaders, "MAX_LAID_OUT_PAGES", 0)
    loaded = load(make_report_pdf(tmp_path / "r.pdf"))
    assert "项目 2021年 2022年 增长量 增长率" in [line.strip() for line in loaded.lines]  # plain text
    assert not any("\t" in line for line in loaded.lines)
    assert "".join(loaded.lines).replace(" ", "") == "".join(SAMPLE_LINES).replace("\t", "").replace(" ", "")


def test_wrapped_and_empty_cells_keep_their_columns(tmp_path: Path) -> None:
    lines = [
        "标题",
        "表 2 测试",
        "项目\t2021年\n（人）\t2022年\n（人）",
        "在校生\n总人数\t2751\t3150",
        "Total\nstudents\t1\t2",
        "空\t\t5",
    ]
    loaded = load(make_report_pdf(tmp_path / "w.pdf", lines))
    assert loaded.lines[2:] == (
        "项目\t2021年（人）\t2022年（人）",
        "在校生总人数\t2751\t3150",
        "Total students\t1\t2",
        "空\t\t5",
    )


def test_cjk_only_utf16_without_bom(tmp_path: Path) -> None:
    text = "中文报告内容\n" * 10
    for codec in ("utf-16-le", "utf-16-be"):
        loaded = load(_write(tmp_path, f"{codec}.txt", text.encode(codec)))
        assert (loaded.encoding, loaded.lines) == (codec, tuple(text.splitlines()))


def test_real_report_table_survives_a_pdf(tmp_path: Path, reports_dir: Path) -> None:
    text = (reports_dir / "changping-zhongzhi-2023.txt").read_text(encoding="utf-8")
    source = [line for line in text.splitlines()[51:66] if line.strip()]
    loaded = load(make_report_pdf(tmp_path / "cp.pdf", ["昌平区报告", *source]))
    assert [line for line in loaded.lines if "\t" in line] == [line for line in source if "\t" in line]
    prose = "".join(line for line in loaded.lines if "\t" not in line)
    assert prose == "".join(["昌平区报告", *(line for line in source if "\t" not in line)])


def _text_then_scans(tmp_path: Path, text_pages: int, scans: int) -> Path:
    writer = PdfWriter()
    writer.append(make_pages_pdf(tmp_path / "text.pdf", text_pages))
    writer.append(make_image_only_pdf(tmp_path / "scan.pdf", pages=scans))
    path = tmp_path / f"mixed-{text_pages}-{scans}.pdf"
    writer.write(path)
    return path


def test_scan_with_a_typed_cover_has_no_text(tmp_path: Path) -> None:
    assert _code(_text_then_scans(tmp_path, 1, 9)) == "pdf_no_text"
    loaded = load(_text_then_scans(tmp_path, 2, 3))
    assert loaded.pages == (1, 2)
