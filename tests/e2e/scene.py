"""A small team's day on a fresh server, made through the API and Socket.IO: what the
screenshots show and what the accessibility checks walk through.

Bob is the reader (a moderator of release-planning). Alice (display name "Alice Liddell") owns
the rooms; Carol talks too.
In design-review: a link, a reply with its quote, reactions (one of them Bob's), an edited
message (Bob's own), a deleted one, a mention of Bob, an image and a file; unread messages in
general; a private room; a public room Bob has not joined; a DM between Alice and Bob.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, ImageDraw

from tests.support import Account, Api, Client

PASSWORD = "correct horse battery"


@dataclass
class Scene:
    url: str
    api: Api
    alice: Account
    bob: Account
    carol: Account
    design: str
    general: str
    release: str
    random: str
    dm: str
    """The DM's (generated) room name."""
    a: Client
    c: Client
    """Alice's and Carol's sockets (to type, or to send more)."""
    clients: list[Client] = field(default_factory=list)

    async def close(self) -> None:
        for client in self.clients:
            await client.close()
        await self.api.close()


async def account(api: Api, username: str, display_name: str | None = None) -> Account:
    r = await api.http.post("/api/auth/register", json={"username": username, "password": PASSWORD})
    assert r.status_code == 201, r.text
    body = r.json()
    me = Account(
        body["user"]["id"], username, PASSWORD, body["access_token"], body["refresh_token"]
    )
    if display_name:
        r = await api.http.patch("/api/me", json={"display_name": display_name}, headers=me.headers)
        assert r.status_code == 200, r.text
    return me


async def room(api: Api, owner: Account, name: str, *, private: bool = False) -> str:
    r = await api.http.post(
        "/api/rooms", json={"name": name, "private": private}, headers=owner.headers
    )
    assert r.status_code == 201, r.text
    return name


def mockup_png() -> bytes:
    """A sign-up form on a small screen, its password hint cut off at the right edge: the
    image in the conversation."""
    img = Image.new("RGB", (320, 180), (246, 247, 250))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((40, 16, 300, 172), 12, fill=(255, 255, 255), outline=(210, 214, 222))
    d.rectangle((62, 34, 170, 44), fill=(40, 44, 52))  # the title
    for top in (58, 112):
        d.rounded_rectangle((62, 0 + top, 280, top + 24), 5, outline=(190, 196, 206), width=2)
    d.rectangle((62, 90, 320, 97), fill=(220, 38, 38))  # the hint, running off the screen
    d.rounded_rectangle((62, 146, 150, 164), 6, fill=(79, 70, 229))  # the button
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


async def upload(api: Api, who: Account, room_name: str, name: str, data: bytes, mime: str) -> int:
    r = await api.http.post(
        f"/api/rooms/{room_name}/uploads",
        files={"file": (name, data, mime)},
        headers=who.headers,
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def say(who: Client, room_name: str, text: str, **extra: Any) -> dict[str, Any]:
    ack = await who.call("sendMessage", {"room": room_name, "text": text, **extra})
    assert ack["ok"], ack
    return ack["message"]


async def team_day(url: str) -> Scene:
    api = Api(url)
    alice = await account(api, "alice", "Alice Liddell")
    bob = await account(api, "bob")
    carol = await account(api, "carol")
    design = await room(api, alice, "design-review")
    general = await room(api, alice, "general")
    release = await room(api, alice, "release-planning", private=True)
    random = await room(api, carol, "random")
    await api.invite(alice, release, "bob")
    for name in (design, general, release):
        await api.join(bob, name)
    for name in (design, general):
        await api.join(carol, name)
    # Bob moderates release-planning: its settings are his to open.
    r = await api.http.put(
        f"/api/rooms/{release}/members/bob/role", json={"role": "moderator"}, headers=alice.headers
    )
    assert r.status_code == 204, r.text

    a, b, c = (
        Client(url, alice.access_token),
        Client(url, bob.access_token),
        Client(url, carol.access_token),
    )
    scene = Scene(
        url, api, alice, bob, carol, design, general, release, random, "", a, c, [a, b, c]
    )
    for client in scene.clients:
        await client.connect()

    await say(
        a, design, "Morning! The new build is on staging: https://staging.example.com/build/412"
    )
    checking = await say(c, design, "Nice. Checking the sign-up flow now.")
    found = await say(c, design, "Found one thing: the password hint\nis cut off on small screens.")
    shot = await upload(api, carol, design, "signup-form.png", mockup_png(), "image/png")
    await say(c, design, "Here it is:", attachments=[shot])
    gone = await say(a, design, "Wrong link, ignore that one")
    await a.call("deleteMessage", {"room": design, "seq": gone["seq"]})
    answer = await say(
        a, design, "Good catch, I'll file it. Can we move the review to 3pm?", reply_to=found["seq"]
    )
    notes = await upload(
        api, alice, design, "review-notes.txt", b"1. sign-up hint\n2. contrast\n", "text/plain"
    )
    await say(a, design, "Notes so far:", attachments=[notes])
    mine = await say(b, design, "3pm work for me.")
    await b.call("editMessage", {"room": design, "seq": mine["seq"], "text": "3pm works for me."})
    await say(c, design, "@bob could you check the release notes before then?")
    for who, seq, emoji in (
        (b, answer["seq"], "👍"),
        (c, answer["seq"], "👍"),
        (a, checking["seq"], "🎉"),
    ):
        assert (await who.call("addReaction", {"room": design, "seq": seq, "emoji": emoji}))["ok"]

    for text in ("Lunch at 12:30?", "The coffee machine is fixed!"):
        await say(c, general, text)
    await say(a, release, "Release candidate on Thursday.")

    r = await api.http.post("/api/dms", json={"usernames": ["bob"]}, headers=alice.headers)
    assert r.status_code in (200, 201), r.text
    scene.dm = r.json()["name"]
    await say(a, scene.dm, "Have you got a minute after the review?")
    await say(b, scene.dm, "Sure, ping me.")
    await b.close()  # Bob comes in through the browser
    scene.clients.remove(b)
    return scene
