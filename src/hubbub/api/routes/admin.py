from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from hubbub.actions import accounts
from hubbub.api.deps import CurrentUser, HubDep, per_user
from hubbub.schemas import (
    MAX_SEQ,
    ErrorOut,
    PasswordChangeIn,
    UserOut,
)
from hubbub.schemas.admin import AccountOut, AccountsOut, AuditOut

router = APIRouter(
    prefix="/api",
    tags=["accounts"],
    responses={
        400: {"model": ErrorOut},
        401: {"model": ErrorOut},
        403: {"model": ErrorOut},
        404: {"model": ErrorOut},
        429: {"model": ErrorOut},
    },
)
_NO_CONTENT = status.HTTP_204_NO_CONTENT
Username = Annotated[str, Path(min_length=1, max_length=64)]


@router.post("/me/password", status_code=_NO_CONTENT, dependencies=[per_user("writes")])
async def change_password(body: PasswordChangeIn, user: CurrentUser, hub: HubDep) -> Response:
    """Every other login of the caller ends at once (tokens and sockets); this one stays."""
    await accounts.change_password(hub, user, old=body.old_password, new=body.new_password)
    return Response(status_code=_NO_CONTENT)


@router.post(
    "/admin/users/{username}/deactivate",
    status_code=_NO_CONTENT,
    dependencies=[per_user("writes")],
)
async def deactivate(username: Username, user: CurrentUser, hub: HubDep) -> Response:
    """Server admins: the user's tokens stop at once and their sockets close everywhere;
    logging in answers 403 until reactivated."""
    await accounts.deactivate(hub, user, username)
    return Response(status_code=_NO_CONTENT)


@router.post(
    "/admin/users/{username}/reactivate",
    status_code=_NO_CONTENT,
    dependencies=[per_user("writes")],
)
async def reactivate(username: Username, user: CurrentUser, hub: HubDep) -> Response:
    await accounts.reactivate(hub, user, username)
    return Response(status_code=_NO_CONTENT)


@router.get("/admin/audit", dependencies=[per_user("reads")])
async def audit(
    user: CurrentUser,
    hub: HubDep,
    before_id: Annotated[int | None, Query(ge=1, le=MAX_SEQ)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AuditOut:
    """Server admins: every moderation, role, deactivation and deletion, newest first."""
    entries = await accounts.audit_log(hub, user, before_id=before_id, limit=limit)
    return AuditOut.of(entries)


@router.get("/admin/users", dependencies=[per_user("reads")])
async def list_accounts(
    user: CurrentUser,
    hub: HubDep,
    q: Annotated[str, Query(max_length=64, description="username prefix")] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AccountsOut:
    """Server admins: accounts, with their role and whether they are deactivated."""
    found = await accounts.accounts(hub, user, prefix=q, limit=limit)
    return AccountsOut(
        users=[
            AccountOut(**UserOut.of(u).model_dump(), admin=a.admin, deactivated=a.deactivated)
            for u, a in found
        ]
    )
