"""PostgreSQL: sends and changes (queued on the writer), history and catch-up reads."""

from __future__ import annotations

from typing import Any

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
from hubbub.store.postgres.base import PostgresBase
from hubbub.store.rows import (
    MESSAGE_SELECT,
    message_from_row,
)


class PostgresMessages(PostgresBase):
    async def store_message(self, message: NewMessage) -> StoredMessage | Refused:
        result = await self._writer.submit(message)
        assert isinstance(result, StoredMessage | Refused)
        return result

    async def change_message(self, change: MessageChange) -> ChangedMessage | Refused:
        result = await self._writer.submit(change)
        assert isinstance(result, ChangedMessage | Refused)
        return result

    async def get_message(self, *, room: RoomRecord, seq: int) -> MessageRecord | None:
        row = await self._pool.fetchrow(
            f"{MESSAGE_SELECT} WHERE m.room_id = $1 AND m.seq = $2", room.id, seq
        )
        return message_from_row(room.name, row) if row else None

    async def messages_changed(
        self, *, room: RoomRecord, after_rev: int, limit: int
    ) -> MessagePage:
        rows = await self._pool.fetch(
            f"{MESSAGE_SELECT} WHERE m.room_id = $1 AND m.rev > $2 ORDER BY m.rev LIMIT $3",
            room.id,
            after_rev,
            limit + 1,
        )
        return MessagePage(
            [message_from_row(room.name, r) for r in rows[:limit]], len(rows) > limit
        )

    async def replies(self, *, room: RoomRecord, seq: int, after: int, limit: int) -> MessagePage:
        rows = await self._pool.fetch(
            f"{MESSAGE_SELECT} WHERE m.room_id = $1 AND m.reply_to = $2 AND m.seq > $3"
            " ORDER BY m.seq LIMIT $4",
            room.id,
            seq,
            after,
            limit + 1,
        )
        return MessagePage(
            [message_from_row(room.name, r) for r in rows[:limit]], len(rows) > limit
        )

    async def messages_before(
        self, *, room: RoomRecord, before: int | None, limit: int
    ) -> MessagePage:
        rows: list[Any]
        if before is None:
            rows = await self._pool.fetch(
                f"{MESSAGE_SELECT} WHERE m.room_id = $1 ORDER BY m.seq DESC LIMIT $2",
                room.id,
                limit + 1,
            )
        else:
            rows = await self._pool.fetch(
                f"{MESSAGE_SELECT} WHERE m.room_id = $1 AND m.seq < $2"
                " ORDER BY m.seq DESC LIMIT $3",
                room.id,
                before,
                limit + 1,
            )
        has_more = len(rows) > limit
        return MessagePage(
            [message_from_row(room.name, r) for r in reversed(rows[:limit])], has_more
        )

    async def messages_after(self, *, room: RoomRecord, after: int, limit: int) -> MessagePage:
        rows = await self._pool.fetch(
            f"{MESSAGE_SELECT} WHERE m.room_id = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3",
            room.id,
            after,
            limit + 1,
        )
        return MessagePage(
            [message_from_row(room.name, r) for r in rows[:limit]], len(rows) > limit
        )
