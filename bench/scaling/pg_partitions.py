"""PostgreSQL sends into ``messages`` as it is and partitioned by hash of ``room_id``.

For each variant (``--partitions 0,8,32``; 0 = the table as Hubbub's migrations make it)
a throwaway database on ``--pg-admin-url``'s server is created, migrated with Hubbub's
own migrations, and, for N > 0, ``messages`` is rebuilt as ``PARTITION BY HASH
(room_id)`` with N partitions: the same columns and indexes, the primary key becomes
``(room_id, id)`` (a partitioned table's unique keys must hold the partition key; the
uniques on ``(room_id, seq)`` and ``(room_id, user_id, client_id)`` already do) and
``uploads.message_id`` loses its foreign key (one cannot point at ``id`` alone any more).
``--prefill`` rows are stored first (spread over ``--rooms`` rooms, the rooms' counters
set to match, then ``ANALYZE``).

Then ``--writers`` connections (one per node: each node has one group-commit writer)
each store batches of ``--batch`` messages to random rooms as fast as they can, with the
statement Hubbub's PostgreSQL writer runs for a batch of sends
(``hubbub.store.postgres.writes._RESERVE_AND_INSERT``: reserve every room's seq and rev
block and insert the rows, one round trip) inside one transaction per batch, as the
writer does. Reports rows/s, commits/s, the cores PostgreSQL's processes used (every
``postgres`` process on the machine: others' sessions count too, see "other"), and the
CPU of PostgreSQL per row. Each database is dropped at the end.

    .venv/bin/python bench/scaling/pg_partitions.py [--partitions 0,8,32] [--writers 1,4]
        [--seconds 5] [--rooms 10000] [--prefill 200000]

Prints a Markdown table and, last, one JSON line with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from hubbub.search_words import lexemes
from hubbub.store.migrate import upgrade
from hubbub.store.postgres.writes import _RESERVE_AND_INSERT

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench/: its store.common
from store.common import Snapshot, cores_used, cpu_snapshot

TEXTS = [
    "sounds good, I'll push the fix after lunch and ping you on the PR",
    "did anyone else see the deploy fail on staging this morning?",
    "yes",
    "the new search is so much faster, thanks!",
    "meeting moved to 3pm, same room",
    "can you review #482 when you have a minute",
    "lol",
    "I think the cache key is missing the locale, that would explain it",
]

PARTITIONED = """
CREATE SEQUENCE messages_id_seq;
CREATE TABLE messages (
    id bigint NOT NULL DEFAULT nextval('messages_id_seq'),
    room_id bigint NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    seq bigint NOT NULL,
    user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    text text NOT NULL,
    created_at timestamptz NOT NULL,
    client_id varchar(64),
    rev bigint NOT NULL DEFAULT 0,
    edited_at timestamptz,
    deleted boolean NOT NULL DEFAULT false,
    reply_to bigint,
    reply_count integer NOT NULL DEFAULT 0,
    reactions text NOT NULL DEFAULT '[]',
    mentions text NOT NULL DEFAULT '[]',
    attachments text NOT NULL DEFAULT '[]',
    search tsvector NOT NULL DEFAULT ''::tsvector,
    PRIMARY KEY (room_id, id),
    CONSTRAINT messages_room_seq UNIQUE (room_id, seq),
    CONSTRAINT messages_client_id UNIQUE (room_id, user_id, client_id)
) PARTITION BY HASH (room_id);
"""


@contextlib.asynccontextmanager
async def database(admin_url: str, tag: str) -> AsyncIterator[str]:
    admin = await asyncpg.connect(admin_url)
    name = f"hubbub_scaling_{os.getpid()}_{tag}_{secrets.token_hex(2)}"
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        dsn = f"{admin_url.rsplit('/', 1)[0]}/{name}"
        # Alembic's env.py runs its own event loop: migrate from a worker thread.
        url = dsn.replace("postgresql://", "postgresql+asyncpg://")
        await asyncio.to_thread(upgrade, url)
        yield dsn
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def partition(conn: asyncpg.Connection, n: int) -> None:
    """Rebuild the (empty) ``messages`` as N hash partitions with the same indexes."""
    indexes = await conn.fetch(
        "SELECT indexdef FROM pg_indexes WHERE tablename = 'messages'"
        " AND indexname NOT IN ('messages_pkey', 'messages_room_seq', 'messages_client_id')"
    )
    async with conn.transaction():
        await conn.execute("ALTER TABLE uploads DROP CONSTRAINT uploads_message_id_fkey")
        await conn.execute("DROP TABLE messages")
        await conn.execute(PARTITIONED)
        for i in range(n):
            await conn.execute(
                f"CREATE TABLE messages_p{i} PARTITION OF messages"
                f" FOR VALUES WITH (MODULUS {n}, REMAINDER {i})"
            )
        for (definition,) in indexes:
            await conn.execute(definition)


async def setup(dsn: str, args: argparse.Namespace, partitions: int) -> tuple[list[int], int]:
    conn = await asyncpg.connect(dsn)
    try:
        if partitions:
            await partition(conn, partitions)
        now = datetime.now(UTC)
        users = [
            await conn.fetchval(
                "INSERT INTO users (username, username_key, password_hash, created_at)"
                " VALUES ($1, $1, 'x', $2) RETURNING id",
                f"bench{i}",
                now,
            )
            for i in range(args.users)
        ]
        await conn.execute(
            "INSERT INTO rooms (name, private, owner_id, created_at)"
            " SELECT 'room-' || g, false, $1, $2 FROM generate_series(1, $3) g",
            users[0],
            now,
            args.rooms,
        )
        per_room = args.prefill // args.rooms
        if per_room:
            await conn.execute(
                "INSERT INTO messages (room_id, seq, user_id, text, created_at, client_id, rev,"
                " search) SELECT r.id, s, $1, 'earlier message ' || s, $2, 'p' || r.id || '-' || s,"
                " s, to_tsvector('simple', 'earlier message')"
                " FROM rooms r CROSS JOIN generate_series(1, $3) s",
                users[0],
                now,
                per_room,
            )
            await conn.execute("UPDATE rooms SET last_seq = $1, last_rev = $1", per_room)
        await conn.execute("ANALYZE")
        rooms = [r[0] for r in await conn.fetch("SELECT id FROM rooms")]
        return rooms, await conn.fetchval("SELECT count(*) FROM messages")
    finally:
        await conn.close()


def batch_args(rooms: list[int], users: int, size: int, rng: random.Random) -> list[object]:
    """``_RESERVE_AND_INSERT``'s 14 arguments for ``size`` new messages to random rooms,
    numbered as ``hubbub.store.batching`` numbers plain sends (no resends, no replies)."""
    picked = [rng.choice(rooms) for _ in range(size)]
    per_room = Counter(picked)
    room_ids = sorted(per_room)
    place: Counter[int] = Counter()
    places = []
    for room in picked:
        place[room] += 1
        places.append(place[room])
    texts = [rng.choice(TEXTS) for _ in range(size)]
    now = datetime.now(UTC)
    return [
        room_ids,
        [per_room[r] for r in room_ids],
        [per_room[r] for r in room_ids],
        picked,
        places,
        [1 + rng.randrange(users) for _ in range(size)],
        texts,
        [now] * size,
        [secrets.token_hex(8) for _ in range(size)],
        places,
        [None] * size,
        ["[]"] * size,
        [lexemes(t) for t in texts],
        ["[]"] * size,
    ]


@dataclass(slots=True)
class Run:
    partitions: int
    writers: int
    batch: int
    rows_before: int
    rows: int
    commits: int
    seconds: float
    rows_per_s: float
    commits_per_s: float
    batch_ms_p50: float
    postgres_cores: float
    postgres_us_per_row: float
    wal_bytes_per_row: float  # the whole server's WAL over the window: others' writes too
    bytes_per_row: float  # messages with its indexes (every partition) ÷ rows, at the end
    client_cores: float
    other_cores: float


async def drive(dsn: str, rooms: list[int], args: argparse.Namespace, writers: int) -> Run:
    conns = [await asyncpg.connect(dsn) for _ in range(writers)]
    rows = commits = 0
    times: list[float] = []
    measuring = False
    stop = time.monotonic() + args.warmup + args.seconds

    async def writer(i: int, conn: asyncpg.Connection) -> None:
        nonlocal rows, commits
        rng = random.Random(i)
        while time.monotonic() < stop:
            values = batch_args(rooms, args.users, args.batch, rng)
            t0 = time.perf_counter()
            async with conn.transaction():
                inserted = await conn.fetch(_RESERVE_AND_INSERT, *values)
            if len(inserted) != args.batch:
                raise RuntimeError("a row was skipped")
            if measuring:
                times.append(time.perf_counter() - t0)
                rows += len(inserted)
                commits += 1

    async def window() -> tuple[Snapshot, Snapshot]:
        nonlocal measuring
        await asyncio.sleep(args.warmup)
        measuring = True
        before = cpu_snapshot()
        await asyncio.sleep(args.seconds)
        measuring = False
        return before, cpu_snapshot()

    watch = asyncio.create_task(window())
    lsn = "SELECT pg_current_wal_lsn() - '0/0'::pg_lsn"
    wal0 = await conns[0].fetchval(lsn)
    await asyncio.gather(*(writer(i, c) for i, c in enumerate(conns)))
    before, after = await watch
    wal = float(await conns[0].fetchval(lsn) - wal0)
    size, count = await conns[0].fetchrow(
        "SELECT greatest(pg_total_relation_size('messages'), (SELECT"
        " sum(pg_total_relation_size(relid)) FROM pg_partition_tree('messages'))),"
        " (SELECT count(*) FROM messages)"
    )
    total = rows * (args.warmup + args.seconds) / args.seconds  # the warm-up wrote too
    for conn in conns:
        await conn.close()
    wall = after[0] - before[0]
    cores = cores_used(before, after)
    times.sort()
    return Run(
        partitions=0,
        writers=writers,
        batch=args.batch,
        rows_before=0,
        rows=rows,
        commits=commits,
        seconds=round(wall, 2),
        rows_per_s=round(rows / wall),
        commits_per_s=round(commits / wall),
        batch_ms_p50=round(times[len(times) // 2] * 1e3, 2) if times else float("nan"),
        postgres_cores=round(cores["postgres"], 2),
        postgres_us_per_row=round(cores["postgres"] * wall / max(1, rows) * 1e6, 1),
        wal_bytes_per_row=round(wal / max(1.0, total)),
        bytes_per_row=round(float(size) / max(1, count)),
        client_cores=round(cores["self"], 2),
        other_cores=round(cores["other"], 2),
    )


def table(runs: list[Run]) -> str:
    lines = [
        "| messages | writers | rows before | rows/s | commits/s | batch p50 ms "
        "| PostgreSQL cores | PostgreSQL µs/row | WAL B/row | table+indexes B/row "
        "| bench client cores | other cores |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in runs:
        kind = f"{r.partitions} hash partitions" if r.partitions else "one table (as migrated)"
        lines.append(
            f"| {kind} | {r.writers} | {r.rows_before:,} | {r.rows_per_s:,} | {r.commits_per_s:,} "
            f"| {r.batch_ms_p50} | {r.postgres_cores:.2f} | {r.postgres_us_per_row} "
            f"| {r.wal_bytes_per_row:,.0f} | {r.bytes_per_row:,.0f} "
            f"| {r.client_cores:.2f} | {r.other_cores:.2f} |"
        )
    return "\n".join(lines)


async def main(args: argparse.Namespace) -> None:
    runs: list[Run] = []
    for partitions in (int(x) for x in args.partitions.split(",")):
        for writers in (int(x) for x in args.writers.split(",")):
            # a fresh database per run: every run starts from the same table
            async with database(args.pg_admin_url, f"p{partitions}w{writers}") as dsn:
                rooms, before = await setup(dsn, args, partitions)
                run = await drive(dsn, rooms, args, writers)
            run.partitions, run.rows_before = partitions, before
            print(
                f"  partitions={partitions} writers={writers}: {run.rows_per_s:,} rows/s",
                file=sys.stderr,
            )
            runs.append(run)
    print(table(runs))
    print(json.dumps({"runs": [asdict(r) for r in runs]}))


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--partitions", default="0,8,32", help="0 = not partitioned")
    p.add_argument("--writers", default="1,4", help="concurrent writers (nodes)")
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--warmup", type=float, default=1.0)
    p.add_argument("--batch", type=int, default=50, help="messages per commit")
    p.add_argument("--rooms", type=int, default=10_000)
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--prefill", type=int, default=200_000)
    p.add_argument("--pg-admin-url", default="postgresql://127.0.0.1:5432/postgres")
    return p.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse()))
