"""The client through trouble: a server restart mid-conversation, and access tokens that
expire while the page is open."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

from playwright.async_api import WebSocketRoute, expect

from tests.e2e.conftest import PersonFactory
from tests.e2e.people import SocketGate
from tests.support import Api, Client, ServerProcess


async def test_restart_mid_conversation_loses_and_doubles_nothing(
    own_server: ServerProcess,
    people: PersonFactory,
    artifacts_dir: Path,
    clients: Callable[[str, str | None], Awaitable[Client]],
):
    url = own_server.url
    api = Api(url)
    try:
        alice_account, bob_account = await api.register("alice"), await api.register("bob")
        alice = await people(url)
        gate = await SocketGate().install(alice.context)
        await alice.log_in(alice_account.username, alice_account.password)
        room = await alice.create_room()
        bob = await (await people(url)).log_in(bob_account.username, bob_account.password)
        await bob.join_room(room)
        await alice.send(room, "before 1")
        await bob.send(room, "before 2")
        await bob.send(room, "before 3")
        await bob.send(room, "before 4")
        before = ["before 1", "before 2", "before 3", "before 4"]
        for person in (alice, bob):
            await expect(person.stored_texts(room)).to_have_text(before)
        # A reaction Alice sees before she goes (taken back while she is away).
        bob_socket = await clients(url, bob_account.access_token)
        r = await bob_socket.call("addReaction", {"room": room, "seq": 4, "emoji": "🎉"})
        assert r["ok"], r
        chips = alice.timeline(room).locator("button.chip")
        await expect(chips).to_have_text(["🎉 1"])

        # Alice's browser will not get back in until we let it, so she misses what Bob
        # says after the restart and must catch up with `sync`.
        gate.blocked = True
        await asyncio.to_thread(own_server.stop)
        for person in (alice, bob):
            await expect(person.connection).to_have_text("Offline, reconnecting…")

        # Sends while offline wait, shown as pending.
        await alice.send(room, "while down 1")
        await alice.send(room, "while down 2")
        pending = alice.timeline(room).locator("li.msg.pending")
        await expect(pending).to_have_count(2)
        await expect(pending.first).to_contain_text("Waiting for the connection")
        await alice.page.screenshot(path=artifacts_dir / "offline-desktop.png")

        await asyncio.to_thread(own_server.start)
        await bob.expect_connected()
        await bob.send(room, "missed by alice")
        # Changes Alice misses: an edit, a delete, a reaction added and one taken back, and
        # a message edited then deleted (only its tombstone is news to her).
        bob_socket = await clients(url, bob_account.access_token)
        for event, payload in [
            ("editMessage", {"room": room, "seq": 2, "text": "before 2, edited"}),
            ("deleteMessage", {"room": room, "seq": 3}),
            ("addReaction", {"room": room, "seq": 1, "emoji": "👍"}),
            ("removeReaction", {"room": room, "seq": 4, "emoji": "🎉"}),
            ("editMessage", {"room": room, "seq": 5, "text": "missed, then edited"}),
            ("deleteMessage", {"room": room, "seq": 5}),
        ]:
            r = await bob_socket.call(event, {**payload})
            assert r["ok"], (event, r)
        changed = ["before 1", "before 2, edited", "message deleted", "before 4", "message deleted"]
        await expect(bob.stored_texts(room)).to_have_text(changed)
        await expect(alice.connection).to_have_text("Offline, reconnecting…")

        gate.blocked = False
        await alice.expect_connected()
        expected = [*changed, "while down 1", "while down 2"]
        for person in (alice, bob):
            await expect(person.stored_texts(room)).to_have_text(expected)
            # Once each, nothing stale: one chip, on the first message; none left on the 4th.
            await expect(person.timeline(room).locator("button.chip")).to_have_text(["👍 1"])
            await expect(
                person.timeline(room).locator('li.msg[data-seq="1"] button.chip')
            ).to_have_count(1)
            await expect(person.timeline(room).locator("li.msg .edited")).to_have_count(1)
        await expect(pending).to_have_count(0)

        # Stored once each, in that order, with no gap in seq.
        r = await api.history(alice_account, room)
        messages = r.json()["messages"]
        assert [m["text"] or "message deleted" for m in messages] == expected
        assert [m["seq"] for m in messages] == [1, 2, 3, 4, 5, 6, 7]
        assert alice.errors == [] and bob.errors == []
    finally:
        await api.close()


async def test_access_token_is_refreshed_before_it_expires(tmp_path: Path, people: PersonFactory):
    server = ServerProcess(data_dir=tmp_path / "data", extra_env={"HUBBUB_ACCESS_TOKEN_TTL": "2"})
    await asyncio.to_thread(server.start)
    try:
        person = await people(server.url)
        sockets: list[str] = []
        person.page.on("websocket", lambda ws: sockets.append(ws.url))
        alice = await person.register("alice")
        room = await alice.create_room()
        read_access = "JSON.parse(localStorage.getItem('hubbub.session')).access"
        changed = f"(first) => {read_access} !== first"
        first = await alice.page.evaluate(read_access)
        await alice.page.wait_for_function(changed, arg=first, timeout=10_000)
        await asyncio.sleep(4)
        # The server closes a socket when its token expires; the page hands each new
        # token to the live socket (reauth), so across three expiries it never reconnected.
        assert len(sockets) == 1, sockets

        # The first token has expired by now; the page works on: REST, socket, reload.
        await alice.send(room, "still logged in")
        await expect(alice.stored_texts(room)).to_have_text(["still logged in"])
        await alice.page.reload()
        await alice.expect_connected()
        await expect(alice.stored_texts(room)).to_have_text(["still logged in"])

        # A reconnect after the socket's token expired presents a fresh one.
        await asyncio.sleep(2)
        await asyncio.to_thread(server.restart)
        await alice.expect_connected()
        await alice.send(room, "after restart")
        await expect(alice.stored_texts(room)).to_have_text(["still logged in", "after restart"])
        assert alice.errors == []
    finally:
        await asyncio.to_thread(server.stop)


async def test_a_token_the_server_refuses_is_refreshed_at_once(
    tmp_path: Path, people: PersonFactory
):
    """The server's JWT secret changes (a rotation): every access token it issued is now
    refused, but the stored refresh tokens still work, so the page recovers by itself."""
    server = ServerProcess(data_dir=tmp_path / "data")
    await asyncio.to_thread(server.start)
    try:
        alice = await (await people(server.url)).register("alice")
        room = await alice.create_room()
        await alice.send(room, "before the rotation")
        server.extra_env["HUBBUB_JWT_SECRET"] = "rotated-" + "y" * 40
        await asyncio.to_thread(server.restart)
        await alice.expect_connected()  # refused once, refreshed, reconnected
        await alice.send(room, "after the rotation")
        await expect(alice.stored_texts(room)).to_have_text(
            ["before the rotation", "after the rotation"]
        )
    finally:
        await asyncio.to_thread(server.stop)


async def test_queued_sends_survive_a_reload_and_go_out_once(
    sqlite_server: ServerProcess, sqlite_api: Api, people: PersonFactory
):
    account = await sqlite_api.register("alice")
    alice = await people(sqlite_server.url)
    gate = await SocketGate().install(alice.context)
    await alice.log_in(account.username, account.password)
    room = await alice.create_room()
    await alice.send(room, "online")
    await expect(alice.stored_texts(room)).to_have_text(["online"])  # acked before the cut

    # The socket cannot get through (the REST API still can): sends wait.
    gate.blocked = True
    await alice.page.reload()
    await expect(alice.connection).not_to_have_text("Connected")
    await alice.send(room, "queued")
    pending = alice.timeline(room).locator("li.msg.pending")
    await expect(pending).to_have_text(re.compile("Waiting for the connection"))

    # A reload keeps what waits (this tab's storage), and it goes out once connected.
    await alice.page.reload()
    await expect(pending).to_have_count(1)
    gate.blocked = False
    await alice.expect_connected()
    await expect(alice.stored_texts(room)).to_have_text(["online", "queued"])
    await expect(pending).to_have_count(0)
    r = await sqlite_api.history(account, room)
    assert [m["text"] for m in r.json()["messages"]] == ["online", "queued"]


async def test_missed_and_repeated_deliveries_are_repaired(
    sqlite_server: ServerProcess,
    sqlite_api: Api,
    people: PersonFactory,
    clients: Callable[[str, str | None], Awaitable[Client]],
):
    """A receiveMessage lost on the way leaves a gap in seq, filled by `sync`; one delivered
    twice is shown once."""
    alice, bob = await sqlite_api.register("alice"), await sqlite_api.register("bob")
    room = await sqlite_api.create_room(alice)
    await sqlite_api.join(bob, room)
    seen: list[str] = []

    def relay(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def from_server(message: str | bytes) -> None:
            text = message if isinstance(message, str) else message.decode()
            if '"receiveMessage"' in text and "lost on the way" in text:
                seen.append("dropped")
                return
            ws.send(message)
            if '"receiveMessage"' in text and "said twice" in text:
                seen.append("doubled")
                ws.send(message)

        server.on_message(from_server)

    reader = await people(sqlite_server.url)
    await reader.context.route_web_socket(re.compile(r"/socket\.io/"), relay)
    await reader.log_in(alice.username, alice.password)
    await reader.open_room(room)

    talker = await clients(sqlite_server.url, bob.access_token)
    sent = ["one", "lost on the way", "said twice", "four"]
    for text in sent:
        assert (await talker.send(room, text))["ok"]
    await expect(reader.stored_texts(room)).to_have_text(sent)
    assert sorted(seen) == ["doubled", "dropped"]
    assert reader.errors == []


# A network where WebSockets fail (say, a proxy that refuses the upgrade).
NO_WEBSOCKETS = """
window.WebSocket = class {
  constructor() {
    setTimeout(() => {
      if (this.onerror) this.onerror(new Event("error"));
      if (this.onclose) this.onclose(new CloseEvent("close", { code: 1006 }));
    }, 10);
  }
  send() {}
  close() {}
};
"""


async def test_falls_back_to_long_polling_without_websockets(
    sqlite_server: ServerProcess, sqlite_api: Api, people: PersonFactory
):
    alice, bob = await sqlite_api.register("alice"), await sqlite_api.register("bob")
    room = await sqlite_api.create_room(alice)
    await sqlite_api.join(bob, room)
    url = sqlite_server.url
    polling = await people(url)
    await polling.context.add_init_script(NO_WEBSOCKETS)
    websockets: list[object] = []
    polling.page.on("websocket", lambda ws: websockets.append(ws))
    await polling.log_in(alice.username, alice.password)
    await polling.open_room(room)
    other = await (await people(url)).log_in(bob.username, bob.password)
    await other.open_room(room)

    await polling.send(room, "over long-polling")
    await other.send(room, "over a websocket")
    for person in (polling, other):
        await expect(person.stored_texts(room)).to_have_text(
            ["over long-polling", "over a websocket"]
        )
    assert websockets == []
