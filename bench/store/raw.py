"""The floor under the store: a minimal group-commit loop on each raw driver.

Same database (migrated the same way, so the same table, indexes and search index), same
senders, rooms, texts and window as the store's send-only run; what it leaves out is
everything the store adds on top of "insert the rows, commit, answer": resend lookups,
the rooms' seq/rev counters (the raw loop keeps its seqs in memory), records built for
the caller, and the general writer (changes, calls, bisecting a failed batch).

* SQLite: one writer thread draining a ``queue.SimpleQueue``; per drained batch
  ``BEGIN IMMEDIATE``, one ``executemany`` INSERT, ``COMMIT`` (same PRAGMAs as the store:
  WAL, ``synchronous = FULL``, foreign keys on); futures settled with one
  ``call_soon_threadsafe``. The batch goes into the FTS5 index in one statement, as the
  store's writer does (migration 0006).
* PostgreSQL: one asyncpg connection and one task draining a list; per batch one
  transaction with one ``INSERT … SELECT FROM unnest(…)`` that also fills ``search``
  with ``array_to_tsvector`` of the same lexemes the store writes. ``raw-rows`` is the
  textbook loop instead: the same transaction, one ``INSERT … VALUES`` per row through
  ``executemany`` (asyncpg pipelines them).
"""

from __future__ import annotations

import argparse
import asyncio
import queue
import sqlite3
import threading
from datetime import datetime
from typing import Any

import asyncpg

from hubbub.search_words import lexemes
from hubbub.store.base import iso, utc_now
from hubbub.store.factory import open_store
from store.common import drive, fresh_database, make_users_and_rooms, pg_dsn, sqlite_file
from store.sends import WriteResult, text_pool, write_result

Row = tuple[int, int, str, datetime, str]  # room_id, user_id, text, created_at, client_id


class RawSQLite:
    def __init__(self, path: str, loop: asyncio.AbstractEventLoop) -> None:
        self._path = path
        self._loop = loop
        self._q: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._seq: dict[int, int] = {}
        self.commits = 0
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def submit(self, row: Row) -> asyncio.Future[None]:
        future = self._loop.create_future()
        self._q.put((row, future))
        return future

    async def close(self) -> None:
        self._q.put(None)
        await asyncio.to_thread(self._thread.join)

    def _run(self) -> None:
        conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        try:
            while True:
                jobs = [self._q.get()]
                while True:
                    try:
                        jobs.append(self._q.get_nowait())
                    except queue.Empty:
                        break
                stop = jobs[-1] is None
                jobs = [j for j in jobs if j is not None]
                if jobs:
                    rows = []
                    for (room, user, text, at, cid), _ in jobs:
                        seq = self._seq.get(room, 0) + 1
                        self._seq[room] = seq
                        rows.append((room, seq, user, text, iso(at), cid, seq))
                    conn.execute("BEGIN IMMEDIATE")
                    conn.executemany(
                        "INSERT INTO messages (room_id, seq, user_id, text, created_at,"
                        " client_id, rev) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        rows,
                    )
                    (last,) = conn.execute("SELECT last_insert_rowid()").fetchone()
                    conn.execute(
                        "INSERT INTO messages_fts (rowid, text) SELECT id, text FROM messages"
                        " WHERE id > ?",
                        (last - len(rows),),
                    )
                    conn.execute("COMMIT")
                    self.commits += 1
                    self._loop.call_soon_threadsafe(_settle, [f for _, f in jobs])
                if stop:
                    return
        finally:
            conn.close()


def _settle(futures: list[asyncio.Future[None]]) -> None:
    for f in futures:
        if not f.done():
            f.set_result(None)


class RawPostgres:
    INSERT = (
        "INSERT INTO messages (room_id, seq, user_id, text, created_at, client_id, rev, search)"
        " SELECT r, s, u, t, c, k, s, array_to_tsvector(string_to_array(w, ' '))"
        " FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[],"
        " $5::timestamptz[], $6::text[], $7::text[]) AS x(r, s, u, t, c, k, w)"
    )

    # ``raw-rows``: the textbook loop, one INSERT per row sent with ``executemany``.
    INSERT_ROW = (
        "INSERT INTO messages (room_id, seq, user_id, text, created_at, client_id, rev, search)"
        " VALUES ($1, $2, $3, $4, $5, $6, $2, array_to_tsvector(string_to_array($7, ' ')))"
    )

    def __init__(self, conn: asyncpg.Connection, *, rows: bool = False) -> None:
        self._conn = conn
        self._rows = rows
        self._pending: list[tuple[Row, asyncio.Future[None]]] = []
        self._wake = asyncio.Event()
        self._closing = False
        self._seq: dict[int, int] = {}
        self.commits = 0
        self._task = asyncio.get_running_loop().create_task(self._loop())

    def submit(self, row: Row) -> asyncio.Future[None]:
        future = asyncio.get_running_loop().create_future()
        self._pending.append((row, future))
        self._wake.set()
        return future

    async def close(self) -> None:
        self._closing = True
        self._wake.set()
        await self._task

    async def _loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                batch, self._pending = self._pending, []
                cols: list[list[Any]] = [[] for _ in range(7)]
                for (room, user, text, at, cid), _ in batch:
                    seq = self._seq.get(room, 0) + 1
                    self._seq[room] = seq
                    for col, value in zip(
                        cols, (room, seq, user, text, at, cid, lexemes(text)), strict=True
                    ):
                        col.append(value)
                async with self._conn.transaction():
                    if self._rows:
                        await self._conn.executemany(self.INSERT_ROW, list(zip(*cols, strict=True)))
                    else:
                        await self._conn.execute(self.INSERT, *cols)
                self.commits += 1
                _settle([f for _, f in batch])
            if self._closing:
                return


async def _last_seq(backend: str, url: str, room_id: int) -> int:
    if backend == "sqlite":
        c = sqlite3.connect(sqlite_file(url))
        try:
            return int(
                c.execute("SELECT last_seq FROM rooms WHERE id = ?", (room_id,)).fetchone()[0]
            )
        finally:
            c.close()
    conn = await asyncpg.connect(pg_dsn(url))
    try:
        return int(await conn.fetchval("SELECT last_seq FROM rooms WHERE id = $1", room_id))
    finally:
        await conn.close()


async def raw_run(
    backend: str, run: int, args: argparse.Namespace, variant: str = "raw"
) -> WriteResult:
    async with fresh_database(backend, args) as url:
        # users and rooms made by the store, as for the store's own run; then closed
        store = await open_store(url)
        try:
            users, rooms = await make_users_and_rooms(store, users=args.senders, rooms=args.rooms)
            if args.prefill:  # as the store's run: a table already in use
                from store.history import seed

                await seed(backend, url, rows=args.prefill, rooms=rooms, users=users)
        finally:
            await store.close()
        texts = text_pool(args.text)
        conn = None
        if backend == "sqlite":
            raw: RawSQLite | RawPostgres = RawSQLite(sqlite_file(url), asyncio.get_running_loop())
        else:
            conn = await asyncpg.connect(pg_dsn(url))
            raw = RawPostgres(conn, rows=variant == "raw-rows")
        if args.prefill:  # seqs go on from the seeded ones
            for room in rooms:
                fresh = await _last_seq(backend, url, room.id)
                raw._seq[room.id] = fresh
        sent = [0] * args.senders

        async def op(i: int, n: int) -> str:
            row = (
                rooms[i % len(rooms)].id,
                users[i].id,
                texts[(i * 7919 + n) % len(texts)],
                utc_now(),
                f"s{i}-{n}",
            )
            await raw.submit(row)
            sent[i] = n + 1
            return "send"

        try:
            w = await drive(args, args.senders, op, lambda: raw.commits)
        finally:
            await raw.close()
        if conn is not None:
            stored = await conn.fetchval("SELECT count(*) FROM messages")
            await conn.close()
        else:
            c = sqlite3.connect(sqlite_file(url))
            stored = c.execute("SELECT count(*) FROM messages").fetchone()[0]
            c.close()
        check = "ok" if stored == sum(sent) + args.prefill else f"{stored} rows != {sum(sent)} sent"
        return write_result(backend, variant, run, args, w, check)
