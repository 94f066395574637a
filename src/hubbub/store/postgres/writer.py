"""The PostgreSQL message writer: group commit on one task per process.

Sends (and edits, deletes, reactions) queue up while a batch commits; the next batch
takes all of them (no timer: a lone message commits at once — unless a commit delay is
set, ``HUBBUB_COMMIT_DELAY_MS``: then a send that finds the writer idle waits that long
for others to join it). Several processes may write at once: seq and rev blocks are
reserved under the room rows' locks, and a batch that loses a race (a resend stored by
another process in between, or a deadlock) is rolled back and planned again, so seqs and
revs stay gap-free.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

import asyncpg

from hubbub import metrics
from hubbub.store.batching import Item
from hubbub.store.postgres.writes import ResendsFound, Result, write_batch

log = logging.getLogger(__name__)

ANALYZE_AT = (1_000, 20_000, 100_000)  # items written by this process
_RETRYABLE = (asyncpg.UniqueViolationError, asyncpg.DeadlockDetectedError)


@dataclass(slots=True)
class _Pending:
    message: Item
    future: asyncio.Future[Result]


class PostgresWriter:
    def __init__(self, pool: asyncpg.Pool, *, commit_delay: float = 0.0) -> None:
        self._pool = pool
        self._commit_delay = commit_delay
        self._pending: list[_Pending] = []
        self._wakeup = asyncio.Event()
        self._closing = False
        self._task = asyncio.get_running_loop().create_task(self._write_loop())
        self.commit_count = 0
        self._written = 0  # items this process wrote (for ANALYZE_AT)
        self._conn: asyncpg.Connection | None = None
        self._side_tasks: set[asyncio.Task[None]] = set()
        self._batch_size, self._commit_seconds = metrics.store_metrics("postgres")

    async def submit(self, message: Item) -> Result:
        if self._closing:
            raise RuntimeError("store closed")
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._pending.append(_Pending(message, future))
        self._wakeup.set()
        return await future

    async def stop(self) -> None:
        """Stop taking sends; commit and answer every send already queued."""
        self._closing = True
        self._wakeup.set()
        await asyncio.gather(self._task, *self._side_tasks, return_exceptions=True)
        await self._release()

    async def _write_loop(self) -> None:
        while True:
            await self._wakeup.wait()
            if self._commit_delay and len(self._pending) == 1 and not self._closing:
                await asyncio.sleep(self._commit_delay)  # a lone send: others may join it
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

    def _analyze_when_grown(self, written: int) -> None:
        """Give the planner statistics as the table grows from empty. Without them it
        picks the ``(room_id, rev)`` index for lookups the unique indexes serve, and the
        cached plan then scans a whole room per send (measured: 2.8k -> 11-13k msgs/s after
        one ANALYZE at 3k rows). Autovacuum analyses later growth; these are the first
        steps, before its threshold. On a pool connection beside the writer: sends do not
        wait for it (it stalled them 50-120 ms)."""
        before = self._written
        self._written += written
        if any(before < mark <= self._written for mark in ANALYZE_AT):
            task = asyncio.get_running_loop().create_task(self._analyze())
            self._side_tasks.add(task)
            task.add_done_callback(self._side_tasks.discard)

    async def _analyze(self) -> None:
        try:
            await self._pool.execute("ANALYZE messages")
        except Exception:  # statistics are an optimisation; the store works without
            log.warning("ANALYZE messages failed", exc_info=True)

    async def _connection(self) -> asyncpg.Connection:
        """The writer's own connection, kept between batches: handing one back to the pool
        runs asyncpg's reset query, a round trip per batch (RESULTS.md, issue 7)."""
        if self._conn is not None and self._conn.is_closed():
            await self._release()
        if self._conn is None:
            self._conn = await self._pool.acquire()
        return self._conn

    async def _release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await self._pool.release(conn)
            except Exception:  # a broken connection: the pool replaces it
                log.warning("releasing the writer's connection failed", exc_info=True)

    async def _store_batch(self, batch: list[Item]) -> list[Result]:
        try:
            return await self._store_batch_on(await self._connection(), batch)
        except Exception:
            await self._release()  # after a failure, a fresh (or re-checked) one next time
            raise

    async def _store_batch_on(self, conn: asyncpg.Connection, batch: list[Item]) -> list[Result]:
        look_up_resends = False
        started = time.perf_counter()
        for attempt in range(5):
            try:
                async with conn.transaction():
                    results = await write_batch(conn, batch, look_up_resends=look_up_resends)
                self.commit_count += 1
                self._batch_size.observe(len(batch))
                self._commit_seconds.observe(time.perf_counter() - started)  # retries included
                self._analyze_when_grown(len(batch))
                return results
            except ResendsFound:
                look_up_resends = True
            except _RETRYABLE:
                if attempt == 4:
                    raise
        raise AssertionError("unreachable")
