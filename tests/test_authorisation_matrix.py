"""The authorisation matrix: every REST route and every Socket.IO event, by every kind of
caller, and the answer each must get — in two tables, ``ROOM`` (what acts on one room, its
messages, files and webhooks) and ``SERVER`` (the caller's own account, bots, DMs, the
admin's tools) — on SQLite and PostgreSQL.

Callers: ``anon`` (no token), ``outsider`` (not a member), ``member`` (author of message
1), ``moderator``, ``owner``, ``admin`` (server admin, not a member), ``banned``,
``muted`` (author of message 2, sent before the mute), ``deactivated`` (their token
stopped working), ``bot`` (the owner's bot, a member, with its API token).

Answers: ``"ok"`` (a 2xx, or an ack with ``ok``); an HTTP status (REST) or PROTOCOL's
error code (a Socket.IO ack); for reads whose *content* is the point, ``"hit"``/``"miss"``
(a search that answered: whether the row's room's message is among the results — an
outsider must not find what they cannot read) and ``"listed"``/``"unlisted"`` (the room
list); ``None`` where the caller cannot open a socket at all (anon and deactivated are
refused at connect: the last test).

A row labelled "… (private)" acts on a private room, "… (archived)" on an archived public
one, any other on a public room. Every room is set up the same way (``Scene``, made when a
row first needs it). Rows run side by side; ``SHARED`` rows, which change nothing any row
depends on, share one room of each kind; in ``HARMLESS`` rows no success can change
another caller's answer, so their cells run at once; any other row runs in order, and a
success gets the next cell a fresh room. Every route of the OpenAPI document and every
event the Socket.IO server registers must have a row (``NO_CALLER``: the routes without
one, and why).
"""

from __future__ import annotations

import asyncio
import io
import re
import string
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio
import socketio
from PIL import Image

from hubbub.config import Settings
from hubbub.realtime.server import RealtimeServer
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
# The answers, short: ok; an HTTP status; F, a Socket.IO ack's "forbidden"; hit/miss (a
# search); IN/OUT (listed or not); _, no socket (refused at connect).
ok, F, hit, miss, IN, OUT = "ok", "forbidden", "hit", "miss", "listed", "unlisted"
_: None = None
# What acts on one room. (private)/(archived): the room's kind; otherwise public.
ROOM: dict[str, tuple[Any, ...]] = {
    #                            anon  out   mem   mod   own   admin ban   muted deact bot
    # ---- Socket.IO events
    "joinRoom":                  (_,    ok,   ok,   ok,   ok,   ok,   F,    ok,   _,    ok),
    "joinRoom (private)":        (_,    F,    ok,   ok,   ok,   ok,   F,    ok,   _,    ok),
    "leaveRoom":                 (_,    ok,   ok,   ok,   ok,   ok,   ok,   ok,   _,    ok),
    "sendMessage":               (_,    F,    ok,   ok,   ok,   F,    F,    F,    _,    ok),
    "sendMessage (archived)":    (_,    F,    F,    F,    F,    F,    F,    F,    _,    F),
    "typing":                    (_,    F,    ok,   ok,   ok,   F,    F,    F,    _,    ok),
    "typing (archived)":         (_,    F,    F,    F,    F,    F,    F,    F,    _,    F),
    "editMessage":               (_,    F,    ok,   F,    F,    F,    F,    F,    _,    F),
    "editMessage (archived)":    (_,    F,    F,    F,    F,    F,    F,    F,    _,    F),
    "deleteMessage":             (_,    F,    ok,   ok,   ok,   ok,   F,    F,    _,    F),
    "deleteMessage (archived)":  (_,    F,    F,    ok,   ok,   ok,   F,    F,    _,    F),
    "addReaction":               (_,    F,    ok,   ok,   ok,   F,    F,    F,    _,    ok),
    "addReaction (archived)":    (_,    F,    F,    F,    F,    F,    F,    F,    _,    F),
    "removeReaction":            (_,    F,    ok,   ok,   ok,   F,    F,    F,    _,    ok),
    "sync":                      (_,    ok,   ok,   ok,   ok,   ok,   ok,   ok,   _,    ok),
    "sync (private)":            (_,    F,    ok,   ok,   ok,   ok,   F,    ok,   _,    ok),
    "markRead":                  (_,    F,    ok,   ok,   ok,   F,    F,    ok,   _,    ok),
    "markRead (archived)":       (_,    F,    ok,   ok,   ok,   F,    F,    ok,   _,    ok),
    # ---- REST: reading
    "history":                   (401,  ok,   ok,   ok,   ok,   ok,   ok,   ok,   401,  ok),
    "history (private)":         (401,  403,  ok,   ok,   ok,   ok,   403,  ok,   401,  ok),
    "replies":                   (401,  ok,   ok,   ok,   ok,   ok,   ok,   ok,   401,  ok),
    "replies (private)":         (401,  403,  ok,   ok,   ok,   ok,   403,  ok,   401,  ok),
    "members":                   (401,  ok,   ok,   ok,   ok,   ok,   ok,   ok,   401,  ok),
    "members (private)":         (401,  403,  ok,   ok,   ok,   ok,   403,  ok,   401,  ok),
    "search":                    (401,  hit,  hit,  hit,  hit,  hit,  hit,  hit,  401,  hit),
    "search (private)":          (401,  miss, hit,  hit,  hit,  miss, miss, hit,  401,  hit),
    "search in room (private)":  (401,  403,  hit,  hit,  hit,  hit,  403,  hit,  401,  hit),
    # ---- REST: membership
    "join":                      (401,  ok,   ok,   ok,   ok,   ok,   403,  ok,   401,  ok),
    "join (private)":            (401,  403,  ok,   ok,   ok,   ok,   403,  ok,   401,  ok),
    # any member may leave (PROTOCOL), the owner too: the room then has no owner
    "leave":                     (401,  ok,   ok,   ok,   ok,   ok,   ok,   ok,   401,  ok),
    # 400: public
    "invite":                    (401,  403,  403,  400,  400,  400,  403,  403,  401,  403),
    "invite (private)":          (401,  403,  403,  ok,   ok,   ok,   403,  403,  401,  403),
    "read mark":                 (401,  403,  ok,   ok,   ok,   403,  403,  ok,   401,  ok),
    "notifications":             (401,  403,  ok,   ok,   ok,   403,  403,  ok,   401,  ok),
    # ---- REST: messages
    "edit message 1":            (401,  403,  ok,   403,  403,  403,  403,  403,  401,  403),
    # muted's own
    "edit message 2":            (401,  403,  403,  403,  403,  403,  403,  403,  401,  403),
    "delete message 1":          (401,  403,  ok,   ok,   ok,   ok,   403,  403,  401,  403),
    # muted's own
    "delete message 2":          (401,  403,  403,  ok,   ok,   ok,   403,  403,  401,  403),
    "react":                     (401,  403,  ok,   ok,   ok,   403,  403,  403,  401,  ok),
    "unreact":                   (401,  403,  ok,   ok,   ok,   403,  403,  403,  401,  ok),
    # ---- REST: files
    "upload":                    (401,  403,  ok,   ok,   ok,   403,  403,  403,  401,  ok),
    "upload (archived)":         (401,  403,  403,  403,  403,  403,  403,  403,  401,  403),
    "pending uploads":           (401,  403,  ok,   ok,   ok,   403,  403,  ok,   401,  ok),
    "fetch attachment":          (401,  ok,   ok,   ok,   ok,   ok,   ok,   ok,   401,  ok),
    "fetch attachment (private)":(401,  403,  ok,   ok,   ok,   ok,   403,  ok,   401,  ok),
    # member's
    "fetch pending upload":      (401,  404,  ok,   404,  404,  404,  404,  404,  401,  404),
    # ---- REST: running the room
    "kick member":               (401,  403,  403,  ok,   ok,   ok,   403,  403,  401,  403),
    "ban member":                (401,  403,  403,  ok,   ok,   ok,   403,  403,  401,  403),
    "mute member":               (401,  403,  403,  ok,   ok,   ok,   403,  403,  401,  403),
    "unban banned":              (401,  403,  403,  ok,   ok,   ok,   403,  403,  401,  403),
    "bans":                      (401,  403,  403,  ok,   ok,   ok,   403,  403,  401,  403),
    # 400: oneself
    "kick owner":                (401,  403,  403,  403,  400,  403,  403,  403,  401,  403),
    "kick moderator":            (401,  403,  403,  400,  ok,   ok,   403,  403,  401,  403),
    "ban admin":                 (401,  403,  403,  403,  403,  400,  403,  403,  401,  403),
    "promote member":            (401,  403,  403,  403,  ok,   ok,   403,  403,  401,  403),
    "demote moderator":          (401,  403,  403,  403,  ok,   ok,   403,  403,  401,  403),
    "topic":                     (401,  403,  403,  ok,   ok,   ok,   403,  403,  401,  403),
    "archive":                   (401,  403,  403,  403,  ok,   ok,   403,  403,  401,  403),
    "delete room":               (401,  403,  403,  403,  ok,   ok,   403,  403,  401,  403),
    # ---- REST: webhooks (the hook's URL is the credential: a token changes nothing)
    "create webhook":            (401,  403,  403,  ok,   ok,   ok,   403,  403,  401,  403),
    "webhooks":                  (401,  403,  403,  ok,   ok,   ok,   403,  403,  401,  403),
    "delete webhook":            (401,  403,  403,  ok,   ok,   ok,   403,  403,  401,  403),
    "post to webhook":           (ok,   ok,   ok,   ok,   ok,   ok,   ok,   ok,   ok,   ok),
    "post to webhook (archived)":(403,  403,  403,  403,  403,  403,  403,  403,  403,  403),
}  # fmt: skip
# What acts on the caller's own account, on other accounts, or on no room in particular.
SERVER: dict[str, tuple[Any, ...]] = {
    #                            anon  out   mem   mod   own   admin ban   muted deact bot
    "reauth":                    (_,    ok,   ok,   ok,   ok,   ok,   ok,   ok,   _,    ok),
    "me":                        (401,  ok,   ok,   ok,   ok,   ok,   ok,   ok,   401,  ok),
    "set display name":          (401,  ok,   ok,   ok,   ok,   ok,   ok,   ok,   401,  ok),
    "find users":                (401,  ok,   ok,   ok,   ok,   ok,   ok,   ok,   401,  ok),
    "online users":              (401,  ok,   ok,   ok,   ok,   ok,   ok,   ok,   401,  ok),
    "room list (private)":       (401,  OUT,  IN,   IN,   IN,   OUT,  OUT,  IN,   401,  IN),
    "create room":               (401,  ok,   ok,   ok,   ok,   ok,   ok,   ok,   401,  ok),
    "open dm":                   (401,  ok,   ok,   ok,   ok,   ok,   ok,   ok,   401,  ok),
    "create bot":                (401,  ok,   ok,   ok,   ok,   ok,   ok,   ok,   401,  403),
    "bots":                      (401,  ok,   ok,   ok,   ok,   ok,   ok,   ok,   401,  ok),
    "delete owner's bot":        (401,  404,  404,  404,  ok,   404,  404,  404,  401,  404),
    "accounts":                  (401,  403,  403,  403,  403,  ok,   403,  403,  401,  403),
    "deactivate":                (401,  403,  403,  403,  403,  ok,   403,  403,  401,  403),
    "reactivate":                (401,  403,  403,  403,  403,  ok,   403,  403,  401,  403),
    "audit log":                 (401,  403,  403,  403,  403,  ok,   403,  403,  401,  403),
    # no token: the caller's own name and password (anon: an unknown pair; a bot has none)
    "log in":                    (401,  ok,   ok,   ok,   ok,   ok,   ok,   ok,   403,  401),
    "refresh":                   (401,  ok,   ok,   ok,   ok,   ok,   ok,   ok,   401,  401),
    "change password":           (401,  ok,   ok,   ok,   ok,   ok,   ok,   ok,   401,  403),
}  # fmt: skip


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@dataclass(frozen=True)
class Http:
    """A request; ``{…}`` in the path or a body string is filled by ``Scene.fill``."""

    method: str
    path: str
    body: dict[str, Any] | None = None
    upload: bool = False  # a multipart file instead of a JSON body
    answer: str | None = None  # "hits", "listed": the answer is read from a 200's body
    token: bool = True  # False: the route takes no token (the caller's is not sent)


@dataclass(frozen=True)
class Event:
    """A Socket.IO event on the caller's socket; its payload is filled like ``Http``'s."""

    name: str
    payload: dict[str, Any]


R = "/api/rooms/{room}"
M1 = {"room": "{room}", "seq": 1}
CALLS: dict[str, Http | Event] = {
    "joinRoom": Event("joinRoom", {"room": "{room}"}),
    "leaveRoom": Event("leaveRoom", {"room": "{room}"}),
    "sendMessage": Event("sendMessage", {"room": "{room}", "text": "hello"}),
    "typing": Event("typing", {"room": "{room}"}),
    "editMessage": Event("editMessage", {**M1, "text": "changed"}),
    "deleteMessage": Event("deleteMessage", M1),
    "addReaction": Event("addReaction", {**M1, "emoji": "👍"}),
    "removeReaction": Event("removeReaction", {**M1, "emoji": "👍"}),
    "sync": Event("sync", {"rooms": {"{room}": 0}}),
    "markRead": Event("markRead", M1),
    "reauth": Event("reauth", {"token": "{my_token}"}),
    "history": Http("GET", f"{R}/messages"),
    "replies": Http("GET", f"{R}/messages/1/replies"),
    "members": Http("GET", f"{R}/members"),
    "search": Http("GET", "/api/search?q={word}", answer="hits"),
    "search in room": Http("GET", "/api/search?q={word}&room={room}", answer="hits"),
    "join": Http("POST", f"{R}/join"),
    "leave": Http("POST", f"{R}/leave"),
    "invite": Http("POST", f"{R}/invite", {"username": "{outsider}"}),
    "read mark": Http("POST", f"{R}/read", {"seq": 1}),
    "notifications": Http("PUT", f"{R}/notifications", {"level": "mentions"}),
    "edit message 1": Http("PATCH", f"{R}/messages/1", {"text": "changed"}),
    "edit message 2": Http("PATCH", f"{R}/messages/2", {"text": "changed"}),
    "delete message 1": Http("DELETE", f"{R}/messages/1"),
    "delete message 2": Http("DELETE", f"{R}/messages/2"),
    "react": Http("PUT", f"{R}/messages/1/reactions/👍"),
    "unreact": Http("DELETE", f"{R}/messages/1/reactions/👍"),
    "upload": Http("POST", f"{R}/uploads", upload=True),
    "pending uploads": Http("GET", f"{R}/uploads"),
    "fetch attachment": Http("GET", "/api/uploads/{attachment}"),
    "fetch pending upload": Http("GET", "/api/uploads/{pending}"),
    "kick member": Http("POST", f"{R}/kick", {"username": "{member}"}),
    "ban member": Http("POST", f"{R}/ban", {"username": "{member}"}),
    "mute member": Http("POST", f"{R}/mute", {"username": "{member}", "seconds": 60}),
    "unban banned": Http("DELETE", f"{R}/bans/{{banned}}"),
    "bans": Http("GET", f"{R}/bans"),
    "kick owner": Http("POST", f"{R}/kick", {"username": "{owner}"}),
    "kick moderator": Http("POST", f"{R}/kick", {"username": "{moderator}"}),
    "ban admin": Http("POST", f"{R}/ban", {"username": "{admin}"}),
    "promote member": Http("PUT", f"{R}/members/{{member}}/role", {"role": "moderator"}),
    "demote moderator": Http("PUT", f"{R}/members/{{moderator}}/role", {"role": "member"}),
    "topic": Http("PATCH", R, {"topic": "new topic"}),
    "archive": Http("POST", f"{R}/archive"),
    "delete room": Http("DELETE", R),
    "create webhook": Http("POST", f"{R}/webhooks", {"name": "deploys"}),
    "webhooks": Http("GET", f"{R}/webhooks"),
    "delete webhook": Http("DELETE", f"{R}/webhooks/{{webhook_id}}"),
    "post to webhook": Http("POST", "/api/hooks/{webhook_id}/{secret}", {"text": "deployed"}),
    "me": Http("GET", "/api/me"),
    "set display name": Http("PATCH", "/api/me", {"display_name": "Someone"}),
    "find users": Http("GET", "/api/users?q={member}"),
    "online users": Http("GET", "/api/users/online"),
    "room list": Http("GET", "/api/rooms", answer="listed"),
    "create room": Http("POST", "/api/rooms", {"name": "{new_name}"}),
    "open dm": Http("POST", "/api/dms", {"usernames": ["{peer}"]}),
    "create bot": Http("POST", "/api/bots", {"username": "{new_name}"}),
    "bots": Http("GET", "/api/bots"),
    "delete owner's bot": Http("DELETE", "/api/bots/{spare_bot}"),
    "accounts": Http("GET", "/api/admin/users"),
    "deactivate": Http("POST", "/api/admin/users/{victim}/deactivate"),
    "reactivate": Http("POST", "/api/admin/users/{inactive}/reactivate"),
    "audit log": Http("GET", "/api/admin/audit"),
    "log in": Http(
        "POST", "/api/auth/login", {"username": "{me}", "password": "{my_password}"}, token=False
    ),
    "refresh": Http("POST", "/api/auth/refresh", {"refresh_token": "{my_refresh}"}, token=False),
    "change password": Http(
        "POST", "/api/me/password", {"old_password": "{my_password}", "new_password": "{new_name}"}
    ),
}
ROWS_AT_ONCE = 8  # the room table's rows run side by side (each makes its own rooms)
# Rows that change nothing another row's answers depend on: they share one scene of each
# kind, side by side. Of the others, HARMLESS rows' successes cannot change a later
# caller's answer in the same row; any other success gets the next cell a fresh scene.
SHARED = {
    *("sendMessage", "typing", "addReaction", "removeReaction", "sync", "markRead", "history"),
    *("replies", "members", "search", "search in room", "read mark", "notifications"),
    *("react", "unreact", "upload", "pending uploads", "fetch attachment", "bans"),
    *("fetch pending upload", "create webhook", "webhooks", "post to webhook"),
}
HARMLESS = {
    *("joinRoom", "leaveRoom", "editMessage", "reauth", "join", "leave", "invite"),
    *("edit message 1", "edit message 2", "topic", "me", "set display name", "find users"),
    *("online users", "room list", "create room", "open dm", "create bot", "bots"),
    *("accounts", "audit log", "log in", "refresh", "change password"),
}
# Routes with no caller to vary: no token taken, or nothing of anyone's to authorise.
NO_CALLER = {
    ("POST", "/api/auth/register"),
    ("POST", "/api/auth/logout"),  # its refresh token is the credential (see "refresh")
    ("GET", "/healthz"),
    ("GET", "/metrics"),
}
STATUS_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found"}


def _base(label: str) -> str:
    return label.removesuffix(" (private)").removesuffix(" (archived)")


def _kind(label: str) -> str:
    found = re.search(r"\((private|archived)\)$", label)
    return found.group(1) if found else "public"


@dataclass
class Cast:
    accounts: dict[str, Account]
    sockets: dict[str, Client]


@pytest_asyncio.fixture(scope="module")
async def cast(server: ServerProcess) -> AsyncIterator[Cast]:
    """The callers, once per store for both tables (the server table's password changes
    and refreshes keep each caller's own login working)."""
    api = Api(server.url)
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
        n: Client(server.url, accounts[n].access_token) for n in accounts if n != "deactivated"
    }
    try:
        await asyncio.gather(*(s.connect() for s in sockets.values()))
        # The deactivated caller: an admin deactivates them; their token stops at once.
        r = await api.http.post(
            f"/api/admin/users/{accounts['deactivated'].username}/deactivate",
            headers=accounts["admin"].headers,
        )
        assert r.status_code == 204, r.text
        yield Cast(accounts, sockets)
    finally:
        await asyncio.gather(*(s.close() for s in sockets.values()))
        await api.close()


class Scene:
    """What a row's cells act on, each part made when a cell first names it: ``{room}``
    (of the row's kind: message 1 by the member, holding the ``{word}`` to search for;
    message 2 by the muted member, sent before the mute; the banned member banned; the
    moderator made one), an ``{attachment}`` (on message 3, the member's), a member's
    ``{pending}`` upload, a ``{webhook_id}`` and its ``{secret}``; for the server's rows a
    ``{victim}`` to deactivate, an ``{inactive}`` user to reactivate, a ``{spare_bot}`` of
    the owner's, a ``{peer}`` for a DM. Rows running side by side may share one scene:
    each part is made once."""

    def __init__(self, api: Api, cast: Cast, kind: str) -> None:
        self.api, self.cast, self.kind = api, cast, kind
        self.values: dict[str, Any] = {n: a.username for n, a in cast.accounts.items()}
        self._making: dict[str, asyncio.Task[None]] = {}

    async def value(self, key: str) -> Any:
        if key not in self.values:
            maker = {"word": "room", "secret": "webhook_id"}.get(key, key)
            if maker not in self._making:
                self._making[maker] = asyncio.ensure_future(getattr(self, f"_make_{maker}")())
            await self._making[maker]
        return self.values[key]

    async def _post(self, who: str, path: str, want: int, **kw: Any) -> Any:
        r = await self.api.http.post(path, headers=self.cast.accounts[who].headers, **kw)
        assert r.status_code == want, (path, r.text)
        return r.json() if r.content else None

    async def _make_room(self) -> None:
        api, a = self.api, self.cast.accounts
        room = await api.create_room(a["owner"], private=self.kind == "private")
        base = f"/api/rooms/{room}"
        others = ("member", "moderator", "banned", "muted", "bot")
        if self.kind == "private":
            await asyncio.gather(*(api.invite(a["owner"], room, a[w].username) for w in others))
        joins = await asyncio.gather(*(api.join(a[w], room) for w in others))
        assert all(r.status_code == 200 for r in joins)
        r = await api.http.put(
            f"{base}/members/{a['moderator'].username}/role",
            json={"role": "moderator"},
            headers=a["owner"].headers,
        )
        assert r.status_code == 204, r.text
        word = "w" + unique("x").replace("_", "")
        sent = await self.cast.sockets["member"].send(room, f"message one {word}")
        assert sent["ok"] and sent["message"]["seq"] == 1, sent
        sent = await self.cast.sockets["muted"].send(room, "message two")
        assert sent["ok"] and sent["message"]["seq"] == 2, sent
        mute = {"username": a["muted"].username, "seconds": 600}
        await asyncio.gather(
            self._post("owner", f"{base}/ban", 204, json={"username": a["banned"].username}),
            self._post("owner", f"{base}/mute", 204, json=mute),
        )
        if self.kind == "archived":
            await self._make_webhook_id(room)  # made while it still can be
            await self._post("owner", f"{base}/archive", 204)
        self.values.update(room=room, word=word)  # only now: cells may run side by side

    async def _upload(self, room: str) -> int:
        file = {"file": ("a.png", _png(), "image/png")}
        return int(
            (await self._post("member", f"/api/rooms/{room}/uploads", 201, files=file))["id"]
        )

    async def _make_attachment(self) -> None:
        room = await self.value("room")
        attachment = await self._upload(room)
        sent = await self.cast.sockets["member"].call(
            "sendMessage", {"room": room, "text": "a file", "attachments": [attachment]}
        )
        assert sent["ok"], sent
        self.values["attachment"] = attachment

    async def _make_pending(self) -> None:
        self.values["pending"] = await self._upload(await self.value("room"))

    async def _make_webhook_id(self, room: str | None = None) -> None:
        room = room or await self.value("room")
        hook = await self._post("owner", f"/api/rooms/{room}/webhooks", 201, json={"name": "h"})
        self.values.update(webhook_id=hook["id"], secret=hook["url"].rsplit("/", 1)[1])

    async def _make_victim(self) -> None:
        self.values["victim"] = (await self.api.register("victim")).username

    async def _make_inactive(self) -> None:
        name = (await self.api.register("inactive")).username
        await self._post("admin", f"/api/admin/users/{name}/deactivate", 204)
        self.values["inactive"] = name

    async def _make_spare_bot(self) -> None:
        made = await self._post("owner", "/api/bots", 201, json={"username": unique("spare")[:20]})
        self.values["spare_bot"] = made["user"]["username"]

    async def _make_peer(self) -> None:
        self.values["peer"] = (await self.api.register("peer")).username

    async def fill(self, template: Any, caller: str) -> Any:
        """``template`` with every ``{name}`` replaced (a string that is one placeholder
        takes the value as it is, an int stays an int)."""
        if isinstance(template, dict):
            return {
                await self.fill(k, caller): await self.fill(v, caller) for k, v in template.items()
            }
        if isinstance(template, list):
            return [await self.fill(v, caller) for v in template]
        if not isinstance(template, str):
            return template
        names = [f for _, f, _, _ in string.Formatter().parse(template) if f]
        values = {n: await self._value_for(n, caller) for n in names}
        if len(names) == 1 and template == "{" + names[0] + "}":
            return values[names[0]]
        return template.format(**values)

    async def _value_for(self, name: str, caller: str) -> Any:
        """The caller's own (``{me}``, ``{my_password}``…), something new, or the scene's."""
        account = self.cast.accounts.get(caller)
        if name == "me":
            return account.username if account else unique("nobody")
        if name == "my_password":
            return (account.password if account else "") or "not the password"
        if name == "my_refresh":
            return (account.refresh_token if account else "") or "not-a-refresh-token"
        if name == "my_token":
            return account.access_token if account else ""
        if name == "new_name":
            return unique("new")[:20]
        return await self.value(name)


async def _attempt(api: Api, cast: Cast, scene: Scene, caller: str, label: str) -> Any:
    call = CALLS[_base(label)]
    if isinstance(call, Event):
        ack = await cast.sockets[caller].call(call.name, await scene.fill(call.payload, caller))
        if not ack["ok"]:
            assert ack["error"]["message"], ack  # a clear error
            return ack["error"]["code"]
        if call.name == "sync":  # per room: its messages, or why not
            room = await scene.value("room")
            if room in ack.get("errors", {}):
                return ack["errors"][room]["code"]
            assert [m["seq"] for m in ack["messages"][room]][:2] == [1, 2], ack
        return "ok"
    headers = cast.accounts[caller].headers if caller != "anon" and call.token else {}
    path = await scene.fill(call.path, caller)
    kwargs: dict[str, Any] = {"headers": headers}
    if call.body is not None:
        kwargs["json"] = await scene.fill(call.body, caller)
    if call.upload:
        kwargs["files"] = {"file": ("c.png", _png(), "image/png")}
    room = await scene.value("room") if call.answer else None  # there before the request
    response = await api.http.request(call.method, path, **kwargs)
    status = response.status_code
    if status >= 400:
        body = response.json()
        assert set(body) == {"error"} and body["error"]["message"], body  # a clear error
        assert body["error"]["code"] == STATUS_CODES.get(status, body["error"]["code"])
        return status
    if call.answer == "hits":  # the row's room's message found, or not; never another's
        word = await scene.value("word")
        results = response.json()["results"]
        assert all(word in m["text"] and m["room"] == room for m in results), results
        return "hit" if results else "miss"
    if call.answer == "listed":
        return "listed" if room in {r["name"] for r in response.json()["rooms"]} else "unlisted"
    return "ok"


async def _run_row(
    api: Api, cast: Cast, label: str, expected: tuple[Any, ...], shared: dict[str, Scene]
) -> list[str]:
    kind, base = _kind(label), _base(label)
    cells = [(c, want) for c, want in zip(CALLERS, expected, strict=True) if want is not None]
    if base in SHARED | HARMLESS:  # no cell's success changes another's answer: all at once
        scene = (shared.get(kind) if base in SHARED else None) or Scene(api, cast, kind)
        got = await asyncio.gather(*(_attempt(api, cast, scene, c, label) for c, _ in cells))
    else:  # in order, and after a success the next cell on a fresh scene
        got, fresh = [], None
        for caller, _want in cells:
            fresh = fresh or Scene(api, cast, kind)
            got.append(await _attempt(api, cast, fresh, caller, label))
            fresh = None if got[-1] == "ok" else fresh
    return [
        f"{label} by {caller}: expected {want}, got {answer}"
        for (caller, want), answer in zip(cells, got, strict=True)
        if answer != want
    ]


async def test_every_room_operation_answers_every_caller_as_the_table_says(
    api: Api, cast: Cast
) -> None:
    gate = asyncio.Semaphore(ROWS_AT_ONCE)
    shared = {kind: Scene(api, cast, kind) for kind in ("public", "private", "archived")}

    async def row(label: str, expected: tuple[Any, ...]) -> list[str]:
        async with gate:
            return await _run_row(api, cast, label, expected, shared)

    found = await asyncio.gather(*(row(label, want) for label, want in ROOM.items()))
    wrong = [w for row_wrong in found for w in row_wrong]
    assert not wrong, "\n".join(wrong)


async def test_every_server_operation_answers_every_caller_as_the_table_says(
    api: Api, cast: Cast
) -> None:
    wrong: list[str] = []
    for label, expected in SERVER.items():  # in order: "change password" comes last
        wrong += await _run_row(api, cast, label, expected, {})
    assert not wrong, "\n".join(wrong)


def _pattern(route: str) -> re.Pattern[str]:
    """An OpenAPI path as a pattern the paths in ``CALLS`` match (``{…}`` is one segment)."""
    return re.compile(
        "".join("[^/]+" if p[:1] == "{" else re.escape(p) for p in re.split(r"(\{[^}]*\})", route))
    )


async def test_the_tables_cover_every_route_and_every_event(api: Api) -> None:
    labels = [*ROOM, *SERVER]
    assert {_base(label) for label in labels} == set(CALLS)  # each call has its row(s)
    assert all(_kind(label) == "public" or _base(label) != label for label in labels)
    document = (await api.http.get("/openapi.json")).json()
    requests = [(c.method, c.path.split("?")[0]) for c in CALLS.values() if isinstance(c, Http)]
    uncovered = {
        (method.upper(), route)
        for route, operations in document["paths"].items()
        for method in operations
        if not any(m == method.upper() and _pattern(route).fullmatch(p) for m, p in requests)
    }
    assert uncovered - NO_CALLER == set()
    # what a server registers, asked of a server (not read from its source)
    registered = set(RealtimeServer(Settings()).sio.handlers["/"])
    events = {c.name for c in CALLS.values() if isinstance(c, Event)}
    assert registered - {"connect", "disconnect", "*"} == events


@pytest.mark.parametrize("caller", ["anon", "deactivated"])
async def test_callers_without_a_working_token_cannot_connect(
    server: ServerProcess, api: Api, clients: Any, caller: str
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
