"""The authorisation matrix: every room operation by every kind of caller, and the answer
each must get, in one table — on SQLite and PostgreSQL. Each cell runs against a fresh
room set up the same way, so one cell's success cannot change another's answer.

Callers: ``anon`` (no token), ``outsider`` (not a member), ``member`` (author of message
1), ``moderator``, ``owner``, ``admin`` (server admin, not a member), ``banned``,
``muted``, ``deactivated`` (their token stopped working), ``bot`` (a member bot, with its
API token).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import pytest
import socketio

from tests.support import Account, Api, Client, ServerProcess, unique

CALLERS = (
    "anon",
    "outsider",
    "member",
    "moderator",
    "owner",
    "admin",
    "banned",
    "muted",
    "deactivated",
    "bot",
)
# operation: the answer for each caller, in CALLERS order ("ok": 2xx, or an ack with ok).
MATRIX: dict[str, tuple[Any, ...]] = {
    "history":        (401, "ok", "ok", "ok", "ok", "ok", "ok", "ok", 401, "ok"),
    "members":        (401, "ok", "ok", "ok", "ok", "ok", "ok", "ok", 401, "ok"),
    "join":           (401, "ok", "ok", "ok", "ok", "ok", 403, "ok", 401, "ok"),
    "send":           (None, 403, "ok", "ok", "ok", 403, 403, 403, None, "ok"),
    "edit_members":   (401, 403, "ok", 403, 403, 403, 403, 403, 401, 403),
    "delete_members": (401, 403, "ok", "ok", "ok", "ok", 403, 403, 401, 403),
    "react":          (401, 403, "ok", "ok", "ok", 403, 403, 403, 401, "ok"),
    "invite":         (401, 403, 403, 400, 400, 400, 403, 403, 401, 403),  # 400: a public room
    "kick_member":    (401, 403, 403, "ok", "ok", "ok", 403, 403, 401, 403),
    "ban_member":     (401, 403, 403, "ok", "ok", "ok", 403, 403, 401, 403),
    "mute_member":    (401, 403, 403, "ok", "ok", "ok", 403, 403, 401, 403),
    "kick_owner":     (401, 403, 403, 403, 400, 403, 403, 403, 401, 403),  # 400: oneself
    "kick_moderator": (401, 403, 403, 400, "ok", "ok", 403, 403, 401, 403),
    "promote_member": (401, 403, 403, 403, "ok", "ok", 403, 403, 401, 403),
    "topic":          (401, 403, 403, "ok", "ok", "ok", 403, 403, 401, 403),
    "archive":        (401, 403, 403, 403, "ok", "ok", 403, 403, 401, 403),
    "delete_room":    (401, 403, 403, 403, "ok", "ok", 403, 403, 401, 403),
    "audit_log":      (401, 403, 403, 403, 403, "ok", 403, 403, 401, 403),
}  # fmt: skip
# Operations whose success leaves the room as the next caller needs it; any other success
# (and the first cell of each row) gets a fresh room.
HARMLESS = {"history", "members", "join", "send", "react", "invite", "audit_log"}


@dataclass
class Cast:
    accounts: dict[str, Account]
    sockets: dict[str, Client]


async def _cast(server: ServerProcess, api: Api, clients) -> Cast:
    names = [c for c in CALLERS if c not in ("anon", "bot")]
    accounts = dict(
        zip(names, await asyncio.gather(*(api.register(n[:8]) for n in names)), strict=True)
    )
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "hubbub", "users", "set-role", accounts["admin"].username, "admin"],
        env=server.env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    r = await api.http.post(
        "/api/bots", json={"username": unique("mbot")[:20]}, headers=accounts["owner"].headers
    )
    assert r.status_code == 201, r.text
    bot = r.json()
    accounts["bot"] = Account(bot["user"]["id"], bot["user"]["username"], "", bot["token"], "")
    sockets = {
        n: await clients(server.url, accounts[n].access_token)
        for n in accounts
        if n != "deactivated"
    }
    return Cast(accounts, sockets)


async def _fresh_room(api: Api, cast: Cast) -> str:
    a = cast.accounts
    room = await api.create_room(a["owner"])
    for who in ("member", "moderator", "banned", "muted", "bot"):
        assert (await api.join(a[who], room)).status_code == 200
    h = a["owner"].headers
    base = f"/api/rooms/{room}"
    r = await api.http.put(
        f"{base}/members/{a['moderator'].username}/role", json={"role": "moderator"}, headers=h
    )
    assert r.status_code == 204, r.text
    r = await api.http.post(f"{base}/ban", json={"username": a["banned"].username}, headers=h)
    assert r.status_code == 204, r.text
    r = await api.http.post(
        f"{base}/mute", json={"username": a["muted"].username, "seconds": 600}, headers=h
    )
    assert r.status_code == 204, r.text
    sent = await cast.sockets["member"].send(room, "message one")
    assert sent["ok"] and sent["message"]["seq"] == 1
    return room


def _outcome(status: int) -> Any:
    return "ok" if 200 <= status < 300 else status


async def _attempt(api: Api, cast: Cast, caller: str, operation: str, room: str) -> Any:
    a = cast.accounts
    headers = a[caller].headers if caller != "anon" else {}
    base = f"/api/rooms/{room}"
    http = api.http
    if operation == "send":
        ack = await cast.sockets[caller].send(room, "hello")
        return "ok" if ack["ok"] else {"forbidden": 403, "not_found": 404}[ack["error"]["code"]]
    requests = {
        "history": lambda: http.get(f"{base}/messages", headers=headers),
        "members": lambda: http.get(f"{base}/members", headers=headers),
        "join": lambda: http.post(f"{base}/join", headers=headers),
        "edit_members": lambda: http.patch(
            f"{base}/messages/1", json={"text": "changed"}, headers=headers
        ),
        "delete_members": lambda: http.delete(f"{base}/messages/1", headers=headers),
        "react": lambda: http.put(f"{base}/messages/1/reactions/👍", headers=headers),
        "invite": lambda: http.post(
            f"{base}/invite", json={"username": a["outsider"].username}, headers=headers
        ),
        "kick_member": lambda: http.post(
            f"{base}/kick", json={"username": a["member"].username}, headers=headers
        ),
        "ban_member": lambda: http.post(
            f"{base}/ban", json={"username": a["member"].username}, headers=headers
        ),
        "mute_member": lambda: http.post(
            f"{base}/mute", json={"username": a["member"].username, "seconds": 60}, headers=headers
        ),
        "kick_owner": lambda: http.post(
            f"{base}/kick", json={"username": a["owner"].username}, headers=headers
        ),
        "kick_moderator": lambda: http.post(
            f"{base}/kick", json={"username": a["moderator"].username}, headers=headers
        ),
        "promote_member": lambda: http.put(
            f"{base}/members/{a['member'].username}/role",
            json={"role": "moderator"},
            headers=headers,
        ),
        "topic": lambda: http.patch(base, json={"topic": "new topic"}, headers=headers),
        "archive": lambda: http.post(f"{base}/archive", headers=headers),
        "delete_room": lambda: http.delete(base, headers=headers),
        "audit_log": lambda: http.get("/api/admin/audit", headers=headers),
    }
    response = await requests[operation]()
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"} and body["error"]["message"], body  # a clear error
    return _outcome(response.status_code)


async def test_every_operation_answers_every_caller_as_the_table_says(
    server: ServerProcess, api: Api, clients
) -> None:
    cast = await _cast(server, api, clients)
    # The deactivated caller: an admin deactivates them; their token stops at once.
    r = await api.http.post(
        f"/api/admin/users/{cast.accounts['deactivated'].username}/deactivate",
        headers=cast.accounts["admin"].headers,
    )
    assert r.status_code == 204
    wrong: list[str] = []
    for operation, expected in MATRIX.items():
        room = None
        for caller, want in zip(CALLERS, expected, strict=True):
            if want is None:
                continue  # no socket can be opened by this caller at all
            room = room or await _fresh_room(api, cast)
            got = await _attempt(api, cast, caller, operation, room)
            if got != want:
                wrong.append(f"{operation} by {caller}: expected {want}, got {got}")
            if got == "ok" and operation not in HARMLESS:
                room = None
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("caller", ["anon", "deactivated"])
async def test_callers_without_a_working_token_cannot_connect(
    server: ServerProcess, api: Api, clients, caller: str
) -> None:
    account = await api.register(unique("gone")[:8])
    token = None
    if caller == "deactivated":
        done = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "hubbub", "users", "deactivate", account.username],
            env=server.env(),
            capture_output=True,
            timeout=60,
        )
        assert done.returncode == 0
        token = account.access_token
    with pytest.raises(socketio.exceptions.ConnectionError):
        await clients(server.url, token)
