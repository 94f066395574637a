"""Uploading a file to a room, and fetching one: its bytes to ``hub.files``, its record
to the store; a message takes it by id (``sendMessage`` ``attachments``)."""

from __future__ import annotations

import os
import secrets
from typing import BinaryIO

from hubbub import policy
from hubbub.actions.rooms import member_access, member_room, readable_room
from hubbub.errors import BadRequest, NotFound, TooLarge
from hubbub.files.sniff import NotWhatItClaims, clean_name, sniff
from hubbub.hub import Hub
from hubbub.security import TokenUser
from hubbub.store.base import Attachment, UploadRecord


def _size(source: BinaryIO) -> int:
    source.seek(0, os.SEEK_END)
    size = source.tell()
    source.seek(0)
    return size


async def upload(
    hub: Hub,
    user: TokenUser,
    room: str,
    source: BinaryIO,
    *,
    name: str | None,
    declared_type: str | None,
) -> UploadRecord:
    target = (await member_access(hub, user, room)).room  # not muted, not archived
    size = _size(source)
    limit = hub.settings.max_upload_bytes
    if size > limit:
        raise TooLarge(f"a file may be at most {limit} bytes")
    if size == 0:
        raise BadRequest("the file is empty")
    shown = clean_name(name)
    try:
        kind = sniff(source, name=shown, declared_type=declared_type)
    except NotWhatItClaims as exc:
        raise BadRequest(str(exc)) from exc
    key = secrets.token_hex(16)
    stored = await hub.files.save(key, source)
    try:
        return await hub.store.add_upload(
            room_id=target.id,
            user_id=user.id,
            attachment=Attachment(0, shown, stored, kind.content_type, kind.width, kind.height),
            storage_key=key,
        )
    except BaseException:
        await hub.files.delete(key)
        raise


async def pending(hub: Hub, user: TokenUser, room: str) -> list[Attachment]:
    """The caller's uploads to the room that no message uses yet (a client shows them as
    attached again after a reload)."""
    target = await member_room(hub, user, room)
    return await hub.store.pending_uploads(room_id=target.id, user_id=user.id)


async def fetchable(hub: Hub, user: TokenUser, upload_id: int) -> UploadRecord:
    """An upload the caller may fetch: one a message uses, in a room they may read now;
    a pending one, only its uploader."""
    record = await hub.store.get_upload(upload_id=upload_id)
    if record is None or not await hub.files.exists(record.storage_key):
        raise NotFound(f"no file {upload_id}")
    if record.message_id is None:
        policy.may_fetch_pending(record, user_id=user.id)
    else:
        await readable_room(hub, user, record.room)
    return record
