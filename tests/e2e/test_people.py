"""People in real Chromium: display names shown everywhere and live, direct messages opened
from the picker and arriving live, and search (highlighted hits that jump to the message,
even far back; rooms one left never show)."""

from __future__ import annotations

import re

from playwright.async_api import Locator, expect

from tests.conftest import ConnectFn
from tests.e2e.conftest import PersonFactory
from tests.e2e.people import Person
from tests.support import Api, ServerProcess


def profile_button(person: Person) -> Locator:
    return person.page.get_by_role("button", name=re.compile(r"^Profile: "))


async def set_display_name(person: Person, name: str) -> Locator:
    """Through the profile dialog; the dialog, still open if the server refused."""
    await profile_button(person).click()
    dialog = person.page.get_by_role("dialog", name="Your profile")
    await dialog.get_by_label("Display name").fill(name)
    await dialog.get_by_role("button", name="Save").click()
    return dialog


def author_of(person: Person, room: str, text: str) -> Locator:
    message = person.timeline(room).locator("li.msg").filter(has_text=text)
    return message.locator(".author")


async def test_display_name_shows_everywhere_live(
    sqlite_server: ServerProcess, people: PersonFactory
):
    url = sqlite_server.url
    alice = await (await people(url)).register("alice")
    room = await alice.create_room()
    bob = await (await people(url)).register("bob")
    await bob.join_room(room)
    await bob.send(room, "hi from bob")
    await expect(author_of(alice, room, "hi from bob")).to_have_text(bob.username)

    # Bob names himself: his own page and Alice's change at once, no reload.
    dialog = await set_display_name(bob, "Bobby Tables")
    await expect(dialog).to_be_hidden()
    await expect(profile_button(bob)).to_have_accessible_name("Profile: Bobby Tables")
    author = author_of(alice, room, "hi from bob")
    await expect(author).to_have_text("Bobby Tables")
    await expect(author).to_have_attribute("title", f"@{bob.username}")  # the username stays
    entry = alice.members(room).get_by_role("listitem").filter(has_text=bob.username)
    await expect(entry).to_contain_text("Bobby Tables")
    await expect(entry).to_contain_text(f"@{bob.username}")
    await expect(author_of(bob, room, "hi from bob")).to_have_text("Bobby Tables")

    # Typing and join notices use it too.
    await bob.composer(room).press_sequentially("hel")
    await expect(alice.typing_line()).to_have_text("Bobby Tables is typing…")
    await expect(alice.timeline(room).locator("li.notice").first).to_contain_text(
        "Bobby Tables joined"
    )

    # Too long: the server's refusal shows in the dialog; Escape closes it, focus returns.
    dialog = await set_display_name(bob, "x" * 65)
    await expect(dialog.get_by_role("alert")).to_have_text(re.compile("at most 64 characters"))
    await bob.page.keyboard.press("Escape")
    await expect(dialog).to_be_hidden()
    await expect(profile_button(bob)).to_be_focused()
    await expect(author).to_have_text("Bobby Tables")

    # Cleared: the username again, everywhere.
    await set_display_name(bob, "")
    await expect(author).to_have_text(bob.username)
    await expect(profile_button(bob)).to_have_accessible_name(f"Profile: {bob.username}")
    assert alice.errors == [] and bob.errors == []


async def test_direct_message_from_the_picker_arrives_live(
    sqlite_server: ServerProcess, people: PersonFactory
):
    url = sqlite_server.url
    bob = await (await people(url)).register("bob")
    alice = await (await people(url)).register("alice")
    await set_display_name(alice, "Alice Liddell")
    await expect(profile_button(alice)).to_have_accessible_name("Profile: Alice Liddell")

    # Alice finds Bob by a prefix of his username and opens the conversation.
    await alice.rooms_nav.get_by_role("button", name="New message").click()
    picker = alice.page.get_by_role("dialog", name="New message")
    await picker.get_by_label(re.compile("^Find people")).fill(bob.username[:-1])
    await picker.get_by_role("checkbox", name=re.compile(re.escape(bob.username))).check()
    await picker.get_by_role("button", name="Open conversation").click()
    await expect(picker).to_be_hidden()
    await expect(alice.room_heading(bob.username)).to_be_visible()
    dm_url = alice.page.url
    await alice.send(bob.username, "psst, Bob")

    # Bob sees it in his direct messages, titled with Alice's name, without a reload.
    link = bob.rooms_nav.get_by_role("link", name=re.compile(r"^Alice Liddell \(direct message\)"))
    await expect(link).to_have_accessible_name(re.compile("1 unread"))
    await link.click()
    await expect(bob.room_heading("Alice Liddell")).to_be_visible()
    await expect(bob.stored_texts("Alice Liddell")).to_have_text(["psst, Bob"])
    await alice.send(bob.username, "still there?")
    await expect(bob.stored_texts("Alice Liddell")).to_have_text(["psst, Bob", "still there?"])
    # Not among rooms; no invite or leave in a DM.
    room_links = bob.rooms_nav.get_by_role("link", name=re.compile(r"^dm-"))
    await expect(room_links).to_have_count(0)
    panel = bob.page.get_by_role("complementary", name="People in this DM")
    await expect(panel.get_by_role("listitem")).to_have_count(2)
    await expect(panel.get_by_role("button", name=re.compile("^Leave"))).to_have_count(0)
    await expect(panel.get_by_role("textbox", name="Invite someone (username)")).to_have_count(0)

    # Bob starts a conversation with Alice from his side: the same room, same history.
    await bob.rooms_nav.get_by_role("button", name="New message").click()
    picker = bob.page.get_by_role("dialog", name="New message")
    await picker.get_by_label(re.compile("^Find people")).fill("Alice Lid")  # display name
    await picker.get_by_role("checkbox", name=re.compile(re.escape(alice.username))).check()
    await picker.get_by_role("button", name="Open conversation").click()
    await expect(bob.page).to_have_url(dm_url)
    await expect(bob.stored_texts("Alice Liddell")).to_have_text(["psst, Bob", "still there?"])
    assert alice.errors == [] and bob.errors == []


async def test_search_highlights_and_jumps_far_back(
    sqlite_server: ServerProcess, people: PersonFactory, clients: ConnectFn
):
    url = sqlite_server.url
    api = Api(url)
    try:
        account = await api.register("alice")
        room = await api.create_room(account)
    finally:
        await api.close()
    sender = await clients(url, account.access_token)
    await sender.send(room, "Where is the Quokka? quokkas elsewhere")
    for i in range(120):
        await sender.send(room, f"filler {i}")

    alice = await (await people(url)).log_in(account.username, account.password)
    await alice.page.goto(f"/#/room/{room}")
    await expect(alice.stored_texts(room).last).to_have_text("filler 119")
    target = alice.timeline(room).locator('li.msg[data-seq="1"]')
    await expect(target).to_have_count(0)  # far back: not loaded

    await alice.page.get_by_label("Search messages").fill("QUOKKA")
    await alice.page.get_by_label("Search messages").press("Enter")
    results = alice.page.get_by_role("list", name=re.compile("Results for"))
    hit = results.get_by_role("button")
    await expect(hit).to_have_count(1)
    await expect(hit).to_contain_text(f"#{room}")
    await expect(hit.locator("mark")).to_have_text(["Quokka"])  # the whole word only

    await hit.click()
    await expect(target).to_be_in_viewport()
    await expect(target).to_have_class(re.compile(r"\bflash\b"))
    await expect(target).to_be_focused()
    # Back to the newest from there.
    await alice.page.get_by_role("button", name=re.compile("Jump to the newest")).click()
    await expect(alice.stored_texts(room).last).to_be_in_viewport()
    await expect(alice.stored_texts(room).last).to_have_text("filler 119")

    # The server's refusal shows (too many words).
    await alice.page.get_by_label("Search messages").fill(" ".join(f"w{i}" for i in range(17)))
    await alice.page.get_by_label("Search messages").press("Enter")
    panel = alice.page.get_by_role("region", name=re.compile("Results for"))
    await expect(panel.get_by_role("alert")).to_have_text(re.compile("at most 16 words"))
    await alice.page.keyboard.press("Escape")
    await expect(panel).to_be_hidden()
    assert alice.errors == []


async def test_search_never_shows_a_room_one_left(
    sqlite_server: ServerProcess, people: PersonFactory
):
    url = sqlite_server.url
    alice = await (await people(url)).register("alice")
    secret = await alice.create_room(private=True)
    bob = await (await people(url)).register("bob")
    panel = alice.members(secret)
    await panel.get_by_label("Invite someone (username)").fill(bob.username)
    await panel.get_by_role("button", name="Invite").click()
    await bob.rooms_nav.get_by_role("button", name=f"Accept {secret}").click()
    await expect(bob.composer(secret)).to_be_visible()
    await alice.send(secret, "the zebra crossing is closed")

    search = bob.page.get_by_label("Search messages")
    await search.fill("zebra")
    await search.press("Enter")
    results = bob.page.get_by_role("list", name=re.compile("Results for"))
    await expect(results.get_by_role("button")).to_have_count(1)
    await search.press("Escape")  # the results make way for the people again
    await expect(results).to_be_hidden()

    await bob.members(secret).get_by_role("button", name=f"Leave {secret}").click()
    await expect(bob.rooms_nav.get_by_text(secret)).to_have_count(0)
    await search.fill("zebra crossing")
    await search.press("Enter")
    status = bob.page.get_by_role("region", name=re.compile("Results for")).get_by_role("status")
    await expect(status).to_have_text("No messages match.")
    await expect(results.get_by_role("button")).to_have_count(0)
