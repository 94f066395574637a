"""Search at a million messages: seed realistic text with bulk SQL into a store's own
database, keep the index the store keeps, then time ``store.search`` per kind of query.

The data (``--search-rows``, default 1,000,000):
* ``--search-rooms`` rooms (300) with Zipf-distributed activity (the busiest ≈ 16% of the
  messages, the quietest a few hundred); ``--search-public`` of them (10, spread over the
  activity ranks) are public, the rest private;
* ``--search-users`` users (500): most are members of ``--search-memberships`` private rooms
  (20, drawn by activity); ``FEW_USERS`` of them are members of 2 small private rooms only,
  so they can read the public rooms and those 2 ("few-rooms" users); a message in a private
  room is sent by one of its members;
* texts of 1-30 words (mean ≈ 9) from a 50,000-word vocabulary drawn with a Zipf law
  (``store.text``): the commonest word is in about half the messages, a word of rank 10,000
  in about 80.
The index is the store's: SQLite rows go into ``messages`` with the three FTS triggers
dropped, then ``INSERT INTO messages_fts(messages_fts) VALUES('rebuild')`` and the triggers
put back as they were; PostgreSQL rows are copied to a staging table and inserted into
``messages`` with ``search = array_to_tsvector(string_to_array(lexemes, ' '))``, the lexemes
cut by ``hubbub.search_words.lexemes`` (as the store does), the GIN index dropped during the
load and re-created from its own definition, then ``VACUUM ANALYZE``.

Queries (limit 20, newest first, as ``GET /api/search`` by default), each drawn afresh:
* ``rare``: one word of frequency rank 5,000-50,000, a typical user;
* ``common``: one word of rank 0-9;
* ``two words``: one of rank 10-99 and one of rank 100-999;
* ``room``: a word of rank 0-199 in one room the typical user can read (drawn by activity);
* ``few-rooms``: a word of rank 10-999, from a user who can read only 12 rooms.
Kinds are interleaved (one of each in turn), ``--search-warmup`` of each first. After the
seeded rounds, ``--search-after-sends`` seconds of sends through the store (Zipf text) add
rows the way the server does (FTS5 segments, GIN pending list), and the queries run again.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import sqlite3
import statistics
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from hubbub.search_words import lexemes
from hubbub.store.base import NewMessage, RoomRecord, Store, UserRecord, iso, utc_now
from hubbub.store.factory import open_store
from store.common import (
    cores_used,
    cpu_snapshot,
    drive,
    fresh_database,
    ms,
    percentile,
    pg_dsn,
    sqlite_file,
)
from store.sends import text_pool
from store.text import TextGen, vocabulary

KINDS = ("rare", "common", "two words", "room", "few-rooms")
FEW_USERS = 5
LIMIT = 20


@dataclass(slots=True)
class QueryFigures:
    backend: str
    phase: str  # "seeded" or "after N sends"
    run: int
    kind: str
    queries: int
    p50_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    mean_hits: float  # results returned (at most LIMIT)
    full_pages: float  # share of queries that filled a page (has_more)
    other_cores: float = 0.0  # cores other processes used during the round (all kinds)


@dataclass(slots=True)
class SearchReport:
    backend: str
    rows: int = 0
    rooms: int = 0
    public_rooms: int = 0
    users: int = 0
    memberships: int = 0
    seed_seconds: float = 0.0
    index_seconds: float = 0.0
    readable_share_typical: float = 0.0  # median share of messages a typical user can read
    readable_share_few: float = 0.0
    sends_after: int = 0
    figures: list[QueryFigures] = field(default_factory=list)
    plans: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class World:
    users: list[UserRecord]
    rooms: list[RoomRecord]  # by activity rank
    weights: list[float]  # room activity
    members: dict[int, list[int]]  # private room id -> member user ids
    readable: dict[int, list[int]]  # user id -> readable room ids
    typical: list[int]  # user ids
    few: list[int]


async def build_world(store: Store, args: argparse.Namespace, rng: random.Random) -> World:
    n_rooms, n_public = args.search_rooms, args.search_public
    users = [
        await store.create_user(username=f"s{i}", password_hash="x")
        for i in range(args.search_users)
    ]
    admin = users[0]
    step = max(1, n_rooms // n_public)
    public_ranks = {4 + k * step for k in range(n_public)}
    rooms = [
        await store.create_room(name=f"room-{r}", private=r not in public_ranks, owner_id=admin.id)
        for r in range(n_rooms)
    ]
    weights = [1.0 / (r + 1) for r in range(n_rooms)]
    private = [r for r in range(n_rooms) if rooms[r].private]
    members: dict[int, list[int]] = {rooms[r].id: [] for r in private}
    few = [u.id for u in users[1 : 1 + FEW_USERS]]
    typical = [u.id for u in users[1 + FEW_USERS :]]
    small = [r for r in private if r >= n_rooms // 2]
    for uid in few:
        for r in rng.sample(small, 2):
            members[rooms[r].id].append(uid)
    pweights = [weights[r] for r in private]
    for uid in typical:
        chosen: set[int] = set()
        while len(chosen) < min(args.search_memberships, len(private)):
            chosen.add(rng.choices(private, pweights)[0])
        for r in chosen:
            members[rooms[r].id].append(uid)
    for ids in members.values():  # nobody should be alone in a room but the admin
        if not ids:
            ids.append(rng.choice(typical))
    public_ids = [rooms[r].id for r in sorted(public_ranks) if r < n_rooms]
    readable: dict[int, list[int]] = {u.id: list(public_ids) for u in users}
    for room_id, ids in members.items():
        for uid in ids:
            readable[uid].append(room_id)
    return World(users, rooms, weights, members, readable, typical, few)


def message_rows(
    world: World, texts: list[str], rng: random.Random
) -> tuple[list[tuple[int, int, int, str, datetime, str]], dict[int, int]]:
    """(room_id, seq, user_id, text, created_at, client_id) per text; last seq per room."""
    room_ids = [r.id for r in world.rooms]
    cum = list(itertools.accumulate(world.weights))
    placed = rng.choices(room_ids, cum_weights=cum, k=len(texts))
    everyone = [u.id for u in world.users]
    seqs: dict[int, int] = dict.fromkeys(room_ids, 0)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = []
    for n, (room_id, text) in enumerate(zip(placed, texts, strict=True)):
        seq = seqs[room_id] = seqs[room_id] + 1
        senders = world.members.get(room_id) or everyone
        user = senders[int(rng.random() * len(senders))]
        rows.append((room_id, seq, user, text, start + timedelta(seconds=n * 2.5), f"seed-{n}"))
    return rows, seqs


def membership_rows(world: World) -> list[tuple[int, int]]:
    return [(room_id, uid) for room_id, ids in world.members.items() for uid in ids]


def seed_sqlite(
    path: str, rows: list[Any], seqs: dict[int, int], memberships: list[tuple[int, int]]
) -> float:
    """Bulk insert with the FTS triggers off, then rebuild the index; its seconds."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous = OFF")
        triggers = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
            " AND name LIKE 'messages_fts_%'"
        ).fetchall()
        assert triggers, "the FTS triggers of migrations 0003/0006"
        for name, _ in triggers:
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO messages (room_id, seq, user_id, text, created_at, client_id, rev)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            ((r, s, u, t, iso(at), c, s) for r, s, u, t, at, c in rows),
        )
        conn.executemany(
            "UPDATE rooms SET last_seq = ?, last_rev = ? WHERE id = ?",
            [(n, n, room) for room, n in seqs.items()],
        )
        joined = iso(datetime(2026, 1, 1, tzinfo=UTC))
        conn.executemany(
            "INSERT INTO memberships (room_id, user_id, joined_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            [(r, u, joined) for r, u in memberships],
        )
        conn.execute("COMMIT")
        t0 = time.perf_counter()
        conn.execute("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')")
        index_seconds = time.perf_counter() - t0
        for _, sql in triggers:
            conn.execute(sql)
        if conn.execute(  # migration 0007: how far the index goes
            "SELECT 1 FROM sqlite_master WHERE name = 'search_progress'"
        ).fetchone():
            conn.execute("UPDATE search_progress SET id = (SELECT max(id) FROM messages)")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return index_seconds
    finally:
        conn.close()


async def seed_postgres(
    url: str, rows: list[Any], seqs: dict[int, int], memberships: list[tuple[int, int]]
) -> float:
    conn = await asyncpg.connect(pg_dsn(url))
    try:
        await conn.execute("SET maintenance_work_mem = '256MB'")
        await conn.execute(
            "CREATE UNLOGGED TABLE bench_stage (room_id bigint, seq bigint, user_id bigint,"
            " text text, created_at timestamptz, client_id text, words text)"
        )
        await conn.copy_records_to_table(
            "bench_stage",
            records=((*row, lexemes(row[3])) for row in rows),
            columns=["room_id", "seq", "user_id", "text", "created_at", "client_id", "words"],
        )
        index_def = await conn.fetchval(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'messages_search'"
        )
        assert index_def, "no messages_search index"
        async with conn.transaction():
            await conn.execute("DROP INDEX messages_search")
            await conn.execute(
                "INSERT INTO messages (room_id, seq, user_id, text, created_at, client_id, rev,"
                " search) SELECT room_id, seq, user_id, text, created_at, client_id, seq,"
                " array_to_tsvector(string_to_array(words, ' ')) FROM bench_stage"
            )
            await conn.executemany(
                "UPDATE rooms SET last_seq = $1, last_rev = $1 WHERE id = $2",
                [(n, room) for room, n in seqs.items()],
            )
            await conn.executemany(
                "INSERT INTO memberships (room_id, user_id, joined_at) VALUES ($1, $2, $3)"
                " ON CONFLICT DO NOTHING",
                [(r, u, datetime(2026, 1, 1, tzinfo=UTC)) for r, u in memberships],
            )
        await conn.execute("DROP TABLE bench_stage")
        t0 = time.perf_counter()
        await conn.execute(index_def)
        index_seconds = time.perf_counter() - t0
        await conn.execute("VACUUM ANALYZE")
        return index_seconds
    finally:
        await conn.close()


@dataclass(slots=True)
class Query:
    kind: str
    user_id: int
    words: list[str]
    room_id: int | None


class Queries:
    def __init__(self, world: World, gen: TextGen, seed: int) -> None:
        self.world = world
        self.gen = gen
        self.rng = random.Random(seed)
        self.by_id = {r.id: rank for rank, r in enumerate(world.rooms)}
        self.searchers = self.rng.sample(world.typical, min(40, len(world.typical)))

    def word(self, lo: int, hi: int) -> str:
        return self.gen.vocab[self.rng.randrange(lo, min(hi, len(self.gen.vocab)))]

    def make(self, kind: str) -> Query:
        rng = self.rng
        user = rng.choice(self.world.few if kind == "few-rooms" else self.searchers)
        room_id = None
        if kind == "rare":
            words = [self.word(5000, 50_000)]
        elif kind == "common":
            words = [self.word(0, 10)]
        elif kind == "two words":
            words = [self.word(10, 100), self.word(100, 1000)]
        elif kind == "room":
            readable = self.world.readable[user]
            room_id = rng.choices(readable, [self.world.weights[self.by_id[r]] for r in readable])[
                0
            ]
            words = [self.word(0, 200)]
        else:
            words = [self.word(10, 1000)]
        return Query(kind, user, words, room_id)


async def time_queries(
    store: Store, queries: Queries, backend: str, phase: str, run: int, args: argparse.Namespace
) -> list[QueryFigures]:
    async def one(q: Query) -> tuple[float, int, bool]:
        t = time.perf_counter()
        page = await store.search(
            user_id=q.user_id, words=q.words, room_id=q.room_id, before_id=None, limit=LIMIT
        )
        return time.perf_counter() - t, len(page.messages), page.has_more

    for _ in range(args.search_warmup):
        for kind in KINDS:
            await one(queries.make(kind))
    snap0 = cpu_snapshot()
    times: dict[str, list[float]] = {k: [] for k in KINDS}
    hits: dict[str, list[int]] = {k: [] for k in KINDS}
    full: dict[str, list[bool]] = {k: [] for k in KINDS}
    for _ in range(args.search_queries):
        for kind in KINDS:
            elapsed, n, more = await one(queries.make(kind))
            times[kind].append(elapsed)
            hits[kind].append(n)
            full[kind].append(more)
    other = cores_used(snap0, cpu_snapshot())["other"]
    out = []
    for kind in KINDS:
        lat = sorted(times[kind])
        out.append(
            QueryFigures(
                backend=backend,
                phase=phase,
                run=run,
                kind=kind,
                queries=len(lat),
                p50_ms=ms(percentile(lat, 50)),
                p99_ms=ms(percentile(lat, 99)),
                mean_ms=ms(statistics.fmean(lat)),
                max_ms=ms(lat[-1]),
                mean_hits=round(statistics.fmean(hits[kind]), 1),
                full_pages=round(sum(full[kind]) / len(full[kind]), 2),
                other_cores=other,
            )
        )
    return out


async def explain(backend: str, url: str, queries: Queries) -> dict[str, str]:
    """The plan each kind of query gets (one query per kind), with the store's own SQL."""
    from hubbub.search_words import fts5_query, tsquery
    from hubbub.store.postgres.search import READABLE_ROOMS
    from hubbub.store.postgres.search import SEARCH_SQL as PG_SEARCH
    from hubbub.store.sqlite.search import SEARCH_SQL as SQLITE_SEARCH

    plans: dict[str, str] = {}
    samples = [queries.make(kind) for kind in KINDS]
    if backend == "sqlite":
        conn = sqlite3.connect(sqlite_file(url))
        try:
            for q in samples:
                params = (
                    fts5_query(q.words),
                    q.user_id,
                    q.room_id,
                    q.room_id,
                    2**63 - 1,
                    LIMIT + 1,
                )
                plan = conn.execute(f"EXPLAIN QUERY PLAN {SQLITE_SEARCH}", params).fetchall()
                plans[q.kind] = f"{q.words} room={q.room_id}\n" + "\n".join(
                    f"{r[0]}/{r[1]} {r[3]}" for r in plan
                )
        finally:
            conn.close()
        return plans
    conn = await asyncpg.connect(pg_dsn(url))
    try:
        for q in samples:
            rooms = (
                [q.room_id]
                if q.room_id is not None
                else [r[0] for r in await conn.fetch(READABLE_ROOMS, q.user_id)]
            )
            async with conn.transaction():  # as the store runs it: a plan for these values
                await conn.execute("SET LOCAL plan_cache_mode = force_custom_plan")
                rows = await conn.fetch(
                    f"EXPLAIN (ANALYZE, BUFFERS) {PG_SEARCH}",
                    tsquery(q.words),
                    rooms,
                    2**63 - 1,
                    LIMIT + 1,
                )
            plans[q.kind] = f"{q.words} room={q.room_id}\n" + "\n".join(r[0] for r in rows)
    finally:
        await conn.close()
    return plans


async def search_bench(backend: str, args: argparse.Namespace, log: Any) -> SearchReport:
    report = SearchReport(backend)
    rng = random.Random(args.search_seed)
    async with fresh_database(backend, args) as url:
        store = await open_store(url)
        try:
            world = await build_world(store, args, rng)
            gen = TextGen(vocabulary(50_000), seed=args.search_seed)
            t0 = time.perf_counter()
            texts = gen.texts(args.search_rows, count=True)
            rows, seqs = message_rows(world, texts, rng)
            del texts
            members = membership_rows(world)
            log(f"[{backend}] search: {len(rows):,} rows generated, seeding")
            if backend == "sqlite":
                report.index_seconds = round(
                    await asyncio.to_thread(seed_sqlite, sqlite_file(url), rows, seqs, members),
                    1,
                )
            else:
                report.index_seconds = round(await seed_postgres(url, rows, seqs, members), 1)
            report.seed_seconds = round(time.perf_counter() - t0, 1)
            per_room = seqs
            del rows
            report.rows = args.search_rows
            report.rooms = len(world.rooms)
            report.public_rooms = sum(1 for r in world.rooms if not r.private)
            report.users = len(world.users)
            report.memberships = len(members)
            share = {
                u: sum(per_room[r] for r in rooms) / args.search_rows
                for u, rooms in world.readable.items()
            }
            report.readable_share_typical = round(
                statistics.median(share[u] for u in world.typical), 3
            )
            report.readable_share_few = round(statistics.median(share[u] for u in world.few), 3)
            log(
                f"[{backend}] search: seeded in {report.seed_seconds} s"
                f" (index {report.index_seconds} s)"
            )
            for run in range(1, args.repeat + 1):
                queries = Queries(world, gen, seed=args.search_seed * 100 + run)
                figures = await time_queries(store, queries, backend, "seeded", run, args)
                report.figures += figures
                for f in figures:
                    log(f"[{backend}] search {f.kind} run {run}: p50 {f.p50_ms} p99 {f.p99_ms} ms")
            if args.explain:
                report.plans = await explain(backend, url, Queries(world, gen, seed=1))
            if args.search_after_sends > 0:
                report.sends_after = await sends_phase(store, world, args)
                phase = f"after {report.sends_after:,} sends"
                log(f"[{backend}] search: {phase}")
                for run in range(1, args.repeat + 1):
                    queries = Queries(world, gen, seed=args.search_seed * 100 + 50 + run)
                    figures = await time_queries(store, queries, backend, phase, run, args)
                    report.figures += figures
                    for f in figures:
                        log(
                            f"[{backend}] search {f.kind} {phase} run {run}:"
                            f" p50 {f.p50_ms} p99 {f.p99_ms} ms"
                        )
        finally:
            await store.close()
    return report


async def sends_phase(store: Store, world: World, args: argparse.Namespace) -> int:
    """``--search-after-sends`` seconds of sends through the store into the busiest rooms."""
    texts = text_pool("zipf")
    rooms = world.rooms[: args.rooms]
    by_id = {u.id: u for u in world.users}
    senders = [by_id[u] for u in world.typical[: args.senders]]
    sub = argparse.Namespace(**{**vars(args), "seconds": args.search_after_sends, "warmup": 0.0})
    count = [0]

    async def op(i: int, n: int) -> str:
        stored = await store.store_message(
            NewMessage(
                room=rooms[i % len(rooms)],
                user=senders[i % len(senders)],
                text=texts[(i * 7919 + n) % len(texts)],
                client_id=f"after-{i}-{n}",
                created_at=utc_now(),
            )
        )
        assert stored.created  # type: ignore[union-attr]
        count[0] += 1
        return "send"

    await drive(sub, args.senders, op, lambda: store.commit_count)
    return count[0]
