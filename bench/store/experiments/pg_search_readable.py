"""Experiment behind RESULTS.md's proposed search fix (issue 7): PostgreSQL search at 1M
messages (store_bench's own seeding and queries), the store's query beside the proposed one:
the caller's readable rooms resolved first and passed as ``m.room_id = ANY($2)``, planned
for its values (a connection with ``plan_cache_mode = force_custom_plan``) and, for
comparison, as a cached plan. Checks that both return the same messages; prints p50/p99
per kind and the proposed query's plans.

    PYTHONPATH=/tmp/hubbub-<sha>/src \\
        .venv/bin/python bench/store/experiments/pg_search_readable.py [ROWS]
"""

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # bench/
import asyncpg
import uvloop

from hubbub.search_words import tsquery
from hubbub.store.factory import open_store
from hubbub.store.rows import MESSAGE_COLUMNS
from store.common import fresh_database, percentile, pg_dsn
from store.search import (
    KINDS,
    LIMIT,
    Queries,
    build_world,
    membership_rows,
    message_rows,
    seed_postgres,
)
from store.text import TextGen, vocabulary

READABLE = (
    "SELECT id FROM rooms WHERE NOT private"
    " UNION ALL SELECT room_id FROM memberships WHERE user_id = $1"
)
PROPOSED = (
    f"SELECT r.name, {MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.user_id"
    " JOIN rooms r ON r.id = m.room_id WHERE m.search @@ $1::tsquery AND NOT m.deleted"
    " AND m.room_id = ANY($2::bigint[]) ORDER BY m.id DESC LIMIT $3"
)


async def main():
    rows_n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    args = argparse.Namespace(
        tmp_dir=None,
        pg_admin_url="postgresql://127.0.0.1:5432/test",
        pg_plan_cache_mode=None,
        search_rooms=300,
        search_public=10,
        search_users=500,
        search_memberships=20,
    )
    rng = random.Random(1)
    async with fresh_database("postgres", args) as url:
        store = await open_store(url)
        world = await build_world(store, args, rng)
        gen = TextGen(vocabulary(50_000), seed=1)
        rows, seqs = message_rows(world, gen.texts(rows_n), rng)
        await seed_postgres(url, rows, seqs, membership_rows(world))
        del rows
        custom = await asyncpg.connect(
            pg_dsn(url), server_settings={"plan_cache_mode": "force_custom_plan"}
        )
        generic = await asyncpg.connect(pg_dsn(url))
        q = Queries(world, gen, seed=4242)
        res = {}
        for n in range(120):
            for kind in KINDS:
                qq = q.make(kind)
                t = time.perf_counter()
                page = await store.search(
                    user_id=qq.user_id,
                    words=qq.words,
                    room_id=qq.room_id,
                    before_id=None,
                    limit=LIMIT,
                )
                a = time.perf_counter() - t
                for name, conn in (
                    ("proposed, custom plan", custom),
                    ("proposed, cached plan", generic),
                ):
                    t = time.perf_counter()
                    readable = [r[0] for r in await conn.fetch(READABLE, qq.user_id)]
                    if qq.room_id is not None:
                        readable = [qq.room_id] if qq.room_id in readable else []
                    got = await conn.fetch(PROPOSED, tsquery(qq.words), readable, LIMIT + 1)
                    b = time.perf_counter() - t
                    assert [r[1] for r in got[:LIMIT]] == [m.id for m in page.messages], (kind, qq)
                    if n >= 10:
                        res.setdefault((kind, name), []).append(b)
                if n >= 10:
                    res.setdefault((kind, "store"), []).append(a)
        print("| query | variant | p50 ms | p99 ms | max ms |\n|---|---|--:|--:|--:|")
        for (kind, name), v in sorted(
            res.items(), key=lambda kv: (KINDS.index(kv[0][0]), kv[0][1])
        ):
            v.sort()
            p50, p99 = percentile(v, 50) * 1e3, percentile(v, 99) * 1e3
            print(f"| {kind} | {name} | {p50:.1f} | {p99:.1f} | {v[-1] * 1e3:.1f} |")
        # plans of the proposed query for one few-rooms and one room query
        for kind in ("few-rooms", "room"):
            qq = q.make(kind)
            readable = [r[0] for r in await custom.fetch(READABLE, qq.user_id)]
            if qq.room_id is not None:
                readable = [qq.room_id] if qq.room_id in readable else []
            arr = "'{" + ",".join(map(str, readable)) + "}'::bigint[]"
            lit = "'" + tsquery(qq.words).replace("'", "''") + "'"
            plan = await custom.fetch(
                "EXPLAIN (ANALYZE, BUFFERS) "
                + PROPOSED.replace("$1", lit).replace("$2", arr).replace("$3", str(LIMIT + 1))
            )
            print(
                f"\n{kind} {qq.words} room={qq.room_id} readable={len(readable)}\n"
                + "\n".join(r[0] for r in plan)
            )
        await custom.close()
        await generic.close()
        await store.close()


uvloop.run(main())
