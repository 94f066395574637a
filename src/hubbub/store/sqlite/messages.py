"""SQLite: sends and changes (queued on the writer), history and catch-up reads."""

from __future__ import annotations

import sqlite3

from hubbub.store.base import (
    ChangedMessage,
    MessageChange,
    MessagePage,
    MessageRecord,
    NewMessage,
    Refused,
    RoomRecord,
    StoredMessage,
)
from hubbub.store.rows import (
    MESSAGE_SELECT,
    message_from_row,
)
from hubbub.store.sqlite.base import SQLiteBase


class SQLiteMessages(SQLiteBase):
    async def store_message(self, message: NewMessage) -> StoredMessage | Refused:
        result: StoredMessage | Refused = await self._writer.submit(message)
        return result

    async def change_message(self, change: MessageChange) -> ChangedMessage | Refused:
        result: ChangedMessage | Refused = await self._writer.submit(change)
        return result

    async def get_message(self, *, room: RoomRecord, seq: int) -> MessageRecord | None:
        row = await self._read(
            lambda c: c.execute(
                f"{MESSAGE_SELECT} WHERE m.room_id = ? AND m.seq = ?", (room.id, seq)
            ).fetchone()
        )
        return message_from_row(room.name, row) if row else None

    async def messages_changed(
        self, *, room: RoomRecord, after_rev: int, limit: int
    ) -> MessagePage:
        rows = await self._read(
            lambda c: c.execute(
                f"{MESSAGE_SELECT} WHERE m.room_id = ? AND m.rev > ? ORDER BY m.rev LIMIT ?",
                (room.id, after_rev, limit + 1),
            ).fetchall()
        )
        return MessagePage(
            [message_from_row(room.name, r) for r in rows[:limit]], len(rows) > limit
        )

    async def replies(self, *, room: RoomRecord, seq: int, after: int, limit: int) -> MessagePage:
        rows = await self._read(
            lambda c: c.execute(
                f"{MESSAGE_SELECT} WHERE m.room_id = ? AND m.reply_to = ? AND m.seq > ?"
                " ORDER BY m.seq LIMIT ?",
                (room.id, seq, after, limit + 1),
            ).fetchall()
        )
        return MessagePage(
            [message_from_row(room.name, r) for r in rows[:limit]], len(rows) > limit
        )

    async def messages_before(
        self, *, room: RoomRecord, before: int | None, limit: int
    ) -> MessagePage:
        def run(c: sqlite3.Connection) -> MessagePage:
            if before is None:
                rows = c.execute(
                    f"{MESSAGE_SELECT} WHERE m.room_id = ? ORDER BY m.seq DESC LIMIT ?",
                    (room.id, limit + 1),
                ).fetchall()
            else:
                rows = c.execute(
                    f"{MESSAGE_SELECT} WHERE m.room_id = ? AND m.seq < ?"
                    " ORDER BY m.seq DESC LIMIT ?",
                    (room.id, before, limit + 1),
                ).fetchall()
            has_more = len(rows) > limit
            return MessagePage(
                [message_from_row(room.name, r) for r in reversed(rows[:limit])], has_more
            )

        return await self._read(run)

    async def messages_after(self, *, room: RoomRecord, after: int, limit: int) -> MessagePage:
        def run(c: sqlite3.Connection) -> MessagePage:
            rows = c.execute(
                f"{MESSAGE_SELECT} WHERE m.room_id = ? AND m.seq > ? ORDER BY m.seq LIMIT ?",
                (room.id, after, limit + 1),
            ).fetchall()
            return MessagePage(
                [message_from_row(room.name, r) for r in rows[:limit]], len(rows) > limit
            )

        return await self._read(run)
