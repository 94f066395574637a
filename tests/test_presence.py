"""Presence: online at a user's first socket, offline when the last one goes."""

from __future__ import annotations

from hubbub.events import UserStatusOut
from tests.support import Api, ServerProcess, settle


def statuses(client, user_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [e["status"] for e in client.events["userStatus"] if e["user"]["id"] == user_id]


async def online_ids(api: Api, headers: dict[str, str]) -> set[int]:
    r = await api.http.get("/api/users/online", headers=headers)
    assert r.status_code == 200
    return {u["id"] for u in r.json()["users"]}


async def test_several_tabs_are_one_presence(server: ServerProcess, api: Api, clients) -> None:
    watcher, bob = await api.register("watcher"), await api.register("bob")
    w = await clients(server.url, watcher.access_token)

    tab1 = await clients(server.url, bob.access_token)
    event = await w.wait_for("userStatus", lambda e: e["user"]["id"] == bob.id)
    UserStatusOut.model_validate(event)
    assert event == {"user": bob.wire, "status": "online"}
    assert bob.id in await online_ids(api, watcher.headers)

    tab2 = await clients(server.url, bob.access_token)
    await tab1.close()  # one tab of two closes: still online, no event
    await settle(0.5)
    assert statuses(w, bob.id) == ["online"]
    assert bob.id in await online_ids(api, watcher.headers)

    await tab2.close()  # the last tab goes: offline, once
    await w.wait_for("userStatus", lambda e: e["user"]["id"] == bob.id and e["status"] == "offline")
    await settle()
    assert statuses(w, bob.id) == ["online", "offline"]
    assert bob.id not in await online_ids(api, watcher.headers)

    await clients(server.url, bob.access_token)  # back again
    await w.wait_for(
        "userStatus", lambda e: e["user"]["id"] == bob.id and len(statuses(w, bob.id)) == 3
    )
    assert statuses(w, bob.id) == ["online", "offline", "online"]
