"""SQLite: full-text search over the FTS5 index the triggers keep (migration 0003)."""

from __future__ import annotations

from hubbub.search_words import fts5_query
from hubbub.store.base import MessagePage
from hubbub.store.rows import message_from_row
from hubbub.store.search_sql import search_sql
from hubbub.store.sqlite.base import SQLiteBase


class SQLiteSearch(SQLiteBase):
    async def search(
        self,
        *,
        user_id: int,
        words: list[str],
        room_id: int | None,
        before_id: int | None,
        limit: int,
    ) -> MessagePage:
        sql = search_sql(
            source="messages_fts f JOIN messages m ON m.id = f.rowid",
            match="messages_fts MATCH {}",
            order="f.rowid",
            room=room_id is not None,
            before=before_id is not None,
            mark=lambda: "?",
        )
        params: list[object] = [fts5_query(words), user_id]
        params += [p for p in (room_id, before_id) if p is not None]
        params.append(limit + 1)
        rows = await self._read(lambda c: c.execute(sql, params).fetchall())
        found = [message_from_row(r[0], r[1:]) for r in rows[:limit]]
        return MessagePage(found, len(rows) > limit)
