"""Bad input over Socket.IO: a structured error to that client only; nothing else changes."""

from __future__ import annotations

import pytest

from tests.support import Api, ServerProcess, one_in_a_room, settle, two_in_a_room, unique

BAD_SEND_PAYLOADS = [
    (None, "bad_request"),
    ("just a string", "bad_request"),
    ([1, 2, 3], "bad_request"),
    ({}, "bad_request"),
    ({"room": "ROOM"}, "bad_request"),
    ({"text": "no room"}, "bad_request"),
    ({"room": 42, "text": "room is a number"}, "bad_request"),
    ({"room": "ROOM", "text": 42}, "bad_request"),
    ({"room": "ROOM", "text": ""}, "bad_request"),
    ({"room": "ROOM", "text": "   \n\t "}, "bad_request"),
    ({"room": "ROOM", "text": "x" * 4001}, "too_large"),
    ({"room": "ROOM", "text": "ok", "client_id": "c" * 65}, "bad_request"),
    ({"room": "ROOM", "text": "ok", "client_id": 7}, "bad_request"),
    ({"room": "ROOM", "text": "y" * 200_000}, "too_large"),
    ({"room": "no-such-room-anywhere", "text": "hello"}, "not_found"),
    ({"room": "Not A Valid Name", "text": "hello"}, "not_found"),
]


async def test_bad_sends_get_an_error_and_change_nothing(
    server: ServerProcess, api: Api, clients
) -> None:
    pair = await two_in_a_room(api, clients, server.url)
    alice, room, a, b = pair.alice, pair.room, pair.a, pair.b

    for payload, code in BAD_SEND_PAYLOADS:
        if isinstance(payload, dict) and payload.get("room") == "ROOM":
            payload = payload | {"room": room}
        ack = await a.call("sendMessage", payload)
        assert ack["ok"] is False, payload
        assert ack["error"]["code"] == code, (str(payload)[:80], ack)
        assert isinstance(ack["error"]["message"], str) and ack["error"]["message"]
        assert a.sio.connected

    # Exactly 4000 characters is fine; surrounding whitespace is trimmed.
    ack = await a.send(room, "  " + "z" * 4000 + "  ")
    assert ack["ok"] and ack["message"]["text"] == "z" * 4000 and ack["message"]["seq"] == 1
    # The connection and the other client are unaffected; nothing else was stored.
    ack = await b.send(room, "still here")
    assert ack["ok"] and ack["message"]["seq"] == 2
    await a.wait_for("receiveMessage", lambda m: m["text"] == "still here")
    await settle()
    assert [m["seq"] for m in b.events["receiveMessage"]] == [1, 2]
    stored = (await api.history(alice, room)).json()["messages"]
    assert [m["seq"] for m in stored] == [1, 2]


@pytest.mark.parametrize(
    ("event", "payload"),
    [
        ("joinRoom", None),
        ("joinRoom", {"room": None}),
        ("joinRoom", {"room": ["a"]}),
        ("leaveRoom", "x"),
        ("typing", {}),
        ("sync", {"rooms": "all"}),
        ("sync", {"rooms": {"r": -1}}),
        ("sync", {"rooms": {"r": "one"}}),
        ("sync", None),
        ("markRead", {"room": "r"}),
        ("noSuchEvent", {"room": "r"}),
        ("joinRoom", ({"room": "a"}, {"room": "b"})),
    ],
)
async def test_malformed_events_answer_bad_request(
    sqlite_server: ServerProcess, sqlite_api: Api, clients, event: str, payload: object
) -> None:
    alice = await sqlite_api.register("alice")
    a = await clients(sqlite_server.url, alice.access_token)
    ack = await a.call(event, payload)
    assert ack["ok"] is False
    assert ack["error"]["code"] == "bad_request", ack
    assert a.sio.connected
    assert (await a.call("typing", {"room": unique("nowhere")}))["error"]["code"] == "not_found"


async def test_oversized_payload_on_any_event_is_too_large(
    sqlite_server: ServerProcess, sqlite_api: Api, clients
) -> None:
    _, room, a = await one_in_a_room(sqlite_api, clients, sqlite_server.url)
    ack = await a.call("joinRoom", {"room": room, "padding": "p" * 100_000})
    assert ack == {
        "ok": False,
        "error": {"code": "too_large", "message": "payload is over 65536 bytes"},
    }
    ack = await a.call("sync", {"rooms": {room: 0}, "junk": ["j" * 1000] * 100})
    assert ack["error"]["code"] == "too_large"
    assert (await a.send(room, "fine after"))["ok"]


async def test_rest_bad_input_is_a_structured_error(api: Api) -> None:
    alice = await api.register("alice")
    room = await api.create_room(alice)
    cases = [
        ("GET", f"/api/rooms/{room}/messages?limit=0"),
        ("GET", f"/api/rooms/{room}/messages?limit=201"),
        ("GET", f"/api/rooms/{room}/messages?before=abc"),
        ("GET", f"/api/rooms/{room}/messages?before=5&after=1"),
    ]
    for method, path in cases:
        r = await api.http.request(method, path, headers=alice.headers)
        assert r.status_code in (400, 422), path
        assert r.json()["error"]["code"] == "bad_request", path
    r = await api.http.post(
        "/api/rooms",
        content=b"{not json",
        headers=alice.headers | {"content-type": "application/json"},
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "bad_request"
    r = await api.http.get("/api/nothing-here", headers=alice.headers)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


async def test_out_of_range_and_unstorable_values_are_bad_requests(
    server: ServerProcess, api: Api, clients
) -> None:
    alice, room, a = await one_in_a_room(api, clients, server.url)
    huge = 2**63 + 5
    for event, payload in [
        ("sync", {"rooms": {room: huge}}),
        ("markRead", {"room": room, "seq": huge}),
        ("sendMessage", {"room": room, "text": "nul \x00 inside"}),
        ("sendMessage", {"room": room, "text": "ok", "client_id": "a\x00b"}),
        ("sendMessage", {"room": room, "text": "half an emoji \ud83d"}),
    ]:
        ack = await a.call(event, payload)
        assert ack["ok"] is False and ack["error"]["code"] == "bad_request", (event, ack)
    for params in ({"before": huge}, {"after": huge}):
        r = await api.history(alice, room, **params)
        assert r.status_code == 422 and r.json()["error"]["code"] == "bad_request"
    ack = await a.send(room, "whole emoji \U0001f600 is fine")
    assert ack["ok"] and ack["message"]["seq"] == 1


async def test_unencodable_payloads_are_named_in_the_answer(
    sqlite_server: ServerProcess, sqlite_api: Api, clients
) -> None:
    """What the server can parse but not hold gets an answer that says which rule it broke."""
    _, room, a = await one_in_a_room(sqlite_api, clients, sqlite_server.url)
    deep: object = "bottom"
    for _ in range(300):
        deep = [deep]
    for extra, says in [
        ({"nested": deep}, "nested too deeply"),
        ({"text": "half an emoji \ud83d"}, "not valid Unicode"),
    ]:
        ack = await a.call("sendMessage", {"room": room, "text": "hi", **extra})
        assert ack["ok"] is False and ack["error"]["code"] == "bad_request", ack
        assert says in ack["error"]["message"], ack
    ack = await a.send(room, "still connected")
    assert ack["ok"] and ack["message"]["seq"] == 1


async def test_clients_cannot_fire_the_connect_and_disconnect_handlers(
    sqlite_server: ServerProcess, sqlite_api: Api, clients
) -> None:
    watcher_account, bob = await sqlite_api.register("watch"), await sqlite_api.register("bob")
    room = await sqlite_api.create_room(bob)
    watcher = await clients(sqlite_server.url, watcher_account.access_token)
    b = await clients(sqlite_server.url, bob.access_token)
    await watcher.wait_for("userStatus", lambda e: e["user"]["id"] == bob.id)
    for event, payload in [
        ("disconnect", {}),
        ("connect", {"token": bob.access_token}),
        ("disconnect", None),
    ]:
        ack = await b.call(event, payload)
        assert ack["ok"] is False and ack["error"]["code"] == "bad_request", (event, ack)
    await settle()
    assert [e["status"] for e in watcher.events["userStatus"] if e["user"]["id"] == bob.id] == [
        "online"
    ]
    assert (await b.send(room, "still me"))["ok"]
    await b.wait_for("receiveMessage", lambda m: m["text"] == "still me")
