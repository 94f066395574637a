from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from hubbub.actions import auth
from hubbub.api.deps import HubDep, per_address
from hubbub.schemas import Credentials, ErrorOut, RefreshIn, TokenPairOut

router = APIRouter(prefix="/api/auth", tags=["auth"])
_errors: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut},
    409: {"model": ErrorOut},
    422: {"model": ErrorOut},
    429: {"model": ErrorOut},
    503: {"model": ErrorOut},
}


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    responses=_errors,
    dependencies=[per_address("register_ip")],
)
async def register(body: Credentials, hub: HubDep) -> TokenPairOut:
    return await auth.register(hub, username=body.username, password=body.password)


@router.post("/login", responses=_errors, dependencies=[per_address("login_ip")])
async def login(body: Credentials, hub: HubDep) -> TokenPairOut:
    return await auth.login(hub, username=body.username, password=body.password)


@router.post("/refresh", responses=_errors, dependencies=[per_address("refresh_ip")])
async def refresh(body: RefreshIn, hub: HubDep) -> TokenPairOut:
    return await auth.refresh(hub, refresh_token=body.refresh_token)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_errors,
    dependencies=[per_address("refresh_ip")],
)
async def logout(body: RefreshIn, hub: HubDep) -> Response:
    await auth.logout(hub, refresh_token=body.refresh_token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
