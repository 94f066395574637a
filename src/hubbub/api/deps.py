"""FastAPI dependencies as ``Annotated`` aliases: the hub and the caller; rate limits,
checked before a route does any work."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hubbub.actions.auth import authenticate
from hubbub.hub import Hub
from hubbub.ratelimit import Kind
from hubbub.security import TokenUser

_bearer = HTTPBearer(auto_error=False, description="the access token from login")


def get_hub(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


HubDep = Annotated[Hub, Depends(get_hub)]


async def current_user(
    hub: HubDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> TokenUser:
    return await authenticate(hub, credentials.credentials if credentials else None)


CurrentUser = Annotated[TokenUser, Depends(current_user)]


def client_address(request: Request) -> str:
    """The caller's address (uvicorn takes it from X-Forwarded-For only from trusted
    proxies, ``HUBBUB_FORWARDED_ALLOW_IPS``)."""
    return request.client.host if request.client else "unknown"


def per_user(kind: Kind) -> Any:
    """A route dependency: one request of ``kind`` counted against the caller."""

    async def check(user: CurrentUser, hub: HubDep) -> None:
        await hub.limits.check(kind, user.id)

    return Depends(check)


def per_address(kind: Kind) -> Any:
    """A route dependency for calls made before login: counted per client address."""

    async def check(request: Request, hub: HubDep) -> None:
        await hub.limits.check(kind, client_address(request))

    return Depends(check)
