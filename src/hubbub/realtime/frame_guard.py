"""ASGI guard in front of Engine.IO's long-polling endpoint: a request whose payload is not
well-formed Engine.IO text, or is over the cap, costs one warning line and a 400, and its
session is closed, instead of a traceback from the library. (WebSocket frames are checked
where they are read: ``websocket_lane.DirectWebSocket``; WebSockets do not pass here.)"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qs

from hubbub.realtime.engine import EngineServer
from hubbub.realtime.websocket_lane import bad_text

log = logging.getLogger(__name__)

# Over long-polling a client POSTs only close, pong and message packets (others made
# Engine.IO disconnect the session waiting for its queue to drain, holding the request
# for good).
_POLLING_TYPES = frozenset("134")
_POLLING_SEPARATOR = "\x1e"


class FrameGuard:
    """ASGI wrapper of the Socket.IO endpoint (see the module's docstring)."""

    def __init__(self, app: Any, *, engine: EngineServer, path: str = "/socket.io") -> None:
        self.app = app
        self.engine = engine
        self.path = path

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if not scope.get("path", "").startswith(self.path):
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Any) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            if scope.get("method") == "POST":
                await self._guard_polling(scope, receive, tracking_send)
            else:
                await self.app(scope, receive, tracking_send)
        except Exception as exc:
            # The library's own failures on odd sequences (a POST to a session it just
            # closed raises KeyError): one line, and a plain refusal, not a traceback.
            log.warning("Socket.IO request failed: %s: %s", type(exc).__name__, exc)
            if not started:
                await _plain(send, 400, b"bad request")

    async def _guard_polling(self, scope: Any, receive: Any, send: Any) -> None:
        limit = self.engine.max_http_buffer_size
        body = b""
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return
            body += message.get("body", b"")
            if len(body) > limit:
                break
            if not message.get("more_body", False):
                break
        try:
            packets = body.decode().split(_POLLING_SEPARATOR) if body else []
        except UnicodeDecodeError:
            packets = [""]
        if len(body) > limit or any(bad_text(p, _POLLING_TYPES) for p in packets):
            sid = _query_value(scope, "sid")
            log.warning("closing a long-polling session: malformed or oversized payload")
            if sid:
                await self.engine.abort(sid)
            await _plain(send, 400, b"bad payload")
            return
        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def _query_value(scope: Any, name: str) -> str | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get(name)
    return values[0] if values else None


async def _plain(send: Any, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
