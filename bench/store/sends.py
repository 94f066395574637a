"""Send-only runs through the ``Store``: ``--senders`` sequential senders over ``--rooms``
rooms, each awaiting ``store_message`` with a ``client_id``; messages/s, commits, batch
size, ack latency, and a check that no seq was wasted.

Variants: ``store`` (as migrated), ``store-noindex`` (the search index dropped in the
bench's own database: SQLite's three ``messages_fts_*`` triggers, PostgreSQL's
``messages_search`` GIN index). ``store-old`` is the ``store`` variant run in a child
process against an older tree (``--baseline-src``), which is why this module imports
nothing Hubbub added after issue 6.

Two experiments (proposed fixes, tried in the bench's own database; not what the store does):
``store-leanfts`` (SQLite) re-creates ``messages_fts`` with ``detail=none, columnsize=0``
(no positions, no per-row size record: search asks only "holds every word"); and
``store-analyze`` (PostgreSQL) runs one ``ANALYZE messages`` from the side half-way through
the warm-up, as a writer could once the table it started on has grown.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import sqlite3
from dataclasses import dataclass

import asyncpg

from hubbub.store.base import NewMessage, Store, utc_now
from hubbub.store.factory import open_store
from store.common import (
    Window,
    drive,
    fresh_database,
    make_users_and_rooms,
    ms,
    percentile,
    pg_dsn,
    sqlite_file,
)
from store.text import TextGen, vocabulary

FIXED_TEXT = "hello from the benchmark, this is a typical short chat line"


@dataclass(slots=True)
class WriteResult:
    backend: str
    variant: str  # raw | store | store-noindex | store-old | an experiment
    run: int
    senders: int
    rooms: int
    seconds: float
    messages: int
    msgs_per_s: float
    commits: int
    mean_batch: float
    ack_p50_ms: float
    ack_p99_ms: float
    ack_max_ms: float
    timeline: list[int]  # messages stored in each second of the window
    # CPU of this process (event loop + SQLite's writer thread), not PostgreSQL's own
    cpu_pct: float
    seq_check: str
    # cores used during the window by PostgreSQL's processes and by every other process
    # (not this one): another session's tests show up in "other_cores"
    pg_cores: float = 0.0
    other_cores: float = 0.0


@functools.cache
def text_pool(kind: str, size: int = 20_000) -> tuple[str, ...]:
    """What senders send, in turn: chat lines of Zipf-distributed words, or one fixed line
    (the benchmark's text before issue 7)."""
    if kind == "fixed":
        return (FIXED_TEXT,)
    return tuple(TextGen(vocabulary(50_000), seed=23).texts(size))


def write_result(
    backend: str, variant: str, run: int, args: argparse.Namespace, w: Window, check: str
) -> WriteResult:
    acks = [x for lat in w.latencies.values() for x in lat]
    acks.sort()
    n = len(acks)
    return WriteResult(
        backend=backend,
        variant=variant,
        run=run,
        senders=args.senders,
        rooms=args.rooms,
        seconds=round(w.wall, 3),
        messages=n,
        msgs_per_s=round(n / w.wall, 1),
        commits=w.commits,
        mean_batch=round(n / w.commits, 2) if w.commits else float("nan"),
        ack_p50_ms=ms(percentile(acks, 50)),
        ack_p99_ms=ms(percentile(acks, 99)),
        ack_max_ms=ms(acks[-1]) if acks else float("nan"),
        timeline=w.timeline,
        cpu_pct=round(w.cpu / w.wall * 100, 1),
        seq_check=check,
        pg_cores=w.cores.get("postgres", 0.0),
        other_cores=w.cores.get("other", 0.0),
    )


async def drop_search_index(backend: str, url: str) -> None:
    """Take the search index away in this (bench) database only."""
    if backend == "sqlite":
        conn = sqlite3.connect(sqlite_file(url), isolation_level=None)
        try:
            names = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                    " AND name LIKE 'messages_fts_%'"
                )
            ]
            assert names, "the FTS triggers of migrations 0003/0006"
            for name in names:
                conn.execute(f"DROP TRIGGER {name}")
            # Since migration 0006 the writer inserts a batch into the index itself: a
            # plain rowid table takes those rows instead (a b-tree insert, no tokenising).
            conn.execute("DROP TABLE messages_fts")
            conn.execute("CREATE TABLE messages_fts (text TEXT)")
        finally:
            conn.close()
        return
    conn = await asyncpg.connect(pg_dsn(url))
    try:
        await conn.execute("DROP INDEX messages_search")
    finally:
        await conn.close()


LEAN_FTS = (
    "CREATE VIRTUAL TABLE messages_fts USING fts5(text, content='messages',"
    " content_rowid='id', tokenize='unicode61 remove_diacritics 0', detail=none, columnsize=0)"
)


def lean_fts(url: str) -> None:
    """``messages_fts`` again, without positions and sizes (the triggers stay as they are)."""
    conn = sqlite3.connect(sqlite_file(url), isolation_level=None)
    try:
        conn.execute("DROP TABLE messages_fts")
        conn.execute(LEAN_FTS)
        conn.execute("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')")
    finally:
        conn.close()


async def analyze_later(url: str, delay: float) -> None:
    await asyncio.sleep(delay)
    conn = await asyncpg.connect(pg_dsn(url))
    try:
        await conn.execute("ANALYZE messages")
    finally:
        await conn.close()


EXPERIMENTS = {"store-leanfts": "sqlite", "store-analyze": "postgres"}


async def store_run(backend: str, variant: str, run: int, args: argparse.Namespace) -> WriteResult:
    async with fresh_database(backend, args) as url:
        if variant == "store-noindex":
            await drop_search_index(backend, url)
        if variant == "store-leanfts":
            lean_fts(url)
        store = await open_store(url)
        try:
            return await _store_run(store, backend, url, variant, run, args)
        finally:
            await store.close()


async def _store_run(
    store: Store, backend: str, url: str, variant: str, run: int, args: argparse.Namespace
) -> WriteResult:
    users, rooms = await make_users_and_rooms(store, users=args.senders, rooms=args.rooms)
    if args.prefill:  # a database already in use: rows stored and (PostgreSQL) analyzed
        from store.history import seed

        await seed(backend, url, rows=args.prefill, rooms=rooms, users=users)
    texts = text_pool(args.text)
    sent = [0] * args.senders
    side = None
    if variant == "store-analyze":
        side = asyncio.create_task(analyze_later(url, args.warmup / 2))

    async def op(i: int, n: int) -> str:
        message = NewMessage(
            room=rooms[i % len(rooms)],
            user=users[i],
            text=texts[(i * 7919 + n) % len(texts)],
            client_id=f"s{i}-{n}",
            created_at=utc_now(),
        )
        stored = await store.store_message(message)
        assert stored.created, stored  # type: ignore[union-attr]
        sent[i] = n + 1
        return "send"

    w = await drive(args, args.senders, op, lambda: store.commit_count)
    if side is not None:
        await side

    # no seq wasted: the rooms' counters add up to the sends, and each last seq is stored
    check = "ok"
    total_seq = 0
    for room in rooms:
        fresh = await store.get_room(name=room.name)
        assert fresh is not None
        total_seq += fresh.last_seq
        page = await store.messages_after(room=fresh, after=fresh.last_seq - 1, limit=1)
        if fresh.last_seq and (not page.messages or page.messages[0].seq != fresh.last_seq):
            check = f"room {room.name}: last message is not seq {fresh.last_seq}"
    if total_seq != sum(sent) + args.prefill:
        check = f"sum(last_seq) {total_seq} != {sum(sent) + args.prefill} rows"
    return write_result(backend, variant, run, args, w, check)
