"""Loading files into text lines: plain text (.txt, .md) and PDF.

The file's kind is decided by its bytes, not its name: a PDF named ``.txt`` loads as a PDF, a
text file named ``.pdf`` loads as text, and Office/image/archive files are refused.

Text is decoded as ``utf-8-sig``, then ``gb18030`` (a superset of GBK), or UTF-16 when it has a
BOM or the NUL-byte pattern of UTF-16; ``LoadedText.encoding`` names the codec that worked. A
UTF-8 file with a few broken bytes (e.g. cut in the middle of a character) keeps its UTF-8
reading with U+FFFD in place of those bytes instead of becoming GB18030 mojibake. Decoded text
that is mostly control, private-use or unusual characters is refused as ``binary``. NUL and
other control characters (except tab) are dropped from the lines; a form feed starts a new page,
as in ``pdftotext`` output.

PDFs: pypdf opens, decrypts (empty user password), validates and inflates every page, with its
built-in decompression limits; pdfplumber lays out the pages that draw table rules, writing each
ruled table row as one line of tab-separated cells, the same shape as the bundled ``.txt``
reports; pypdfium2 extracts the text of the other pages (pypdf when pdfium cannot read the file).
Page furniture (running headers and footers, page numbers) is removed here by its position and its
repetition across pages (``ingestion.pdfpages``, ``ingestion.normalize.band_furniture``), and the
PDF's /Title, its first page's largest text and its running header are kept as title evidence
(``LoadedText.evidence``); see docs/pdf.md. Measured on ``tests/pdfs.make_report_pdf``
(a heading, a paragraph and a 4×5 ruled table): pypdf's plain mode gives one cell per line (row
structure lost), its layout mode pads cells with 1–3 spaces (``2022年 增长量   增长率``: cell
borders ambiguous); pdfplumber's tables come back cell-exact, and all 111 table rows of the
changping and chaoyang reports survive a PDF round trip exactly. Cost in CPU time on dense
Chinese pages: pypdf ≈ 95 ms/page, pdfplumber ≈ 180 ms/page. So pdfplumber runs only on pages
whose content stream draws the rules of a table (≥ 3 horizontal and ≥ 2 vertical lines or thin
rectangles, or the lone row of a header left at a page bottom), at most ``MAX_LAID_OUT_PAGES`` of
them; other pages keep their plain text (in content-stream order, so a footer drawn first comes
first).

Error codes (``DocumentError.code``): see ``ERROR_CODES``; ``timeout`` and ``memory`` also come
from ``ingestion.isolation``.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ingestion.normalize import band_furniture, furniture_key, is_page_number
from ingestion.pdfpages import PageMarks, PdfLayout, read_layout
from rag.errors import DocumentError
from rag.types import LoadedText

ERROR_CODES = (
    "not_found",
    "unreadable",
    "empty",
    "too_large",
    "unsupported_type",
    "binary",
    "encoding",
    "pdf_encrypted",
    "pdf_no_text",
    "pdf_broken",
    "timeout",
    "memory",
)

DEFAULT_MAX_BYTES = 52 * 1024 * 1024
"""50 MiB (the default upload limit) plus 2 MiB, so a 50 MB report loads and anything bigger fails."""
MAX_PDF_PAGES = 3000
MAX_PDF_TEXT_CHARS = 30_000_000
"""A PDF whose pages decompress to more text than this (far beyond any report) is refused."""
MAX_PAGE_CONTENT_BYTES = 20_000_000
"""A page whose drawing instructions inflate to more than this (a text bomb) is refused."""
MIN_TEXT_PAGE_SHARE = 0.2
MIN_PAGES_FOR_SCAN_CHECK = 5
"""A PDF of at least this many pages with text on fewer than ``MIN_TEXT_PAGE_SHARE`` of them is
treated as a scan (``pdf_no_text``) rather than loaded as its typed cover alone."""
MAX_LAID_OUT_PAGES = 200
"""pdfplumber costs ≈ 80–140 ms a page: beyond this many ruled pages, pypdf's plain text is kept, so
a long PDF still loads within the isolation timeout (deterministically, unlike a time budget)."""

MAX_FURNITURE_SHARE = 0.3
"""Band lines are kept when removing them would take more than this share of the lines."""

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".text"})
PDF_SUFFIXES = frozenset({".pdf"})

_REFUSED_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "ZIP 或 Office 文件（.docx、.xlsx 等）"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "旧版 Office 文件（.doc、.xls 等）"),
    (b"{\\rtf", "RTF 文档"),
    (b"\x89PNG", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF8", "GIF 图片"),
    (b"II*\x00", "TIFF 图片"),
    (b"MM\x00*", "TIFF 图片"),
    (b"\x1f\x8b", "gzip 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
    (b"Rar!", "RAR 压缩包"),
    (b"\x7fELF", "可执行程序"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_SPACE = re.compile(r"\s")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NUMBER = rb"(-?\d*\.?\d+)\s+"
_SEGMENT = re.compile(_NUMBER * 2 + rb"m\s+" + _NUMBER * 2 + rb"l\b")
_RECT = re.compile(_NUMBER * 4 + rb"re\b")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")
_IMPLAUSIBLE = re.compile(
    "[^\\s\x00-\x7e\x7f-\x9f\u00a0-\u024f\u0370-\u03ff\u0400-\u04ff\u2000-\u2bff\u2e80-\u33ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
    "\U0001f000-\U0001faff\U00020000-\U0002fa1f]"
)
_MAX_IMPLAUSIBLE_SHARE = 0.05
_MAX_CONTROL_SHARE = 0.01


def load(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> LoadedText:
    """The file's text lines (with page numbers for a PDF), or DocumentError with a stable code."""
    data = _read(path, max_bytes=max_bytes)
    name = path.name
    evidence: tuple[tuple[str, str], ...] = ()
    by_position = False
    if _is_pdf(data):
        lines, pages, evidence, by_position = _pdf_lines(data, name)
        encoding = "pdf"
    else:
        _refuse_known_binary(data, name, suffix=path.suffix.lower())
        text, encoding = decode_text(data, name)
        lines, pages = _text_lines(text)
    if not any(line.strip() for line in lines):
        raise DocumentError(f"{name}：文件中没有文字", code="empty")
    return LoadedText(
        file=name,
        lines=tuple(lines),
        encoding=encoding,
        content_hash=hashlib.sha256(data).hexdigest(),
        pages=tuple(pages),
        evidence=evidence,
        furniture_removed=by_position,
    )


def _read(path: Path, *, max_bytes: int) -> bytes:
    name = path.name
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise DocumentError(f"{name}：不是普通文件", code="unreadable")
        if size > max_bytes:
            raise _too_large(name, size, max_bytes)
        with path.open("rb") as stream:
            data = stream.read(max_bytes + 1)  # the file may have grown since stat
    except FileNotFoundError as exc:
        raise DocumentError(f"{name}：找不到该文件", code="not_found") from exc
    except OSError as exc:
        raise DocumentError(f"{name}：无法读取（{exc.strerror}）", code="unreadable") from exc
    if len(data) > max_bytes:
        raise _too_large(name, len(data), max_bytes)
    if not data.strip():
        raise DocumentError(f"{name}：文件为空", code="empty")
    return data


def _too_large(name: str, size: int, max_bytes: int) -> DocumentError:
    return DocumentError(
        f"{name}：文件大小 {size / 1e6:.1f} MB，超过 {max_bytes / 1e6:.1f} MB 的上限", code="too_large"
    )


def _is_pdf(data: bytes) -> bool:
    """PDF readers accept the header anywhere in the first KiB; text that merely mentions it has no %%EOF."""
    return data.lstrip()[:5] == b"%PDF-" or (b"%PDF-" in data[:1024] and b"%%EOF" in data[-2048:])


def _refuse_known_binary(data: bytes, name: str, *, suffix: str) -> None:
    for magic, what in _REFUSED_MAGIC:
        if data.startswith(magic):
            raise DocumentError(
                f"{name}：不支持的文件类型（{what}），请上传 PDF 或纯文本文件", code="unsupported_type"
            )
    if suffix and suffix not in TEXT_SUFFIXES | PDF_SUFFIXES:
        raise DocumentError(
            f"{name}：不支持 {suffix} 文件，请上传 PDF 或纯文本文件", code="unsupported_type"
        )


# --- text -------------------------------------------------------------------------------------


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """The decoded text and the codec that worked, or DocumentError (``encoding`` / ``binary``)."""
    text, encoding = _decode(data, name)
    _check_plausible(text, name)
    return text, encoding


def _decode(data: bytes, name: str) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise DocumentError(f"{name}：UTF-16 文本已损坏", code="encoding") from exc
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return utf16
    head = data[:65536]
    if len(_CONTROL_BYTES.findall(head)) > max(8, len(head) * _MAX_CONTROL_SHARE):
        raise DocumentError(f"{name}：这是二进制数据，不是文本（含控制字节）", code="binary")
    try:
        text = data.decode("utf-8-sig")
        return text, "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        pass
    lenient = _nearly_utf8(data)
    if lenient is not None:
        return lenient, "utf-8"
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise DocumentError(
            f"{name}：文本既不是 UTF-8 也不是 GB18030/GBK 编码（第 {exc.start} 字节无法解码）",
            code="encoding",
        ) from exc


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """The text and codec when NUL bytes sit only at odd (LE) or only at even (BE) offsets and it decodes."""
    head = data[:4096]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    codec = "utf-16-le" if odd >= 4 and even == 0 else "utf-16-be" if even >= 4 and odd == 0 else None
    if codec is None or len(data) % 2:
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    return (text, codec) if _implausible(text) is None else None


def _nearly_utf8(data: bytes) -> str | None:
    """UTF-8 text with a few bad bytes replaced by U+FFFD, or None when it is not UTF-8 at all."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    multibyte = sum(1 for b in data[:200_000] if b >= 0xC0)
    if bad <= max(3, len(data) // 10_000) and multibyte >= 4 * bad:
        return text.removeprefix("\ufeff")
    return None


def _check_plausible(text: str, name: str) -> None:
    reason = _implausible(text)
    if reason is not None:
        raise DocumentError(f"{name}：这是二进制数据，不是文本（{reason}）", code="binary")


def _implausible(text: str) -> str | None:
    """Why the text looks like binary data (too many control or unusual characters), or None."""
    sample = text[:2_000_000]
    visible = max(1, len(sample) - len(_SPACE.findall(sample)))
    controls = len(_CONTROL.findall(sample))
    odd = len(_IMPLAUSIBLE.findall(sample))
    if controls > max(8, visible * _MAX_CONTROL_SHARE) or odd > max(8, visible * _MAX_IMPLAUSIBLE_SHARE):
        return f"{controls} 个控制字符、{odd} 个异常字符"
    return None


def _text_lines(text: str) -> tuple[list[str], list[int]]:
    lines = _CONTROL.sub("", text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if "\f" not in text:
        return lines, []
    pages: list[int] = []
    page = 1
    for i, line in enumerate(lines):
        if "\f" in line:
            page += line.count("\f")
            lines[i] = line.replace("\f", "")
        pages.append(page)
    return lines, pages


# --- PDF --------------------------------------------------------------------------------------


def _pdf_lines(data: bytes, name: str) -> tuple[list[str], list[int], tuple[tuple[str, str], ...], bool]:
    """The PDF's lines without page furniture, each line's page, (source, text) title evidence, and
    whether furniture was found by position."""
    if b"%%EOF" not in data[-2048:]:
        raise DocumentError(f"{name}：PDF 文件不完整（缺少文件结束标记）", code="pdf_broken")
    with _pypdf_errors(name):
        reader = _open_pdf(data, name)
        ruled = [_draws_rules(_drawing(page, number, name)) for number, page in enumerate(reader.pages, 1)]
    laid_out = _plumber_pages(data, _first(ruled, MAX_LAID_OUT_PAGES), name)
    positions = read_layout(data, max_pages=len(laid_out), text_of=[lines is None for lines in laid_out])
    texts = positions.texts if positions is not None else ()
    per_page: list[list[str]] = []
    chars = 0
    with _pypdf_errors(name):
        for number, (page, layout) in enumerate(zip(reader.pages, laid_out, strict=True)):
            text = texts[number] if number < len(texts) else None
            if layout is None and text is None:
                text = page.extract_text() or ""
            page_lines = layout if layout is not None else str(text).splitlines()
            per_page.append([_clean(line) for line in page_lines])
            chars += sum(map(len, page_lines))
            if chars > MAX_PDF_TEXT_CHARS:
                raise DocumentError(f"{name}：PDF 中的文字远多于任何一份年报", code="too_large")
    _check_text_layer(per_page, name)
    evidence: tuple[tuple[str, str], ...] = ()
    if positions is not None:
        per_page, headers = _without_furniture(per_page, positions.pages)
        evidence = _evidence(positions, headers)
    lines = [line for page_lines in per_page for line in page_lines]
    pages = [number for number, page_lines in enumerate(per_page, 1) for _ in page_lines]
    return lines, pages, evidence, positions is not None


def _without_furniture(
    per_page: list[list[str]], marks: tuple[PageMarks, ...]
) -> tuple[list[list[str]], list[str]]:
    """Each page's lines without the header/footer lines ``band_furniture`` names, and the removed
    running headers (not page numbers), most frequent first."""
    furniture = band_furniture([m.top + m.bottom for m in marks])
    kept_pages, headers = [], Counter[str]()
    for lines, mark in zip(per_page, marks, strict=False):
        kept = list(lines)
        for band, from_end in ((mark.top, False), (reversed(mark.bottom), True)):
            for text in band:
                if furniture_key(text) in furniture and _drop_one(kept, text, from_end=from_end):
                    headers.update([] if is_page_number(text) or from_end else [" ".join(text.split())])
        kept_pages.append(kept)
    total = sum(1 for lines in per_page for line in lines if line.strip())
    left = sum(1 for lines in kept_pages for line in lines if line.strip())
    if left < total * (1 - MAX_FURNITURE_SHARE):  # not furniture: the pages are made of it
        return per_page, []
    return kept_pages + per_page[len(kept_pages):], [text for text, _ in headers.most_common()]


def _drop_one(lines: list[str], text: str, *, from_end: bool) -> bool:
    """Removes the line nearest the page's start (or end) that spells ``text``; False when none does."""
    key = re.sub(r"\s", "", text)
    order = range(len(lines) - 1, -1, -1) if from_end else range(len(lines))
    for i in order:
        if re.sub(r"\s", "", lines[i]) == key:
            del lines[i]
            return True
    return False


def _evidence(positions: PdfLayout, headers: list[str]) -> tuple[tuple[str, str], ...]:
    found = [
        ("pdf_title", positions.title),
        ("pdf_subject", positions.subject),
        ("largest_text", positions.largest),
        ("running_header", headers[0] if headers else ""),
    ]
    return tuple((source, text) for source, text in found if text)


def _check_text_layer(per_page: list[list[str]], name: str) -> None:
    """Refuses a PDF whose pages (nearly) all lack text: a scan with at most a typed cover."""
    count = len(per_page)
    with_text = sum(1 for lines in per_page if any(line.strip() for line in lines))
    if with_text == 0:
        raise DocumentError(
            f"{name}：PDF 没有文字层（可能是扫描件），请先做文字识别（OCR）", code="pdf_no_text"
        )
    if count >= MIN_PAGES_FOR_SCAN_CHECK and with_text < count * MIN_TEXT_PAGE_SHARE:
        raise DocumentError(
            f"{name}：{count} 页中只有 {with_text} 页有文字层（可能是扫描件），请先做文字识别（OCR）",
            code="pdf_no_text",
        )


def _clean(line: str) -> str:
    """The line without control characters, and with U+FFFD for lone surrogates (broken font maps)."""
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("", line))


def _first(flags: list[bool], limit: int) -> list[bool]:
    """``flags`` with every True after the first ``limit`` turned False."""
    out, seen = [], 0
    for flag in flags:
        seen += flag
        out.append(flag and seen <= limit)
    return out


@contextmanager
def _pypdf_errors(name: str) -> Iterator[None]:
    """Translates whatever pypdf raises on a hostile file into DocumentError for that file."""
    from pypdf.errors import DependencyError, FileNotDecryptedError

    try:
        yield
    except DocumentError:
        raise
    except (FileNotDecryptedError, DependencyError) as exc:
        raise DocumentError(f"{name}：无法打开 PDF 的加密", code="pdf_encrypted") from exc
    except MemoryError as exc:
        raise DocumentError(f"{name}：读取该 PDF 需要的内存过多", code="memory") from exc
    except RecursionError as exc:
        raise DocumentError(f"{name}：PDF 内部对象嵌套过深", code="pdf_broken") from exc
    except Exception as exc:  # pypdf raises many foreign types on hostile input; each fails this file only
        raise DocumentError(f"{name}：PDF 文件已损坏（{type(exc).__name__}）", code="pdf_broken") from exc


def _open_pdf(data: bytes, name: str) -> Any:
    """A pypdf reader, decrypted with the empty password, with a sane page count."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):
        raise DocumentError(f"{name}：PDF 有密码保护", code="pdf_encrypted")
    count = len(reader.pages)
    if count == 0:
        raise DocumentError(f"{name}：PDF 没有页面", code="pdf_broken")
    if count > MAX_PDF_PAGES:
        raise DocumentError(f"{name}：共 {count} 页，超过 {MAX_PDF_PAGES} 页的上限", code="too_large")
    return reader


def _drawing(page: Any, number: int, name: str) -> bytes:
    """The page's decompressed content stream (pypdf's inflate limits apply), size-checked."""
    contents = page.get_contents()
    drawing: bytes = contents.get_data() if contents is not None else b""
    if len(drawing) > MAX_PAGE_CONTENT_BYTES:
        raise DocumentError(
            f"{name}：第 {number} 页的绘图数据远多于一份年报", code="too_large"
        )
    return drawing


def _draws_rules(drawing: bytes) -> bool:
    """Whether the drawing has the rules of a ruled table: ≥ 3 horizontal and ≥ 2 vertical, or the
    2 horizontal and ≥ 3 vertical of a lone row (a header row left at the bottom of a page)."""
    across = down = 0
    for match in _SEGMENT.finditer(drawing):
        x1, y1, x2, y2 = (float(v) for v in match.groups())
        across += abs(y1 - y2) < 1 < abs(x1 - x2)
        down += abs(x1 - x2) < 1 < abs(y1 - y2)
    for match in _RECT.finditer(drawing):
        width, height = (abs(float(v)) for v in match.groups()[2:])
        if width >= 2 and height >= 2:  # a cell box: two edges each way
            across, down = across + 2, down + 2
        else:
            across += height < 2 < width
            down += width < 2 < height
        if _ruled(across, down):
            return True
    return _ruled(across, down)


def _ruled(across: int, down: int) -> bool:
    return (across >= 3 and down >= 2) or (across >= 2 and down >= 3)


def _plumber_pages(data: bytes, wanted: list[bool], name: str) -> list[list[str] | None]:
    """Laid-out lines of each wanted page (tables as tab-separated rows); None where unavailable."""
    import pdfplumber

    out: list[list[str] | None] = [None] * len(wanted)
    if not any(wanted):
        return out
    try:
        with pdfplumber.open(io.BytesIO(data), password="") as pdf:
            for i, page in enumerate(pdf.pages[: len(wanted)]):
                if wanted[i]:
                    out[i] = _layout(page)
    except MemoryError as exc:
        raise DocumentError(f"{name}：读取该 PDF 需要的内存过多", code="memory") from exc
    except Exception:  # pypdf already read these pages; its plain text is the fallback
        return out
    return out


def _layout(page: Any) -> list[str]:
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]
    rest = page.filter(lambda obj: not any(_inside(obj, box) for box in boxes)) if boxes else page
    items = [(float(line["top"]), line["text"]) for line in rest.extract_text_lines(return_chars=False)]
    for table in tables:
        items += list(_table_rows(table))
    items.sort(key=lambda item: item[0])
    return [text for _, text in items]


def _table_rows(table: Any) -> Iterator[tuple[float, str]]:
    for row, cells in zip(table.rows, table.extract(), strict=False):
        texts = [_cell_text(cell) for cell in cells]
        if any(texts):
            yield float(row.bbox[1]), "\t".join(texts)


def _cell_text(cell: str | None) -> str:
    if not cell:
        return ""
    parts = [part.strip() for part in cell.replace("\t", " ").splitlines()]
    out = ""
    for part in parts:
        sep = " " if out and out[-1].isascii() and part[:1].isascii() and out[-1].isalnum() else ""
        out += sep + part
    return out


def _inside(obj: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    if "x0" not in obj or "top" not in obj:
        return False
    x = (float(obj["x0"]) + float(obj["x1"])) / 2
    y = (float(obj["top"]) + float(obj["bottom"])) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]
