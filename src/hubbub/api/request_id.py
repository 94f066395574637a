"""ASGI middleware: every HTTP request (and WebSocket) gets a request id, for the logs.

An incoming ``X-Request-ID`` (from a proxy or a client; up to 128 characters of letters,
digits and ``._:/+=-``) is kept, so one id follows a request through nginx and Hubbub;
anything else is replaced by a fresh one, so a client cannot write arbitrary text into
the logs. The id goes back in the response's ``X-Request-ID`` header and is in the
``request_id`` field of every JSON log line written while handling it.
"""

from __future__ import annotations

import re
import secrets

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hubbub.logs import request_id
from hubbub.realtime.websocket_lane import ACCEPT_HEADERS

HEADER = b"x-request-id"
_VALID = re.compile(rb"[A-Za-z0-9._:/+=-]{1,128}")


def incoming_or_new(scope: Scope) -> str:
    headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
    for name, value in headers:
        if name == HEADER:
            if _VALID.fullmatch(value):
                return value.decode()
            break
    return secrets.token_hex(16)


class RequestId:
    """``websocket``: where WebSockets go, past the HTTP-only layers between (each would be
    one more coroutine frame held for a connection's whole life)."""

    def __init__(self, app: ASGIApp, *, websocket: ASGIApp | None = None) -> None:
        self.app = app
        self.websocket = websocket or app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        rid = incoming_or_new(scope)
        request_id.set(rid)  # this task's context: what uvicorn and the app log from here on
        header = (HEADER, rid.encode())
        if scope["type"] == "websocket":
            # Engine.IO's WebSocket writes to uvicorn's own ``send`` (websocket_lane): the
            # header rides on the scope to its accept rather than through a wrapper.
            scope[ACCEPT_HEADERS] = [header]
            await self.websocket(scope, receive, send)
            return

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        await self.app(scope, receive, send_with_id)
