"""Reading: history paging without jumps, the "new messages" marker, read marks, unread
badges in the room list and the tab title, and browser notifications."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable

from playwright.async_api import Route, expect

from tests.e2e.conftest import PersonFactory
from tests.support import Account, Api, Client, ServerProcess

ConnectFn = Callable[[str, str | None], Awaitable[Client]]


async def unread(api: Api, account: Account, room: str) -> int:
    r = await api.http.get("/api/rooms", headers=account.headers)
    return next(x["unread"] for x in r.json()["rooms"] if x["name"] == room)


async def eventually_unread(api: Api, account: Account, room: str, expected: int) -> None:
    for _ in range(50):
        if await unread(api, account, room) == expected:
            return
        await asyncio.sleep(0.1)
    assert await unread(api, account, room) == expected


async def test_history_pages_in_without_jumping_and_new_messages_marker(
    sqlite_server: ServerProcess, sqlite_api: Api, people: PersonFactory, clients: ConnectFn
):
    alice, bob = await sqlite_api.register("alice"), await sqlite_api.register("bob")
    room = await sqlite_api.create_room(alice)
    await sqlite_api.join(bob, room)
    talker = await clients(sqlite_server.url, alice.access_token)
    for i in range(1, 131):
        assert (await talker.send(room, f"message {i}"))["ok"]

    reader = await (await people(sqlite_server.url)).log_in(bob.username, bob.password)
    await reader.open_room(room)
    timeline, texts = reader.timeline(room), reader.stored_texts(room)
    scroller = reader.conversation

    # The latest page, scrolled to its end.
    await expect(texts).to_have_count(50)
    await expect(texts.first).to_have_text("message 81")
    await expect(texts.last).to_be_in_viewport()
    await eventually_unread(sqlite_api, bob, room, 0)

    # Scrolling up loads the page before; what the reader was looking at does not move.
    top_of_81 = "el.querySelector('li.msg[data-seq=\"81\"]').getBoundingClientRect().top"
    top_before = await scroller.evaluate(f"el => {{ el.scrollTop = 0; return {top_of_81}; }}")
    await expect(texts).to_have_count(100)
    top_after = await scroller.evaluate(f"el => {top_of_81}")
    assert abs(top_after - top_before) < 2, (top_before, top_after)

    await scroller.evaluate("el => { el.scrollTop = 0; }")
    await expect(texts).to_have_count(130)
    await expect(texts).to_have_text([f"message {i}" for i in range(1, 131)])
    await expect(scroller.get_by_text(f"This is the beginning of #{room}.")).to_be_attached()
    await expect(timeline.get_by_role("separator", name="Today")).to_have_count(1)

    # Scrolled up: a new message does not pull the view down; a marker offers to.
    await talker.send(room, "fresh news")
    jump = reader.page.get_by_role("button", name="1 new message")
    await expect(jump).to_be_visible()
    await expect(texts.last).to_have_text("fresh news")
    await expect(texts.last).not_to_be_in_viewport()
    await jump.click()
    await expect(texts.last).to_be_in_viewport()
    await expect(jump).to_be_hidden()
    await eventually_unread(sqlite_api, bob, room, 0)

    # At the bottom, new messages scroll into view by themselves.
    await talker.send(room, "follow me")
    await expect(texts.last).to_have_text("follow me")
    await expect(texts.last).to_be_in_viewport()
    await expect(reader.page.get_by_role("button", name=re.compile("new message"))).to_be_hidden()
    await eventually_unread(sqlite_api, bob, room, 0)


FAKE_NOTIFICATIONS = """
window.__notifications = [];
class FakeNotification {
  static permission = "default";
  static async requestPermission() { FakeNotification.permission = "granted"; return "granted"; }
  constructor(title, options) {
    window.__notifications.push({ title, body: options && options.body });
  }
  close() {}
}
window.Notification = FakeNotification;
"""


async def test_unread_badges_title_and_notifications(
    sqlite_server: ServerProcess, sqlite_api: Api, people: PersonFactory, clients: ConnectFn
):
    alice, bob = await sqlite_api.register("alice"), await sqlite_api.register("bob")
    here, there = await sqlite_api.create_room(alice), await sqlite_api.create_room(alice)
    for room in (here, there):
        await sqlite_api.join(bob, room)
    talker = await clients(sqlite_server.url, alice.access_token)

    reader = await people(sqlite_server.url)
    await reader.context.add_init_script(FAKE_NOTIFICATIONS)
    await reader.log_in(bob.username, bob.password)
    await reader.open_room(here)
    toggle = reader.page.get_by_role("button", name="Notifications")
    await expect(toggle).to_have_attribute("aria-pressed", "false")
    await toggle.click()
    await expect(toggle).to_have_attribute("aria-pressed", "true")

    # A message in the other room: a badge, the count in the title, a notification.
    await talker.send(room=there, text="over here!")
    await expect(reader.room_link(there)).to_have_accessible_name(re.compile("1 unread"))
    await expect(reader.room_link(there).locator(".badge")).to_have_text("1")
    await expect(reader.page).to_have_title(re.compile(r"^\(1\) "))
    notes = await reader.page.evaluate("window.__notifications")
    assert notes == [{"title": f"{alice.username} in #{there}", "body": "over here!"}]

    # In the open room (scrolled to the end): no badge, no notification.
    await talker.send(room=here, text="right here")
    await expect(reader.stored_texts(here)).to_have_text(["right here"])
    await expect(reader.page).to_have_title(re.compile(r"^\(1\) "))
    await expect(reader.room_link(here).locator(".badge")).to_be_hidden()
    assert len(await reader.page.evaluate("window.__notifications")) == 1
    await eventually_unread(sqlite_api, bob, here, 0)

    # Opening the other room reads it: here, and on the server.
    await reader.open_room(there)
    await expect(reader.stored_texts(there)).to_have_text(["over here!"])
    await expect(reader.page).to_have_title(re.compile(r"^#\S+ · Hubbub$"))
    await expect(reader.room_link(there).locator(".badge")).to_be_hidden()
    await eventually_unread(sqlite_api, bob, there, 0)

    # Unread counts come from the server too: after a reload they are still right.
    await talker.send(room=here, text="while you read the other room")
    await expect(reader.room_link(here).locator(".badge")).to_have_text("1")
    await reader.page.reload()
    await reader.expect_connected()
    await expect(reader.room_link(here).locator(".badge")).to_have_text("1")
    await expect(reader.page).to_have_title(re.compile(r"^\(1\) "))


async def test_a_failed_history_load_says_so_and_retries(
    sqlite_server: ServerProcess, people: PersonFactory
):
    url = sqlite_server.url
    alice = await (await people(url)).register("alice")
    room = await alice.create_room()
    await alice.send(room, "kept safe")
    failing = True
    calls = []

    async def flaky(route: Route) -> None:
        calls.append(route.request.url)
        if failing:
            await route.fulfill(
                status=503,
                content_type="application/json",
                body='{"error": {"code": "unavailable", "message": "try again"}}',
            )
        else:
            await route.continue_()

    await alice.page.route(f"**/api/rooms/{room}/messages*", flaky)
    await alice.page.reload()
    await alice.expect_connected()
    alert = alice.page.get_by_role("alert").filter(has_text="try again")
    await expect(alert).to_be_visible()
    failing = False  # the server is back: the page tries again by itself
    await expect(alice.stored_texts(room)).to_have_text(["kept safe"])
    await expect(alert).to_have_count(0)
    assert 2 <= len(calls) <= 6  # retried with growing waits, not in a tight loop
