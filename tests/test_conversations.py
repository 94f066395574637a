"""Edits, deletes, reactions, replies and mentions over real sockets and REST, on SQLite
and PostgreSQL: what each member sees live, and what a client that was away gets from
``sync`` by ``rev`` — every change once, in its latest state."""

from __future__ import annotations

from typing import Any

from hubbub.events import MessageAck, SyncAck
from hubbub.schemas import MessageOut, RoomsOut
from tests.support import Api, ServerProcess, settle, two_in_a_room


def checked(ack: dict[str, Any]) -> dict[str, Any]:
    """An ack that answers "the message": valid against the wire model; the message."""
    assert ack.get("ok") is True, ack
    MessageAck.model_validate(ack)
    message: dict[str, Any] = ack["message"]
    return message


async def test_edits_deletes_and_reactions_reach_every_member_live(
    server: ServerProcess, api: Api, clients
) -> None:
    p = await two_in_a_room(api, clients, server.url)
    sent = (await p.a.send(p.room, "helo"))["message"]
    assert (sent["rev"], sent["edited_at"], sent["deleted"], sent["reactions"]) == (
        1,
        None,
        False,
        [],
    )

    edited = checked(await p.a.call("editMessage", {"room": p.room, "seq": 1, "text": "hello"}))
    assert (edited["text"], edited["rev"], edited["seq"]) == ("hello", 2, 1)
    assert edited["edited_at"] is not None and edited["created_at"] == sent["created_at"]
    seen = await p.b.wait_for("messageUpdated", lambda m: m["rev"] == 2)
    assert MessageOut.model_validate(seen).model_dump() == edited

    liked = checked(await p.b.call("addReaction", {"room": p.room, "seq": 1, "emoji": "👍"}))
    assert liked["reactions"] == [{"emoji": "👍", "user_ids": [p.bob.id]}] and liked["rev"] == 3
    await p.a.wait_for("messageUpdated", lambda m: m["rev"] == 3)
    # the same reaction again changes nothing: same answer, no rev, no event
    again = checked(await p.b.call("addReaction", {"room": p.room, "seq": 1, "emoji": "👍"}))
    assert again == liked
    unliked = checked(await p.b.call("removeReaction", {"room": p.room, "seq": 1, "emoji": "👍"}))
    assert unliked["reactions"] == [] and unliked["rev"] == 4

    gone = checked(await p.a.call("deleteMessage", {"room": p.room, "seq": 1}))
    assert (gone["deleted"], gone["text"], gone["seq"], gone["rev"]) == (True, "", 1, 5)
    await p.b.wait_for("messageUpdated", lambda m: m["rev"] == 5)
    await settle()
    assert [m["rev"] for m in p.b.events["messageUpdated"]] == [2, 3, 4, 5]  # gap-free, once
    assert [m["rev"] for m in p.a.events["messageUpdated"]] == [2, 3, 4, 5]

    # the room object carries its rev; history shows the tombstone in place
    rooms = RoomsOut.model_validate(
        (await api.http.get("/api/rooms", headers=p.bob.headers)).json()
    )
    (listing,) = [r for r in rooms.rooms if r.name == p.room]
    assert (listing.rev, listing.last_seq, listing.kind) == (5, 1, "room")
    page = (await api.history(p.bob, p.room)).json()["messages"]
    assert [(m["seq"], m["deleted"], m["text"]) for m in page] == [(1, True, "")]


async def test_sync_by_rev_brings_every_missed_change_once(
    server: ServerProcess, api: Api, clients
) -> None:
    p = await two_in_a_room(api, clients, server.url)
    for text in ("one", "two", "three"):
        await p.a.send(p.room, text)
    await p.b.wait_for("receiveMessage", lambda m: m["seq"] == 3)
    seen_rev = 3
    await p.b.close()  # Bob goes away; meanwhile:
    checked(await p.a.call("editMessage", {"room": p.room, "seq": 1, "text": "one!"}))
    checked(await p.a.call("addReaction", {"room": p.room, "seq": 2, "emoji": ":tada:"}))
    checked(await p.a.call("editMessage", {"room": p.room, "seq": 1, "text": "one!!"}))
    await p.a.send(p.room, "four")
    checked(await p.a.call("deleteMessage", {"room": p.room, "seq": 3}))

    b = await clients(server.url, p.bob.access_token)
    ack = await b.call("sync", {"rooms": {p.room: {"rev": seen_rev}}})
    SyncAck.model_validate(ack)
    got = ack["messages"][p.room]
    assert [(m["seq"], m["rev"]) for m in got] == [(2, 5), (1, 6), (4, 7), (3, 8)]
    assert [m["text"] for m in got] == ["two", "one!!", "four", ""]
    assert got[0]["reactions"] == [{"emoji": ":tada:", "user_ids": [p.alice.id]}]
    assert got[3]["deleted"] is True
    assert ack["rev"] == {p.room: 8} and ack["has_more"] == {p.room: False}
    # v1's seq mark still works beside it, and answers the room's rev too
    v1 = await b.call("sync", {"rooms": {p.room: 3}})
    assert [m["seq"] for m in v1["messages"][p.room]] == [4] and v1["rev"] == {p.room: 8}
    nothing = await b.call("sync", {"rooms": {p.room: {"rev": 8}}})
    assert nothing["messages"] == {p.room: []} and not nothing["has_more"][p.room]


async def test_who_may_change_what(server: ServerProcess, api: Api, clients) -> None:
    p = await two_in_a_room(api, clients, server.url)  # Alice owns the room
    carol = await api.register("carol")
    assert (await api.join(carol, p.room)).status_code == 200
    c = await clients(server.url, carol.access_token)
    await p.b.send(p.room, "bob's")  # seq 1
    await p.a.send(p.room, "alice's")  # seq 2

    def error(ack: dict[str, Any]) -> str:
        assert ack["ok"] is False, ack
        code: str = ack["error"]["code"]
        return code

    # only the author edits
    assert (
        error(await p.a.call("editMessage", {"room": p.room, "seq": 1, "text": "x"})) == "forbidden"
    )
    assert (
        error(await c.call("editMessage", {"room": p.room, "seq": 2, "text": "x"})) == "forbidden"
    )
    # the author or the room's owner deletes; another member does not
    assert error(await c.call("deleteMessage", {"room": p.room, "seq": 1})) == "forbidden"
    assert checked(await p.a.call("deleteMessage", {"room": p.room, "seq": 1}))["deleted"]
    # nothing on a tombstone
    assert (
        error(await p.b.call("editMessage", {"room": p.room, "seq": 1, "text": "x"}))
        == "bad_request"
    )
    assert (
        error(await c.call("addReaction", {"room": p.room, "seq": 1, "emoji": "👍"}))
        == "bad_request"
    )
    # unknown messages and rooms
    assert (
        error(await c.call("addReaction", {"room": p.room, "seq": 9, "emoji": "👍"})) == "not_found"
    )
    assert (
        error(await c.call("editMessage", {"room": "nowhere", "seq": 1, "text": "x"}))
        == "not_found"
    )
    # not an emoji
    for bad in ("a", "👍👍", ":Nope:", "x" * 40, "<b>"):
        assert (
            error(await c.call("addReaction", {"room": p.room, "seq": 2, "emoji": bad}))
            == "bad_request"
        )
    # malformed payloads
    assert (
        error(await c.call("editMessage", {"room": p.room, "seq": "two", "text": "x"}))
        == "bad_request"
    )
    assert (
        error(await p.a.call("editMessage", {"room": p.room, "seq": 2, "text": "   "}))
        == "bad_request"
    )
    long = "x" * 4001
    assert (
        error(await p.a.call("editMessage", {"room": p.room, "seq": 2, "text": long}))
        == "too_large"
    )
    # a member who left changes nothing there any more
    assert (
        await api.http.post(f"/api/rooms/{p.room}/leave", headers=p.alice.headers)
    ).status_code == 204
    assert (
        error(await p.a.call("editMessage", {"room": p.room, "seq": 2, "text": "x"})) == "forbidden"
    )
    # and through it all nothing changed that should not have, and the sockets still work
    page = (await api.history(carol, p.room)).json()["messages"]
    assert [(m["text"], m["deleted"], m["reactions"]) for m in page] == [
        ("", True, []),
        ("alice's", False, []),
    ]
    assert (await c.send(p.room, "still here"))["ok"]


async def test_replies_count_and_list_and_jump(server: ServerProcess, api: Api, clients) -> None:
    p = await two_in_a_room(api, clients, server.url)
    for n in range(1, 31):
        await p.a.send(p.room, f"m{n}")
    first = await p.b.call("sendMessage", {"room": p.room, "text": "re: m3", "reply_to": 3})
    assert first["ok"] and first["message"]["reply_to"] == 3 and first["message"]["rev"] == 31
    parent = await p.a.wait_for("messageUpdated", lambda m: m["seq"] == 3)
    assert (parent["reply_count"], parent["rev"]) == (1, 32)
    await p.a.call("sendMessage", {"room": p.room, "text": "re: m3 again", "reply_to": 3})
    parent = await p.b.wait_for("messageUpdated", lambda m: m["seq"] == 3 and m["reply_count"] == 2)
    assert parent["rev"] == 34

    bad = await p.b.call("sendMessage", {"room": p.room, "text": "to nowhere", "reply_to": 99})
    assert bad["ok"] is False and bad["error"]["code"] == "not_found"

    replies = await api.http.get(
        f"/api/rooms/{p.room}/messages/3/replies", params={"limit": 1}, headers=p.bob.headers
    )
    assert replies.status_code == 200
    body = replies.json()
    assert [m["text"] for m in body["messages"]] == ["re: m3"] and body["has_more"]
    more = await api.http.get(
        f"/api/rooms/{p.room}/messages/3/replies",
        params={"after": body["messages"][0]["seq"]},
        headers=p.bob.headers,
    )
    assert [m["text"] for m in more.json()["messages"]] == ["re: m3 again"]

    around = await api.history(p.bob, p.room, around=10, limit=6)
    assert [m["seq"] for m in around.json()["messages"]] == [7, 8, 9, 10, 11, 12]
    assert around.json()["has_more"] is True
    edge = await api.history(p.bob, p.room, around=2, limit=6)
    assert [m["seq"] for m in edge.json()["messages"]] == [1, 2, 3, 4, 5, 6]
    assert edge.json()["has_more"] is False
    both = await api.history(p.bob, p.room, around=2, before=5)
    assert both.status_code == 400


async def test_mentions_are_listed_and_counted(server: ServerProcess, api: Api, clients) -> None:
    p = await two_in_a_room(api, clients, server.url)
    outsider = await api.register("outsider")
    ack = await p.a.send(
        p.room, f"hey @{p.bob.username.upper()} and @{outsider.username}, mail a@b.cd"
    )
    assert ack["message"]["mentions"] == [p.bob.id]  # a member, named in any case; not others
    everyone = await p.b.send(p.room, "@room lunch?")
    assert everyone["message"]["mentions"] == [p.alice.id]  # every member but the sender

    async def listing(who: Any) -> dict[str, Any]:
        rooms = (await api.http.get("/api/rooms", headers=who.headers)).json()["rooms"]
        found: dict[str, Any] = next(r for r in rooms if r["name"] == p.room)
        return found

    assert (await listing(p.bob))["mentions"] == 1
    assert (await listing(p.alice))["mentions"] == 1
    # an edit that drops the mention drops the count
    checked(await p.a.call("editMessage", {"room": p.room, "seq": 1, "text": "hey all"}))
    assert (await listing(p.bob))["mentions"] == 0
    assert (await listing(p.bob))["notify"] == "all"


async def test_rest_changes_match_the_socket_ones(server: ServerProcess, api: Api, clients) -> None:
    p = await two_in_a_room(api, clients, server.url)
    await p.a.send(p.room, "typo")
    base = f"/api/rooms/{p.room}/messages/1"
    r = await api.http.patch(base, json={"text": "fixed"}, headers=p.alice.headers)
    assert r.status_code == 200 and r.json()["text"] == "fixed" and r.json()["rev"] == 2
    MessageOut.model_validate(r.json())
    await p.b.wait_for("messageUpdated", lambda m: m["text"] == "fixed")
    r = await api.http.put(f"{base}/reactions/🎉", headers=p.bob.headers)
    assert r.status_code == 200 and r.json()["reactions"] == [
        {"emoji": "🎉", "user_ids": [p.bob.id]}
    ]
    r = await api.http.put(f"{base}/reactions/:+1:", headers=p.bob.headers)
    assert r.status_code == 200 and len(r.json()["reactions"]) == 2
    r = await api.http.delete(f"{base}/reactions/🎉", headers=p.bob.headers)
    assert r.status_code == 200 and [x["emoji"] for x in r.json()["reactions"]] == [":+1:"]
    # one emoji spelled two ways (with and without U+FE0F) is one reaction, stored fully
    # qualified, whoever sent which
    r = await api.http.put(f"{base}/reactions/❤", headers=p.bob.headers)
    assert r.status_code == 200
    r = await api.http.put(f"{base}/reactions/❤\ufe0f", headers=p.alice.headers)
    hearts = [x for x in r.json()["reactions"] if x["emoji"].startswith("❤")]
    assert hearts == [{"emoji": "❤\ufe0f", "user_ids": [p.bob.id, p.alice.id]}]
    r = await api.http.delete(f"{base}/reactions/❤\ufe0f", headers=p.bob.headers)
    assert r.status_code == 200
    r = await api.http.delete(f"{base}/reactions/❤", headers=p.alice.headers)
    assert [x["emoji"] for x in r.json()["reactions"]] == [":+1:"]
    r = await api.http.put(f"{base}/reactions/nope", headers=p.bob.headers)
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_request"
    r = await api.http.patch(base, json={"text": "mine now"}, headers=p.bob.headers)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    r = await api.http.delete(base, headers=p.alice.headers)
    assert r.status_code == 200 and r.json()["deleted"] is True
    r = await api.http.delete(f"/api/rooms/{p.room}/messages/7", headers=p.alice.headers)
    assert r.status_code == 404
    r = await api.http.patch(base, json={"text": "x"})
    assert r.status_code == 401
