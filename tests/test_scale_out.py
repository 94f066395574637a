"""Several processes, one chat: PostgreSQL for the data, Redis for fan-out and presence."""

from __future__ import annotations

import asyncio
import secrets
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio
import socketio

from hubbub.fanout.base import Resync
from hubbub.fanout.codec import encode
from tests.conftest import PgDatabases, database_url_for
from tests.fanout.conftest import require_redis
from tests.support import REDIS_URL, Api, ServerProcess, settle
from tests.test_membership_races import race_rounds


@pytest.fixture
def node_env(request: pytest.FixtureRequest) -> dict[str, str]:
    """Extra settings for both nodes (``parametrize("node_env", [...], indirect=True)``)."""
    return dict(getattr(request, "param", {}))


@pytest_asyncio.fixture
async def two_nodes(
    tmp_path: Path, pg_databases: PgDatabases, node_env: dict[str, str]
) -> AsyncIterator[list[ServerProcess]]:
    """Two servers on different ports sharing one PostgreSQL database and one Redis."""
    client = await require_redis()
    await client.aclose()
    database_url = await database_url_for("postgres", tmp_path, pg_databases)
    env = {
        "HUBBUB_REDIS_URL": REDIS_URL,
        "HUBBUB_REDIS_PREFIX": f"t-{secrets.token_hex(4)}",
        "HUBBUB_PRESENCE_LIVENESS": "2",  # a dead node is noticed within ~3 s
    } | node_env
    nodes = [
        ServerProcess(data_dir=tmp_path / f"node{i}", database_url=database_url, extra_env=env)
        for i in range(2)
    ]
    for node in nodes:
        await asyncio.to_thread(node.start)
    yield nodes
    for node in nodes:
        await asyncio.to_thread(node.stop)


async def test_messages_presence_and_membership_cross_nodes(
    two_nodes: list[ServerProcess], clients
) -> None:
    one, two = two_nodes
    api = Api(one.url)
    try:
        alice, bob, carol = [await api.register(n) for n in ("alice", "bob", "carol")]
        room = await api.create_room(alice)
        a = await clients(one.url, alice.access_token)
        watcher = await clients(one.url, carol.access_token)

        # Bob connects to the other node: Carol, on node one, sees him come online.
        b = await clients(two.url, bob.access_token)
        await watcher.wait_for("userStatus", lambda e: e["user"]["id"] == bob.id)
        online = (await api.http.get("/api/users/online", headers=carol.headers)).json()
        assert bob.id in {u["id"] for u in online["users"]}

        # Bob joins over REST on node one: his socket on node two follows.
        assert (await api.join(bob, room)).status_code == 200
        await a.wait_for("roomEvent", lambda e: e["user"]["id"] == bob.id)
        ack = await a.send(room, "across the cluster")
        got = await b.wait_for("receiveMessage", lambda m: m["text"] == "across the cluster")
        assert got == ack["message"]
        reply = await b.send(room, "heard you")
        assert reply["message"]["seq"] == ack["message"]["seq"] + 1
        await a.wait_for("receiveMessage", lambda m: m["text"] == "heard you")
        await b.call("typing", {"room": room})
        await a.wait_for("typing", lambda e: e["user"]["id"] == bob.id)

        # A second tab on node one, then the tab on node two goes: still online.
        b2 = await clients(one.url, bob.access_token)
        await b.close()
        await settle(0.5)
        statuses = [e["status"] for e in watcher.events["userStatus"] if e["user"]["id"] == bob.id]
        assert statuses == ["online"]
        await b2.close()
        await watcher.wait_for(
            "userStatus", lambda e: e["user"]["id"] == bob.id and e["status"] == "offline"
        )
        # Carol never joined the room: nothing of it reached her on either node.
        assert await watcher.received_texts(room) == []
    finally:
        await api.close()


async def test_a_killed_nodes_users_go_offline(two_nodes: list[ServerProcess], clients) -> None:
    one, two = two_nodes
    api = Api(one.url)
    try:
        watcher_account, bob = await api.register("watch"), await api.register("bob")
        watcher = await clients(one.url, watcher_account.access_token)
        await clients(two.url, bob.access_token)
        await watcher.wait_for("userStatus", lambda e: e["user"]["id"] == bob.id)
        two.stop(kill=True)  # no disconnect handlers run: only the presence sweep can tell
        event = await watcher.wait_for(
            "userStatus",
            lambda e: e["user"]["id"] == bob.id and e["status"] == "offline",
            timeout=20,
        )
        assert event["user"]["username"] == bob.username
    finally:
        await api.close()


async def test_workers_share_one_chat(tmp_path: Path, pg_databases: PgDatabases, clients) -> None:
    client = await require_redis()
    await client.aclose()
    server = ServerProcess(
        data_dir=tmp_path / "data",
        database_url=await database_url_for("postgres", tmp_path, pg_databases),
        extra_env={"HUBBUB_REDIS_URL": REDIS_URL, "HUBBUB_REDIS_PREFIX": secrets.token_hex(4)},
        extra_args=["--workers", "2"],
    )
    await asyncio.to_thread(server.start)
    api = Api(server.url)
    try:
        users = [await api.register(f"w{i}") for i in range(3)]
        room = await api.create_room(users[0])
        for user in users[1:]:
            await api.join(user, room)
        # Enough sockets that both workers get some (the kernel spreads connections).
        sockets = [await clients(server.url, u.access_token) for u in users for _ in range(3)]
        ack = await sockets[0].send(room, "to every worker")
        for sock in sockets:
            await sock.wait_for("receiveMessage", lambda m: m["text"] == "to every worker")
        assert ack["message"]["seq"] == 1
    finally:
        await api.close()
        await asyncio.to_thread(server.stop)


async def test_a_resync_repairs_memberships_the_broker_lost(
    two_nodes: list[ServerProcess], clients
) -> None:
    """If a leave's MembershipChange never reached a node (Redis was away), the Resync
    sent once Redis is back makes that node re-read its sockets' rooms from the store."""
    one, two = two_nodes
    api = Api(one.url)
    try:
        alice, bob = await api.register("alice"), await api.register("bob")
        room = await api.create_room(alice, private=True)
        await api.invite(alice, room, bob.username)
        await api.join(bob, room)
        a = await clients(one.url, alice.access_token)
        b = await clients(two.url, bob.access_token)
        await a.send(room, "while bob is in")
        await b.wait_for("receiveMessage", lambda m: m["text"] == "while bob is in")

        # Bob leaves in the database only: the change is "lost" on its way to node two.
        assert two.database_url is not None
        conn = await asyncpg.connect(two.database_url.replace("+asyncpg", ""))
        try:
            await conn.execute("DELETE FROM memberships WHERE user_id = $1", bob.id)
        finally:
            await conn.close()
        client = await require_redis()
        try:
            prefix = two.extra_env["HUBBUB_REDIS_PREFIX"]
            await client.publish(f"{prefix}:fanout", encode("test", Resync()))
        finally:
            await client.aclose()
        await settle(0.5)
        await a.send(room, "after bob left")
        await a.wait_for("receiveMessage", lambda m: m["text"] == "after bob left")
        await settle()
        assert "after bob left" not in await b.received_texts(room)
    finally:
        await api.close()


async def test_join_racing_a_leave_on_another_node_never_leaks(
    two_nodes: list[ServerProcess], clients
) -> None:
    """The socket's ``joinRoom`` on node one, the REST ``leave`` on node two."""
    one, two = two_nodes
    api_one, api_two = Api(one.url), Api(two.url)
    try:
        await race_rounds(api_one, clients, one.url, api_two, 50)
    finally:
        await api_one.close()
        await api_two.close()


@pytest.mark.parametrize(
    "node_env",
    [{"HUBBUB_RATE_MESSAGES": "5/minute", "HUBBUB_MAX_SOCKETS_PER_USER": "3"}],
    indirect=True,
)
async def test_limits_and_revocation_hold_across_nodes(
    two_nodes: list[ServerProcess], clients
) -> None:
    """A rate limit counts a user's requests on every node (Redis storage), the cap on
    sockets counts them on every node (presence), and a logout on one node closes the
    login's sockets on the other."""
    one, two = two_nodes
    api = Api(one.url)
    try:
        alice = await api.register("everywhere")
        room = await api.create_room(alice)
        on_one = await clients(one.url, alice.access_token)
        on_two = await clients(two.url, alice.access_token)
        acks = [await sock.send(room, f"m{n}") for n in range(3) for sock in (on_one, on_two)]
        assert [ack["ok"] for ack in acks] == [True] * 5 + [False]
        assert acks[-1]["error"]["code"] == "rate_limited" and acks[-1]["error"]["retry_after"] > 0

        third = await clients(one.url, alice.access_token)
        assert third.sio.connected
        fourth = socketio.AsyncClient(reconnection=False)
        refusals: list[dict[str, object]] = []
        fourth.on("connect_error", refusals.append)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await fourth.connect(two.url, auth={"token": alice.access_token}, wait_timeout=5)
        assert refusals[0]["message"] == "rate_limited"

        gone = asyncio.Event()
        on_one.sio.on("disconnect", lambda *_: gone.set())
        elsewhere = Api(two.url)
        r = await elsewhere.http.post(
            "/api/auth/logout", json={"refresh_token": alice.refresh_token}
        )
        await elsewhere.close()
        assert r.status_code == 204
        await asyncio.wait_for(gone.wait(), 5)
        me = await api.http.get("/api/me", headers=alice.headers)
        assert me.status_code == 401
    finally:
        await api.close()


async def test_moderation_and_deactivation_take_effect_on_the_other_node(
    two_nodes: list[ServerProcess], clients
) -> None:
    """A kick made on node one takes the spammer's socket on node two out of the room at
    once; a deactivation made with the command line closes their socket on node two."""
    one, two = two_nodes
    api = Api(one.url)
    try:
        owner, spammer = await api.register("owner"), await api.register("spammer")
        room = await api.create_room(owner)
        assert (await api.join(spammer, room)).status_code == 200
        o = await clients(one.url, owner.access_token)
        s = await clients(two.url, spammer.access_token)
        await o.send(room, "before")
        await s.wait_for("receiveMessage", lambda m: m["text"] == "before")

        r = await api.http.post(
            f"/api/rooms/{room}/kick", json={"username": spammer.username}, headers=owner.headers
        )
        assert r.status_code == 204
        await s.wait_for("roomEvent", lambda e: e["type"] == "kick")
        await o.send(room, "after")
        await o.wait_for("receiveMessage", lambda m: m["text"] == "after")
        await settle(0.5)
        assert "after" not in await s.received_texts(room)

        done = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "hubbub", "users", "deactivate", spammer.username],
            env=two.env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        await s.wait_for("sessionEnded")
        for node in (one, two):
            r = await api.http.get(f"{node.url}/api/me", headers=spammer.headers)
            assert r.status_code == 401
    finally:
        await api.close()
