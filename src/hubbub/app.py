"""``create_app(settings)``: FastAPI for REST, python-socketio for real time, one ASGI app.

The lifespan builds the process's resources (store, broker, presence) and closes them.
"""

from __future__ import annotations

import asyncio
import base64
import gc
import hashlib
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from importlib.resources import files
from pathlib import Path
from typing import Any

import socketio
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

from hubbub import __version__
from hubbub.actions import presence
from hubbub.api.edge import CSP, BodyLimit, SecurityHeaders
from hubbub.api.errors import install_error_handlers
from hubbub.api.request_id import RequestId
from hubbub.api.routes import (
    admin,
    auth,
    dms,
    health,
    integrations,
    messages,
    metrics,
    moderation,
    rooms,
    search,
    uploads,
    users,
)
from hubbub.config import Settings
from hubbub.fanout.factory import build_fanout
from hubbub.files.storage import DiskStorage
from hubbub.files.sweeper import sweep_forever
from hubbub.hub import Hub
from hubbub.ratelimit import Limits
from hubbub.realtime.engine import check_internals
from hubbub.realtime.frame_guard import FrameGuard
from hubbub.realtime.server import RealtimeServer
from hubbub.schemas import ErrorOut
from hubbub.security import AccessTokens, PasswordHashing
from hubbub.store.factory import open_configured_store

log = logging.getLogger(__name__)

STATIC_DIR = Path(str(files("hubbub") / "static"))
PLACEHOLDER = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Hubbub</title></head><body><h1>Hubbub</h1>
<p>The server is running. The web client is not built yet: see the README.
The API is documented at <a href="/docs">/docs</a>.</p></body></html>"""


API_DOCS_PLACEHOLDER = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Hubbub API</title></head><body><h1>Hubbub API</h1>
<p>The interactive docs are built with the web client (see the README). The OpenAPI
document is at <a href="/openapi.json">/openapi.json</a>.</p></body></html>"""


# Answers any /api route may give besides its own (documented so clients and the
# OpenAPI document agree): malformed input, a body over the limit (before any route),
# a rate limit, a backend failure.
COMMON_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut} for status in (400, 413, 422, 429, 503)
}


def create_app(settings: Settings | None = None) -> Any:
    settings = settings or Settings()
    check_internals()
    realtime = RealtimeServer(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = await open_configured_store(settings)
        fanout = build_fanout(settings)
        hub = Hub(
            settings=settings,
            store=store,
            broker=fanout.broker,
            presence=fanout.presence,
            tokens=AccessTokens(
                secret=settings.resolved_jwt_secret(), ttl_seconds=settings.access_token_ttl
            ),
            passwords=PasswordHashing(
                threads=settings.password_hash_threads, queue=settings.password_hash_queue
            ),
            limits=Limits(settings),
            files=DiskStorage(settings.data_dir / "uploads"),
        )
        realtime.attach(hub)
        fanout.presence.on_users_gone(partial(presence.users_gone, hub))
        await fanout.broker.start()
        await fanout.presence.start()
        app.state.hub = hub
        # What start-up built lives as long as the process: freezing it keeps the collector's
        # full passes from walking it again and again (pauses of 100-200 ms under load before).
        gc.collect()
        gc.freeze()
        loop = asyncio.get_running_loop()
        background = [
            loop.create_task(
                sweep_forever(hub, every=min(3600.0, settings.upload_orphan_seconds / 4))
            )
        ]
        if settings.session_check_seconds > 0:
            # Logins ended where no broker reaches (the operator's command without Redis).
            background.append(
                loop.create_task(realtime.watch_sessions(settings.session_check_seconds))
            )
        log.info("node %s ready", fanout.node_id)
        try:
            yield
        finally:
            for task in background:
                task.cancel()
            await realtime.sio.shutdown()
            await fanout.close()
            await store.close()
            hub.passwords.close()

    api = FastAPI(
        title="Hubbub",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,  # served below from the package, not from a CDN
        redoc_url=None,
    )
    install_error_handlers(api)
    if settings.cors_origins:
        api.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["Authorization", "Content-Type"],
        )
    routers = (auth, users, admin, rooms, dms, messages, search, uploads, moderation, integrations)
    for router in (module.router for module in routers):
        api.include_router(router, responses=COMMON_ERRORS)
    api.include_router(health.router)
    api.include_router(metrics.router)
    _serve_web_client(api)
    api.state.realtime = realtime
    app = socketio.ASGIApp(realtime.sio, other_asgi_app=api, socketio_path="socket.io")
    guarded = FrameGuard(app, engine=realtime.sio.eio)
    # An upload's multipart envelope (boundaries, headers) rides on top of the file.
    upload_limit = settings.max_upload_bytes + 64 * 1024
    return RequestId(
        SecurityHeaders(
            BodyLimit(
                guarded,
                limit=settings.max_body_bytes,
                upload_limit=upload_limit,
                upload_file_limit=settings.max_upload_bytes,
            )
        ),
        # WebSockets go straight to Socket.IO: the layers between are HTTP-only (their frames
        # are checked where realtime.websocket_lane reads them).
        websocket=app,
    )


def _serve_web_client(api: FastAPI) -> None:
    index = STATIC_DIR / "app" / "index.html"
    assets = STATIC_DIR / "app" / "assets"
    swagger = STATIC_DIR / "app" / "api-docs"
    if assets.is_dir():
        api.mount("/assets", StaticFiles(directory=assets), name="assets")
    if swagger.is_dir():
        api.mount("/api-docs", StaticFiles(directory=swagger), name="api-docs")

    @api.get("/docs", include_in_schema=False, response_model=None)
    async def api_docs() -> HTMLResponse:
        if not (swagger / "swagger-ui-bundle.js").is_file():
            return HTMLResponse(API_DOCS_PLACEHOLDER)
        page = get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Hubbub API",
            swagger_js_url="/api-docs/swagger-ui-bundle.js",
            swagger_css_url="/api-docs/swagger-ui.css",
            swagger_favicon_url="/api-docs/favicon-32x32.png",
        )
        page.headers["content-security-policy"] = _docs_policy(bytes(page.body))
        return page

    @api.get("/", include_in_schema=False, response_model=None)
    async def web_client() -> FileResponse | HTMLResponse:
        if index.is_file():
            return FileResponse(index)
        return HTMLResponse(PLACEHOLDER)


def _docs_policy(page: bytes) -> str:
    """The site's CSP, plus what Swagger UI needs: its one inline start-up script (allowed
    by its hash, not by 'unsafe-inline') and the inline styles it sets."""
    scripts = re.findall(rb"<script>(.*?)</script>", page, re.DOTALL)
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
        for script in scripts
    )
    return CSP.replace("script-src 'self'", f"script-src 'self' {hashes}").replace(
        "style-src 'self'", "style-src 'self' 'unsafe-inline'"
    )


def app_from_environment() -> Any:
    """Factory for ``uvicorn --factory`` (each worker builds its own app)."""
    return create_app(Settings())
