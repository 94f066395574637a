"""The main screens at desktop and phone width, light and dark; screenshots go to
test-artifacts/ (kept out of git; docs/screenshots has copies for the README)."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, PersonFactory
from tests.support import Account, Api, Client, ServerProcess

PASSWORD = "correct horse battery"


async def account(api: Api, username: str) -> Account:
    r = await api.http.post("/api/auth/register", json={"username": username, "password": PASSWORD})
    assert r.status_code == 201, r.text
    body = r.json()
    return Account(
        body["user"]["id"], username, PASSWORD, body["access_token"], body["refresh_token"]
    )


async def room(api: Api, owner: Account, name: str, *, private: bool = False) -> str:
    r = await api.http.post(
        "/api/rooms", json={"name": name, "private": private}, headers=owner.headers
    )
    assert r.status_code == 201, r.text
    return name


async def test_main_screens_on_desktop_and_phone(
    own_server: ServerProcess, people: PersonFactory, artifacts_dir: Path
):
    """A small team's day: rooms with unread counts, a conversation, someone typing."""
    url = own_server.url
    api = Api(url)
    talkers: list[Client] = []
    try:
        alice, bob, carol = [await account(api, n) for n in ("alice", "bob", "carol")]
        design = await room(api, alice, "design-review")
        general = await room(api, alice, "general")
        release = await room(api, alice, "release-planning", private=True)
        await room(api, carol, "random")
        await api.invite(alice, release, "bob")
        for name in (design, general, release):
            await api.join(bob, name)
        for name in (design, general):
            await api.join(carol, name)

        a, c = Client(url, alice.access_token), Client(url, carol.access_token)
        talkers += [a, c]
        await a.connect()
        await c.connect()
        script = [
            (a, "Morning! The new build is on staging: https://staging.example.com/build/412"),
            (c, "Nice. Checking the sign-up flow now."),
            (c, "Found one thing: the password hint\nis cut off on small screens."),
            (a, "Good catch, I'll file it. Can we move the review to 3pm?"),
        ]
        for who, text in script:
            assert (await who.send(design, text))["ok"]
        for text in ("Lunch at 12:30?", "The coffee machine is fixed!"):
            assert (await c.send(general, text))["ok"]

        # The login screen.
        visitor = await people(url)
        await visitor.page.goto("/")
        await expect(visitor.page.get_by_role("button", name="Log in")).to_be_visible()
        await visitor.page.screenshot(path=artifacts_dir / "login-desktop.png")

        # Desktop, light and dark.
        for dark in (False, True):
            desk = await people(url, viewport=DESKTOP, dark=dark)
            await desk.log_in("bob")
            await desk.open_room(design)
            if not dark:
                await desk.send(design, "3pm works for me.")
            await c.call("typing", {"room": design})
            await expect(desk.typing_line()).to_have_text("carol is typing…")
            await expect(desk.room_link(general).locator(".badge")).to_have_text("2")
            await expect(desk.members(design)).to_contain_text("3 of 3 online")
            suffix = "-dark" if dark else ""
            await desk.page.screenshot(path=artifacts_dir / f"chat-desktop{suffix}.png")
            await desk.close()

        # Phone: the room list, then a room, then its people.
        phone = await people(url, viewport=PHONE)
        await phone.log_in("bob")
        page = phone.page
        await expect(phone.rooms_nav).to_be_visible()
        await expect(page.get_by_role("button", name="Join random")).to_be_visible()
        await expect(page.get_by_role("main")).to_be_hidden()
        await page.screenshot(path=artifacts_dir / "rooms-phone.png")

        await phone.room_link(design).click()
        await expect(phone.composer(design)).to_be_visible()
        await expect(phone.rooms_nav).to_be_hidden()
        # The icon-only Send button still has a name for screen readers.
        await expect(page.get_by_role("button", name="Send", exact=True)).to_be_visible()
        await expect(phone.members(design)).to_be_hidden()
        await c.call("typing", {"room": design})
        await expect(phone.typing_line()).to_have_text("carol is typing…")
        await page.screenshot(path=artifacts_dir / "chat-phone.png")

        await page.get_by_role("button", name="People (3)").click()
        await expect(phone.members(design)).to_be_visible()
        await expect(phone.members(design)).to_contain_text("3 of 3 online")
        await page.screenshot(path=artifacts_dir / "people-phone.png")
        await phone.members(design).get_by_role("button", name="Close").click()
        await expect(phone.members(design)).to_be_hidden()

        await page.get_by_role("link", name="Back to rooms").click()
        await expect(phone.rooms_nav).to_be_visible()
        await expect(phone.composer(design)).to_be_hidden()
        for person in (visitor, phone):
            assert person.errors == []
    finally:
        for talker in talkers:
            await talker.close()
        await api.close()
