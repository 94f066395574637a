"""Which browser origins may open a Socket.IO connection: the server's own, plus any
listed in ``HUBBUB_CORS_ORIGINS`` (python-engineio's list form would drop the former).

The server's own origin is the request's ``Host`` with the scheme uvicorn decided: uvicorn
applies ``X-Forwarded-Proto`` only from trusted proxies (``HUBBUB_FORWARDED_ALLOW_IPS``),
while Engine.IO's own check believes any client's ``X-Forwarded-Proto``/``-Host``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

OriginCheck = Callable[[str | None, dict[str, Any]], bool]
_HTTP_SCHEME = {"ws": "http", "wss": "https", "http": "http", "https": "https"}


def own_origin(environ: dict[str, Any]) -> str | None:
    host = environ.get("HTTP_HOST")
    if not host:
        return None
    scope = environ.get("asgi.scope") or {}
    scheme = _HTTP_SCHEME.get(str(scope.get("scheme", "http")), "http")
    return f"{scheme}://{host}"


def origin_check(extra_origins: list[str]) -> OriginCheck:
    listed = {origin.rstrip("/") for origin in extra_origins}

    def allowed(origin: str | None, environ: dict[str, Any]) -> bool:
        if origin is None:  # not a browser: nothing to check
            return True
        return origin in listed or origin == own_origin(environ)

    return allowed
