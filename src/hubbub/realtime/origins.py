"""Which browser origins may open a Socket.IO connection: the server's own, plus any
listed in ``HUBBUB_CORS_ORIGINS`` (python-engineio's list form would drop the former)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

OriginCheck = Callable[[str | None, dict[str, Any]], bool]


def own_origins(environ: dict[str, Any]) -> set[str]:
    host = environ.get("HTTP_HOST")
    if not host:
        return set()
    scheme = environ.get("wsgi.url_scheme", "http")
    origins = {f"{scheme}://{host}"}
    forwarded_proto = environ.get("HTTP_X_FORWARDED_PROTO")
    forwarded_host = environ.get("HTTP_X_FORWARDED_HOST")
    if forwarded_proto or forwarded_host:
        proto = (forwarded_proto or scheme).split(",")[0].strip()
        fhost = (forwarded_host or host).split(",")[0].strip()
        origins.add(f"{proto}://{fhost}")
    return origins


def origin_check(extra_origins: list[str]) -> OriginCheck:
    listed = {origin.rstrip("/") for origin in extra_origins}

    def allowed(origin: str | None, environ: dict[str, Any]) -> bool:
        if origin is None:  # not a browser: nothing to check
            return True
        return origin in listed or origin in own_origins(environ)

    return allowed
