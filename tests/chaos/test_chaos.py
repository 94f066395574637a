"""Chaos: three nodes, ~100 sockets, a steady stream of messages, and things dying.

Why: acks, seqs, client_ids and ``sync`` are only worth something if they hold when
processes die mid-conversation. While senders keep sending (each ``client_id`` resent,
on whichever node is up, until acked), each fault cycle
  1. stalls PostgreSQL commits and SIGKILLs a node meanwhile (its clients' sends are
     stored but unacknowledged: their resends elsewhere must not store them twice),
  2. SIGKILLs Redis and starts it again, empty,
  3. stops PostgreSQL with ``-m immediate`` (a crash) and starts it again,
  4. starts the killed node again and moves some sockets onto it.
Then it reads the database and proves that nothing was lost, doubled or altered: seqs
gap-free, each client_id stored once, every ack stored as acked, every socket holding
exactly the stored messages of its rooms; and that presence agrees with the sockets.

It brings its own PostgreSQL (``initdb``, as the ``postgres`` user when run as root)
and Redis: the shared ones must not be restarted under the other tests.

Scale, from the environment:
    HUBBUB_CHAOS_SECONDS      about how long the stream lasts (default 15): whole fault
                              cycles (at least one) of ~19 s; a fault every
                              HUBBUB_CHAOS_FAULT_EVERY s (default 3), four per cycle
    HUBBUB_CHAOS_CLIENTS      sockets (default 100), 1-4 per user (~2.5)
    HUBBUB_CHAOS_SENDERS      sockets that send (default clients / 6)
    HUBBUB_CHAOS_RATE         messages per second per sender (default 2)

The CI run takes 40-55 s on 2 busy cores. A long run, e.g. ten minutes (31 fault cycles)
with 150 sockets (``bench/chaos.sh 600 150`` does this and keeps the servers' logs)::

    HUBBUB_CHAOS_SECONDS=600 HUBBUB_CHAOS_CLIENTS=150 .venv/bin/pytest -q -s tests/chaos
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest
import pytest_asyncio

from tests.chaos.chat import Cluster, Session, Stats, Tab
from tests.chaos.pacing import Hold, all_on, idle_except, retrying, until
from tests.chaos.services import PgCluster, RedisServer, Stack, require_tools
from tests.chaos.verify import check_store_and_tabs, log_lines, online_everywhere, read_store
from tests.support import Account, ServerProcess, unique

SECONDS = float(os.environ.get("HUBBUB_CHAOS_SECONDS", "15"))
FAULT_EVERY = float(os.environ.get("HUBBUB_CHAOS_FAULT_EVERY", "3"))
CLIENTS = int(os.environ.get("HUBBUB_CHAOS_CLIENTS", "100"))
SENDERS = int(os.environ.get("HUBBUB_CHAOS_SENDERS", str(max(3, CLIENTS // 6))))
RATE = float(os.environ.get("HUBBUB_CHAOS_RATE", "2"))
ROOMS = 5
NODES = 3
PASSWORD = "chaos password"
FAULT_TIME = 7.0  # what a cycle's faults take themselves (mostly starting the node again)
CYCLES = max(1, int((SECONDS - FAULT_EVERY) / (4 * FAULT_EVERY + FAULT_TIME)))
STREAM_SECONDS = CYCLES * (4 * FAULT_EVERY + FAULT_TIME) + FAULT_EVERY  # about

pytestmark = [
    pytest.mark.timeout(int(150 + 2 * STREAM_SECONDS + CLIENTS * 0.3)),
    pytest.mark.exclusive,
]

RATE_ENV = {
    "HUBBUB_RATE_MESSAGES": "1000/second",
    "HUBBUB_RATE_JOINS": "1000/second",
    "HUBBUB_RATE_WRITES": "1000/second",
    "HUBBUB_RATE_READS": "1000/second",
    "HUBBUB_RATE_ROOMS": "1000/second",
    "HUBBUB_RATE_REGISTER_IP": "10000/minute",
    "HUBBUB_RATE_LOGIN_IP": "10000/minute",
    "HUBBUB_RATE_LOGIN_USER": "10000/minute",
    "HUBBUB_RATE_REFRESH_IP": "10000/minute",
}


@pytest_asyncio.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    """Our own PostgreSQL and Redis, and three nodes sharing them."""
    tools = require_tools()
    pg = PgCluster(tools)
    redis = RedisServer(tools.redis_server, tmp_path / "redis.log")
    nodes: list[ServerProcess] = []
    try:
        await asyncio.to_thread(pg.init)
        await asyncio.to_thread(pg.start)
        admin = await asyncpg.connect(pg.dsn())
        try:
            await admin.execute("CREATE DATABASE hubbub")
        finally:
            await admin.close()
        await asyncio.to_thread(redis.start)
        env = {
            "HUBBUB_REDIS_URL": redis.url,
            "HUBBUB_REDIS_PREFIX": f"chaos-{secrets.token_hex(4)}",
            "HUBBUB_PRESENCE_LIVENESS": "2",
            "HUBBUB_DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:{pg.port}/hubbub",
            **RATE_ENV,
        }
        nodes = [ServerProcess(data_dir=tmp_path / f"node{i}", extra_env=env) for i in range(NODES)]
        await asyncio.to_thread(nodes[0].start)  # migrates the schema, alone
        await asyncio.gather(*(asyncio.to_thread(n.start) for n in nodes[1:]))
        yield Stack(pg, "hubbub", redis, nodes)
    finally:
        await asyncio.gather(*(asyncio.to_thread(n.stop) for n in nodes))
        await asyncio.to_thread(redis.stop)
        await asyncio.to_thread(pg.destroy)


async def register(http: httpx.AsyncClient, url: str, prefix: str) -> Account:
    username = unique(prefix)
    r = await retrying(
        lambda: http.post(
            url + "/api/auth/register", json={"username": username, "password": PASSWORD}
        ),
        201,
    )
    body = r.json()
    return Account(
        body["user"]["id"], username, PASSWORD, body["access_token"], body["refresh_token"]
    )


async def build_users(
    http: httpx.AsyncClient, cluster: Cluster, stats: Stats
) -> tuple[Account, list[Tab]]:
    """The rooms' owner, and users with 1-4 tabs each (~CLIENTS sockets), each user a
    member of 1-2 of the ROOMS rooms."""
    urls = cluster.urls
    owner = await register(http, urls[0], "owner")
    rooms = []
    for _ in range(ROOMS):
        name = unique("room")
        await retrying(
            lambda n=name: http.post(  # type: ignore[misc]
                urls[0] + "/api/rooms", json={"name": n}, headers=owner.headers
            ),
            201,
        )
        rooms.append(name)
    tab_counts: list[int] = []
    while sum(tab_counts) < CLIENTS:
        tab_counts.append(min(1 + len(tab_counts) % 4, CLIENTS - sum(tab_counts)))
    gate = asyncio.Semaphore(6)  # argon2 is slow: don't flood the hashing queue

    def rooms_of(i: int) -> list[str]:
        return sorted({rooms[i % ROOMS], rooms[(i * 2 + 1) % ROOMS] if i % 2 else rooms[i % ROOMS]})

    async def make(i: int) -> Account:
        async with gate:
            account = await register(http, urls[i % len(urls)], f"u{i}")
        for room in rooms_of(i):
            await retrying(
                lambda r=room: http.post(  # type: ignore[misc]
                    f"{urls[(i + 1) % len(urls)]}/api/rooms/{r}/join", headers=account.headers
                ),
                200,
            )
        return account

    accounts = await asyncio.gather(*(make(i) for i in range(len(tab_counts))))
    tabs = []
    for i, (account, count) in enumerate(zip(accounts, tab_counts, strict=True)):
        session = Session(account, http, stats)
        tabs += [
            Tab(f"{account.username}/{t}", session, rooms_of(i), cluster, stats)
            for t in range(count)
        ]
    return owner, tabs


async def stream(tab: Tab, stop: asyncio.Event, hold: Hold, rng: random.Random) -> None:
    """Send one message after another, each with its own client_id, until told to stop."""
    n = 0
    while not stop.is_set():
        await hold.turn(tab)
        n += 1
        client_id = f"{tab.name}#{n}"
        room = rng.choice(tab.rooms)
        await tab.send_until_acked(room, client_id, f"{client_id} to {room}", time.monotonic() + 90)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), rng.uniform(0.5, 1.5) / RATE)


@dataclass
class FaultLog:
    on_killed_node: dict[str, int]  # phase -> sockets that were on the killed node


async def inflict_faults(
    stack: Stack, cluster: Cluster, tabs: list[Tab], hold: Hold, stats: Stats
) -> FaultLog:
    """Per cycle: kill a node, restart Redis, restart PostgreSQL, start the node again."""
    log = FaultLog({})
    stats.enter("steady")
    for cycle in range(CYCLES):
        victim = cycle % NODES
        node = stack.nodes[victim]
        tag = f"{cycle + 1}:" if CYCLES > 1 else ""

        # Each fault comes FAULT_EVERY seconds after the previous one is over, so every
        # phase has some steady stream however slow the machine is.
        await asyncio.sleep(FAULT_EVERY)
        stats.enter(f"{tag}kill node{victim}")
        cluster.up[victim] = False
        log.on_killed_node[stats.phase] = sum(t.url == node.url for t in tabs)
        # Commits stall first, so the node dies with sends stored but not acknowledged;
        # its clients resend those client_ids to the other nodes, which must answer with
        # what was stored, not store it again. Meanwhile only this node's clients start
        # sends: another node's stalled commit would hold the room locks this one needs.
        hold.all_but(node.url)
        await until("sends elsewhere answered", idle_except(tabs, node.url), 30)
        await stack.pg.stall_commits(True)
        await asyncio.sleep(1.0)
        await asyncio.to_thread(node.stop, kill=True)
        await asyncio.sleep(0.3)
        await stack.pg.stall_commits(False)
        hold.lift()

        await asyncio.sleep(FAULT_EVERY)
        stats.enter(f"{tag}redis restart")
        await asyncio.to_thread(stack.redis.stop, kill=True)
        await asyncio.sleep(1.0)
        await asyncio.to_thread(stack.redis.start)

        await asyncio.sleep(FAULT_EVERY)
        stats.enter(f"{tag}postgres restart")
        await asyncio.to_thread(stack.pg.stop, "immediate")
        await asyncio.sleep(1.0)
        await asyncio.to_thread(stack.pg.start)

        await asyncio.sleep(FAULT_EVERY)
        stats.enter(f"{tag}node{victim} back")
        await asyncio.to_thread(node.start)
        cluster.up[victim] = True
        candidates = random.sample(tabs, len(tabs) // 6)  # some users reload onto it
        went = await asyncio.gather(*(t.move_to(node.url) for t in candidates))
        movers = [t for t, yes in zip(candidates, went, strict=True) if yes]
        await until(f"sockets moved to node{victim}", all_on(movers, node.url), 30)
    await asyncio.sleep(FAULT_EVERY)
    return log


def report(stats: Stats, stack: Stack, stored: int, started: float) -> None:
    columns = [
        "acked",
        "retries",
        "send_unavailable",
        "send_no_ack",
        "resends_deduped",
        "drops",
        "reconnects",
        "connect_refused_unavailable",
        "relogins",
        "live_received",
        "duplicates_dropped",
        "recovered_by_sync",
        "gap_syncs",
    ]
    print(f"\n--- chaos: {NODES} nodes, {CLIENTS} sockets, {SENDERS} senders at {RATE}/s,")
    print(f"    ~{STREAM_SECONDS:.0f} s stream, {CYCLES} fault cycle(s), every {FAULT_EVERY} s")
    print(stats.table(columns))
    print(f"messages stored: {stored}; acked: {stats.total('acked')};")
    print(f"retries: {stats.total('retries')}; reconnects: {stats.total('reconnects')};")
    print(f"duplicates dropped by clients: {stats.total('duplicates_dropped')};")
    print(log_lines(stack))
    print(f"checked after {time.monotonic() - started:.1f} s")


async def test_nothing_is_lost_when_nodes_redis_and_postgres_die(stack: Stack) -> None:
    started = time.monotonic()
    stats = Stats()
    cluster = Cluster([n.url for n in stack.nodes])
    http = httpx.AsyncClient(timeout=15, limits=httpx.Limits(max_connections=200))
    tabs: list[Tab] = []
    try:
        owner, tabs = await build_users(http, cluster, stats)
        await asyncio.gather(*(t.start(cluster.urls[i % NODES]) for i, t in enumerate(tabs)))
        print(f"\nset-up: {len(tabs)} sockets ready after {time.monotonic() - started:.1f} s")

        stop = asyncio.Event()
        rng = random.Random(1)
        step = len(tabs) // SENDERS  # spread over the nodes the tabs start on
        chosen = sorted({min(len(tabs) - 1, j * step + j % NODES) for j in range(SENDERS)})
        hold = Hold()
        senders = [asyncio.create_task(stream(tabs[i], stop, hold, rng)) for i in chosen]
        faults = await inflict_faults(stack, cluster, tabs, hold, stats)
        stop.set()
        stats.enter("drain")
        await asyncio.gather(*senders)

        # Everything settles: every socket back, and a last catch-up from each.
        async def all_connected() -> bool:
            return all(t.connected.is_set() for t in tabs)

        async def all_caught_up() -> bool:
            return all(await asyncio.gather(*(t.sync_all() for t in tabs)))

        await until("every socket reconnected", all_connected, 30)
        await until("every socket caught up", all_caught_up, 30)
        last_seq, stored = await read_store(stack)
        total = sum(len(by_seq) for by_seq in stored.values())
        report(stats, stack, total, started)

        # Nothing lost, nothing doubled, nothing different, on any socket.
        problems = check_store_and_tabs(tabs, last_seq, stored)
        assert not problems, "\n".join(problems[:30])

        # Presence: close some sockets (whole users and single tabs); every live node
        # must agree with the sockets still connected.
        for tab in tabs[::7]:
            await tab.close()
        token = await Session(owner, http, stats).fresh_token(cluster.urls[0])
        headers = {"Authorization": f"Bearer {token}"}

        def connected_users() -> set[int]:
            return {t.user_id for t in tabs if t.connected.is_set()}

        async def presence_agrees() -> bool:
            seen = await online_everywhere(http, cluster, headers)
            return all(s == connected_users() for s in seen)

        try:
            await until("presence converged on every node", presence_agrees, 20)
        except AssertionError:
            seen = await online_everywhere(http, cluster, headers)
            expected = connected_users()
            raise AssertionError(
                f"online but not connected, per node: {[sorted(s - expected) for s in seen]};"
                f" connected but not online: {[sorted(expected - s) for s in seen]}"
            ) from None

        # What the remaining sockets were told: each user who left, announced offline
        # (Redis is up by now: a restart earlier must not have left the nodes unable to
        # announce, as stale pooled connections once did).
        gone = {t.user_id for t in tabs} - connected_users()

        async def all_told() -> bool:
            return all(t.statuses.get(u) == "offline" for t in tabs if t.url for u in gone)

        with contextlib.suppress(AssertionError):
            await until("offline announced", all_told, 5)
        listeners = [t for t in tabs if t.url]
        missed = sum(t.statuses.get(u) != "offline" for t in listeners for u in gone)
        print(
            f"userStatus offline: {len(gone)} users left, {missed} of"
            f" {len(gone) * len(listeners)} announcements never arrived"
        )
        assert missed == 0

        # The faults bit, and the stream went on through each of them.
        acked = stats.total("acked")
        assert total == acked == sum(len(t.acked) for t in tabs) > 0
        assert stats.total("reconnects") == stats.total("drops")
        for phase in stats.phases[1:-1]:
            assert stats.counts[phase]["acked"] > 0, f"nothing acked during {phase}"
        for phase, count in faults.on_killed_node.items():
            assert count > 0 and stats.counts[phase]["drops"] >= count, phase
            assert stats.counts[phase]["resends_deduped"] > 0, f"{phase}: no stored resend"
        for phase in stats.phases:
            if phase.endswith("redis restart"):
                assert stats.counts[phase]["recovered_by_sync"] > 0, f"{phase}: no live loss"
            if phase.endswith("postgres restart"):
                assert stats.counts[phase]["send_unavailable"] > 0, f"{phase}: no send refused"
    finally:
        await asyncio.gather(*(t.close() for t in tabs))
        await http.aclose()
