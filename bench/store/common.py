"""What every part of the store benchmark shares: fresh databases, users and rooms, and the
loop of sequential senders measured over a window.

Imports only what Hubbub's ``Store`` has had since before issue 7, so that the send-only
run also works against an older tree (``--baseline-src``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import shutil
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from hubbub.store.base import RoomRecord, Store, UserRecord
from hubbub.store.migrate import upgrade


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (the loadgen's definition)."""
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, -(-len(sorted_values) * p // 100) - 1))
    return sorted_values[int(rank)]


def median(values: list[float]) -> float:
    values = [v for v in values if v == v]  # drop NaN
    return statistics.median(values) if values else float("nan")


def ms(seconds: float) -> float:
    return round(seconds * 1e3, 3)


def pg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def sqlite_file(url: str) -> str:
    return url.removeprefix("sqlite:///")


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


Snapshot = tuple[float, dict[int, tuple[str, float]]]


def cpu_snapshot() -> Snapshot:
    """The clock, and per process: its group ("self", "postgres": PostgreSQL's processes,
    the bench's own backends but also any other session's, or "other") and CPU seconds."""
    me = os.getpid()
    tick = os.sysconf("SC_CLK_TCK")
    procs: dict[int, tuple[str, float]] = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                raw = f.read()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        used = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        group = "self" if int(pid) == me else "postgres" if comm.startswith("postgres") else "other"
        procs[int(pid)] = (group, used)
    return time.monotonic(), procs


def cores_used(before: Snapshot, after: Snapshot) -> dict[str, float]:
    """Cores each group used between two snapshots (a process that ended in between is not
    counted; one that started counts whole)."""
    wall = max(1e-9, after[0] - before[0])
    used = dict.fromkeys(("self", "postgres", "other"), 0.0)
    for pid, (group, cpu) in after[1].items():
        was = before[1].get(pid)
        used[group] += cpu - (was[1] if was and was[0] == group else 0.0)
    return {k: round(v / wall, 2) for k, v in used.items()}


async def wait_quiet(max_seconds: float, threshold: float, log: Callable[[str], None]) -> float:
    """Wait (up to ``max_seconds``) until other processes use at most ``threshold`` cores
    over 2 s; the cores they used in the last look."""
    start = time.monotonic()
    while True:
        before = cpu_snapshot()
        await asyncio.sleep(2.0)
        other = cores_used(before, cpu_snapshot())["other"]
        if other <= threshold or time.monotonic() - start >= max_seconds:
            if time.monotonic() - start > 3:
                log(f"  waited {time.monotonic() - start:.0f} s for a quiet machine: {other} cores")
            return other
        await asyncio.sleep(3.0)


@dataclass(slots=True)
class Window:
    """What happened in the measured window of a run of sequential senders."""

    wall: float
    cpu: float
    commits: int
    ops: int
    timeline: list[int]  # operations completed in each second of the window
    latencies: dict[str, list[float]] = field(default_factory=dict)  # by kind, sorted
    cores: dict[str, float] = field(default_factory=dict)  # cores_used() over the window


Op = Callable[[int, int], Awaitable[str]]  # (sender, n) -> the kind of operation it was


async def drive(
    args: argparse.Namespace,
    senders: int,
    op: Op,
    commits: Callable[[], int],
    on_tick: Callable[[float], None] | None = None,
) -> Window:
    """``senders`` tasks each awaiting ``op`` one after the other; ``args.warmup`` seconds
    unmeasured, then ``args.seconds`` measured. ``on_tick(t)`` is called every 50 ms with
    the time into the window (negative during the warm-up)."""
    by_kind: dict[str, list[float]] = {}
    state = {"measuring": False, "stop": False}
    done = [0] * senders

    async def sender(i: int) -> None:
        n = 0
        while not state["stop"]:
            t = time.perf_counter()
            kind = await op(i, n)
            if state["measuring"]:
                elapsed = time.perf_counter() - t
                lat = by_kind.get(kind)
                if lat is None:
                    lat = by_kind[kind] = []
                lat.append(elapsed)
                done[i] += 1
            n += 1

    async def ticker() -> None:
        start = time.perf_counter() + args.warmup
        while not state["stop"]:
            assert on_tick is not None
            on_tick(time.perf_counter() - start)
            await asyncio.sleep(0.05)

    tasks = [asyncio.create_task(sender(i)) for i in range(senders)]
    tick_task = asyncio.create_task(ticker()) if on_tick else None
    await asyncio.sleep(args.warmup)  # fill the pipeline before counting
    commits0 = commits()
    snap0 = cpu_snapshot()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    state["measuring"] = True
    timeline: list[int] = []
    mark = 0
    for second in range(1, int(args.seconds) + 1):
        await asyncio.sleep(max(0.0, wall0 + second - time.perf_counter()))
        now = sum(done)
        timeline.append(now - mark)
        mark = now
    await asyncio.sleep(max(0.0, wall0 + args.seconds - time.perf_counter()))
    state["measuring"] = False
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    n_commits = commits() - commits0
    cores = cores_used(snap0, cpu_snapshot())
    state["stop"] = True
    await asyncio.gather(*tasks)
    if tick_task:
        await tick_task
    for lat in by_kind.values():
        lat.sort()
    return Window(
        wall=wall,
        cpu=cpu,
        commits=n_commits,
        ops=sum(len(v) for v in by_kind.values()),
        timeline=timeline,
        latencies=by_kind,
        cores=cores,
    )
