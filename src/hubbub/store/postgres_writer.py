"""The PostgreSQL message writer: group commit on one task per process.

Sends queue up while a batch commits; the next batch takes all of them (no timer: a lone
message commits at once). Several processes may write at once: seq blocks are reserved
under the room rows' locks, and a batch that loses a race (a resend stored by another
process in between, or a deadlock) is rolled back and planned again, so seqs stay gap-free.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import asyncpg

from hubbub.store import batching
from hubbub.store.base import MessageRecord, NewMessage, StoredMessage, iso

log = logging.getLogger(__name__)

_RETRYABLE = (asyncpg.UniqueViolationError, asyncpg.DeadlockDetectedError)


@dataclass(slots=True)
class _Pending:
    message: NewMessage
    future: asyncio.Future[StoredMessage]


class PostgresWriter:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._pending: list[_Pending] = []
        self._wakeup = asyncio.Event()
        self._closing = False
        self._task = asyncio.get_running_loop().create_task(self._write_loop())
        self.commit_count = 0

    async def submit(self, message: NewMessage) -> StoredMessage:
        if self._closing:
            raise RuntimeError("store closed")
        future: asyncio.Future[StoredMessage] = asyncio.get_running_loop().create_future()
        self._pending.append(_Pending(message, future))
        self._wakeup.set()
        return await future

    async def stop(self) -> None:
        """Stop taking sends; commit and answer every send already queued."""
        self._closing = True
        self._wakeup.set()
        await asyncio.gather(self._task, return_exceptions=True)

    async def _write_loop(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._pending:
                batch, self._pending = self._pending, []
                try:
                    await self._commit(batch)
                except BaseException:
                    for pending in batch:
                        if not pending.future.done():
                            pending.future.set_exception(RuntimeError("store closed"))
                    raise
            if self._closing:
                return

    async def _commit(self, batch: list[_Pending]) -> None:
        try:
            results = await self._store_batch([p.message for p in batch])
        except Exception:
            if len(batch) > 1:  # one bad send must not sink its neighbours: bisect
                middle = len(batch) // 2
                await self._commit(batch[:middle])
                await self._commit(batch[middle:])
                return
            log.exception("storing a message failed")
            if not batch[0].future.done():
                batch[0].future.set_exception(RuntimeError("storing the message failed"))
            return
        for pending, result in zip(batch, results, strict=True):
            if not pending.future.done():
                pending.future.set_result(result)

    async def _store_batch(self, batch: list[NewMessage]) -> list[StoredMessage]:
        async with self._pool.acquire() as conn:
            for attempt in range(5):
                try:
                    async with conn.transaction():
                        results = await self._store_batch_in(conn, batch)
                    self.commit_count += 1
                    return results
                except _RETRYABLE:
                    if attempt == 4:
                        raise
        raise AssertionError("unreachable")

    async def _store_batch_in(
        self, conn: asyncpg.Connection, batch: list[NewMessage]
    ) -> list[StoredMessage]:
        stored: dict[batching.DedupKey, MessageRecord] = {}
        firsts = batching.first_by_key(batch)
        if firsts:
            keys = list(firsts)
            # LATERAL … LIMIT 1 keeps this an index probe per key, even under a plan cached
            # while the table was empty (a hash join over all messages otherwise).
            rows = await conn.fetch(
                "SELECT k.room_id, k.user_id, k.client_id, m.id, m.seq, m.text, m.created_at"
                " FROM unnest($1::bigint[], $2::bigint[], $3::text[])"
                " AS k(room_id, user_id, client_id) CROSS JOIN LATERAL"
                " (SELECT id, seq, text, created_at FROM messages"
                " WHERE room_id = k.room_id AND user_id = k.user_id"
                " AND client_id = k.client_id LIMIT 1) m",
                [k[0] for k in keys],
                [k[1] for k in keys],
                [k[2] for k in keys],
            )
            for r in rows:
                key = (r[0], r[1], r[2])
                stored[key] = batching.already_stored(
                    firsts[key], id=r[3], seq=r[4], text=r[5], created_at=iso(r[6])
                )
        plan = batching.plan_batch(batch, stored)
        if not plan.new:
            return batching.resolve_batch(batch, plan, {}, {})
        room_ids = sorted(plan.count_per_room)  # one lock order for every process
        reserved = await conn.fetch(
            "UPDATE rooms SET last_seq = rooms.last_seq + c.n"
            " FROM unnest($1::bigint[], $2::bigint[]) AS c(id, n)"
            " WHERE rooms.id = c.id RETURNING rooms.id, rooms.last_seq",
            room_ids,
            [plan.count_per_room[i] for i in room_ids],
        )
        seqs = batching.assign_seqs(batch, plan, {r[0]: r[1] for r in reserved})
        new = [batch[i] for i in plan.new]
        inserted = await conn.fetch(
            "INSERT INTO messages (room_id, seq, user_id, text, created_at, client_id)"
            " SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[],"
            " $5::timestamptz[], $6::text[]) RETURNING room_id, seq, id",
            [m.room.id for m in new],
            [seqs[i] for i in plan.new],
            [m.user.id for m in new],
            [m.text for m in new],
            [m.created_at for m in new],
            [m.client_id for m in new],
        )
        id_of = {(r[0], r[1]): r[2] for r in inserted}
        ids = {i: id_of[(batch[i].room.id, seqs[i])] for i in plan.new}
        return batching.resolve_batch(batch, plan, seqs, ids)
