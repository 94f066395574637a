"""Real-time chat end to end, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

from hubbub.events import JoinRoomAck, RoomEventOut, SendMessageAck, SyncAck, TypingOut
from hubbub.schemas import MessageOut
from tests.support import Api, ServerProcess, running, settle, two_in_a_room


async def test_two_users_chat_in_real_time(server: ServerProcess, api: Api, clients) -> None:
    alice, bob = await api.register("alice"), await api.register("bob")
    room = await api.create_room(alice)
    a = await clients(server.url, alice.access_token)
    b = await clients(server.url, bob.access_token)

    join = await b.call("joinRoom", {"room": room})
    JoinRoomAck.model_validate(join)
    assert join["room"]["name"] == room
    assert {m["username"] for m in join["members"]} == {alice.username, bob.username}
    # Alice sees Bob join, live.
    event = await a.wait_for("roomEvent", lambda e: e["user"]["id"] == bob.id)
    RoomEventOut.model_validate(event)
    assert event == {"type": "join", "room": room, "user": bob.wire}

    ack = await a.send(room, "hi bob", client_id="a-1")
    SendMessageAck.model_validate(ack)
    message = ack["message"]
    assert message["seq"] == 1
    assert message["user"] == alice.wire
    assert message["text"] == "hi bob" and message["client_id"] == "a-1"
    got = await b.wait_for("receiveMessage", lambda m: m["text"] == "hi bob")
    assert MessageOut.model_validate(got).model_dump() == message
    # The sender's own socket gets it too.
    await a.wait_for("receiveMessage", lambda m: m["text"] == "hi bob")

    reply = await b.send(room, "hello alice")
    assert reply["ok"] and reply["message"]["seq"] == 2
    got = await a.wait_for("receiveMessage", lambda m: m["text"] == "hello alice")
    assert got["user"]["username"] == bob.username and got["client_id"] is None


async def test_sender_is_the_token_user_whatever_the_payload_says(
    server: ServerProcess, api: Api, clients
) -> None:
    alice, mallory = await api.register("alice"), await api.register("mallory")
    room = await api.create_room(alice)
    assert (await api.join(mallory, room)).status_code == 200
    a = await clients(server.url, alice.access_token)
    m = await clients(server.url, mallory.access_token)
    ack = await m.call(
        "sendMessage",
        {
            "room": room,
            "text": "I am alice",
            "user": alice.wire,
            "user_id": alice.id,
            "seq": 99,
            "id": 1,
        },
    )
    assert ack["ok"]
    assert ack["message"]["user"] == mallory.wire
    assert ack["message"]["seq"] == 1
    got = await a.wait_for("receiveMessage", lambda x: x["text"] == "I am alice")
    assert got["user"]["id"] == mallory.id


async def test_message_reaches_members_of_its_room_only(
    server: ServerProcess, api: Api, clients
) -> None:
    alice, bob, carol = [await api.register(n) for n in ("alice", "bob", "carol")]
    room_ab = await api.create_room(alice)
    other = await api.create_room(carol)
    await api.join(bob, room_ab)
    a = await clients(server.url, alice.access_token)
    b = await clients(server.url, bob.access_token)
    c = await clients(server.url, carol.access_token)
    assert (await a.send(room_ab, "for a and b"))["ok"]
    assert (await c.send(other, "carol alone"))["ok"]
    await b.wait_for("receiveMessage", lambda m: m["text"] == "for a and b")
    await c.wait_for("receiveMessage", lambda m: m["text"] == "carol alone")
    await settle()
    assert await c.received_texts(room_ab) == []
    assert await a.received_texts(other) == [] and await b.received_texts(other) == []


async def test_history_pages_by_seq(server: ServerProcess, api: Api, clients) -> None:
    alice = await api.register("alice")
    room = await api.create_room(alice)
    a = await clients(server.url, alice.access_token)
    for i in range(1, 8):
        assert (await a.send(room, f"m{i}"))["message"]["seq"] == i

    latest = (await api.history(alice, room, limit=3)).json()
    assert [m["seq"] for m in latest["messages"]] == [5, 6, 7] and latest["has_more"]
    older = (await api.history(alice, room, before=5, limit=3)).json()
    assert [m["seq"] for m in older["messages"]] == [2, 3, 4] and older["has_more"]
    oldest = (await api.history(alice, room, before=2, limit=3)).json()
    assert [m["text"] for m in oldest["messages"]] == ["m1"] and not oldest["has_more"]
    newer = (await api.history(alice, room, after=4, limit=2)).json()
    assert [m["seq"] for m in newer["messages"]] == [5, 6] and newer["has_more"]
    for m in latest["messages"]:
        MessageOut.model_validate(m)
    # joinRoom answers the latest page too (up to 50).
    join = await a.call("joinRoom", {"room": room})
    assert [m["seq"] for m in join["messages"]] == list(range(1, 8))
    assert join["room"]["last_seq"] == 7


async def test_resend_with_same_client_id_stores_and_broadcasts_once(
    server: ServerProcess, api: Api, clients
) -> None:
    pair = await two_in_a_room(api, clients, server.url)
    alice, room, a, b = pair.alice, pair.room, pair.a, pair.b
    first = await a.send(room, "once", client_id="retry-1")
    again = await a.send(room, "once (retried)", client_id="retry-1")
    assert again["ok"] and again["message"] == first["message"]
    # The same client_id from another user is a different message.
    bobs = await b.send(room, "mine", client_id="retry-1")
    assert bobs["message"]["seq"] == first["message"]["seq"] + 1
    await b.wait_for("receiveMessage", lambda m: m["text"] == "mine")
    await settle()
    assert await b.received_texts(room) == ["once", "mine"]
    stored = (await api.history(alice, room)).json()["messages"]
    assert [m["text"] for m in stored] == ["once", "mine"]


async def test_sync_after_disconnect_returns_exactly_the_missed_messages(
    server: ServerProcess, api: Api, clients
) -> None:
    alice, bob = await api.register("alice"), await api.register("bob")
    room = await api.create_room(alice)
    quiet = await api.create_room(alice)
    await api.join(bob, room)
    a = await clients(server.url, alice.access_token)
    b = await clients(server.url, bob.access_token)
    await a.send(room, "before 1")
    await a.send(room, "before 2")
    await b.wait_for("receiveMessage", lambda m: m["text"] == "before 2")
    last_seen = max(m["seq"] for m in b.events["receiveMessage"])
    await b.close()

    for i in range(5):
        await a.send(room, f"missed {i}")
    b2 = await clients(server.url, bob.access_token)
    ack = await b2.call("sync", {"rooms": {room: last_seen, quiet: 0}})
    SyncAck.model_validate(ack)
    assert [m["text"] for m in ack["messages"][room]] == [f"missed {i}" for i in range(5)]
    assert [m["seq"] for m in ack["messages"][room]] == [3, 4, 5, 6, 7]
    assert ack["has_more"] == {room: False, quiet: False}
    assert ack["messages"][quiet] == []
    # Live delivery resumes on the new socket, in the rooms the user belongs to.
    await a.send(room, "live again")
    await b2.wait_for("receiveMessage", lambda m: m["text"] == "live again")


async def test_rest_membership_takes_effect_on_open_sockets(
    server: ServerProcess, api: Api, clients
) -> None:
    alice, bob = await api.register("alice"), await api.register("bob")
    room = await api.create_room(alice)
    a = await clients(server.url, alice.access_token)
    b1 = await clients(server.url, bob.access_token)
    b2 = await clients(server.url, bob.access_token)  # a second tab
    assert (await api.join(bob, room)).status_code == 200
    await a.send(room, "welcome")
    await b1.wait_for("receiveMessage", lambda m: m["text"] == "welcome")
    await b2.wait_for("receiveMessage", lambda m: m["text"] == "welcome")
    # Leaving on one tab stops delivery to both.
    assert (await b1.call("leaveRoom", {"room": room})) == {"ok": True}
    left = await a.wait_for("roomEvent", lambda e: e["type"] == "leave")
    assert left["user"]["id"] == bob.id
    await a.send(room, "after leave")
    await a.wait_for("receiveMessage", lambda m: m["text"] == "after leave")
    await settle()
    assert "after leave" not in await b1.received_texts(room)
    assert "after leave" not in await b2.received_texts(room)


async def test_typing_reaches_other_members_only(server: ServerProcess, api: Api, clients) -> None:
    alice, bob = await api.register("alice"), await api.register("bob")
    room = await api.create_room(alice)
    await api.join(bob, room)
    a = await clients(server.url, alice.access_token)
    a2 = await clients(server.url, alice.access_token)
    b = await clients(server.url, bob.access_token)
    assert await a.call("typing", {"room": room}) == {"ok": True}
    got = await b.wait_for("typing")
    TypingOut.model_validate(got)
    assert got == {"room": room, "user": alice.wire}
    await settle()
    assert a.events["typing"] == [] and a2.events["typing"] == []


async def test_concurrent_sends_get_distinct_gap_free_seqs(
    server: ServerProcess, api: Api, clients
) -> None:
    """A burst from several sockets over several rooms, resends mixed in: every room's
    seqs are 1..n with no gap or repeat, and each client_id is stored exactly once."""
    users = [await api.register(f"burst{i}") for i in range(4)]
    rooms = [await api.create_room(users[0]) for _ in range(3)]
    for user in users[1:]:
        for room in rooms:
            await api.join(user, room)
    sockets = [await clients(server.url, u.access_token) for u in users for _ in range(2)]

    sends = []
    for n in range(300):
        sock = sockets[n % len(sockets)]
        room = rooms[n % len(rooms)]
        sends.append(sock.send(room, f"burst {n}", client_id=f"c{n}"))
        if n % 7 == 0:  # a resend of the same client_id, racing the original
            sends.append(sock.send(room, f"burst {n}", client_id=f"c{n}"))
    acks = await asyncio.gather(*sends)
    assert all(a["ok"] for a in acks), [a for a in acks if not a["ok"]][:3]
    for room in rooms:
        stored = []
        before = None
        while True:
            params = {"limit": 200} | ({"before": before} if before else {})
            page = (await api.history(users[0], room, **params)).json()
            stored = page["messages"] + stored
            if not page["has_more"]:
                break
            before = page["messages"][0]["seq"]
        assert [m["seq"] for m in stored] == list(range(1, len(stored) + 1))
        client_ids = [m["client_id"] for m in stored]
        assert len(client_ids) == len(set(client_ids)) == 100
    by_client_id: dict[str, int] = {}
    for ack in acks:
        message = ack["message"]
        assert by_client_id.setdefault(message["client_id"], message["id"]) == message["id"]
    assert len(by_client_id) == 300


async def test_with_a_commit_delay_sends_share_a_commit_and_every_ack_waits_for_it(
    tmp_path_factory, clients
) -> None:
    """HUBBUB_COMMIT_DELAY_MS reaches the store: a send that finds the writer idle is acked
    only after the delay, and the sends that come meanwhile share its commit (the store's
    batch-size histogram says so)."""
    server = ServerProcess(
        data_dir=tmp_path_factory.mktemp("commit-delay"),
        extra_env={"HUBBUB_COMMIT_DELAY_MS": "100"},
    )
    async with running(server):
        api = Api(server.url)
        try:
            alice = await api.register("alice")
            room = await api.create_room(alice)
            a = await clients(server.url, alice.access_token)
            await settle()  # the connect's own writes are done: the writer is idle
            loop = asyncio.get_running_loop()
            started = loop.time()

            async def send(n: int) -> Any:  # the first alone, the others 20 ms apart
                await asyncio.sleep(n * 0.02)
                return await a.send(room, f"n{n}")

            acks = await asyncio.gather(*(send(n) for n in range(3)))
            waited = loop.time() - started
            metrics = (await api.http.get("/metrics")).text
        finally:
            await api.close()
    assert [ack["message"]["seq"] for ack in acks] == [1, 2, 3]
    assert waited >= 0.1
    assert 'hubbub_store_batch_size_count{store="sqlite"} 1.0' in metrics, metrics
    assert 'hubbub_store_batch_size_sum{store="sqlite"} 3.0' in metrics
