from __future__ import annotations

from fastapi import APIRouter

from hubbub.actions import presence
from hubbub.api.deps import CurrentUser, HubDep, per_user
from hubbub.schemas import ErrorOut, UserOut, UsersOut

router = APIRouter(
    prefix="/api",
    tags=["users"],
    dependencies=[per_user("reads")],
    responses={401: {"model": ErrorOut}},
)


@router.get("/me")
async def me(user: CurrentUser) -> UserOut:
    return UserOut(id=user.id, username=user.username)


@router.get("/users/online")
async def online(_: CurrentUser, hub: HubDep) -> UsersOut:
    return UsersOut(users=[UserOut.of(u) for u in await presence.online_users(hub)])
