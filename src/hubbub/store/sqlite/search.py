"""SQLite: full-text search over the FTS5 index (migrations 0003, 0006, 0007: the writer
indexes new messages in bulk, ``indexer``)."""

from __future__ import annotations

from hubbub.search_words import fts5_query
from hubbub.store.base import MessagePage
from hubbub.store.rows import MESSAGE_COLUMNS, message_from_row
from hubbub.store.sqlite.base import SQLiteBase

# FTS5 walks its doclist newest first (ORDER BY rowid DESC) and stops at the limit.
# Parameters: the MATCH expression, the user, the room twice (or NULL), the id bound, limit.
# Without a room: the rooms the user may read (public, or a member). With one: that room
# only, which the action checked the caller may read (as PostgreSQL's store does: a
# server admin reads a private room they are not in).
SEARCH_SQL = (
    f"SELECT r.name, {MESSAGE_COLUMNS} FROM messages_fts f"
    " JOIN messages m ON m.id = f.rowid"
    " JOIN users u ON u.id = m.user_id JOIN rooms r ON r.id = m.room_id"
    " WHERE messages_fts MATCH ? AND NOT m.deleted"
    " AND ((NOT r.private OR EXISTS (SELECT 1 FROM memberships ms"
    " WHERE ms.room_id = m.room_id AND ms.user_id = ?)) AND ? IS NULL OR m.room_id = ?)"
    " AND f.rowid < ?"
    " ORDER BY f.rowid DESC LIMIT ?"
)


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
        params = (
            fts5_query(words),
            user_id,
            room_id,
            room_id,
            before_id if before_id is not None else 2**63 - 1,
            limit + 1,
        )
        if self._indexer.pending:  # what was acked before this search is found by it
            await self._writer.index_pending()
        rows = await self._read(lambda c: c.execute(SEARCH_SQL, params).fetchall())
        found = [message_from_row(r[0], r[1:]) for r in rows[:limit]]
        return MessagePage(found, len(rows) > limit)
