"""Running a room and the server, over real sockets and REST, on SQLite and PostgreSQL:
roles, kick, ban, mute, topic, archive, delete; deactivation and password changes; the
audit log; and the operator's commands on the same database."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any

from hubbub.events import RoomEventOut
from hubbub.schemas.admin import AuditOut
from tests.support import Account, Api, ServerProcess, settle, two_in_a_room


def operator(
    server: ServerProcess, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """``hubbub users|rooms …`` on the server's own database, while it runs."""
    return subprocess.run(
        [sys.executable, "-m", "hubbub", *args],
        env=server.env(),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def post(api: Api, who: Account, path: str, body: Any = None) -> tuple[int, Any]:
    r = await api.http.post(path, json=body, headers=who.headers)
    return r.status_code, (r.json() if r.content else None)


async def listed(api: Api, who: Account, room: str) -> dict[str, Any]:
    """``room`` as ``GET /api/rooms`` lists it to ``who``."""
    rooms = (await api.http.get("/api/rooms", headers=who.headers)).json()["rooms"]
    found: dict[str, Any] = next(r for r in rooms if r["name"] == room)
    return found


async def test_moderators_keep_a_room_clean(server: ServerProcess, api: Api, clients) -> None:
    p = await two_in_a_room(api, clients, server.url)  # alice owns, bob is a member
    spammer, carol = await api.register("spammer"), await api.register("carol")
    for who in (spammer, carol):
        assert (await api.join(who, p.room)).status_code == 200
    s = await clients(server.url, spammer.access_token)
    base = f"/api/rooms/{p.room}"

    # only the owner makes moderators
    r = await api.http.put(
        f"{base}/members/{p.bob.username}/role", json={"role": "moderator"}, headers=carol.headers
    )
    assert r.status_code == 403
    r = await api.http.put(
        f"{base}/members/{p.bob.username}/role", json={"role": "moderator"}, headers=p.alice.headers
    )
    assert r.status_code == 204
    role_event = await p.a.wait_for("roomEvent", lambda e: e["type"] == "role")
    RoomEventOut.model_validate(role_event)
    assert role_event["role"] == "moderator" and role_event["by"]["id"] == p.alice.id
    rooms = (await api.http.get("/api/rooms", headers=p.bob.headers)).json()["rooms"]
    assert next(r for r in rooms if r["name"] == p.room)["role"] == "moderator"
    members = (await api.http.get(f"{base}/members", headers=carol.headers)).json()["members"]
    roles = {m["username"]: m["role"] for m in members}
    assert (roles[p.alice.username], roles[p.bob.username], roles[carol.username]) == (
        "owner",
        "moderator",
        "member",
    )

    # the moderator mutes the spammer: their sends answer forbidden until it ends
    assert (await post(api, p.bob, f"{base}/mute", {"username": spammer.username, "seconds": 2}))[
        0
    ] == 204
    muted = await s.send(p.room, "buy now")
    assert muted["ok"] is False and muted["error"]["code"] == "forbidden"
    await asyncio.sleep(2.2)
    assert (await s.send(p.room, "sorry"))["ok"]

    # kick: out at once on every socket (no more messages), may come back
    assert (await post(api, p.bob, f"{base}/kick", {"username": spammer.username}))[0] == 204
    kicked = await s.wait_for("roomEvent", lambda e: e["type"] == "kick")
    assert kicked["user"]["id"] == spammer.id and kicked["by"]["id"] == p.bob.id
    await p.a.send(p.room, "after the kick")
    await p.b.wait_for("receiveMessage", lambda m: m["text"] == "after the kick")
    await settle()
    assert "after the kick" not in await s.received_texts(p.room)
    assert (await api.join(spammer, p.room)).status_code == 200

    # ban: out, and kept out until unbanned
    assert (await post(api, p.bob, f"{base}/ban", {"username": spammer.username}))[0] == 204
    await s.wait_for("roomEvent", lambda e: e["type"] == "ban")
    r = await api.join(spammer, p.room)
    assert r.status_code == 403 and "banned" in r.json()["error"]["message"]
    ack = await s.call("joinRoom", {"room": p.room})
    assert ack["ok"] is False and ack["error"]["code"] == "forbidden"
    # the public room stays listed to them, marked banned (no Join to offer)
    assert (await listed(api, spammer, p.room))["banned"] is True
    assert (await listed(api, carol, p.room))["banned"] is False
    bans = await api.http.get(f"{base}/bans", headers=p.bob.headers)
    assert [u["username"] for u in bans.json()["users"]] == [spammer.username]
    assert (await api.http.get(f"{base}/bans", headers=carol.headers)).status_code == 403
    r = await api.http.delete(f"{base}/bans/{spammer.username}", headers=p.bob.headers)
    assert r.status_code == 204
    assert (await listed(api, spammer, p.room))["banned"] is False
    assert (await api.join(spammer, p.room)).status_code == 200

    # what moderators may not do
    assert await post(api, p.bob, f"{base}/kick", {"username": p.alice.username}) == (
        403,
        {"error": {"code": "forbidden", "message": "the room's owner cannot be moderated"}},
    )
    assert (await post(api, p.bob, f"{base}/ban", {"username": p.bob.username}))[0] == 400
    assert (await post(api, carol, f"{base}/kick", {"username": spammer.username}))[0] == 403
    assert (await post(api, p.bob, f"{base}/kick", {"username": "nobody_here"}))[0] == 404
    for seconds in (-5, 0, 10**9):
        assert (
            await post(api, p.bob, f"{base}/mute", {"username": carol.username, "seconds": seconds})
        )[0] == 400
    r = await api.http.put(
        f"{base}/members/{p.alice.username}/role", json={"role": "member"}, headers=p.alice.headers
    )
    assert r.status_code == 400  # the owner stays owner
    assert (await post(api, p.bob, f"{base}/archive"))[0] == 403  # owner only

    # topic (moderators), archive (owner): read-only from then on
    r = await api.http.patch(base, json={"topic": "be kind"}, headers=p.bob.headers)
    assert r.status_code == 204
    updated = await p.a.wait_for("roomUpdated", lambda e: e["room"]["topic"] is not None)
    assert updated["room"]["topic"] == "be kind"
    # the role change before it was announced as a room update too
    assert p.a.events["roomUpdated"][0]["room"]["topic"] is None
    assert (await post(api, p.alice, f"{base}/archive"))[0] == 204
    await p.b.wait_for("roomUpdated", lambda e: e["room"]["archived"])
    refused = await p.a.send(p.room, "anyone?")
    assert refused["ok"] is False and refused["error"]["code"] == "forbidden"
    assert (await api.history(carol, p.room)).status_code == 200  # still readable

    # delete: gone for every member, live
    r = await api.http.delete(base, headers=p.bob.headers)
    assert r.status_code == 403
    r = await api.http.delete(base, headers=p.alice.headers)
    assert r.status_code == 204
    for c in (p.b, s):
        gone = await c.wait_for("roomDeleted")
        assert gone == {"room": p.room}
    assert (await api.history(p.alice, p.room)).status_code == 404


async def test_admins_deactivate_and_read_the_audit_log(
    server: ServerProcess, api: Api, clients
) -> None:
    boss, eve, ann = (
        await api.register("boss"),
        await api.register("eve"),
        await api.register("ann"),
    )
    done = await asyncio.to_thread(operator, server, "users", "set-role", boss.username, "admin")
    assert done.returncode == 0, done.stderr
    missing = await asyncio.to_thread(
        operator, server, "users", "set-role", "no_such_user", "admin"
    )
    assert missing.returncode == 1 and "no user named" in missing.stderr

    e = await clients(server.url, eve.access_token)
    assert (await post(api, ann, f"/api/admin/users/{eve.username}/deactivate"))[0] == 403
    assert (await post(api, boss, f"/api/admin/users/{eve.username}/deactivate"))[0] == 204
    ended = await e.wait_for("sessionEnded")
    assert ended["code"] == "unauthorized"
    assert (await api.http.get("/api/me", headers=eve.headers)).status_code == 401
    r = await api.http.post(
        "/api/auth/login", json={"username": eve.username, "password": eve.password}
    )
    assert r.status_code == 403 and "deactivated" in r.json()["error"]["message"]
    assert (await post(api, boss, f"/api/admin/users/{eve.username}/reactivate"))[0] == 204
    r = await api.http.post(
        "/api/auth/login", json={"username": eve.username, "password": eve.password}
    )
    assert r.status_code == 200

    r = await api.http.get("/api/admin/users", params={"q": eve.username}, headers=boss.headers)
    assert [(u["username"], u["admin"], u["deactivated"]) for u in r.json()["users"]] == [
        (eve.username, False, False)
    ]
    assert (await api.http.get("/api/admin/users", headers=ann.headers)).status_code == 403
    r = await api.http.get("/api/admin/audit", headers=ann.headers)
    assert r.status_code == 403
    r = await api.http.get("/api/admin/audit", params={"limit": 200}, headers=boss.headers)
    log = AuditOut.model_validate(r.json()).entries
    mine = [
        (x.action, x.target, x.actor.username if x.actor else None)
        for x in log
        if x.target in (eve.username, boss.username)
    ]
    assert mine[:3] == [
        ("reactivate", eve.username, boss.username),
        ("deactivate", eve.username, boss.username),
        ("set_role", boss.username, None),
    ]


async def test_a_password_change_ends_every_other_login(
    server: ServerProcess, api: Api, clients
) -> None:
    ann = await api.register("ann")
    r = await api.http.post(
        "/api/auth/login", json={"username": ann.username, "password": ann.password}
    )
    other = Account(
        ann.id, ann.username, ann.password, r.json()["access_token"], r.json()["refresh_token"]
    )
    phone = await clients(server.url, other.access_token)
    laptop = await clients(server.url, ann.access_token)

    wrong = await post(
        api, ann, "/api/me/password", {"old_password": "nope nope", "new_password": "new secret 1"}
    )
    assert wrong[0] == 401
    ok = await post(
        api, ann, "/api/me/password", {"old_password": ann.password, "new_password": "new secret 1"}
    )
    assert ok[0] == 204
    await phone.wait_for("sessionEnded")
    assert (await api.http.get("/api/me", headers=other.headers)).status_code == 401
    r = await api.http.post("/api/auth/refresh", json={"refresh_token": other.refresh_token})
    assert r.status_code == 401
    # the login that changed it goes on
    assert (await api.http.get("/api/me", headers=ann.headers)).status_code == 200
    await settle()
    assert laptop.events["sessionEnded"] == [] and laptop.sio.connected
    r = await api.http.post(
        "/api/auth/login", json={"username": ann.username, "password": ann.password}
    )
    assert r.status_code == 401
    r = await api.http.post(
        "/api/auth/login", json={"username": ann.username, "password": "new secret 1"}
    )
    assert r.status_code == 200
