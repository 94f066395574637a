"""PostgreSQL: full-text search over the ``search`` tsvector and its GIN index.

The rooms the caller may read are looked up first and passed as values: asked inside
the query ("public, or a member"), the planner estimates half the rows readable whoever
asks, and for a user who reads a few rooms it walks the primary key backwards through
rows it then throws away (115k rows for 21 results, measured). With the ids given and the
plan made for them (``force_custom_plan``), every query kind stays under 100 ms at p99
with 1M messages (bench/RESULTS.md)."""

from __future__ import annotations

from hubbub.search_words import tsquery
from hubbub.store.base import MessagePage
from hubbub.store.postgres.base import PostgresBase
from hubbub.store.rows import MESSAGE_COLUMNS, message_from_row

READABLE_ROOMS = (
    "SELECT r.id FROM rooms r WHERE (NOT r.private AND r.kind = 'room') OR EXISTS"
    " (SELECT 1 FROM memberships ms WHERE ms.room_id = r.id AND ms.user_id = $1)"
)

# Parameters: the tsquery, the readable room ids, the id bound, the limit.
SEARCH_SQL = (
    f"SELECT r.name, {MESSAGE_COLUMNS} FROM messages m"
    " JOIN users u ON u.id = m.user_id JOIN rooms r ON r.id = m.room_id"
    " WHERE m.search @@ $1::tsquery AND m.room_id = ANY($2::bigint[])"
    " AND NOT m.deleted AND m.id < $3 ORDER BY m.id DESC LIMIT $4"
)


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
        async with self._pool.acquire() as conn, conn.transaction():
            if room_id is not None:
                rooms = [room_id]  # the action checked the caller may read it
            else:
                rooms = [r[0] for r in await conn.fetch(READABLE_ROOMS, user_id)]
            if not rooms:
                return MessagePage([], False)
            await conn.execute("SET LOCAL plan_cache_mode = force_custom_plan")
            rows = await conn.fetch(
                SEARCH_SQL,
                tsquery(words),
                rooms,
                before_id if before_id is not None else 2**63 - 1,
                limit + 1,
            )
        found = [message_from_row(r[0], r[1:]) for r in rows[:limit]]
        return MessagePage(found, len(rows) > limit)
