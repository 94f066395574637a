"""FastAPI dependencies as ``Annotated`` aliases: the hub and the caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hubbub.actions.auth import authenticate
from hubbub.hub import Hub
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
