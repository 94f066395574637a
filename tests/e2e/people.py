"""A person using the web client in a browser context, in the words of the UI (roles and
labels, as a screen reader would find them)."""

from __future__ import annotations

import re

from playwright.async_api import BrowserContext, Locator, Page, Route, WebSocketRoute, expect

from tests.support import unique

PASSWORD = "correct horse battery"


class SocketGate:
    """Lets a browser context's Socket.IO connections through, or refuses them: WebSocket and
    HTTP long-polling alike (the REST API is not affected)."""

    def __init__(self) -> None:
        self.blocked = False

    async def install(self, context: BrowserContext) -> SocketGate:
        await context.route("**/socket.io/**", self._http)
        await context.route_web_socket(re.compile(r"/socket\.io/"), self._websocket)
        return self

    async def _http(self, route: Route) -> None:
        if self.blocked:
            await route.abort()
        else:
            await route.fallback()

    async def _websocket(self, ws: WebSocketRoute) -> None:
        if self.blocked:
            await ws.close()
        else:
            ws.connect_to_server()


class Person:
    def __init__(self, context: BrowserContext, page: Page) -> None:
        self.context = context
        self.page = page
        self.username = ""
        self.errors: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    async def close(self) -> None:
        await self.context.close()

    # ---- accounts ----
    async def register(self, prefix: str = "user") -> Person:
        self.username = unique(prefix)
        await self.page.goto("/")
        await self.page.get_by_label("Username").fill(self.username)
        await self.page.get_by_label("Password").fill(PASSWORD)
        await self.page.get_by_role("button", name="Create account").click()
        await self.expect_connected()
        return self

    async def log_in(self, username: str, password: str = PASSWORD) -> Person:
        self.username = username
        await self.page.goto("/")
        await self.page.get_by_label("Username").fill(username)
        await self.page.get_by_label("Password").fill(password)
        await self.page.get_by_role("button", name="Log in").click()
        await self.expect_connected()
        return self

    @property
    def connection(self) -> Locator:
        return self.page.get_by_role("status", name="Connection")

    async def expect_connected(self) -> None:
        await expect(self.connection).to_have_text("Connected")

    # ---- rooms ----
    @property
    def rooms_nav(self) -> Locator:
        return self.page.get_by_role("navigation", name="Rooms")

    def room_link(self, room: str) -> Locator:
        return self.rooms_nav.get_by_role("link", name=re.compile(rf"\b{re.escape(room)}\b"))

    async def create_room(self, name: str | None = None, *, private: bool = False) -> str:
        name = name or unique("room")
        await self.page.get_by_label("Room name").fill(name)
        if private:
            await self.page.get_by_label("Private (invite only)").check()
        await self.page.get_by_role("button", name="Create room").click()
        await expect(self.room_heading(name)).to_be_visible()
        return name

    def room_heading(self, room: str) -> Locator:
        return self.page.get_by_role("heading", name=room, exact=True)

    async def join_room(self, name: str) -> None:
        await self.rooms_nav.get_by_role("button", name=f"Join {name}").click()
        await expect(self.composer(name)).to_be_visible()

    async def open_room(self, name: str) -> None:
        await self.room_link(name).click()
        await expect(self.composer(name)).to_be_visible()

    # ---- the open room ----
    def composer(self, room: str) -> Locator:
        return self.page.get_by_label(f"Message {room}")

    def timeline(self, room: str) -> Locator:
        return self.page.get_by_role("log", name=f"Messages in {room}")

    @property
    def conversation(self) -> Locator:
        """The scrolling area around the open room's messages."""
        return self.page.get_by_role("region", name="Conversation")

    def stored_texts(self, room: str) -> Locator:
        """The text of every stored (not pending) message shown, in order."""
        return self.timeline(room).locator("li.msg:not(.pending) .msg-text")

    async def send(self, room: str, text: str) -> None:
        box = self.composer(room)
        await box.fill(text)
        await box.press("Enter")
        await expect(box).to_have_value("")

    def members(self, room: str) -> Locator:
        return self.page.get_by_role(
            "complementary", name=re.compile(rf"People in .?{re.escape(room)}")
        )

    def typing_line(self) -> Locator:
        return self.page.get_by_role("status", name="Who is typing")
