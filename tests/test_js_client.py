"""Wire compatibility with the official Socket.IO JavaScript client (socket.io-client 4.8).

Runs tests/js/two_users_chat.mjs under Node against a real server: two users chat, one on
the websocket transport, the other on the client's default (long-polling, then upgrade), and a
bad token must be refused with PROTOCOL.md's ``connect_error``. Needs ``npm ci --prefix tests/js``.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from hubbub.schemas import MessageOut
from tests.support import Api, ServerProcess, running

JS_DIR = Path(__file__).resolve().parent / "js"
SCRIPT = JS_DIR / "two_users_chat.mjs"
TIMEOUT = 30  # the script gives up by itself after 10 s


def node_or_fail() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: the JS client test needs Node.js >= 18")
    if not (JS_DIR / "node_modules" / "socket.io-client").is_dir():
        pytest.fail(
            "tests/js/node_modules is missing: run `npm ci --prefix tests/js` "
            "(installs the pinned socket.io-client from tests/js/package-lock.json)"
        )
    return node


async def run_script(node: str, env: dict[str, str]) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        node,
        str(SCRIPT),
        cwd=JS_DIR,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), TIMEOUT)
    except TimeoutError:
        proc.kill()
        out, err = await proc.communicate()
        pytest.fail(f"node script still running after {TIMEOUT}s\nstdout: {out!r}\nstderr: {err!r}")
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def wire(message: dict[str, Any]) -> dict[str, Any]:
    """A message as PROTOCOL.md defines it, validated."""
    return MessageOut.model_validate(message).model_dump(mode="json")


async def test_official_js_client_two_users_chat(
    sqlite_server: ServerProcess, sqlite_api: Api
) -> None:
    await two_users_chat(sqlite_server, sqlite_api)


async def test_official_js_client_through_the_commit_and_write_delays(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The same conversation with both latency-for-CPU settings on: acks held for the
    commit delay, broadcasts for the write delay, over WebSocket and long-polling."""
    server = ServerProcess(
        data_dir=tmp_path_factory.mktemp("js-delays"),
        extra_env={"HUBBUB_COMMIT_DELAY_MS": "20", "HUBBUB_SOCKET_WRITE_DELAY_MS": "20"},
    )
    async with running(server):
        api = Api(server.url)
        try:
            await two_users_chat(server, api)
        finally:
            await api.close()


async def two_users_chat(server: ServerProcess, api: Api) -> None:
    node = node_or_fail()
    alice, bob = await api.register("jsalice"), await api.register("jsbob")
    room = await api.create_room(alice)

    code, out, err = await run_script(
        node,
        {
            "HUBBUB_URL": server.url,
            "HUBBUB_TOKEN_A": alice.access_token,
            "HUBBUB_TOKEN_B": bob.access_token,
            "HUBBUB_ROOM": room,
        },
    )
    lines = out.strip().splitlines()
    assert lines, f"the script printed nothing (exit {code})\nstderr: {err}"
    seen = json.loads(lines[-1])
    assert code == 0 and seen["ok"] and seen["errors"] == [], (
        f"exit {code}; the JS client saw mismatches: {seen['errors']}\nstderr: {err}"
    )
    assert seen["client_version"].startswith("4.8.")

    # A bad or missing token: connect_error with PROTOCOL.md's message and data.
    for refusal in (seen["bad_token"], seen["no_token"]):
        assert refusal["connected"] is False
        assert refusal["message"] == "unauthorized"
        assert refusal["data"]["code"] == "unauthorized"
        assert isinstance(refusal["data"]["message"], str) and refusal["data"]["message"]

    # Both transports the JS client uses were exercised.
    transports = seen["transports"]
    assert transports == {"a": "websocket", "b_initial": "polling", "b_upgraded": "websocket"}

    alice_user = alice.wire
    bob_user = bob.wire
    assert seen["users"] == {"a": alice_user, "b": bob_user}

    join = seen["join_ack"]
    assert join["ok"] is True and join["room"]["name"] == room
    assert {m["username"] for m in join["members"]} == {alice.username, bob.username}
    assert seen["room_event_seen_by_a"] == {"type": "join", "room": room, "user": bob_user}

    sent_a, sent_b = wire(seen["ack_a"]["message"]), wire(seen["ack_b"]["message"])
    assert seen["ack_a"]["ok"] is True and seen["ack_b"]["ok"] is True
    assert sent_a["user"] == alice_user and sent_a["client_id"].startswith("js-a-")
    assert sent_b["user"] == bob_user and sent_b["client_id"].startswith("js-b-")
    assert (sent_a["seq"], sent_b["seq"]) == (1, 2)  # a fresh room: consecutive from 1

    # Each user saw the other's message, from the right user, and its own; nothing twice
    # (the resend of A's client_id returned the first message and broadcast nothing).
    received_a = [wire(m) for m in seen["received"]["a"]]
    received_b = [wire(m) for m in seen["received"]["b"]]
    assert received_b == [sent_a, sent_b]
    assert received_a == [sent_a, sent_b]
    assert wire(seen["resend_ack"]["message"]) == sent_a
    assert seen["bad_payload_ack"]["ok"] is False
    assert seen["bad_payload_ack"]["error"]["code"] == "bad_request"

    # What the JS clients exchanged is what REST history holds.
    r = await api.history(bob, room)
    assert r.status_code == 200, r.text
    assert [wire(m) for m in r.json()["messages"]] == [sent_a, sent_b]


async def test_official_js_client_edits_reacts_deletes_and_syncs_by_rev(
    sqlite_server: ServerProcess, sqlite_api: Api
) -> None:
    """v2's conversation events through socket.io-client, one user on websocket and one on
    long-polling (emoji with skin tones cross the polling framing intact)."""
    node = node_or_fail()
    alice, bob = await sqlite_api.register("jsalice"), await sqlite_api.register("jsbob")
    room = await sqlite_api.create_room(alice)
    assert (await sqlite_api.join(bob, room)).status_code == 200
    proc = await asyncio.create_subprocess_exec(
        node,
        str(JS_DIR / "conversation.mjs"),
        cwd=JS_DIR,
        env={
            **os.environ,
            "HUBBUB_URL": sqlite_server.url,
            "HUBBUB_TOKEN_A": alice.access_token,
            "HUBBUB_TOKEN_B": bob.access_token,
            "HUBBUB_ROOM": room,
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), TIMEOUT)
    seen = json.loads(out.decode().strip().splitlines()[-1])
    assert proc.returncode == 0 and seen["errors"] == [], (seen["errors"], err.decode())
    acks = seen["acks"]
    assert all(acks[k]["ok"] for k in acks if k != "bad"), acks
    assert acks["bad"]["ok"] is False and acks["bad"]["error"]["code"] == "bad_request"
    assert acks["edit"]["message"]["text"] == "hello world ✓"
    assert acks["react"]["message"]["reactions"] == [{"emoji": "👍🏽", "user_ids": [bob.id]}]
    assert acks["reply"]["message"]["reply_to"] == 1

    # Both saw every change of message 1 and the delete of 2, in rev order, each once (A,
    # still connected, also the edit made while B was away).
    both = [(1, 2), (1, 3), (1, 5), (1, 6), (2, 7)]
    for who, expected in (("a", [*both, (1, 8)]), ("b", both)):
        updates = [wire(m) for m in seen["updated"][who]]
        assert [(m["seq"], m["rev"]) for m in updates] == expected, who
        assert updates[2]["reply_count"] == 1 and updates[4]["deleted"] is True

    # The change made while B was away comes back by rev, once, in its latest state.
    sync = acks["sync"]
    assert [(m["seq"], m["rev"], m["text"]) for m in sync["messages"][room]] == [
        (1, 8, "while away")
    ]
    assert sync["rev"] == {room: 8} and sync["has_more"] == {room: False}
