"""The Python client against a real server: a bot sees every message exactly once, in
order, across a server restart in mid-stream; its sends are stored once; changes reach
its update handlers; and ``examples/echo_bot.py`` answers in a live room."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from hubbub.client import Client, Message
from tests.support import Account, Api, ServerProcess, unique

ROOT = Path(__file__).resolve().parents[2]


async def make_bot(api: Api, owner: Account, room: str) -> str:
    r = await api.http.post(
        "/api/bots", json={"username": unique("bot")[:20]}, headers=owner.headers
    )
    assert r.status_code == 201, r.text
    token: str = r.json()["token"]
    joined = await api.http.post(
        f"/api/rooms/{room}/join", headers={"Authorization": f"Bearer {token}"}
    )
    assert joined.status_code == 200
    return token


async def wait_until(predicate, timeout: float = 20) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)


async def test_a_bot_sees_every_message_once_across_a_server_restart(
    tmp_path: Path, clients
) -> None:
    server = ServerProcess(data_dir=tmp_path)
    await asyncio.to_thread(server.start)
    api = Api(server.url)
    try:
        alice = await api.register("alice")
        room = await api.create_room(alice)
        token = await make_bot(api, alice, room)
        bot = Client(server.url, token=token)
        seen: list[str] = []
        updates: list[tuple[int, str]] = []

        @bot.on_message
        async def record(message: Message) -> None:
            seen.append(message.text)

        @bot.on_update
        async def changed(message: Message) -> None:
            updates.append((message.seq, message.text))

        await bot.start()
        a = await clients(server.url, alice.access_token)
        for n in range(20):
            assert (await a.send(room, f"before {n}"))["ok"]
        await wait_until(lambda: len(seen) == 20)
        await a.close()

        # The server goes down in mid-stream; messages are stored while the bot is away.
        await asyncio.to_thread(server.restart)
        a = await clients(server.url, alice.access_token)
        for n in range(20):
            assert (await a.send(room, f"after {n}"))["ok"]
        edited = await a.call("editMessage", {"room": room, "seq": 1, "text": "before 0 (fixed)"})
        assert edited["ok"]
        await wait_until(lambda: len(seen) == 40 and updates)

        expected = [f"before {n}" for n in range(20)] + [f"after {n}" for n in range(20)]
        assert seen == expected  # every message once, in order
        assert updates == [(1, "before 0 (fixed)")]

        # A send is stored once, and the bot does not hear its own messages.
        sent = await bot.send(room, "from the bot")
        assert sent.user.bot and sent.seq == 41
        await asyncio.sleep(0.3)
        assert "from the bot" not in seen
        await bot.close()
    finally:
        await api.close()
        await asyncio.to_thread(server.stop)


async def test_the_echo_bot_example_answers(
    sqlite_server: ServerProcess, sqlite_api: Api, clients
) -> None:
    alice = await sqlite_api.register("alice")
    room = await sqlite_api.create_room(alice)
    token = await make_bot(sqlite_api, alice, room)
    env = {**os.environ, "HUBBUB_URL": sqlite_server.url, "HUBBUB_TOKEN": token}
    bot = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "examples" / "echo_bot.py"),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        a = await clients(sqlite_server.url, alice.access_token)
        await asyncio.sleep(1.5)  # the bot connects
        sent = await a.send(room, "ping")
        reply = await a.wait_for("receiveMessage", lambda m: m["text"] == "echo: ping", timeout=15)
        assert reply["user"]["bot"] is True and reply["reply_to"] == sent["message"]["seq"]
    finally:
        bot.terminate()
        out, _ = await asyncio.wait_for(bot.communicate(), 10)
    assert b"Traceback" not in out, out.decode()


def test_a_client_needs_credentials() -> None:
    with pytest.raises(ValueError):
        Client("http://127.0.0.1:1")
