"""Membership changes race, and the store must win: a socket's ``joinRoom`` racing a REST
``leave`` must never leave the socket subscribed to a room its user is no longer in (the
user would keep receiving a private room's messages while history answers 403)."""

from __future__ import annotations

import asyncio

from tests.support import Api, ServerProcess, settle

ROUNDS = 200
BATCH = 25


async def race_rounds(api: Api, clients, join_url: str, leave_api: Api, rounds: int) -> None:
    alice, bob = await api.register("owner"), await api.register("racer")
    watcher = await clients(join_url, bob.access_token)
    leaks, outcomes = [], {"member": 0, "left": 0}
    for start in range(0, rounds, BATCH):
        names = [await api.create_room(alice, private=True) for _ in range(BATCH)]
        for name in names:
            assert (await api.invite(alice, name, bob.username)).status_code == 204
            assert (await api.join(bob, name)).status_code == 200

        async def race(name: str) -> None:
            await asyncio.gather(
                watcher.call("joinRoom", {"room": name}),
                leave_api.http.post(f"/api/rooms/{name}/leave", headers=bob.headers),
            )

        await asyncio.gather(*(race(name) for name in names))
        await settle(0.3)
        marker = f"after race {start}"
        members = {}
        for name in names:
            r = await api.history(bob, name)
            members[name] = r.status_code == 200
            outcomes["member" if members[name] else "left"] += 1
        owner_socket = await clients(join_url, alice.access_token)
        for name in names:
            await owner_socket.send(name, marker)
        await settle(1.0)
        got = {m["room"] for m in watcher.events["receiveMessage"] if m["text"] == marker}
        for name in names:
            if members[name] != (name in got):
                leaks.append((name, members[name]))
        await owner_socket.close()
    print(f"join/leave races: {rounds} rounds, outcomes {outcomes}, leaks {len(leaks)}")
    assert leaks == []


async def test_join_racing_leave_never_leaves_a_socket_subscribed(
    sqlite_server: ServerProcess, sqlite_api: Api, clients
) -> None:
    await race_rounds(sqlite_api, clients, sqlite_server.url, sqlite_api, ROUNDS)
