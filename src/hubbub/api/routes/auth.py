from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from hubbub.actions import auth
from hubbub.api.deps import HubDep
from hubbub.schemas import Credentials, ErrorOut, RefreshIn, TokenPairOut

router = APIRouter(prefix="/api/auth", tags=["auth"])
_errors: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut},
    409: {"model": ErrorOut},
    422: {"model": ErrorOut},
}


@router.post("/register", status_code=status.HTTP_201_CREATED, responses=_errors)
async def register(body: Credentials, hub: HubDep) -> TokenPairOut:
    return await auth.register(hub, username=body.username, password=body.password)


@router.post("/login", responses=_errors)
async def login(body: Credentials, hub: HubDep) -> TokenPairOut:
    return await auth.login(hub, username=body.username, password=body.password)


@router.post("/refresh", responses=_errors)
async def refresh(body: RefreshIn, hub: HubDep) -> TokenPairOut:
    return await auth.refresh(hub, refresh_token=body.refresh_token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(body: RefreshIn, hub: HubDep) -> Response:
    await auth.logout(hub, refresh_token=body.refresh_token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
