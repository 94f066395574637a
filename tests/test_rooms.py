"""Rooms over REST and Socket.IO: public and private, invites, members, listings."""

from __future__ import annotations

from hubbub.events import InvitedOut, RoomCreatedOut
from hubbub.schemas import MembersOut, RoomsOut
from tests.support import Api, ServerProcess, settle, unique


async def test_create_list_join_leave(api: Api) -> None:
    alice, bob = await api.register("alice"), await api.register("bob")
    name = unique("room")
    r = await api.http.post(
        "/api/rooms", json={"name": name, "private": False}, headers=alice.headers
    )
    assert r.status_code == 201
    room = r.json()
    assert room["name"] == name and room["private"] is False and room["last_seq"] == 0
    assert room["created_at"].endswith("Z")

    dup = await api.http.post("/api/rooms", json={"name": name}, headers=bob.headers)
    assert dup.status_code == 409 and dup.json()["error"]["code"] == "conflict"

    listing = (await api.http.get("/api/rooms", headers=bob.headers)).json()
    RoomsOut.model_validate(listing)
    mine = next(r for r in listing["rooms"] if r["name"] == name)
    assert mine["member"] is False and mine["unread"] == 0

    assert (await api.join(bob, name)).json()["name"] == name
    listing = (await api.http.get("/api/rooms", headers=bob.headers)).json()
    assert next(r for r in listing["rooms"] if r["name"] == name)["member"] is True

    left = await api.http.post(f"/api/rooms/{name}/leave", headers=bob.headers)
    assert left.status_code == 204
    members = (await api.http.get(f"/api/rooms/{name}/members", headers=alice.headers)).json()
    assert [m["username"] for m in members["members"]] == [alice.username]


async def test_bad_room_names_and_unknown_rooms(api: Api) -> None:
    alice = await api.register("alice")
    for bad in ["Upper", "", "x" * 65, "sp ace", "dot.ted"]:
        r = await api.http.post("/api/rooms", json={"name": bad}, headers=alice.headers)
        assert r.status_code == 422, bad
        assert r.json()["error"]["code"] == "bad_request"
    missing = unique("ghost")
    for method, path in [
        ("POST", f"/api/rooms/{missing}/join"),
        ("GET", f"/api/rooms/{missing}/members"),
        ("GET", f"/api/rooms/{missing}/messages"),
    ]:
        r = await api.http.request(method, path, headers=alice.headers)
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


async def test_private_room_is_closed_to_non_members(
    server: ServerProcess, api: Api, clients
) -> None:
    owner, friend, stranger = [await api.register(n) for n in ("owner", "friend", "stranger")]
    room = await api.create_room(owner, private=True)
    o = await clients(server.url, owner.access_token)
    s = await clients(server.url, stranger.access_token)
    await o.send(room, "secret plans")

    # Not listed, not joinable, not readable: over REST ...
    listing = (await api.http.get("/api/rooms", headers=stranger.headers)).json()
    assert room not in [r["name"] for r in listing["rooms"]]
    assert (await api.join(stranger, room)).status_code == 403
    r = await api.history(stranger, room)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    r = await api.http.get(f"/api/rooms/{room}/members", headers=stranger.headers)
    assert r.status_code == 403
    # ... nor over Socket.IO.
    for event, payload in [
        ("joinRoom", {"room": room}),
        ("sendMessage", {"room": room, "text": "let me in"}),
        ("typing", {"room": room}),
    ]:
        ack = await s.call(event, payload)
        assert ack["ok"] is False and ack["error"]["code"] == "forbidden", (event, ack)
    sync = await s.call("sync", {"rooms": {room: 0}})
    assert sync["ok"] and room not in sync["messages"]
    assert sync["errors"][room]["code"] == "forbidden"
    # Only the owner invites.
    r = await api.invite(stranger, room, friend.username)
    assert r.status_code == 403
    await settle()
    assert s.events["receiveMessage"] == []
    history = (await api.history(owner, room)).json()["messages"]
    assert [m["text"] for m in history] == ["secret plans"]


async def test_invite_lets_a_user_join_a_private_room(
    server: ServerProcess, api: Api, clients
) -> None:
    owner, friend = await api.register("owner"), await api.register("friend")
    room = await api.create_room(owner, private=True)
    assert (await api.invite(owner, room, friend.username)).status_code == 204
    listing = (await api.http.get("/api/rooms", headers=friend.headers)).json()
    invited = next(r for r in listing["rooms"] if r["name"] == room)
    assert invited["member"] is False and invited["private"] is True

    f = await clients(server.url, friend.access_token)
    ack = await f.call("joinRoom", {"room": room})
    assert ack["ok"] and ack["room"]["private"] is True
    o = await clients(server.url, owner.access_token)
    await o.send(room, "welcome in")
    await f.wait_for("receiveMessage", lambda m: m["text"] == "welcome in")
    r = await api.invite(owner, room, unique("nobody"))
    assert r.status_code == 404


async def test_members_carry_online_flags(server: ServerProcess, api: Api, clients) -> None:
    alice, bob = await api.register("alice"), await api.register("bob")
    room = await api.create_room(alice)
    await api.join(bob, room)
    await clients(server.url, alice.access_token)
    r = await api.http.get(f"/api/rooms/{room}/members", headers=bob.headers)
    members = MembersOut.model_validate(r.json()).members
    assert {(m.username, m.online) for m in members} == {
        (alice.username, True),
        (bob.username, False),
    }


async def test_unread_counts_and_read_mark(server: ServerProcess, api: Api, clients) -> None:
    alice, bob = await api.register("alice"), await api.register("bob")
    room = await api.create_room(alice)
    await api.join(bob, room)
    a = await clients(server.url, alice.access_token)
    for i in range(3):
        await a.send(room, f"unread {i}")

    def unread(listing: dict) -> int:
        return next(r["unread"] for r in listing["rooms"] if r["name"] == room)

    assert unread((await api.http.get("/api/rooms", headers=bob.headers)).json()) == 3
    r = await api.http.post(f"/api/rooms/{room}/read", json={"seq": 2}, headers=bob.headers)
    assert r.status_code == 204
    assert unread((await api.http.get("/api/rooms", headers=bob.headers)).json()) == 1
    b = await clients(server.url, bob.access_token)
    assert await b.call("markRead", {"room": room, "seq": 3}) == {"ok": True}
    assert unread((await api.http.get("/api/rooms", headers=bob.headers)).json()) == 0


async def test_new_public_rooms_and_invitations_arrive_live(
    server: ServerProcess, api: Api, clients
) -> None:
    alice, bob, carol = [await api.register(n) for n in ("alice", "bob", "carol")]
    a = await clients(server.url, alice.access_token)
    b = await clients(server.url, bob.access_token)
    c = await clients(server.url, carol.access_token)
    public = await api.create_room(alice)
    created = await b.wait_for("roomCreated", lambda e: e["room"]["name"] == public)
    RoomCreatedOut.model_validate(created)
    assert created["room"]["private"] is False

    secret = await api.create_room(alice, private=True)
    assert (await api.invite(alice, secret, bob.username)).status_code == 204
    invited = await b.wait_for("invited")
    InvitedOut.model_validate(invited)
    assert invited["room"]["name"] == secret
    assert invited["by"] == alice.wire
    await settle()
    # Private rooms are announced to nobody; invitations only to the invitee.
    assert [e["room"]["name"] for e in c.events["roomCreated"]] == [public]
    assert c.events["invited"] == [] and a.events["invited"] == []
    assert a.events["roomCreated"] == []  # the creator knows
