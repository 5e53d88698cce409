"""``/api/documents``: list, upload (size-limited while reading), delete, and cited passages."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.types import Message, Receive

from api.deps import Caller, ServicesDep, SettingsDep
from api.errors import ApiError
from api.schemas import DocumentOut, PassageOut, UploadOut, chunk_out, document_out
from rag.errors import DocumentError, InputError
from rag.index import Index
from rag.services import Services
from rag.settings import Settings
from rag.types import Chunk

router = APIRouter(prefix="/api/documents", tags=["documents"])
ALLOWED_SUFFIXES = (".pdf", ".txt", ".md")
_MULTIPART_OVERHEAD = 64 * 1024
_COPY_BLOCK = 1024 * 1024
_SPECIFICITY = {"table_row": 0, "prose": 1, "table": 2}


@router.get("", response_model=list[DocumentOut])
async def list_documents(caller: Caller, services: ServicesDep) -> list[DocumentOut]:
    """Every report in the index."""
    infos = await run_in_threadpool(services.index.documents)
    return [document_out(info) for info in infos]


@router.post("", response_model=UploadOut, status_code=201)
async def upload_document(
    request: Request, caller: Caller, settings: SettingsDep, services: ServicesDep
) -> UploadOut:
    """Store and ingest one PDF/TXT/MD sent as multipart field ``file``."""
    form = await _read_form(request, settings)
    try:
        target = await run_in_threadpool(_save, _the_file(form), settings)
    finally:
        await form.close()
    return await run_in_threadpool(_ingest, target, services)


@router.post("/reindex", status_code=202)
async def start_reindex(
    request: Request, caller: Caller, settings: SettingsDep, services: ServicesDep
) -> dict[str, Any]:
    """Rebuild the index from the bundled reports and uploads, switched to atomically when done."""
    paths = [p for p in (settings.reports_dir, _uploads(settings)) if p.is_dir()]
    if not request.app.state.reindexer.start(paths, services.index):
        raise ApiError(409, "已有重建索引任务在运行。", code="reindex_running")
    return {"status": "started"}


@router.get("/reindex")
async def reindex_status(request: Request, caller: Caller) -> dict[str, Any]:
    """Whether a re-index is running, and how the last one went."""
    status: dict[str, Any] = request.app.state.reindexer.status()
    return status


@router.delete("/{doc_id}", status_code=204, response_class=Response)
async def delete_document(
    doc_id: str, caller: Caller, settings: SettingsDep, services: ServicesDep
) -> Response:
    """Remove a report from every index (and its uploaded file)."""
    infos = await run_in_threadpool(services.index.documents)
    info = next((i for i in infos if i.doc_id == doc_id), None)
    if info is None or not await run_in_threadpool(services.index.remove, doc_id):
        raise InputError("未找到该文档。", code="not_found")
    uploaded = _uploads(settings) / info.file
    if uploaded.is_file():
        uploaded.unlink()
    return Response(status_code=204)


@router.get("/{doc_id}/passages/{ref}", response_model=PassageOut)
async def get_passage(doc_id: str, ref: str, caller: Caller, services: ServicesDep) -> PassageOut:
    """The cited chunk (by chunk id, or the chunk holding line ``ref``) with its neighbours."""
    return await run_in_threadpool(_passage, services.index, doc_id, ref)


def _passage(index: Index, doc_id: str, ref: str) -> PassageOut:
    info = next((i for i in index.documents() if i.doc_id == doc_id), None)
    if info is None:
        raise InputError("未找到该文档。", code="not_found")
    chunks = sorted(index.chunks(doc_id), key=lambda c: (c.line_start, _SPECIFICITY[c.kind]))
    chunk = _find(chunks, ref)
    if chunk is None:
        raise InputError("未找到该段落。", code="not_found")
    blocks = [c for c in chunks if c.kind != "table_row"]
    table = _table_of(chunk, blocks) if chunk.kind == "table_row" else None
    anchor = table or chunk
    position = next((n for n, c in enumerate(blocks) if c.id == anchor.id), None)
    before = blocks[max(position - 1, 0):position] if position is not None else []
    after = blocks[position + 1:position + 2] if position is not None else []
    return PassageOut(
        document=document_out(info), passage=chunk_out(chunk), table=chunk_out(table) if table else None,
        before=[chunk_out(c) for c in before], after=[chunk_out(c) for c in after],
    )


def _table_of(row: Chunk, blocks: list[Chunk]) -> Chunk | None:
    """The whole-table chunk a table row belongs to."""
    return next((c for c in blocks if c.kind == "table" and c.table == row.table
                 and c.line_start <= row.line_start <= c.line_end), None)


def _find(chunks: list[Chunk], ref: str) -> Chunk | None:
    """The chunk with id ``ref``, or the most specific chunk holding line ``ref``."""
    by_id = next((c for c in chunks if c.id == ref), None)
    if by_id is not None or not ref.isdigit():
        return by_id
    line = int(ref)
    holding = [c for c in chunks if c.line_start <= line <= c.line_end]
    return min(holding, key=lambda c: (_SPECIFICITY[c.kind], c.line_end - c.line_start), default=None)


async def _read_form(request: Request, settings: Settings) -> FormData:
    """The multipart form, the body counted as it arrives (413 past the limit, chunked or not)."""
    budget = settings.max_upload_bytes + _MULTIPART_OVERHEAD
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > budget:
        raise _too_large(settings)
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise ApiError(415, "请以 multipart/form-data 上传，字段名 file。")
    limited = Request(request.scope, receive=_limited(request.receive, budget, settings))
    return await limited.form(max_files=1, max_fields=4)


def _the_file(form: FormData) -> UploadFile:
    """The form's ``file`` field."""
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise InputError("缺少上传文件（字段名 file）。", code="no_file")
    return upload


def _limited(receive: Receive, budget: int, settings: Settings) -> Receive:
    """A receive that raises 413 once the body exceeds ``budget`` bytes."""
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > budget:
            raise _too_large(settings)
        return message

    return counted


def _save(upload: UploadFile, settings: Settings) -> Path:
    """Write the upload under ``home/uploads`` with a safe name; the path written."""
    name = safe_filename(upload.filename or "")
    if Path(name).suffix.lower() not in ALLOWED_SUFFIXES:
        raise ApiError(415, "只支持 PDF、TXT、MD 文件。")
    folder = _uploads(settings)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    size = 0
    with target.open("wb") as out:
        while block := upload.file.read(_COPY_BLOCK):
            size += len(block)
            if size > settings.max_upload_bytes:
                out.close()
                target.unlink()
                raise _too_large(settings)
            out.write(block)
    return target


def _ingest(path: Path, services: Services) -> UploadOut:
    """Ingest one saved file; DocumentError (422) with the loader's message when it fails."""
    from ingestion.pipeline import ingest

    report = ingest([path], services.index)
    failure = next((f for f in report.files if not f.ok), None)
    if failure is not None:
        path.unlink(missing_ok=True)
        raise DocumentError(failure.message or "文件无法解析。", code=failure.code or None)
    info = next((i for i in services.index.documents() if i.file == path.name), None)
    chunks = len(services.index.chunks(info.doc_id)) if info else 0
    return UploadOut(document=document_out(info) if info else None, chunks=chunks, message="已导入。")


def safe_filename(name: str) -> str:
    """A file name with no directories, control or shell-special characters, at most 120 chars."""
    base = unicodedata.normalize("NFKC", name).replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"[\x00-\x1f\x7f<>:\"|?*'`$;&]", "_", base).strip(" .")
    if not base:
        raise InputError("文件名无效。", code="bad_filename")
    stem, dot, suffix = base.rpartition(".")
    return (stem[: 120 - len(suffix) - 1] + dot + suffix) if dot else base[:120]


def _too_large(settings: Settings) -> ApiError:
    """413, closing the connection so a client still sending is cut off rather than drained."""
    limit = settings.max_upload_bytes / (1024 * 1024)
    return ApiError(413, f"文件过大（上限 {limit:g} MB）。", headers={"Connection": "close"})


def _uploads(settings: Settings) -> Path:
    return settings.home / "uploads"
