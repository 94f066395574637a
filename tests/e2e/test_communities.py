"""Communities and integrations in real Chromium (PROTOCOL v2, issue 8): a room's settings
(topic, roles, kick/ban/mute, bans, webhooks, archive, delete) with only the controls the
reader may use, moderation live on the other pages (a banned user's room vanishes, an
archived room goes read-only, a deleted one says so), the admin page deactivating a user
whose open page is signed out, bots, and a password change.

The settings, admin and bots screens are pages at their own addresses (web/src/route.ts):
``#/room/NAME/settings``, ``#/admin``, ``#/bots``; their buttons open them, Close, Escape and
the browser's Back return where the reader was (the focus to the button), and a reload or
the address typed in opens them again."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path

import httpx
from playwright.async_api import Locator, Page, expect

from tests.e2e.conftest import DESKTOP, PersonFactory
from tests.e2e.people import Person
from tests.support import Account, Api, ServerProcess

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"


async def axe_violations(page: Page) -> list[str]:
    """axe-core's critical and serious violations on the page as it is (see
    test_accessibility.py; the context must bypass the client's CSP)."""
    if not await page.evaluate("typeof window.axe === 'object'"):
        await page.add_script_tag(path=str(AXE))
    found = await page.evaluate(
        """async () => (await axe.run(document, { resultTypes: ["violations"] })).violations
            .filter((v) => v.impact === "critical" || v.impact === "serious")
            .flatMap((v) => v.nodes.map((n) => `${v.id} ${n.target}: ${n.failureSummary}`))
        """
    )
    return list(found)


def make_admin(server: ServerProcess, username: str) -> None:
    """The operator's command, on the server's own store while it runs."""
    result = subprocess.run(
        [sys.executable, "-m", "hubbub", "users", "set-role", username, "admin"],
        env=server.env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


async def put(api: Api, who: Account, path: str, body: object) -> None:
    r = await api.http.put(path, json=body, headers=who.headers)
    assert r.status_code == 204, r.text


async def log_in(people: PersonFactory, url: str, account: Account) -> Person:
    return await (await people(url)).log_in(account.username, account.password)


def at(route: str) -> re.Pattern[str]:
    """The page's address ends with this hash."""
    return re.compile(rf"/{re.escape(route)}$")


def settings(person: Person, room: str) -> Locator:
    return person.page.get_by_role("main", name=f"Settings of #{room}")


async def expect_page(person: Person, name: str, route: str) -> Locator:
    """A page in the main pane: shown at its address, its heading focused."""
    shown = person.page.get_by_role("main", name=name)
    await expect(shown).to_be_visible()
    await expect(person.page).to_have_url(at(route))
    await expect(shown.get_by_role("heading", name=name, level=2)).to_be_focused()
    return shown


async def owner_and_member(api: Api, people: PersonFactory, url: str) -> tuple[str, Person, Person]:
    """A room of alice's that bob joined, open in both their browsers: (room, alice, bob)."""
    alice, bob = await api.register("alice"), await api.register("bob")
    room = await api.create_room(alice)
    assert (await api.join(bob, room)).status_code == 200
    owner, member = await log_in(people, url, alice), await log_in(people, url, bob)
    for person in (owner, member):
        await person.open_room(room)
    return room, owner, member


async def open_settings(person: Person, room: str) -> Locator:
    await person.page.get_by_role("button", name="Settings", exact=True).click()
    return await expect_page(person, f"Settings of #{room}", f"#/room/{room}/settings")


async def close_settings(
    person: Person, shown: Locator, room: str, key: bool = True, focus: Locator | None = None
) -> None:
    """Escape (or Close): back to the room, the focus on the Settings button that opened
    them (or `focus`)."""
    if key:
        await shown.press("Escape")
    else:
        await shown.get_by_role("button", name="Close", exact=True).click()
    await expect(shown).to_be_hidden()
    await expect(person.page).to_have_url(at(f"#/room/{room}"))
    focused = focus or person.page.get_by_role("button", name="Settings", exact=True)
    await expect(focused).to_be_focused()


async def open_bots(person: Person) -> Locator:
    """From the profile dialog, which closes: the page takes the room's place."""
    await person.page.get_by_role("button", name=re.compile(r"^Profile: ")).click()
    profile = person.page.get_by_role("dialog", name="Your profile")
    await profile.get_by_role("button", name="Your bots").click()
    await expect(profile).to_be_hidden()
    return await expect_page(person, "Your bots", "#/bots")


def member_row(dialog: Locator, username: str) -> Locator:
    members = dialog.get_by_role("list", name=re.compile(r"^Members"))
    return members.get_by_role("listitem").filter(has_text=username)


async def confirm(person: Person, action: str) -> None:
    """Answer the confirm dialog (an alertdialog) with its action."""
    question = person.page.get_by_role("alertdialog")
    await expect(question).to_be_visible()
    await question.get_by_role("button", name=action, exact=True).click()
    await expect(question).to_be_hidden()


async def test_a_moderator_mutes_then_bans_a_spammer_whose_room_vanishes(
    sqlite_server: ServerProcess, people: PersonFactory
) -> None:
    url = sqlite_server.url
    api = Api(url)
    try:
        alice, bob = await api.register("alice"), await api.register("bob")
        spam = await api.register("spammer")
        room = await api.create_room(alice)
        for who in (bob, spam):
            assert (await api.join(who, room)).status_code == 200
        await put(
            api, alice, f"/api/rooms/{room}/members/{bob.username}/role", {"role": "moderator"}
        )

        mod = await log_in(people, url, bob)
        spammer = await log_in(people, url, spam)
        for person in (mod, spammer):
            await person.open_room(room)

        # The moderator's settings: roles shown, the spammer's row has the moderation
        # controls, the owner's row none, and no owner-only controls anywhere.
        dialog = await open_settings(mod, room)
        owner_row = member_row(dialog, alice.username)
        await expect(owner_row).to_contain_text("owner")
        await expect(owner_row.get_by_role("button")).to_have_count(0)
        await expect(member_row(dialog, bob.username)).to_contain_text("moderator")
        row = member_row(dialog, spam.username)
        for action in ("Kick", "Ban", "Mute"):
            await expect(
                row.get_by_role("button", name=f"{action} {spam.username}")
            ).to_be_visible()
        await expect(dialog.get_by_role("button", name=re.compile("^Make "))).to_have_count(0)
        await expect(dialog.get_by_role("button", name="Delete room")).to_have_count(0)
        await expect(dialog.get_by_role("heading", name="Banned")).to_be_visible()

        # A mute for 5 minutes: the spammer's next message is refused with the server's reason.
        await row.get_by_label(f"Mute {spam.username} for").select_option(label="5 minutes")
        await row.get_by_role("button", name=f"Mute {spam.username}").click()
        await expect(
            dialog.get_by_role("status").filter(has_text="muted for 5 minutes")
        ).to_be_visible()
        await expect(spammer.timeline(room)).to_contain_text("is muted until")
        box = spammer.composer(room)
        await box.fill("BUY NOW")
        await box.press("Enter")
        await expect(spammer.timeline(room).locator("li.pending.failed")).to_contain_text(
            "you are muted"
        )

        # The ban: the room vanishes from the spammer's list, live, and they are told why.
        await row.get_by_role("button", name=f"Ban {spam.username}").click()
        await expect(member_row(dialog, spam.username)).to_have_count(0)
        bans = dialog.get_by_role("list", name="Banned")
        await expect(bans.get_by_role("listitem")).to_have_text(re.compile(spam.username))
        await expect(spammer.room_link(room)).to_have_count(0)
        why = f"You were banned from #{room} by {bob.username}."
        await expect(spammer.page.get_by_role("region", name="Announcements")).to_contain_text(why)
        await expect(spammer.page.get_by_role("alert").filter(has_text=why)).to_be_visible()
        await expect(spammer.composer(room)).to_have_count(0)
        # Still listed (the room is public), marked Banned, and no Join to press anywhere.
        listed = spammer.page.get_by_role("navigation", name="Rooms").get_by_role("listitem")
        await expect(listed.filter(has_text=re.compile(rf"{room}\s*Banned$"))).to_have_count(1)
        join = spammer.page.get_by_role("button", name=re.compile(rf"^(Join|Accept) #?{room}$"))
        await expect(join).to_have_count(0)

        # Unban: off the list (they may join again).
        await bans.get_by_role("button", name=f"Unban {spam.username}").click()
        await expect(dialog.get_by_text("Nobody is banned.")).to_be_visible()
        await close_settings(mod, dialog, room)
        await expect(mod.timeline(room)).to_contain_text("was banned from")
        for person in (mod, spammer):
            assert person.errors == []
    finally:
        await api.close()


async def test_a_member_sees_no_moderation_controls(
    sqlite_server: ServerProcess, people: PersonFactory
) -> None:
    url = sqlite_server.url
    api = Api(url)
    try:
        alice, carol = await api.register("alice"), await api.register("carol")
        room = await api.create_room(alice, private=True)
        assert (await api.invite(alice, room, carol.username)).status_code == 204
        assert (await api.join(carol, room)).status_code == 200
        r = await api.http.patch(
            f"/api/rooms/{room}", json={"topic": "be kind"}, headers=alice.headers
        )
        assert r.status_code == 204

        member = await log_in(people, url, carol)
        await member.open_room(room)
        page = member.page
        await expect(page.get_by_role("main").get_by_text("be kind")).to_be_visible()
        # The people panel (shown at this width): no invite form for a plain member.
        await expect(member.members(room)).to_be_visible()
        await expect(member.members(room)).to_contain_text("owner")
        await expect(page.get_by_label("Invite someone (username)")).to_be_hidden()

        dialog = await open_settings(member, room)
        await expect(dialog.get_by_text("be kind")).to_be_visible()
        await expect(dialog.get_by_label("Topic")).to_be_hidden()
        await expect(member_row(dialog, alice.username)).to_contain_text("owner")
        await expect(dialog.get_by_role("button")).to_have_text(["Close"])  # nothing else
        for heading in ("Banned", "Webhooks", "Archive or delete"):
            await expect(dialog.get_by_role("heading", name=heading)).to_have_count(0)
        # Reloaded at its address: the settings again; closed, the room (its message box
        # focused: nothing on the page opened them).
        await page.reload()
        dialog = await expect_page(member, f"Settings of #{room}", f"#/room/{room}/settings")
        await expect(member_row(dialog, alice.username)).to_contain_text("owner")
        await close_settings(member, dialog, room, key=False, focus=member.composer(room))

        # The owner sees the invite form and every control.
        owner = await log_in(people, url, alice)
        await owner.open_room(room)
        await expect(owner.page.get_by_label("Invite someone (username)")).to_be_visible()
        dialog = await open_settings(owner, room)
        await expect(dialog.get_by_label("Topic")).to_have_value("be kind")
        row = member_row(dialog, carol.username)
        for name in ("Make moderator", "Kick", "Ban", "Mute"):
            await expect(row.get_by_role("button", name=re.compile(f"^{name}"))).to_be_visible()
        for heading in ("Banned", "Webhooks", "Archive or delete"):
            await expect(dialog.get_by_role("heading", name=heading)).to_be_visible()
        for person in (member, owner):
            assert person.errors == []
    finally:
        await api.close()


async def test_owner_sets_the_topic_archives_then_deletes_live(
    sqlite_server: ServerProcess, people: PersonFactory
) -> None:
    url = sqlite_server.url
    api = Api(url)
    try:
        room, owner, other = await owner_and_member(api, people, url)

        dialog = await open_settings(owner, room)
        await dialog.get_by_label("Topic").fill("release on Friday")
        await dialog.get_by_role("button", name="Save topic").click()
        await expect(other.page.locator(".room-head")).to_contain_text("release on Friday")

        # Archive, asked first: the other page's composer goes read-only at once.
        await dialog.get_by_role("button", name="Archive room").click()
        await confirm(owner, "Archive")
        await expect(dialog.get_by_text("This room is archived: it is read-only.")).to_be_visible()
        await expect(other.composer(room)).to_be_disabled()
        await expect(other.page.get_by_text("This room is archived")).to_be_visible()
        await expect(other.page.locator(".room-head")).to_contain_text("archived")
        await expect(other.page.get_by_role("button", name="Send", exact=True)).to_be_disabled()
        # The browser's Back: the room (read-only for the owner too); Forward: its settings.
        await owner.page.go_back()
        await expect(dialog).to_be_hidden()
        await expect(owner.composer(room)).to_be_disabled()
        await owner.page.go_forward()
        await expect(dialog).to_be_visible()
        await expect(dialog.get_by_text("This room is archived: it is read-only.")).to_be_visible()

        # Delete, asked first (Cancel keeps it): the room vanishes from the other page too.
        await dialog.get_by_role("button", name="Delete room").click()
        await confirm(owner, "Cancel")
        await expect(dialog).to_be_visible()
        await dialog.get_by_role("button", name="Delete room").click()
        await confirm(owner, "Delete room")
        await expect(dialog).to_be_hidden()
        await expect(owner.page).to_have_url(at(f"#/room/{room}"))
        gone = f"#{room} was deleted."
        for person in (owner, other):
            await expect(person.room_link(room)).to_have_count(0)
            await expect(person.page.get_by_role("alert").filter(has_text=gone)).to_be_visible()
            assert person.errors == []
    finally:
        await api.close()


async def test_a_webhook_posts_into_an_open_page(
    sqlite_server: ServerProcess, people: PersonFactory
) -> None:
    url = sqlite_server.url
    api = Api(url)
    try:
        room, owner, reader = await owner_and_member(api, people, url)

        dialog = await open_settings(owner, room)
        await dialog.get_by_label("New webhook's name").fill("CI")
        await dialog.get_by_role("button", name="Create webhook").click()
        secret = dialog.get_by_role("textbox", name="URL of webhook CI")
        await expect(secret).to_be_visible()
        hook_url = await secret.input_value()
        assert re.fullmatch(rf"{re.escape(url)}/api/hooks/\d+/\S+", hook_url), hook_url
        await expect(dialog.get_by_text("you will not see it again")).to_be_visible()
        await expect(dialog.get_by_role("button", name="Copy URL of webhook CI")).to_be_visible()
        example = dialog.locator("pre")
        await expect(example).to_have_text(
            f"curl -d '{{\"text\":\"deploy done\"}}' -H 'Content-Type: application/json' {hook_url}"
        )
        await expect(
            dialog.get_by_role("list", name="Webhooks").get_by_role("listitem")
        ).to_contain_text("CI")

        async with httpx.AsyncClient() as http:
            r = await http.post(hook_url, json={"text": "deploy done"})
        assert r.status_code == 200, r.text
        message = reader.timeline(room).locator("li.msg").filter(has_text="deploy done")
        await expect(message).to_be_visible()
        await expect(message.locator(".msg-head")).to_contain_text("CI")
        await expect(message.locator(".tag-bot")).to_have_text("bot")

        # Deleted (asked first): the URL stops working.
        await dialog.get_by_role("button", name="Delete webhook CI").click()
        await confirm(owner, "Delete webhook")
        await expect(dialog.get_by_text("No webhooks yet.")).to_be_visible()
        async with httpx.AsyncClient() as http:
            assert (await http.post(hook_url, json={"text": "again"})).status_code == 404
        for person in (owner, reader):
            assert person.errors == []
    finally:
        await api.close()


async def test_the_admin_page_deactivates_a_user_whose_open_page_signs_out(
    sqlite_server: ServerProcess, people: PersonFactory
) -> None:
    url = sqlite_server.url
    api = Api(url)
    try:
        boss, victim_account = await api.register("boss"), await api.register("victim")
        make_admin(sqlite_server, boss.username)
        room = await api.create_room(victim_account)
        victim = await log_in(people, url, victim_account)
        admin = await log_in(people, url, boss)

        # Only admins see the page.
        await expect(admin.page.get_by_role("button", name="Admin", exact=True)).to_be_visible()
        await expect(victim.page.get_by_role("button", name="Admin", exact=True)).to_have_count(0)

        # An admin runs every room, member or not: its settings open from its page, and
        # what they change there shows although they hear none of the room's events.
        await admin.page.evaluate("name => { location.hash = '#/room/' + name }", room)
        await expect(admin.page.get_by_role("button", name=f"Join #{room}")).to_be_visible()
        settings_dialog = await open_settings(admin, room)
        await expect(member_row(settings_dialog, victim_account.username)).to_contain_text("owner")
        await expect(
            settings_dialog.get_by_role("heading", name="Archive or delete")
        ).to_be_visible()
        await settings_dialog.get_by_label("Topic").fill("kept tidy by the admins")
        await settings_dialog.get_by_role("button", name="Save topic").click()
        await expect(settings_dialog.get_by_text("Topic saved.")).to_be_visible()
        await close_settings(admin, settings_dialog, room)
        await expect(
            admin.page.get_by_role("main").get_by_text("kept tidy by the admins")
        ).to_be_visible()

        # The admin page at its address: typed in, Back returns to the room; from its
        # button, and after a reload (signed in again from the stored session).
        await admin.page.evaluate("() => { location.hash = '#/admin' }")
        dialog = await expect_page(admin, "Server admin", "#/admin")
        await expect(dialog.get_by_role("list", name="Users")).to_contain_text(
            victim_account.username
        )
        await admin.page.go_back()
        await expect(dialog).to_be_hidden()
        await expect(admin.page.get_by_role("button", name=f"Join #{room}")).to_be_visible()
        await admin.page.get_by_role("button", name="Admin", exact=True).click()
        await expect_page(admin, "Server admin", "#/admin")
        await admin.page.reload()
        dialog = await expect_page(admin, "Server admin", "#/admin")
        await dialog.get_by_role("searchbox", name="Find users").fill(victim_account.username)
        users = dialog.get_by_role("list", name="Users")
        await expect(users.get_by_role("listitem")).to_have_count(1)
        await users.get_by_role("button", name=f"Deactivate {victim_account.username}").click()
        await confirm(admin, "Deactivate")
        await expect(users.get_by_role("listitem")).to_contain_text("deactivated")

        # The victim's open page is signed out, and says why.
        await expect(victim.page.get_by_role("button", name="Log in")).to_be_visible()
        await expect(victim.page.get_by_role("alert").filter(has_text="signed out")).to_be_visible()

        # The audit log, newest first.
        audit = dialog.get_by_role("list", name="Audit log")
        await expect(audit.get_by_role("listitem").first).to_contain_text(
            f"{boss.username} deactivated {victim_account.username}"
        )
        await users.get_by_role("button", name=f"Reactivate {victim_account.username}").click()
        await expect(audit.get_by_role("listitem").first).to_contain_text(
            f"{boss.username} reactivated {victim_account.username}"
        )
        # Reactivated: they may log in again.
        await victim.log_in(victim_account.username, victim_account.password)
        # Not theirs: the admin page's address tells them so, and shows nothing of it.
        await victim.page.evaluate("() => { location.hash = '#/admin' }")
        refused = victim.page.get_by_role("main", name="Server admin")
        await expect(refused).to_contain_text("This page is for server admins only.")
        await expect(refused.get_by_role("list")).to_have_count(0)
        await expect(refused.get_by_role("searchbox")).to_have_count(0)
        await refused.get_by_role("link", name="Back to your rooms").click()
        await expect(refused).to_be_hidden()
        await expect(victim.page).to_have_url(at("#/"))
        # Closed, the admin's page goes back to where they were before: the room.
        await dialog.press("Escape")
        await expect(dialog).to_be_hidden()
        await expect(admin.page.get_by_role("button", name=f"Join #{room}")).to_be_visible()
        for person in (admin, victim):
            assert person.errors == []
    finally:
        await api.close()


async def test_bots_are_made_with_a_token_shown_once_and_marked(
    sqlite_server: ServerProcess, people: PersonFactory
) -> None:
    url = sqlite_server.url
    api = Api(url)
    try:
        owner_account = await api.register("owner")
        room = await api.create_room(owner_account)
        owner = await log_in(people, url, owner_account)
        await owner.open_room(room)
        page = owner.page
        dialog = await open_bots(owner)
        await expect(dialog.get_by_text("You have no bots yet.")).to_be_visible()
        bot_name = f"{owner_account.username}-bot"[:32]
        await dialog.get_by_label("New bot's username").fill(bot_name)
        await dialog.get_by_role("button", name="Create bot").click()
        token = dialog.get_by_role("textbox", name=f"Token of {bot_name}")
        await expect(token).to_have_value(re.compile(r"^hbt_"))
        await expect(dialog.get_by_text("you will not see it again")).to_be_visible()
        await expect(dialog.get_by_role("list", name="Bots you own")).to_contain_text(bot_name)

        # The token works like a login: the bot joins and talks, marked as a bot.
        headers = {"Authorization": f"Bearer {await token.input_value()}"}
        # Closed, back to the room, the focus on the profile's button (what opened it).
        await dialog.get_by_role("button", name="Close").click()
        await expect(dialog).to_be_hidden()
        await expect(page).to_have_url(at(f"#/room/{room}"))
        await expect(page.get_by_role("button", name=re.compile(r"^Profile: "))).to_be_focused()
        async with httpx.AsyncClient(base_url=url, headers=headers) as http:
            assert (await http.post(f"/api/rooms/{room}/join")).status_code == 200
        await expect(
            owner.members(room).get_by_role("listitem").filter(has_text=bot_name)
        ).to_contain_text("bot")

        # Its address, reloaded: the page again, its bot listed.
        await open_bots(owner)
        await page.reload()
        dialog = await expect_page(owner, "Your bots", "#/bots")
        await expect(dialog.get_by_role("list", name="Bots you own")).to_contain_text(bot_name)
        await dialog.get_by_role("button", name=f"Delete bot {bot_name}").click()
        await confirm(owner, "Delete bot")
        await expect(dialog.get_by_text("You have no bots yet.")).to_be_visible()
        async with httpx.AsyncClient(base_url=url, headers=headers) as http:
            assert (await http.get("/api/me")).status_code == 401
        assert owner.errors == []
    finally:
        await api.close()


async def test_a_password_change_signs_out_the_other_logins(
    sqlite_server: ServerProcess, people: PersonFactory
) -> None:
    url = sqlite_server.url
    api = Api(url)
    try:
        account = await api.register("pat")
        here, elsewhere = await log_in(people, url, account), await log_in(people, url, account)
        page = here.page
        await page.get_by_role("button", name=re.compile(r"^Profile: ")).click()
        dialog = page.get_by_role("dialog", name="Your profile")
        await dialog.get_by_label("Current password").fill("not the password")
        await dialog.get_by_label("New password", exact=True).fill("a new password")
        await dialog.get_by_label("New password again").fill("a new password")
        await dialog.get_by_role("button", name="Change password").click()
        await expect(dialog.get_by_role("alert")).to_have_text("The current password is wrong.")
        await expect(dialog.get_by_label("Current password")).to_be_focused()
        await expect(dialog.get_by_label("Current password")).to_have_attribute(
            "aria-invalid", "true"
        )

        await dialog.get_by_label("Current password").fill(account.password)
        await dialog.get_by_role("button", name="Change password").click()
        await expect(dialog.get_by_text("Password changed.")).to_be_visible()
        # The other login ends, with a word why; this one stays.
        await expect(elsewhere.page.get_by_role("button", name="Log in")).to_be_visible()
        await expect(
            elsewhere.page.get_by_role("alert").filter(has_text="signed out")
        ).to_be_visible()
        await asyncio.sleep(0.5)
        await here.expect_connected()
        await elsewhere.log_in(account.username, "a new password")
        for person in (here, elsewhere):
            assert person.errors == []
    finally:
        await api.close()


async def test_screenshots_of_the_settings_and_admin_pages(
    own_server: ServerProcess, people: PersonFactory, artifacts_dir: Path
) -> None:
    """docs/screenshots/settings-desktop.png and admin-desktop.png are copies of these; axe
    finds nothing critical or serious in the settings, admin and bots pages, light or
    dark."""
    url = own_server.url
    api = Api(url)
    try:
        names = ("alice", "bob", "carol", "dave")
        made = []
        for name in names:
            r = await api.http.post(
                "/api/auth/register", json={"username": name, "password": "correct horse battery"}
            )
            assert r.status_code == 201, r.text
            body = r.json()
            made.append(
                Account(
                    body["user"]["id"],
                    name,
                    "correct horse battery",
                    body["access_token"],
                    body["refresh_token"],
                )
            )
        alice, bob, carol, dave = made
        make_admin(own_server, "alice")
        r = await api.http.post("/api/rooms", json={"name": "design-review"}, headers=alice.headers)
        assert r.status_code == 201, r.text
        room = "design-review"
        for who in (bob, carol, dave):
            assert (await api.join(who, room)).status_code == 200
        await put(api, alice, f"/api/rooms/{room}/members/bob/role", {"role": "moderator"})
        r = await api.http.patch(
            f"/api/rooms/{room}",
            json={"topic": "Reviews on Tuesdays at 3pm; mockups in the pinned doc"},
            headers=alice.headers,
        )
        assert r.status_code == 204
        r = await api.http.post(
            f"/api/rooms/{room}/ban", json={"username": "dave"}, headers=bob.headers
        )
        assert r.status_code == 204
        r = await api.http.post(
            f"/api/rooms/{room}/mute",
            json={"username": "carol", "seconds": 3600},
            headers=bob.headers,
        )
        assert r.status_code == 204
        r = await api.http.post(
            f"/api/rooms/{room}/webhooks", json={"name": "CI"}, headers=alice.headers
        )
        assert r.status_code == 201
        async with httpx.AsyncClient() as http:
            await http.post(r.json()["url"], json={"text": "Build 412 deployed to staging"})

        checked = AXE.is_file()
        for dark in (False, True):
            owner = await (await people(url, viewport=DESKTOP, dark=dark, bypass_csp=True)).log_in(
                "alice", "correct horse battery"
            )
            page, suffix = owner.page, "-dark" if dark else ""
            await owner.open_room(room)
            problems: list[str] = []
            dialog = await open_settings(owner, room)
            await expect(member_row(dialog, "carol")).to_be_visible()
            await expect(dialog.get_by_role("list", name="Banned")).to_contain_text("dave")
            await expect(dialog.get_by_role("list", name="Webhooks")).to_contain_text("CI")
            if not dark:
                await page.screenshot(path=artifacts_dir / "settings-desktop.png")
            if checked:
                problems += await axe_violations(page)
                await dialog.get_by_label("New webhook's name").fill("Deploys")
                await dialog.get_by_role("button", name="Create webhook").click()
                await expect(dialog.get_by_text("you will not see it again")).to_be_visible()
                problems += await axe_violations(page)
            await close_settings(owner, dialog, room)

            await page.get_by_role("button", name="Admin", exact=True).click()
            admin = await expect_page(owner, "Server admin", "#/admin")
            await expect(admin.get_by_role("list", name="Users")).to_contain_text("dave")
            await expect(admin.get_by_role("list", name="Audit log")).to_contain_text("banned dave")
            if not dark:
                await page.screenshot(path=artifacts_dir / "admin-desktop.png")
            if checked:
                problems += await axe_violations(page)
            await admin.press("Escape")
            await expect(admin).to_be_hidden()

            if checked:
                bots = await open_bots(owner)
                await bots.get_by_label("New bot's username").fill(
                    f"helper{suffix.replace('-', '_')}"
                )
                await bots.get_by_role("button", name="Create bot").click()
                await expect(bots.get_by_text("you will not see it again")).to_be_visible()
                problems += await axe_violations(page)
                await bots.press("Escape")
                await expect(bots).to_be_hidden()
                await expect(owner.composer(room)).to_be_visible()
            assert problems == [], "\n".join(problems)
            assert owner.errors == []
    finally:
        await api.close()
