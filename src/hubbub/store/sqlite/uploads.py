"""SQLite: the records of uploaded files (the bytes are in ``hubbub.files``)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from hubbub.store.base import Attachment, UploadRecord, iso, utc_now
from hubbub.store.sqlite.base import SQLiteBase
from hubbub.store.uploads import UPLOAD_COLUMNS, upload_from_row


class SQLiteUploads(SQLiteBase):
    async def add_upload(
        self, *, room_id: int, user_id: int, attachment: Attachment, storage_key: str
    ) -> UploadRecord:
        def run(c: sqlite3.Connection) -> UploadRecord:
            a = attachment
            cursor = c.execute(
                "INSERT INTO uploads (room_id, user_id, name, size, content_type, width, height,"
                " storage_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    room_id,
                    user_id,
                    a.name,
                    a.size,
                    a.content_type,
                    a.width,
                    a.height,
                    storage_key,
                    iso(utc_now()),
                ),
            )
            row = c.execute(
                f"SELECT {UPLOAD_COLUMNS} FROM uploads WHERE id = ?", (cursor.lastrowid,)
            ).fetchone()
            return upload_from_row(row)

        return await self._write(run)

    async def get_upload(self, *, upload_id: int) -> UploadRecord | None:
        row = await self._read(
            lambda c: c.execute(
                f"SELECT {UPLOAD_COLUMNS} FROM uploads WHERE id = ?", (upload_id,)
            ).fetchone()
        )
        return upload_from_row(row) if row else None

    async def pending_uploads(self, *, room_id: int, user_id: int) -> list[Attachment]:
        rows = await self._read(
            lambda c: c.execute(
                f"SELECT {UPLOAD_COLUMNS} FROM uploads WHERE room_id = ? AND user_id = ?"
                " AND message_id IS NULL ORDER BY id",
                (room_id, user_id),
            ).fetchall()
        )
        return [upload_from_row(r).attachment for r in rows]

    async def orphan_uploads(self, *, created_before: datetime, limit: int) -> list[UploadRecord]:
        rows = await self._read(
            lambda c: c.execute(
                f"SELECT {UPLOAD_COLUMNS} FROM uploads WHERE message_id IS NULL"
                " AND created_at < ? ORDER BY id LIMIT ?",
                (iso(created_before), limit),
            ).fetchall()
        )
        return [upload_from_row(r) for r in rows]

    async def delete_upload(self, *, upload_id: int) -> None:
        await self._write(lambda c: c.execute("DELETE FROM uploads WHERE id = ?", (upload_id,)))
