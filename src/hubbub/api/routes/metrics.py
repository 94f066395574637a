"""``GET /metrics``: Prometheus's text format, for the whole server (every worker).

Private by default: without ``HUBBUB_METRICS_TOKEN`` it answers only a scraper on the
same machine that talks to Hubbub directly (a loopback peer, no proxy's forwarding
header), so a reverse proxy that forwards everything cannot expose it by accident. With
the token set, any address may scrape with ``Authorization: Bearer <token>`` (Prometheus's
``authorization`` scrape setting), and nobody without it. ``HUBBUB_METRICS=off``: 404.
Why a token and not a port of its own: docs/operations.md, *Metrics*.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import os
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

from hubbub import metrics
from hubbub.api.deps import HubDep
from hubbub.errors import error_body
from hubbub.metrics_dir import ENV

router = APIRouter()
_FORWARDING = (b"x-forwarded-for", b"forwarded", b"x-real-ip")


@router.get("/metrics", include_in_schema=False, response_model=None)
async def scrape(request: Request, hub: HubDep) -> Response:
    settings = hub.settings
    if not settings.metrics:
        return _refuse(404, "not_found", "metrics are off (HUBBUB_METRICS)")
    if settings.metrics_token is not None:
        if not _bearer_matches(request, settings.metrics_token):
            return _refuse(401, "unauthorized", "a metrics bearer token is required")
    elif not _direct_loopback(request):
        return _refuse(
            403, "forbidden", "metrics are served to this machine only; see HUBBUB_METRICS_TOKEN"
        )
    body = await asyncio.to_thread(exposition)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def exposition() -> bytes:
    """Every metric in the text format: the sum over every worker's files in multiprocess
    mode, else this process's own registry."""
    if not metrics.MULTIPROCESS:
        return generate_latest(REGISTRY)
    path = os.environ[ENV]
    forget_dead_workers(Path(path))
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=path)  # type: ignore[no-untyped-call]
    return generate_latest(registry)


def forget_dead_workers(path: Path) -> None:
    """A worker that died (killed, restarted by uvicorn) leaves its ``livesum`` gauge file
    behind: its connections would be counted for ever. Counters keep its totals."""
    for file in path.glob("gauge_live*_*.db"):
        pid = int(file.stem.rsplit("_", 1)[1])
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            mark_process_dead(pid, str(path))  # type: ignore[no-untyped-call]
        except PermissionError:
            pass  # alive, someone else's: not ours to touch


def _bearer_matches(request: Request, token: str) -> bool:
    scheme, _, presented = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        presented.strip().encode(), token.encode()
    )


def _direct_loopback(request: Request) -> bool:
    if request.client is None:
        return False
    try:
        loopback = ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:
        return False
    raw = request.scope.get("headers", [])
    return loopback and not any(name in _FORWARDING for name, _ in raw)


def _refuse(status: int, code: str, message: str) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Bearer realm="metrics"'} if status == 401 else None
    return JSONResponse(error_body(code, message), status_code=status, headers=headers)
