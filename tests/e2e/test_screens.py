"""The main screens at desktop and phone width, light and dark, in the scene of
tests/e2e/scene.py (a reply with its quote, reactions, a mention, an edited and a deleted
message, an image and a file, DMs, search results). Screenshots go to test-artifacts/ (kept
out of git); docs/screenshots has copies of chat-desktop, search-desktop-dark, chat-phone and
rooms-phone-dark for the README (taken with Debian's fonts-noto-color-emoji installed, so the
reactions show as emoji)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Page, expect

from tests.e2e.conftest import DESKTOP, PHONE, PersonFactory
from tests.e2e.people import Person
from tests.e2e.scene import PASSWORD, Scene, team_day
from tests.support import ServerProcess


async def images_loaded(page: Page) -> None:
    """Every image in the timeline has its bytes (fetched with the token, as blobs)."""
    images = page.locator(".timeline img")
    for i in range(await images.count()):
        await expect(images.nth(i)).to_have_js_property("complete", True)
        await expect(images.nth(i)).not_to_have_js_property("naturalWidth", 0)


async def in_the_room(person: Person, scene: Scene) -> None:
    """Design-review open at its newest messages, carol typing, nothing hovered."""
    room = scene.design
    await person.open_room(room)
    timeline = person.timeline(room)
    await expect(timeline.locator(".msg.mentioned")).to_have_count(1)
    await expect(timeline.locator(".chip")).to_have_count(2)
    await images_loaded(person.page)
    await scene.c.call("typing", {"room": room})
    await expect(person.typing_line()).to_have_text("carol is typing…")
    await person.page.mouse.move(0, 0)


async def test_main_screens_on_desktop_and_phone(
    own_server: ServerProcess, people: PersonFactory, artifacts_dir: Path
):
    """A small team's day: rooms and DMs with unread counts, a conversation, someone typing."""
    url = own_server.url
    scene = await team_day(url)
    try:
        # The login screen.
        visitor = await people(url)
        await visitor.page.goto("/")
        await expect(visitor.page.get_by_role("button", name="Log in")).to_be_visible()
        await visitor.page.screenshot(path=artifacts_dir / "login-desktop.png")

        # Desktop, light and dark: the room with its people; search results.
        for dark in (False, True):
            desk = await people(url, viewport=DESKTOP, dark=dark)
            await desk.log_in("bob", PASSWORD)
            await expect(desk.room_link(scene.general).locator(".badge")).to_have_text("2")
            await in_the_room(desk, scene)
            await expect(desk.members(scene.design)).to_contain_text("3 of 3 online")
            suffix = "-dark" if dark else ""
            await desk.page.screenshot(path=artifacts_dir / f"chat-desktop{suffix}.png")

            box = desk.page.get_by_label("Search messages")
            await box.fill("review")
            await box.press("Enter")
            results = desk.page.get_by_role("list", name=re.compile("Results for"))
            await expect(results.get_by_role("button")).to_have_count(2)
            await expect(results.locator("mark").first).to_have_text(re.compile("review", re.I))
            await desk.page.screenshot(path=artifacts_dir / f"search-desktop{suffix}.png")
            assert desk.errors == []
            await desk.close()

        # Phone, light and dark: the room list (the main content there), a room, its people.
        for dark in (False, True):
            phone = await people(url, viewport=PHONE, dark=dark)
            suffix = "-dark" if dark else ""
            page = phone.page
            await phone.log_in("bob", PASSWORD)
            await expect(phone.rooms_nav).to_be_visible()
            await expect(page.get_by_role("button", name="Join random")).to_be_visible()
            await expect(
                phone.rooms_nav.get_by_role("link", name=re.compile("^Alice Liddell"))
            ).to_be_visible()
            main = page.get_by_role("main")
            await expect(main).to_have_count(1)
            await expect(main.get_by_role("navigation", name="Rooms")).to_be_visible()
            await page.screenshot(path=artifacts_dir / f"rooms-phone{suffix}.png")

            await in_the_room(phone, scene)
            await expect(phone.rooms_nav).to_be_hidden()
            # The icon-only buttons still have names for screen readers.
            await expect(page.get_by_role("button", name="Send", exact=True)).to_be_visible()
            await expect(page.get_by_role("button", name="Notifications")).to_be_visible()
            await expect(phone.members(scene.design)).to_be_hidden()
            await page.screenshot(path=artifacts_dir / f"chat-phone{suffix}.png")

            await page.get_by_role("button", name="People (3)").click()
            await expect(phone.members(scene.design)).to_be_visible()
            await expect(phone.members(scene.design)).to_contain_text("3 of 3 online")
            await page.screenshot(path=artifacts_dir / f"people-phone{suffix}.png")
            await phone.members(scene.design).get_by_role("button", name="Close").click()
            await expect(phone.members(scene.design)).to_be_hidden()

            await page.get_by_role("link", name="Back to rooms").click()
            await expect(phone.rooms_nav).to_be_visible()
            await expect(phone.composer(scene.design)).to_be_hidden()
            assert phone.errors == []
            await phone.close()
        assert visitor.errors == []
    finally:
        await scene.close()
