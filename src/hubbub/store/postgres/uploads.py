"""PostgreSQL: the records of uploaded files (the bytes are in ``hubbub.files``)."""

from __future__ import annotations

from datetime import datetime

from hubbub.store.base import Attachment, UploadRecord, utc_now
from hubbub.store.postgres.base import PostgresBase
from hubbub.store.uploads import UPLOAD_COLUMNS, upload_from_row


class PostgresUploads(PostgresBase):
    async def add_upload(
        self, *, room_id: int, user_id: int, attachment: Attachment, storage_key: str
    ) -> UploadRecord:
        a = attachment
        row = await self._pool.fetchrow(
            "INSERT INTO uploads (room_id, user_id, name, size, content_type, width, height,"
            " storage_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            f" RETURNING {UPLOAD_COLUMNS}",
            room_id,
            user_id,
            a.name,
            a.size,
            a.content_type,
            a.width,
            a.height,
            storage_key,
            utc_now(),
        )
        return upload_from_row(row)

    async def get_upload(self, *, upload_id: int) -> UploadRecord | None:
        row = await self._pool.fetchrow(
            f"SELECT {UPLOAD_COLUMNS} FROM uploads WHERE id = $1", upload_id
        )
        return upload_from_row(row) if row else None

    async def pending_uploads(self, *, room_id: int, user_id: int) -> list[Attachment]:
        rows = await self._pool.fetch(
            f"SELECT {UPLOAD_COLUMNS} FROM uploads WHERE room_id = $1 AND user_id = $2"
            " AND message_id IS NULL ORDER BY id",
            room_id,
            user_id,
        )
        return [upload_from_row(r).attachment for r in rows]

    async def orphan_uploads(self, *, created_before: datetime, limit: int) -> list[UploadRecord]:
        rows = await self._pool.fetch(
            f"SELECT {UPLOAD_COLUMNS} FROM uploads WHERE message_id IS NULL"
            " AND created_at < $1 ORDER BY id LIMIT $2",
            created_before,
            limit,
        )
        return [upload_from_row(r) for r in rows]

    async def delete_upload(self, *, upload_id: int) -> None:
        await self._pool.execute("DELETE FROM uploads WHERE id = $1", upload_id)
