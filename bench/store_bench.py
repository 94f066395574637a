"""Store benchmark: group-commit write throughput and history-page latency, per backend.

Measures through the ``Store`` interface the server itself uses (``hubbub.store.factory``):

* **writes**: ``--senders`` concurrent senders spread over ``--rooms`` rooms, each awaiting
  ``store_message`` one after the other (with a ``client_id``) for ``--seconds``; reports
  stored messages/s, commits (``store.commit_count``), mean batch size and ack latency.
* **history**: seeds ``--history-rows`` messages with bulk SQL (``executemany`` on SQLite,
  ``COPY`` on PostgreSQL; ``rooms.last_seq`` kept consistent), then times 50-message pages
  (``messages_before``) at random positions and the latest page.

Each backend gets a fresh database: a file in a temporary directory for SQLite, a new
database on the PostgreSQL server (``--pg-admin-url``) that is dropped at the end.

    .venv/bin/python bench/store_bench.py [--backend sqlite|postgres|both] [--seconds N]
                                          [--history-rows N] [--repeat N]

Prints a table per backend and, last, one JSON line with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import secrets
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from hubbub.store.base import NewMessage, RoomRecord, Store, UserRecord, iso, utc_now
from hubbub.store.factory import open_store
from hubbub.store.migrate import upgrade

TEXT = "hello from the benchmark, this is a typical short chat line"
PAGE = 50
TARGET_MSGS_S = 10_000
TARGET_PAGE_MS = {"sqlite": 1.0, "postgres": 2.0}


# ---------------------------------------------------------------- helpers


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (the loadgen's definition)."""
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, -(-len(sorted_values) * p // 100) - 1))
    return sorted_values[int(rank)]


@dataclass(slots=True)
class WriteResult:
    backend: str
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


@dataclass(slots=True)
class BackendReport:
    backend: str
    writes: list[WriteResult] = field(default_factory=list)
    pages: list[PageResult] = field(default_factory=list)
    seed_seconds: float | None = None
    error: str | None = None


# ---------------------------------------------------------------- databases


@contextlib.asynccontextmanager
async def fresh_database(backend: str, args: argparse.Namespace) -> AsyncIterator[str]:
    """A new, empty, migrated database; yields its URL and removes it afterwards."""
    if backend == "sqlite":
        tmp = Path(tempfile.mkdtemp(prefix="hubbub-store-bench-", dir=args.tmp_dir))
        url = f"sqlite:///{tmp / 'bench.db'}"
        try:
            await asyncio.to_thread(upgrade, url)
            yield url
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return
    admin = await asyncpg.connect(args.pg_admin_url)
    name = f"hubbub_bench_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        if args.pg_plan_cache_mode:  # a diagnostic: see RESULTS.md
            await admin.execute(
                f'ALTER DATABASE "{name}" SET plan_cache_mode = {args.pg_plan_cache_mode}'
            )
        base = args.pg_admin_url.rsplit("/", 1)[0].removeprefix("postgresql://")
        url = f"postgresql+asyncpg://{base}/{name}"
        # Alembic's env.py runs its own event loop: migrate from a worker thread.
        await asyncio.to_thread(upgrade, url)
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def make_users_and_rooms(
    store: Store, *, users: int, rooms: int
) -> tuple[list[UserRecord], list[RoomRecord]]:
    """Users and rooms through the store API; every user joins every room."""
    tag = secrets.token_hex(2)
    made_users = [
        await store.create_user(username=f"bench_{tag}_{i}", password_hash="x")
        for i in range(users)
    ]
    made_rooms = [
        await store.create_room(name=f"bench-{tag}-{r}", private=False, owner_id=made_users[0].id)
        for r in range(rooms)
    ]
    for room in made_rooms:
        for user in made_users[1:]:
            await store.add_member(room_id=room.id, user_id=user.id)
    return made_users, made_rooms


# ---------------------------------------------------------------- writes


async def write_run(backend: str, run: int, args: argparse.Namespace) -> WriteResult:
    async with fresh_database(backend, args) as url:
        store = await open_store(url)
        try:
            return await _write_run(store, backend, url, run, args)
        finally:
            await store.close()


async def _write_run(
    store: Store, backend: str, url: str, run: int, args: argparse.Namespace
) -> WriteResult:
    users, rooms = await make_users_and_rooms(store, users=args.senders, rooms=args.rooms)
    if args.prefill:  # a database already in use: rows stored and (PostgreSQL) analyzed
        await seed(backend, url, rows=args.prefill, rooms=rooms, users=users)
    latencies: list[list[float]] = [[] for _ in range(args.senders)]
    state = {"measuring": False, "stop": False}
    sent = [0] * args.senders

    async def sender(i: int) -> None:
        user, room = users[i], rooms[i % len(rooms)]
        mine = latencies[i]
        n = 0
        while not state["stop"]:
            message = NewMessage(
                room=room, user=user, text=TEXT, client_id=f"s{i}-{n}", created_at=utc_now()
            )
            t = time.perf_counter()
            stored = await store.store_message(message)
            if state["measuring"]:
                mine.append(time.perf_counter() - t)
            assert stored.created
            n += 1
            sent[i] = n

    tasks = [asyncio.create_task(sender(i)) for i in range(args.senders)]
    await asyncio.sleep(args.warmup)  # fill the pipeline before counting
    commits0 = store.commit_count  # type: ignore[attr-defined]
    cpu0, wall0 = time.process_time(), time.perf_counter()
    state["measuring"] = True
    timeline: list[int] = []
    mark = sum(sent)
    for second in range(1, int(args.seconds) + 1):
        await asyncio.sleep(max(0.0, wall0 + second - time.perf_counter()))
        now = sum(sent)
        timeline.append(now - mark)
        mark = now
    await asyncio.sleep(max(0.0, wall0 + args.seconds - time.perf_counter()))
    state["measuring"] = False
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    commits = store.commit_count - commits0  # type: ignore[attr-defined]
    state["stop"] = True
    await asyncio.gather(*tasks)

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

    acks = sorted(x for lat in latencies for x in lat)
    n = len(acks)
    return WriteResult(
        backend=backend,
        run=run,
        senders=args.senders,
        rooms=args.rooms,
        seconds=round(wall, 3),
        messages=n,
        msgs_per_s=round(n / wall, 1),
        commits=commits,
        mean_batch=round(n / commits, 2) if commits else float("nan"),
        ack_p50_ms=round(percentile(acks, 50) * 1e3, 3),
        ack_p99_ms=round(percentile(acks, 99) * 1e3, 3),
        ack_max_ms=round(acks[-1] * 1e3, 3) if acks else float("nan"),
        timeline=timeline,
        cpu_pct=round(cpu / wall * 100, 1),
        seq_check=check,
    )


# ---------------------------------------------------------------- history


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
    conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO messages (room_id, seq, user_id, text, created_at, client_id)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                (r, s, u, t, iso(at), c)
                for r, s, u, t, at, c in seed_rows(
                    rows=rows, rooms=rooms, users=users, start=datetime(2026, 1, 1, tzinfo=UTC)
                )
            ),
        )
        conn.executemany(
            "UPDATE rooms SET last_seq = ? WHERE id = ?",
            [(n, room) for room, n in seq_counts(rows, rooms).items()],
        )
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


async def seed_postgres(url: str, *, rows: int, rooms: list[int], users: list[int]) -> None:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        async with conn.transaction():
            await conn.copy_records_to_table(
                "messages",
                records=seed_rows(
                    rows=rows, rooms=rooms, users=users, start=datetime(2026, 1, 1, tzinfo=UTC)
                ),
                columns=["room_id", "seq", "user_id", "text", "created_at", "client_id"],
            )
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


async def history(backend: str, args: argparse.Namespace, report: BackendReport) -> None:
    async with fresh_database(backend, args) as url:
        store = await open_store(url)
        try:
            users, rooms = await make_users_and_rooms(
                store, users=args.senders, rooms=args.history_rooms
            )
            t0 = time.perf_counter()
            await seed(backend, url, rows=args.history_rows, rooms=rooms, users=users)
            report.seed_seconds = round(time.perf_counter() - t0, 2)
            fresh = [await store.get_room(name=r.name) for r in rooms]
            seeded = [r for r in fresh if r is not None]
            assert sum(r.last_seq for r in seeded) == args.history_rows
            for run in range(1, args.repeat + 1):
                for kind in ("random", "latest"):
                    report.pages.append(await page_run(store, seeded, backend, run, kind, args))
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


# ---------------------------------------------------------------- report


def print_report(reports: list[BackendReport], args: argparse.Namespace) -> None:
    print(
        f"\n## writes: {args.senders} sequential senders over {args.rooms} rooms,"
        f" {args.seconds:g} s per run (after {args.warmup:g} s warm-up),"
        f" {f'{args.prefill:,} rows stored before' if args.prefill else 'empty table at start'}"
        f"{f', plan_cache_mode={args.pg_plan_cache_mode}' if args.pg_plan_cache_mode else ''}\n"
    )
    print(
        "| backend | run | msgs/s | first s / last s | commits | msgs/commit | ack p50 ms"
        " | ack p99 ms | ack max ms | client CPU % | seqs |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|")
    for rep in reports:
        for w in rep.writes:
            mark = "" if w.msgs_per_s >= TARGET_MSGS_S else " (below 10k)"
            ends = f"{w.timeline[0]:,} / {w.timeline[-1]:,}" if w.timeline else "-"
            print(
                f"| {w.backend} | {w.run} | {w.msgs_per_s:,.0f}{mark} | {ends} | {w.commits:,} |"
                f" {w.mean_batch:.1f} | {w.ack_p50_ms:.2f} | {w.ack_p99_ms:.2f} |"
                f" {w.ack_max_ms:.1f} | {w.cpu_pct:.0f} | {w.seq_check} |"
            )
    if args.history_rows > 0:
        print_history(reports, args)
    for rep in reports:
        if rep.error:
            print(f"\n{rep.backend}: FAILED: {rep.error}")


def print_history(reports: list[BackendReport], args: argparse.Namespace) -> None:
    print(
        f"\n## history: {PAGE}-message pages (messages_before) at"
        f" {args.history_rows:,} stored messages over {args.history_rooms} rooms,"
        f" {args.page_reads} sequential reads per line\n"
    )
    print("| backend | run | page | p50 ms | p99 ms | mean ms | target |")
    print("|---|--:|---|--:|--:|--:|---|")
    for rep in reports:
        for p in rep.pages:
            target = TARGET_PAGE_MS[p.backend]
            verdict = "/".join("met" if v < target else "missed" for v in (p.p50_ms, p.p99_ms))
            print(
                f"| {p.backend} | {p.run} | {p.kind} | {p.p50_ms:.3f} | {p.p99_ms:.3f} |"
                f" {p.mean_ms:.3f} | < {target:g} ms (p50/p99): {verdict} |"
            )
    print()
    for rep in reports:
        if rep.seed_seconds is not None:
            print(f"{rep.backend}: seeded {args.history_rows:,} rows in {rep.seed_seconds} s")


async def run_backend(backend: str, args: argparse.Namespace) -> BackendReport:
    report = BackendReport(backend)
    try:
        for run in range(1, args.repeat + 1):
            result = await write_run(backend, run, args)
            report.writes.append(result)
            print(
                f"[{backend}] writes run {run}: {result.msgs_per_s:,.0f} msgs/s,"
                f" {result.mean_batch:.1f} msgs/commit, ack p50/p99"
                f" {result.ack_p50_ms:.2f}/{result.ack_p99_ms:.2f} ms",
                file=sys.stderr,
            )
        if args.history_rows > 0:
            await history(backend, args, report)
            for p in report.pages:
                print(
                    f"[{backend}] page {p.kind} run {p.run}: p50 {p.p50_ms:.3f} ms,"
                    f" p99 {p.p99_ms:.3f} ms",
                    file=sys.stderr,
                )
    except Exception as exc:  # report what failed, keep the other backend's figures
        report.error = f"{type(exc).__name__}: {exc}"
        print(f"[{backend}] failed: {report.error}", file=sys.stderr)
    return report


async def main_async(args: argparse.Namespace) -> list[BackendReport]:
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    return [await run_backend(b, args) for b in backends]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured send window")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds first")
    parser.add_argument("--senders", type=int, default=50)
    parser.add_argument("--rooms", type=int, default=10)
    parser.add_argument(
        "--prefill",
        type=int,
        default=0,
        help="writes: seed this many rows (and ANALYZE) before sending; default a fresh table",
    )
    parser.add_argument("--repeat", type=int, default=2, help="runs of each figure")
    parser.add_argument("--history-rows", type=int, default=1_000_000, help="0: skip")
    parser.add_argument("--history-rooms", type=int, default=10)
    parser.add_argument("--page-reads", type=int, default=2000, help="timed pages per line")
    parser.add_argument("--page-warmup", type=int, default=200)
    parser.add_argument(
        "--pg-admin-url",
        default="postgresql://127.0.0.1:5432/test",
        help="an existing database to CREATE/DROP the bench database from",
    )
    parser.add_argument(
        "--pg-plan-cache-mode",
        choices=["auto", "force_custom_plan", "force_generic_plan"],
        default=None,
        help="set on the bench database (diagnostic; default: the server's setting)",
    )
    parser.add_argument("--tmp-dir", default=None, help="where the SQLite file goes")
    parser.add_argument(
        "--loop", choices=["uvloop", "asyncio"], default="uvloop", help="as the server runs"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = datetime.now(UTC)
    if args.loop == "uvloop":
        import uvloop

        reports = uvloop.run(main_async(args))
    else:
        reports = asyncio.run(main_async(args))
    print_report(reports, args)
    line: dict[str, Any] = {
        "bench": "store",
        "started": started.isoformat(timespec="seconds"),
        "host": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            "loop": args.loop,
        },
        "args": vars(args),
        "results": [asdict(r) for r in reports],
    }
    print(json.dumps(line, default=str))
    return 1 if any(r.error for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
