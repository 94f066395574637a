from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from hubbub.actions import changes, messages
from hubbub.api.deps import CurrentUser, HubDep, per_user
from hubbub.schemas import MAX_SEQ, ErrorOut, MessageEdit, MessageOut, MessagesOut

router = APIRouter(
    prefix="/api/rooms",
    tags=["messages"],
    responses={
        401: {"model": ErrorOut},
        403: {"model": ErrorOut},
        404: {"model": ErrorOut},
        429: {"model": ErrorOut},
    },
)
SeqPath = Annotated[int, Path(ge=1, le=MAX_SEQ, description="the message's seq in its room")]
EmojiPath = Annotated[
    str, Path(min_length=1, max_length=64, description="one emoji, or a :shortcode:")
]


@router.get("/{name}/messages", dependencies=[per_user("reads")])
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
    around: Annotated[
        int | None,
        Query(ge=1, le=MAX_SEQ, description="the page centred on this seq (has_more: older)"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> MessagesOut:
    page = await messages.history(
        hub, user, name, before=before, after=after, around=around, limit=limit
    )
    return MessagesOut(messages=[MessageOut.of(m) for m in page.messages], has_more=page.has_more)


@router.get("/{name}/messages/{seq}/replies", dependencies=[per_user("reads")])
async def replies(
    name: str,
    seq: SeqPath,
    user: CurrentUser,
    hub: HubDep,
    after: Annotated[int, Query(ge=0, le=MAX_SEQ, description="replies with a higher seq")] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> MessagesOut:
    page = await messages.replies(hub, user, name, seq, after=after, limit=limit)
    return MessagesOut(messages=[MessageOut.of(m) for m in page.messages], has_more=page.has_more)


@router.patch(
    "/{name}/messages/{seq}",
    dependencies=[per_user("writes")],
    responses={400: {"model": ErrorOut}, 413: {"model": ErrorOut}},
)
async def edit(
    name: str, seq: SeqPath, body: MessageEdit, user: CurrentUser, hub: HubDep
) -> MessageOut:
    return MessageOut.of(await changes.edit_message(hub, user, room=name, seq=seq, text=body.text))


@router.delete("/{name}/messages/{seq}", dependencies=[per_user("writes")])
async def delete(name: str, seq: SeqPath, user: CurrentUser, hub: HubDep) -> MessageOut:
    return MessageOut.of(await changes.delete_message(hub, user, room=name, seq=seq))


@router.put(
    "/{name}/messages/{seq}/reactions/{emoji}",
    dependencies=[per_user("writes")],
    responses={400: {"model": ErrorOut}},
)
async def add_reaction(
    name: str, seq: SeqPath, emoji: EmojiPath, user: CurrentUser, hub: HubDep
) -> MessageOut:
    return MessageOut.of(await changes.react(hub, user, room=name, seq=seq, emoji=emoji, add=True))


@router.delete(
    "/{name}/messages/{seq}/reactions/{emoji}",
    dependencies=[per_user("writes")],
    responses={400: {"model": ErrorOut}},
)
async def remove_reaction(
    name: str, seq: SeqPath, emoji: EmojiPath, user: CurrentUser, hub: HubDep
) -> MessageOut:
    return MessageOut.of(await changes.react(hub, user, room=name, seq=seq, emoji=emoji, add=False))
