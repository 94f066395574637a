from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from hubbub.actions import messages
from hubbub.api.deps import CurrentUser, HubDep, per_user
from hubbub.schemas import MAX_SEQ, ErrorOut, MessageOut, MessagesOut

router = APIRouter(
    prefix="/api/rooms",
    tags=["messages"],
    responses={
        401: {"model": ErrorOut},
        403: {"model": ErrorOut},
        404: {"model": ErrorOut},
        429: {"model": ErrorOut},
    },
    dependencies=[per_user("reads")],
)


@router.get("/{name}/messages")
async def history(
    name: str,
    user: CurrentUser,
    hub: HubDep,
    before: Annotated[
        int | None, Query(ge=1, le=MAX_SEQ, description="messages with a lower seq")
    ] = None,
    after: Annotated[
        int | None, Query(ge=0, le=MAX_SEQ, description="messages with a higher seq")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> MessagesOut:
    page = await messages.history(hub, user, name, before=before, after=after, limit=limit)
    return MessagesOut(messages=[MessageOut.of(m) for m in page.messages], has_more=page.has_more)
