from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, UploadFile, status
from fastapi.responses import StreamingResponse

from hubbub.actions import uploads
from hubbub.api.deps import CurrentUser, HubDep, per_user
from hubbub.schemas import MAX_SEQ, AttachmentOut, AttachmentsOut, ErrorOut

router = APIRouter(
    prefix="/api",
    tags=["files"],
    responses={
        400: {"model": ErrorOut},
        401: {"model": ErrorOut},
        403: {"model": ErrorOut},
        404: {"model": ErrorOut},
        413: {"model": ErrorOut},
        429: {"model": ErrorOut},
    },
)


@router.post(
    "/rooms/{name}/uploads",
    status_code=status.HTTP_201_CREATED,
    dependencies=[per_user("uploads")],
)
async def upload(name: str, file: UploadFile, user: CurrentUser, hub: HubDep) -> AttachmentOut:
    """One file (multipart field ``file``), usable in one ``sendMessage`` of this room by
    the uploader. Its type is decided from its content."""
    record = await uploads.upload(
        hub, user, name, file.file, name=file.filename, declared_type=file.content_type
    )
    return AttachmentOut.of(record.attachment)


@router.get("/rooms/{name}/uploads", dependencies=[per_user("reads")])
async def pending(name: str, user: CurrentUser, hub: HubDep) -> AttachmentsOut:
    """Extension: the caller's uploads to this room that no message uses yet."""
    return AttachmentsOut(
        attachments=[AttachmentOut.of(a) for a in await uploads.pending(hub, user, name)]
    )


@router.get(
    "/uploads/{upload_id}",
    dependencies=[per_user("reads")],
    response_class=StreamingResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def fetch(
    upload_id: Annotated[int, Path(ge=1, le=MAX_SEQ)], user: CurrentUser, hub: HubDep
) -> StreamingResponse:
    """The file's bytes: PNG, JPEG, GIF and WebP inline, anything else as a download,
    always with ``X-Content-Type-Options: nosniff`` and a sandboxing CSP."""
    record = await uploads.fetchable(hub, user, upload_id)
    a = record.attachment
    inline = a.content_type.startswith("image/")
    disposition = "inline" if inline else "attachment"
    return StreamingResponse(
        hub.files.read(record.storage_key),
        media_type=a.content_type,
        headers={
            "Content-Length": str(a.size),
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(a.name)}",
            "Cache-Control": "private, max-age=86400",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )
