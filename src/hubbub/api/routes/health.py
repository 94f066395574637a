from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from hubbub.api.deps import HubDep
from hubbub.schemas import HealthOut

router = APIRouter(tags=["health"])
_TIMEOUT = 2.0


async def _answers(check: Awaitable[None]) -> bool:
    try:
        await asyncio.wait_for(check, _TIMEOUT)
    except Exception:
        return False
    return True


@router.get("/healthz", responses={503: {"model": HealthOut}})
async def healthz(hub: HubDep) -> JSONResponse:
    """200 when the store (and Redis, if configured) answer; 503 otherwise."""
    store_ok = await _answers(hub.store.ping())
    redis_ok = await _answers(hub.broker.ping()) if hub.settings.redis_url else None
    ok = store_ok and redis_ok is not False
    body = HealthOut(status="ok" if ok else "unavailable", store=store_ok, redis=redis_ok)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=200 if ok else 503)
