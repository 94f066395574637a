"""SQLite store: stdlib ``sqlite3`` in WAL mode, writes on one thread, reads on a small pool.

The embedded default: zero set-up, one file in the data directory. This module holds the
connections; the queries are split by concern into mixins (``accounts``, ``rooms``,
``messages``) that ``SQLiteStore`` combines.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Self, TypeVar

from hubbub.store.portable import Step, for_sqlite
from hubbub.store.records import DuplicateName
from hubbub.store.sqlite.indexer import SearchIndexer
from hubbub.store.sqlite.writer import SQLiteWriter
from hubbub.store.sqlite.writes import write_batch

T = TypeVar("T")


def sqlite_path(database_url: str) -> Path:
    prefix = "sqlite:///"
    if not database_url.startswith(prefix):
        raise ValueError(f"not a SQLite URL: {database_url!r}")
    return Path(database_url.removeprefix(prefix))


class SQLiteBase:
    """The connections: one writer thread (``writer.py``), a small pool of readers."""

    def __init__(
        self,
        path: Path,
        *,
        synchronous: str = "full",
        commit_delay: float = 0.0,
        readers: int = 4,
    ) -> None:
        if synchronous not in ("full", "normal"):  # it goes into a PRAGMA as text
            raise ValueError(f"SQLite synchronous must be full or normal, not {synchronous!r}")
        self._path = path
        self._synchronous = synchronous
        self._indexer = SearchIndexer()
        self._writer = SQLiteWriter(
            self._connect,
            functools.partial(write_batch, indexer=self._indexer),
            self._indexer,
            commit_delay=commit_delay,
        )
        self._readers = ThreadPoolExecutor(max_workers=readers, thread_name_prefix="sqlite-read")
        self._local = threading.local()
        self._reader_connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._inline: sqlite3.Connection | None = None

    @classmethod
    async def open(
        cls, database_url: str, *, synchronous: str = "full", commit_delay: float = 0.0
    ) -> Self:
        store = cls(sqlite_path(database_url), synchronous=synchronous, commit_delay=commit_delay)
        store._path.parent.mkdir(parents=True, exist_ok=True)
        store._writer.start(asyncio.get_running_loop())
        return store

    @property
    def commit_count(self) -> int:
        return self._writer.batches

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA synchronous = {self._synchronous}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 10000")
        return conn

    def _reader(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            conn.execute("PRAGMA query_only = ON")
            self._local.conn = conn
            with self._lock:
                self._reader_connections.append(conn)
        return conn

    async def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, lambda: fn(self._reader()))

    async def _lookup(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """A read of a few rows by key (the room a send goes to), on the event loop's own
        thread: the query takes tens of microseconds, less than handing it to a reader
        thread and back (two wake-ups; at scenario A the hand-off was a sixth of the
        server's CPU: bench/RESULTS.md). WAL readers do not wait for the writer; should
        the database still be busy (recovery after a crash), a reader thread takes it."""
        conn = self._inline
        if conn is None:
            conn = self._inline = self._connect()
            conn.execute("PRAGMA query_only = ON")
            conn.execute("PRAGMA busy_timeout = 0")
        try:
            return fn(conn)
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorname not in ("SQLITE_BUSY", "SQLITE_BUSY_RECOVERY"):
                raise
        return await self._read(fn)

    async def _write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        result: T = await self._writer.call(fn)
        return result

    async def close(self) -> None:
        await self._writer.stop()
        self._readers.shutdown(wait=True)
        for conn in self._reader_connections:
            conn.close()
        if self._inline is not None:
            self._inline.close()

    async def ping(self) -> None:
        await self._read(lambda c: c.execute("SELECT 1").fetchone())

    async def _steps(self, steps: list[Step]) -> list[int]:
        """Run portable statements in one transaction; their row counts."""

        def run(c: sqlite3.Connection) -> list[int]:
            try:
                return [c.execute(step.sql, for_sqlite(step.params)).rowcount for step in steps]
            except sqlite3.IntegrityError as exc:
                if exc.sqlite_errorname == "SQLITE_CONSTRAINT_UNIQUE":
                    raise DuplicateName(str(exc)) from exc
                raise

        return await self._write(run)

    async def _rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """A portable query's rows."""
        rows = await self._read(lambda c: c.execute(sql, for_sqlite(params)).fetchall())
        return [tuple(r) for r in rows]
