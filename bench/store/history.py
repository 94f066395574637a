"""History: seed ``--history-rows`` messages with bulk SQL (``executemany`` on SQLite,
``COPY`` on PostgreSQL, ``rooms.last_seq`` kept consistent), then time 50-message pages
(``messages_before``) at random positions and the latest page. Also the seeding that
``--prefill`` uses before a send-only run.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from hubbub.store.base import RoomRecord, Store, UserRecord, iso
from hubbub.store.factory import open_store
from store.common import fresh_database, make_users_and_rooms, percentile

TEXT = "hello from the benchmark, this is a typical short chat line"
PAGE = 50


@dataclass(slots=True)
class PageResult:
    backend: str
    run: int
    rows: int
    rooms: int
    kind: str  # "random" or "latest"
    reads: int
    p50_ms: float
    p99_ms: float
    mean_ms: float


def seed_rows(
    *, rows: int, rooms: list[int], users: list[int], start: datetime
) -> Iterator[tuple[int, int, int, str, datetime, str]]:
    """``rows`` messages round-robin over ``rooms``: (room_id, seq, user_id, text, at, cid)."""
    per_room = dict.fromkeys(rooms, 0)
    for n in range(rows):
        room = rooms[n % len(rooms)]
        per_room[room] += 1
        seq = per_room[room]
        user = users[n % len(users)]
        at = start + timedelta(milliseconds=n)
        yield (room, seq, user, f"{TEXT} #{n}", at, f"seed-{n}")


def seq_counts(rows: int, rooms: list[int]) -> dict[int, int]:
    return {
        room: rows // len(rooms) + (1 if i < rows % len(rooms) else 0)
        for i, room in enumerate(rooms)
    }


def seed_sqlite(url: str, *, rows: int, rooms: list[int], users: list[int]) -> None:
    """Rows and counters; on a schema with ``rev`` (issue 7) ``rev = seq`` as the
    migration gives old rows, and the FTS triggers index the text as they are inserted."""
    conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        has_rev = any(r[1] == "rev" for r in conn.execute("PRAGMA table_info(messages)"))
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("BEGIN")
        generated = seed_rows(
            rows=rows, rooms=rooms, users=users, start=datetime(2026, 1, 1, tzinfo=UTC)
        )
        if has_rev:
            conn.executemany(
                "INSERT INTO messages (room_id, seq, user_id, text, created_at, client_id, rev)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                ((r, s, u, t, iso(at), c, s) for r, s, u, t, at, c in generated),
            )
            conn.executemany(
                "UPDATE rooms SET last_seq = ?, last_rev = ? WHERE id = ?",
                [(n, n, room) for room, n in seq_counts(rows, rooms).items()],
            )
        else:
            conn.executemany(
                "INSERT INTO messages (room_id, seq, user_id, text, created_at, client_id)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                ((r, s, u, t, iso(at), c) for r, s, u, t, at, c in generated),
            )
            conn.executemany(
                "UPDATE rooms SET last_seq = ? WHERE id = ?",
                [(n, room) for room, n in seq_counts(rows, rooms).items()],
            )
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


COLUMNS = ["room_id", "seq", "user_id", "text", "created_at", "client_id"]


async def seed_postgres(url: str, *, rows: int, rooms: list[int], users: list[int]) -> None:
    """``COPY``; on a schema with ``rev`` and ``search`` (issue 7) through a staging table,
    so that rows get ``rev = seq`` and the store's ``search`` lexemes."""
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        columns = {
            r[0]
            for r in await conn.fetch(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'messages'"
            )
        }
        generated = seed_rows(
            rows=rows, rooms=rooms, users=users, start=datetime(2026, 1, 1, tzinfo=UTC)
        )
        async with conn.transaction():
            if "search" in columns:
                from hubbub.search_words import lexemes

                await conn.execute(
                    "CREATE TEMP TABLE bench_stage (room_id bigint, seq bigint, user_id bigint,"
                    " text text, created_at timestamptz, client_id text, words text)"
                    " ON COMMIT DROP"
                )
                await conn.copy_records_to_table(
                    "bench_stage",
                    records=((*row, lexemes(row[3])) for row in generated),
                    columns=[*COLUMNS, "words"],
                )
                await conn.execute(
                    f"INSERT INTO messages ({', '.join(COLUMNS)}, rev, search)"
                    f" SELECT {', '.join(COLUMNS)}, seq,"
                    " array_to_tsvector(string_to_array(words, ' ')) FROM bench_stage"
                )
                await conn.executemany(
                    "UPDATE rooms SET last_seq = $1, last_rev = $1 WHERE id = $2",
                    [(n, room) for room, n in seq_counts(rows, rooms).items()],
                )
            else:
                await conn.copy_records_to_table("messages", records=generated, columns=COLUMNS)
                await conn.executemany(
                    "UPDATE rooms SET last_seq = $1 WHERE id = $2",
                    [(n, room) for room, n in seq_counts(rows, rooms).items()],
                )
        # what autovacuum would have done by the time a table holds a million rows
        await conn.execute("VACUUM ANALYZE messages")
    finally:
        await conn.close()


async def seed(
    backend: str, url: str, *, rows: int, rooms: list[RoomRecord], users: list[UserRecord]
) -> None:
    room_ids, user_ids = [r.id for r in rooms], [u.id for u in users]
    if backend == "sqlite":
        await asyncio.to_thread(seed_sqlite, url, rows=rows, rooms=room_ids, users=user_ids)
    else:
        await seed_postgres(url, rows=rows, rooms=room_ids, users=user_ids)


async def history(backend: str, args: argparse.Namespace) -> tuple[float, list[PageResult]]:
    """Seconds the seeding took, and the page timings."""
    pages: list[PageResult] = []
    async with fresh_database(backend, args) as url:
        store = await open_store(url)
        try:
            users, rooms = await make_users_and_rooms(
                store, users=args.senders, rooms=args.history_rooms
            )
            t0 = time.perf_counter()
            await seed(backend, url, rows=args.history_rows, rooms=rooms, users=users)
            seed_seconds = round(time.perf_counter() - t0, 2)
            fresh = [await store.get_room(name=r.name) for r in rooms]
            seeded = [r for r in fresh if r is not None]
            assert sum(r.last_seq for r in seeded) == args.history_rows
            for run in range(1, args.repeat + 1):
                for kind in ("random", "latest"):
                    pages.append(await page_run(store, seeded, backend, run, kind, args))
            return seed_seconds, pages
        finally:
            await store.close()


async def page_run(
    store: Store,
    rooms: list[RoomRecord],
    backend: str,
    run: int,
    kind: str,
    args: argparse.Namespace,
) -> PageResult:
    rng = random.Random(run)

    async def one() -> float:
        room = rng.choice(rooms)
        before = None if kind == "latest" else rng.randint(PAGE + 1, room.last_seq + 1)
        t = time.perf_counter()
        page = await store.messages_before(room=room, before=before, limit=PAGE)
        elapsed = time.perf_counter() - t
        assert len(page.messages) == PAGE, len(page.messages)
        return elapsed

    for _ in range(args.page_warmup):
        await one()
    times = sorted([await one() for _ in range(args.page_reads)])
    return PageResult(
        backend=backend,
        run=run,
        rows=args.history_rows,
        rooms=len(rooms),
        kind=kind,
        reads=len(times),
        p50_ms=round(percentile(times, 50) * 1e3, 3),
        p99_ms=round(percentile(times, 99) * 1e3, 3),
        mean_ms=round(statistics.fmean(times) * 1e3, 3),
    )
