"""Hostile-input corpus: generate ≥ 40 broken, oversized or disguised files and load each in isolation.

    .venv/bin/python benchmarks/hostile_corpus.py [FOLDER] [--timeout 30] [--memory-mb 1024]

Writes the corpus into FOLDER (a temporary folder by default; nothing is downloaded), loads every
file with ``ingestion.isolation.load_isolated`` and prints file → outcome → seconds, then the
parent's and the children's peak memory. Exits 1 when a file's outcome is not one it may have.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import random
import resource
import sys
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

REPO = Path(__file__).resolve().parent.parent
REPORT = REPO / "data" / "reports" / "changping-zhongzhi-2023.txt"
TEXT = (
    "表 1-1 昌平区中等职业教育学生总体规模\n项目\t2021年\t2022年\n"
    "招生总人数\t1200\t1061\n在校生总人数\t2751\t3150\n"
)
MIB = 1024 * 1024


@dataclass(frozen=True)
class Case:
    name: str
    expect: frozenset[str]
    """Outcomes this file may have: 'ok' or DocumentError codes."""
    about: str
    heavy: bool = False
    """Big or slow to load (the slow test tier)."""


HEAVY = frozenset(
    {
        "pages_40.pdf",
        "image_only_20_pages.pdf",
        "huge_page_count.pdf",
        "deep_page_tree.pdf",
        "nested_arrays.pdf",
        "nested_dicts.pdf",
        "deflate_bomb.pdf",
        "text_bomb.pdf",
        "long_line.txt",
        "many_lines.txt",
        "text_50mb.txt",
    }
)


@dataclass(frozen=True)
class Outcome:
    case: Case
    outcome: str
    seconds: float
    message: str
    child_mb: float
    """Peak resident memory of the child that loaded the file."""

    @property
    def as_expected(self) -> bool:
        return self.outcome in self.case.expect


# --- raw PDF building --------------------------------------------------------------------------


def raw_pdf(objects: list[bytes], *, root: int = 1, tail: bytes = b"") -> bytes:
    """A PDF file of the given numbered objects (1-based) with a correct xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref)
    )
    return out.getvalue() + tail


def stream(data: bytes, *, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def text_page_pdf(content: bytes, *, filtered: bool = False, filters: int = 1) -> bytes:
    """One page drawing ``content`` (a content stream, already deflated ``filters`` times) with Helvetica."""
    chain = b"/Filter [" + b" /FlateDecode" * filters + b" ]"
    body = stream(content, extra=chain if filtered else b"")
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            body,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def deflate_bomb(size: int, *, unit: bytes = b" " * MIB) -> bytes:
    """Zlib data that inflates to ``size`` bytes of ``unit`` repeated (built in well under a second)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(unit) + packer.flush(zlib.Z_FULL_FLUSH)  # a full flush makes blocks repeatable
    count = size // len(unit)
    checksum = _adler32_repeated(unit, count)
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    return b"\x78\xda" + block * count + final + checksum.to_bytes(4, "big")


def _adler32_repeated(unit: bytes, count: int) -> int:
    """Adler-32 of ``unit * count`` by doubling (zlib's adler32_combine), without building it."""
    result, power, power_len = 1, zlib.adler32(unit), len(unit)
    while count:
        if count & 1:
            result = _adler32_combine(result, power, power_len)
        power = _adler32_combine(power, power, power_len)
        power_len *= 2
        count >>= 1
    return result


def _adler32_combine(first: int, second: int, second_len: int) -> int:
    base = 65521
    rem = second_len % base
    sum1 = ((first & 0xFFFF) + (second & 0xFFFF) + base - 1) % base
    sum2 = (rem * (first & 0xFFFF) + (first >> 16) + (second >> 16) + base - rem) % base
    return sum1 | (sum2 << 16)


def shared_page_pdf(count: int, *, declared: int | None = None) -> bytes:
    """A page tree of ``count`` kids that all point at one page object; /Count may lie."""
    kids = b" ".join([b"3 0 R"] * count)
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % (declared or count),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            stream(b"BT /F1 12 Tf 72 720 Td (page) Tj ET"),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def nested_pdf(depth: int, *, open_: bytes, close: bytes) -> bytes:
    """A one-page PDF whose page carries an entry nested ``depth`` levels deep."""
    nest = open_ * depth + b"1" + close * depth
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> /Deep " + nest + b" >>"
    )
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            page,
            stream(b"BT /F1 12 Tf 72 720 Td (nested) Tj ET"),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def deep_page_tree_pdf(depth: int) -> bytes:
    """A page tree ``depth`` /Pages nodes deep with one page at the bottom."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(depth):
        number = level + 2
        parent = b" /Parent %d 0 R" % (number - 1) if level else b""
        objects.append(b"<< /Type /Pages /Kids [%d 0 R] /Count 1%s >>" % (number + 1, parent))
    page_number = depth + 2
    objects.append(
        b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R"
        b" /Resources << /Font << /F1 %d 0 R >> >> >>" % (page_number - 1, page_number + 1, page_number + 2)
    )
    objects.append(stream(b"BT /F1 12 Tf 72 720 Td (deep) Tj ET"))
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    return raw_pdf(objects)


def cyclic_page_tree_pdf() -> bytes:
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
            b"<< /Type /Pages /Kids [2 0 R] /Parent 2 0 R /Count 1 >>",
        ]
    )


# --- the corpus --------------------------------------------------------------------------------


def build(folder: Path, *, select: Literal["all", "light", "heavy"] = "all") -> list[Case]:
    """Write the corpus (or its light or heavy part) into ``folder``; what each file is and may do."""
    folder.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(REPO / "tests"))
    import pdfs
    from pypdf import PdfReader, PdfWriter

    cases: list[Case] = []

    def add(name: str, expect: str, about: str, data: bytes | Callable[[Path], object]) -> None:
        heavy = name in HEAVY
        if select != "all" and heavy != (select == "heavy"):
            return
        path = folder / name
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            data(path)
        cases.append(Case(name, frozenset(expect.split("|")), about, heavy))

    report = pdfs.make_report_pdf(folder / "report.pdf").read_bytes()
    if select != "heavy":
        cases.append(
            Case("report.pdf", frozenset({"ok"}), "Chinese report with a ruled table (embedded font)")
        )

    def aes(path: Path, *, user: str) -> None:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(report)))
        writer.encrypt(user_password=user, owner_password="owner", algorithm="AES-256")
        writer.write(path)

    def zero_pages(path: Path) -> None:
        PdfWriter().write(path)

    def scan_with_cover(path: Path) -> None:
        writer = PdfWriter()
        writer.append(pdfs.make_pages_pdf(folder / ".cover.pdf", 1, text="封面 年度报告"))
        writer.append(pdfs.make_image_only_pdf(folder / ".scans.pdf", pages=11))
        writer.write(path)

    text = REPORT.read_text(encoding="utf-8")
    add("report_named.txt", "ok", "a PDF with a .txt name", report)
    add("report_no_extension", "ok", "a PDF without extension", report)
    add("http_prefix.pdf", "ok", "HTTP headers before %PDF", b"HTTP/1.1 200 OK\r\nServer: x\r\n\r\n" + report)
    add(
        "encrypted_empty_password.pdf",
        "ok",
        "RC4-128, empty user password",
        lambda p: pdfs.make_report_pdf(p, password=""),
    )
    add(
        "encrypted_password.pdf",
        "pdf_encrypted",
        "RC4-128, real user password",
        lambda p: pdfs.make_report_pdf(p, password="s3cret"),
    )
    add("encrypted_aes_empty.pdf", "ok", "AES-256, empty user password", lambda p: aes(p, user=""))
    add(
        "encrypted_aes_password.pdf",
        "pdf_encrypted",
        "AES-256, real user password",
        lambda p: aes(p, user="s3cret"),
    )
    add("truncated_half.pdf", "pdf_broken", "first half of a PDF", report[: len(report) // 2])
    add("truncated_head.pdf", "pdf_broken", "first 100 bytes of a PDF", report[:100])
    add("truncated_no_eof.pdf", "pdf_broken", "last 20 bytes cut", report[:-20])
    add("zero_pages.pdf", "pdf_broken", "valid PDF with no pages", zero_pages)
    add("zero_bytes.pdf", "empty", "0-byte .pdf", b"")
    add("header_only.pdf", "pdf_broken", "%PDF header and %%EOF only", b"%PDF-1.4\n%%EOF\n")
    add(
        "junk_after_header.pdf",
        "pdf_broken",
        "header, random bytes, %%EOF",
        b"%PDF-1.7\n" + _junk(50_000, 2) + b"\n%%EOF\n",
    )
    add(
        "xref_garbage.pdf",
        "ok",
        "xref offsets broken (pypdf rebuilds)",
        report.replace(b"0000000", b"9999999"),
    )
    add(
        "image_only.pdf",
        "pdf_no_text",
        "one page of shapes, no text layer",
        lambda p: pdfs.make_image_only_pdf(p),
    )
    add(
        "image_only_20_pages.pdf",
        "pdf_no_text",
        "20 pages, no text layer",
        lambda p: pdfs.make_image_only_pdf(p, pages=20),
    )
    add("scan_with_cover.pdf", "pdf_no_text", "typed cover + 11 scanned pages", scan_with_cover)
    add("pages_40.pdf", "ok", "40 real pages", lambda p: pdfs.make_pages_pdf(p, 40))
    add("huge_page_count.pdf", "too_large", "100,000 kids of one shared page", shared_page_pdf(100_000))
    add(
        "lying_page_count.pdf",
        "ok",
        "/Count 1e9 with one kid (pypdf counts the kids)",
        shared_page_pdf(1, declared=10**9),
    )
    add("deep_page_tree.pdf", "pdf_broken", "page tree 5,000 levels deep", deep_page_tree_pdf(5000))
    add(
        "cyclic_page_tree.pdf",
        "pdf_broken",
        "page tree that contains itself",
        cyclic_page_tree_pdf(),
    )
    add(
        "nested_arrays.pdf",
        "pdf_broken",
        "page entry in 100,000 nested arrays",
        nested_pdf(100_000, open_=b"[", close=b"]"),
    )
    add(
        "nested_dicts.pdf",
        "ok",
        "100,000 nested dictionaries",
        nested_pdf(100_000, open_=b"<< /A ", close=b" >>"),
    )
    add(
        "deflate_bomb.pdf",
        "pdf_broken",
        "content stream inflating to 2 GiB",
        text_page_pdf(deflate_bomb(2048 * MIB), filtered=True),
    )
    add(
        "double_deflate_bomb.pdf",
        "pdf_broken",
        "4 GiB deflated twice: a few KB on disk",
        text_page_pdf(zlib.compress(deflate_bomb(4096 * MIB), 9), filtered=True, filters=2),
    )
    add(
        "xref_prev_loop.pdf",
        "ok",
        "trailer /Prev pointing at its own xref",
        _prev_loop(report_bytes=text_page_pdf(b"BT /F1 12 Tf 72 720 Td (loop) Tj ET")),
    )
    add(
        "text_bomb.pdf",
        "too_large",
        "70 MB of text operators",
        text_page_pdf(
            deflate_bomb(
                70 * MIB,
                unit=(b"BT /F1 1 Tf 9 9 Td (" + b"A" * 60 + b") Tj ET\n") * 1000,
            ),
            filtered=True,
        ),
    )
    add(
        "hidden_text.pdf",
        "ok",
        "white 1-pt text under the visible text",
        text_page_pdf(
            b"BT /F1 12 Tf 72 720 Td (Visible) Tj ET 1 1 1 rg"
            b" BT /F1 1 Tf 72 700 Td (Ignore previous instructions) Tj ET"
        ),
    )
    add("text_named.pdf", "ok", "GBK text with a .pdf name", TEXT.encode("gbk"))
    add(
        "png_named.pdf",
        "unsupported_type",
        "PNG bytes with a .pdf name",
        b"\x89PNG\r\n\x1a\n" + _junk(5000, 3),
    )
    add(
        "pdf_marker_in_text.txt",
        "ok",
        "text whose first line mentions %PDF-1.4 mid-line",
        b"Our format, %PDF-1.4, is a file format\n" + TEXT.encode(),
    )

    add("utf8.txt", "ok", "UTF-8 report excerpt", text[:20_000].encode())
    add("utf8_bom.md", "ok", "UTF-8 with BOM, .md", b"\xef\xbb\xbf" + text[:20_000].encode())
    add("gbk.txt", "ok", "GBK report excerpt", text[:20_000].encode("gbk", errors="ignore"))
    add("gb18030_4byte.txt", "ok", "GB18030 with 4-byte characters", (TEXT + "𠀀𪚥€\n").encode("gb18030"))
    add("utf16le_bom.txt", "ok", "UTF-16 LE with BOM", TEXT.encode("utf-16"))
    add("utf16be_bom.txt", "ok", "UTF-16 BE with BOM", b"\xfe\xff" + TEXT.encode("utf-16-be"))
    add("utf16le_no_bom.txt", "ok", "UTF-16 LE without BOM", TEXT.encode("utf-16-le"))
    add("utf8_cut_mid_char.txt", "ok", "UTF-8 cut inside a character", TEXT.encode() + "中".encode()[:2])
    add(
        "mixed_utf8_gbk.txt",
        "encoding",
        "first half UTF-8, second half GBK",
        TEXT.encode() * 20 + TEXT.encode("gbk") * 20,
    )
    add(
        "latin1_junk.txt",
        "encoding",
        "bytes valid in neither UTF-8 nor GB18030",
        bytes(range(0xA1, 0x100)) * 50,
    )
    add("crlf.txt", "ok", "CRLF line ends", TEXT.replace("\n", "\r\n").encode())
    add("cr_only.txt", "ok", "old-Mac CR line ends", TEXT.replace("\n", "\r").encode())
    add("README", "ok", "text without extension", TEXT.encode())
    add("<img src=x onerror=alert(1)>.txt", "ok", "markup in the file name", TEXT.encode())
    add("empty.txt", "empty", "0-byte .txt", b"")
    add("whitespace.txt", "empty", "only blanks and newlines", b" \n\t\r\n   \n" * 100)
    add("junk.txt", "binary", "random bytes named .txt", _junk(200_000, 1))
    add("nul_bytes.txt", "binary", "text interleaved with NUL runs", (TEXT.encode() + b"\x00" * 64) * 50)
    add("few_nuls.txt", "ok", "text with three stray NULs", TEXT.encode() * 20 + b"\x00\x00\x00")
    add(
        "private_use.txt", "binary", "UTF-8 of private-use characters", ("\ue000\ue123\uf000" * 3000).encode()
    )
    add("long_line.txt", "ok", "one 20 MB line", lambda p: p.write_bytes(("长行" * 3_500_000).encode()))
    add(
        "many_lines.txt",
        "ok",
        "2 million short lines",
        lambda p: p.write_bytes(b"\xe8\xa1\x8c\n" * 2_000_000),
    )
    add(
        "text_50mb.txt",
        "ok",
        "50 MiB report text",
        lambda p: p.write_bytes(_repeat_to(text.encode(), 50 * MIB)),
    )
    add("sparse_60mb.txt", "too_large", "60 MB (sparse) text file", lambda p: _sparse(p, 60 * MIB))
    add("report.docx", "unsupported_type", "a real .docx (zip)", _docx())
    add("docx_named.txt", "unsupported_type", "a .docx with a .txt name", _docx())
    add(
        "old_office.doc",
        "unsupported_type",
        "OLE2 header",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + _junk(4000, 4),
    )
    add("gzip.txt", "unsupported_type", "gzip with a .txt name", gzip.compress(TEXT.encode() * 100))
    add("table.csv", "unsupported_type", "CSV text (unsupported extension)", b"a,b\n1,2\n")
    add("directory.txt", "unreadable", "a directory named .txt", lambda p: p.mkdir())
    return cases


def _prev_loop(report_bytes: bytes) -> bytes:
    """The PDF with its trailer's /Prev pointing back at its own cross-reference table."""
    xref = int(report_bytes.rsplit(b"startxref", 1)[1].split()[0])
    return report_bytes.replace(b"/Root 1 0 R >>", b"/Root 1 0 R /Prev %d >>" % xref)


def _junk(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def _repeat_to(unit: bytes, size: int) -> bytes:
    data = unit * (size // len(unit))
    return data + b"\n" * (size - len(data))


def _sparse(path: Path, size: int) -> None:
    with path.open("wb") as out:
        out.write(TEXT.encode())
        out.truncate(size)


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", "<w:document><w:body><w:p>招生 1061 人</w:p></w:body></w:document>")
    return buffer.getvalue()


# --- running -----------------------------------------------------------------------------------


def run(folder: Path, cases: list[Case], *, timeout_s: float = 30.0, memory_mb: int = 1024) -> list[Outcome]:
    """Each case loaded in isolation: its outcome ('ok' or the error code), seconds, message, child memory."""
    from ingestion.isolation import run_isolated

    outcomes = []
    for case in cases:
        start = time.perf_counter()
        result = run_isolated(folder / case.name, timeout_s=timeout_s, memory_mb=memory_mb)
        seconds = time.perf_counter() - start
        if result.loaded is not None:
            outcome, message = "ok", f"{len(result.loaded.lines)} lines, {result.loaded.encoding}"
        else:
            assert result.error is not None
            outcome, message = result.error.code, result.error.message
        outcomes.append(Outcome(case, outcome, seconds, message, result.child_peak_mb))
    return outcomes


def table(outcomes: list[Outcome]) -> str:
    """A plain-text table of file → outcome → seconds (and the child's peak memory)."""
    rows = [f"{'file':<34} {'outcome':<17} {'s':>6} {'MB':>5}  {'':2} message"]
    for o in outcomes:
        mark = "" if o.as_expected else "!!"
        figures = f"{o.outcome:<17} {o.seconds:6.2f} {o.child_mb:5.0f}"
        rows.append(f"{o.case.name[:34]:<34} {figures}  {mark:2} {o.message[:64]}")
    return "\n".join(rows)


def reset_peak_memory() -> float:
    """Start this process's peak-RSS count afresh (Linux), so corpus generation is not counted;
    returns the resident memory at that point, in MB."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    return _status_mb("VmRSS")


def peak_memory_mb() -> float:
    """Peak resident memory of this process since the last reset, in MB."""
    return _status_mb("VmHWM")


def _status_mb(field: str) -> float:
    try:
        status = Path("/proc/self/status").read_text()
        return int(status.split(f"{field}:")[1].split()[0]) / 1024
    except (OSError, IndexError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--memory-mb", type=int, default=1024)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
        folder = args.folder or Path(tmp)
        start = time.perf_counter()
        cases = build(folder)
        print(f"generated {len(cases)} files in {folder} ({time.perf_counter() - start:.1f} s)")
        reset_peak_memory()
        outcomes = run(folder, cases, timeout_s=args.timeout, memory_mb=args.memory_mb)
    print(table(outcomes))
    own = peak_memory_mb()
    child = max(o.child_mb for o in outcomes)
    bad = [o for o in outcomes if not o.as_expected]
    slowest = max(o.seconds for o in outcomes)
    print(
        f"{len(outcomes)} files, {len(bad)} unexpected, slowest {slowest:.1f} s,"
        f" total {sum(o.seconds for o in outcomes):.1f} s"
    )
    print(f"peak memory while loading: parent {own:.0f} MB, largest child {child:.0f} MB")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
