"""The columns both stores select for an upload, and how a row becomes a record."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hubbub.store.base import Attachment, UploadRecord
from hubbub.store.rows import as_iso

UPLOAD_COLUMNS = (
    "id, name, size, content_type, width, height, room_id, user_id, message_id,"
    " storage_key, created_at, (SELECT r.name FROM rooms r WHERE r.id = uploads.room_id)"
)


def upload_from_row(row: Sequence[Any]) -> UploadRecord:
    return UploadRecord(
        attachment=Attachment(*row[:6]),
        room_id=row[6],
        user_id=row[7],
        message_id=row[8],
        storage_key=row[9],
        created_at=as_iso(row[10]),
        room=row[11],
    )
