"""PostgreSQL: full-text search over the ``search`` tsvector and its GIN index."""

from __future__ import annotations

from itertools import count

from hubbub.search_words import tsquery
from hubbub.store.base import MessagePage
from hubbub.store.postgres.base import PostgresBase
from hubbub.store.rows import message_from_row
from hubbub.store.search_sql import search_sql


class PostgresSearch(PostgresBase):
    async def search(
        self,
        *,
        user_id: int,
        words: list[str],
        room_id: int | None,
        before_id: int | None,
        limit: int,
    ) -> MessagePage:
        numbers = count(1)
        sql = search_sql(
            source="messages m",
            match="m.search @@ {}::tsquery",
            order="m.id",
            room=room_id is not None,
            before=before_id is not None,
            mark=lambda: f"${next(numbers)}",
        )
        params: list[object] = [tsquery(words), user_id]
        params += [p for p in (room_id, before_id) if p is not None]
        params.append(limit + 1)
        rows = await self._pool.fetch(sql, *params)
        found = [message_from_row(r[0], r[1:]) for r in rows[:limit]]
        return MessagePage(found, len(rows) > limit)
