"""The one thread that writes to the SQLite file.

SQLite allows one writer at a time; funnelling every write through one thread (with its
own connection) means no ``database is locked`` retries and lets message sends queue up
and share a commit. Callers on the event loop get an ``asyncio.Future``. With a commit
delay (``HUBBUB_COMMIT_DELAY_MS``) a send that finds the writer idle waits that long for
others: fewer commits at the cost of that latency, like PostgreSQL's ``commit_delay``.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hubbub import metrics
from hubbub.store.sqlite.indexer import SearchIndexer

log = logging.getLogger(__name__)

BatchFn = Callable[[sqlite3.Connection, list[Any]], list[Any]]


@dataclass(slots=True)
class _Call:
    fn: Callable[[sqlite3.Connection], Any]
    future: asyncio.Future[Any]
    after_commit: Callable[[], None] | None = None


@dataclass(slots=True)
class _Batched:
    item: Any
    future: asyncio.Future[Any]


_STOP = object()


class SQLiteWriter:
    """Runs write jobs in order on one thread, each in its own ``BEGIN IMMEDIATE``
    transaction; consecutive batchable items (message sends and changes) share one transaction."""

    def __init__(
        self,
        connect: Callable[[], sqlite3.Connection],
        batch_fn: BatchFn,
        indexer: SearchIndexer | None = None,
        *,
        commit_delay: float = 0.0,
    ) -> None:
        self._connect = connect
        self._commit_delay = commit_delay
        self._batch_fn = batch_fn
        self._indexer = indexer
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, name="sqlite-writer", daemon=True)
        self.batches = 0  # how many message transactions ran (the group-commit ratio)
        self._batch_size, self._commit_seconds = metrics.store_metrics("sqlite")
        self._stopped = False

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._thread.start()

    async def stop(self) -> None:
        """Commit and answer every job queued so far, then stop taking new ones."""
        self._stopped = True
        self._jobs.put(_STOP)
        await asyncio.to_thread(self._thread.join)

    def _new_future(self) -> asyncio.Future[Any]:
        if self._stopped:
            raise RuntimeError("store closed")
        assert self._loop is not None, "writer not started"
        return self._loop.create_future()

    def call(self, fn: Callable[[sqlite3.Connection], Any]) -> asyncio.Future[Any]:
        future = self._new_future()
        self._jobs.put(_Call(fn, future))
        return future

    def index_pending(self) -> asyncio.Future[Any]:
        """Bring the search index up to every committed message (before a search)."""
        assert self._indexer is not None
        future = self._new_future()
        self._jobs.put(_Call(self._indexer.flush, future, self._indexer.committed))
        return future

    def submit(self, item: Any) -> asyncio.Future[Any]:
        future = self._new_future()
        self._jobs.put(_Batched(item, future))
        return future

    # ---- on the writer thread ----
    def _run(self) -> None:
        conn = self._connect()
        try:
            while True:
                try:
                    jobs = [self._jobs.get(timeout=self._index_wait())]
                except queue.Empty:  # idle, and messages wait for the search index
                    self._index_alone(conn)
                    continue
                while True:
                    try:
                        jobs.append(self._jobs.get_nowait())
                    except queue.Empty:
                        break
                if self._commit_delay and len(jobs) == 1 and isinstance(jobs[0], _Batched):
                    self._gather(jobs, time.monotonic() + self._commit_delay)
                if self._process(conn, jobs):
                    return
        finally:
            conn.close()

    def _gather(self, jobs: list[Any], deadline: float) -> None:
        """The commit delay: a lone send, taken from an idle queue, waits until
        ``deadline`` for more sends to share its transaction. Under load there is no wait
        (sends queue up behind the running commit), and anything but a send ends it: a
        stop, or a job that would end the transaction anyway."""
        while (left := deadline - time.monotonic()) > 0:
            try:
                job = self._jobs.get(timeout=left)
            except queue.Empty:
                return
            jobs.append(job)
            if not isinstance(job, _Batched):
                return

    def _process(self, conn: sqlite3.Connection, jobs: list[Any]) -> bool:
        """Run a drained list of jobs in arrival order; ``True`` once told to stop."""
        outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
        run: list[_Batched] = []
        stop = False
        for job in jobs:
            if isinstance(job, _Batched):
                run.append(job)
                continue
            if run:
                outcomes.extend(self._run_batch(conn, run))
                run = []
            if job is _STOP:
                stop = True
                if self._indexer is not None and self._indexer.pending:
                    self._index_alone(conn)
                break
            outcomes.append(self._run_call(conn, job))
        if run:
            outcomes.extend(self._run_batch(conn, run))
        assert self._loop is not None
        if outcomes:
            self._loop.call_soon_threadsafe(_settle, outcomes)
        return stop

    def _run_call(
        self, conn: sqlite3.Connection, job: _Call
    ) -> tuple[asyncio.Future[Any], Any, BaseException | None]:
        try:
            conn.execute("BEGIN IMMEDIATE")
            result = job.fn(conn)
            conn.execute("COMMIT")
            if job.after_commit is not None:
                job.after_commit()
            return (job.future, result, None)
        except BaseException as exc:  # handed to the awaiting coroutine
            _rollback(conn)
            return (job.future, None, exc)

    def _run_batch(
        self, conn: sqlite3.Connection, run: list[_Batched]
    ) -> list[tuple[asyncio.Future[Any], Any, BaseException | None]]:
        started = time.perf_counter()
        try:
            conn.execute("BEGIN IMMEDIATE")
            results = self._batch_fn(conn, [job.item for job in run])
            indexer = self._indexer
            indexing = indexer is not None and indexer.due(time.monotonic())
            if indexer is not None and indexing:
                indexer.flush(conn)  # in this busy batch's transaction: no commit of its own
            conn.execute("COMMIT")
            if indexer is not None and indexing:
                indexer.committed()
            self.batches += 1
            self._batch_size.observe(len(run))
            self._commit_seconds.observe(time.perf_counter() - started)
            return [(job.future, result, None) for job, result in zip(run, results, strict=True)]
        except Exception:
            _rollback(conn)
            if len(run) == 1:
                raise_into = run[0]
                log.exception("storing a message failed")
                return [(raise_into.future, None, RuntimeError("storing the message failed"))]
            # One bad send must not sink its neighbours: bisect until it stands alone.
            middle = len(run) // 2
            return self._run_batch(conn, run[:middle]) + self._run_batch(conn, run[middle:])

    def _index_wait(self) -> float | None:
        return None if self._indexer is None else self._indexer.wait(time.monotonic())

    def _index_alone(self, conn: sqlite3.Connection) -> None:
        """The waiting messages into the search index, in a transaction of their own."""
        assert self._indexer is not None
        try:
            conn.execute("BEGIN IMMEDIATE")
            self._indexer.flush(conn)
            conn.execute("COMMIT")
            self._indexer.committed()
        except Exception:  # tried again with the next batch, the next search or restart
            _rollback(conn)
            log.exception("updating the search index failed")
            self._indexer.committed()


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def _settle(outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]]) -> None:
    for future, result, exc in outcomes:
        if future.cancelled():
            continue
        if exc is not None:
            future.set_exception(exc)
        else:
            future.set_result(result)
