"""``/api/documents``: list, upload and delete (admin; size-limited while reading; recorded in the
corpus), re-index, and cited passages."""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
import uuid
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.types import Message, Receive

from api.deps import Admin, Caller, ServicesDep, SettingsDep
from api.errors import ApiError
from api.schemas import DocumentOut, PassageOut, UploadOut, chunk_out, document_out
from api.security import check_text
from ingestion import corpus
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
MAX_NAME_BYTES = 180


@router.get("", response_model=list[DocumentOut])
async def list_documents(caller: Caller, settings: SettingsDep, services: ServicesDep) -> list[DocumentOut]:
    """Every report in the index, each marked ``bundled`` or ``uploaded`` in ``source``."""
    infos = await run_in_threadpool(services.index.documents)
    record = await run_in_threadpool(corpus.load, settings, indexed=[i.file for i in infos])
    return [document_out(info).model_copy(update={"origin": corpus.origin(record, info.file)})
            for info in infos]


@router.post("", response_model=UploadOut, status_code=201)
async def upload_document(
    request: Request, caller: Admin, settings: SettingsDep, services: ServicesDep, replace: bool = False
) -> UploadOut:
    """Store and ingest one PDF/TXT/MD sent as multipart field ``file`` (admin key).

    A file that would replace or shadow a bundled report is refused (409 ``bundled_report``) unless
    ``replace=true`` is sent as a query parameter or form field. Nothing is kept of a refused upload.
    """
    form = await _read_form(request, settings)
    try:
        wanted = replace or str(form.get("replace", "")).lower() in ("true", "1", "yes")
        return await run_in_threadpool(_store, _the_file(form), settings, services, wanted)
    finally:
        await form.close()


@router.post("/reindex", status_code=202)
async def start_reindex(
    request: Request, caller: Admin, settings: SettingsDep, services: ServicesDep
) -> dict[str, Any]:
    """Rebuild the index from the recorded corpus, switched to atomically when done (admin key)."""
    if not await run_in_threadpool(request.app.state.reindexer.start, settings, services.index):
        raise ApiError(409, "已有重建索引任务在运行。", code="reindex_running")
    return {"status": "started"}


@router.get("/reindex")
async def reindex_status(request: Request, caller: Caller) -> dict[str, Any]:
    """Whether a re-index is running, and how the last one went."""
    status: dict[str, Any] = request.app.state.reindexer.status()
    return status


@router.delete("/{doc_id}", status_code=204, response_class=Response)
async def delete_document(
    doc_id: str, caller: Admin, settings: SettingsDep, services: ServicesDep
) -> Response:
    """Remove a report from the index and the corpus, under every name its content has (admin key)."""
    await run_in_threadpool(_delete, doc_id, settings, services)
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
    if by_id is not None or not (ref.isascii() and ref.isdigit() and len(ref) <= 9):
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


def _store(upload: UploadFile, settings: Settings, services: Services, replace: bool) -> UploadOut:
    """Stage, check, ingest and record one upload, under the corpus lock; a refusal keeps nothing."""
    name = safe_filename(upload.filename or "")
    if Path(name).suffix.lower() not in ALLOWED_SUFFIXES:
        raise ApiError(415, "只支持 PDF、TXT、MD 文件。")
    with corpus.CorpusLock(settings):
        staging = settings.home / "staging" / uuid.uuid4().hex
        try:
            path = _copy(upload, staging / name, settings)
            digest = corpus.sha256_of(path)
            conflicts = corpus.bundled_conflicts(settings, name, digest)
            if conflicts and not replace:
                raise ApiError(409, f"与内置报告 {conflicts[0]} 同名或同内容；管理员可用 replace=true 替换。",
                               code="bundled_report")
            record = _record(settings, services)
            result = _ingest(path, settings, services)
            folder = corpus.uploads_dir(settings)
            folder.mkdir(parents=True, exist_ok=True)
            os.replace(path, folder / name)
            corpus.save(settings, record.with_upload(name, digest, replaces=conflicts))
            return result
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _delete(doc_id: str, settings: Settings, services: Services) -> None:
    """Remove ``doc_id`` from the index, then every recorded name of its content."""
    with corpus.CorpusLock(settings):
        info = next((i for i in services.index.documents() if i.doc_id == doc_id), None)
        if info is None:
            raise InputError("未找到该文档。", code="not_found")
        record = _record(settings, services)
        if not services.index.remove(doc_id):
            raise InputError("未找到该文档。", code="not_found")
        bundled = corpus.bundled(settings)
        names = {info.file, *corpus.same_content(record, info.content_hash)}
        names |= {n for n, p in bundled.items() if corpus.sha256_of(p) == info.content_hash}
        corpus.save(settings, record.without(names, bundled=bundled))
        for name in names:
            (corpus.uploads_dir(settings) / name).unlink(missing_ok=True)


def _record(settings: Settings, services: Services) -> corpus.Corpus:
    return corpus.load(settings, indexed=[i.file for i in services.index.documents()])


def _copy(upload: UploadFile, target: Path, settings: Settings) -> Path:
    """``upload`` written to ``target`` (413 past the upload limit); ``target`` comes back."""
    target.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    with target.open("wb") as out:
        while block := upload.file.read(_COPY_BLOCK):
            size += len(block)
            if size > settings.max_upload_bytes:
                raise _too_large(settings)
            out.write(block)
    return target


def _ingest(path: Path, settings: Settings, services: Services) -> UploadOut:
    """Ingest one staged file in a child process (``ingestion.worker``); DocumentError (422) with the
    loader's message when it fails."""
    from ingestion.worker import ingest_in_child

    outcome = ingest_in_child(path, settings)
    if not outcome.ok:
        raise DocumentError(outcome.message or "文件无法解析。", code=outcome.code or None)
    info = next((i for i in services.index.documents() if i.file == path.name), None)
    chunks = len(services.index.chunks(info.doc_id)) if info else 0
    out = document_out(info).model_copy(update={"origin": "uploaded"}) if info else None
    return UploadOut(document=out, chunks=chunks, message="已导入。")


def safe_filename(name: str) -> str:
    """A file name with no directories, control, format (bidi) or shell-special characters, at most
    ``MAX_NAME_BYTES`` bytes of UTF-8 (file systems count bytes, not characters)."""
    base = unicodedata.normalize("NFKC", check_text(name)).replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch) != "Cf")
    base = re.sub(r"[\x00-\x1f\x7f<>:\"|?*'`$;&]", "_", base).strip(" .")
    if not base:
        raise InputError("文件名无效。", code="bad_filename")
    stem, dot, suffix = base.rpartition(".")
    if not dot or len(suffix.encode()) > 16:
        return _cut_bytes(base, MAX_NAME_BYTES)
    return _cut_bytes(stem, MAX_NAME_BYTES - len(suffix.encode()) - 1) + dot + suffix


def _cut_bytes(text: str, limit: int) -> str:
    """The longest prefix of ``text`` whose UTF-8 fits in ``limit`` bytes (never half a character)."""
    return text.encode()[:limit].decode(errors="ignore")


def _too_large(settings: Settings) -> ApiError:
    """413, closing the connection so a client still sending is cut off rather than drained."""
    limit = settings.max_upload_bytes / (1024 * 1024)
    return ApiError(413, f"文件过大（上限 {limit:g} MB）。", headers={"Connection": "close"})

