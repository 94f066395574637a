"""ASGI guards around the whole app (REST, static files and Socket.IO alike).

- ``SecurityHeaders``: a Content-Security-Policy *header* (a ``<meta>`` tag cannot say
  ``frame-ancestors``), ``X-Frame-Options``, ``X-Content-Type-Options`` and
  ``Referrer-Policy`` on every response, so no page of Hubbub's can be framed or sniffed.
- ``BodyLimit``: a REST request body over the limit answers 413 ``too_large`` before it is
  read whole — at once when ``Content-Length`` says so, else as soon as the bytes received
  pass the limit — and before any route, so before authentication too.
"""

from __future__ import annotations

import re
import tempfile

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hubbub.errors import error_body

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


class SecurityHeaders:
    """Adds the headers to every HTTP response; a response that sets its own CSP (the
    API docs page, whose inline start-up script is allowed by hash) keeps it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                headers.setdefault("content-security-policy", CSP)
            await send(message)

        await self.app(scope, receive, send_with_headers)


_UPLOAD_PATH = re.compile(r"/api/rooms/[^/]+/uploads")
_SPOOL_IN_MEMORY = 1 << 20
_REPLAY_CHUNK = 1 << 16


class BodyLimit:
    """Reads a request body (up to ``limit`` bytes) before the app sees it, and answers
    413 past that. Socket.IO's path is left to Engine.IO, which has its own cap. File
    uploads (``POST /api/rooms/{name}/uploads``) may be up to ``upload_limit`` and are
    spooled to a temporary file past 1 MiB, so a body is never held whole in memory."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int,
        upload_limit: int = 0,
        upload_file_limit: int = 0,
        skip_prefix: str = "/socket.io",
    ) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit
        self.upload_file_limit = upload_file_limit  # what the user is told
        self.skip_prefix = skip_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.skip_prefix):
            await self.app(scope, receive, send)
            return
        upload = scope["method"] == "POST" and _UPLOAD_PATH.fullmatch(scope["path"]) is not None
        limit = self.upload_limit if upload else self.limit
        told = f"a file may be at most {self.upload_file_limit} bytes" if upload else None
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await self._refuse(scope, receive, send, limit, told)
            return
        with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as body:
            size = 0
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    await self._refuse(scope, receive, send, limit, told)
                    return
                body.write(chunk)
                if not message.get("more_body", False):
                    break
            body.seek(0)
            done = False

            async def replay() -> Message:
                nonlocal done
                if done:
                    return await receive()  # waits for the client's disconnect, as usual
                chunk = body.read(_REPLAY_CHUNK)
                done = body.tell() >= size
                return {"type": "http.request", "body": chunk, "more_body": not done}

            await self.app(scope, replay, send)

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, limit: int, told: str | None = None
    ) -> None:
        # No "Connection: close": closing with the client's bytes still unread would reset
        # the connection, and the client might never read this answer. uvicorn discards
        # the rest of the body as it arrives instead (nothing of it is kept).
        response = JSONResponse(
            error_body("too_large", told or f"the request body is over {limit} bytes"),
            status_code=413,
        )
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
