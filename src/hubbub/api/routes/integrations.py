from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status

from hubbub.actions import integrations
from hubbub.api.deps import CurrentUser, HubDep, per_address, per_user
from hubbub.schemas import (
    MAX_SEQ,
    ErrorOut,
    HookIn,
    MessageOut,
    UsernameIn,
    UserOut,
    WebhookIn,
)
from hubbub.schemas.admin import BotCreatedOut, BotsOut, WebhookCreatedOut, WebhookOut, WebhooksOut

router = APIRouter(
    prefix="/api",
    tags=["integrations"],
    responses={
        400: {"model": ErrorOut},
        401: {"model": ErrorOut},
        403: {"model": ErrorOut},
        404: {"model": ErrorOut},
        429: {"model": ErrorOut},
    },
)
_NO_CONTENT = status.HTTP_204_NO_CONTENT
HookId = Annotated[int, Path(ge=1, le=MAX_SEQ)]


@router.post(
    "/bots",
    status_code=status.HTTP_201_CREATED,
    dependencies=[per_user("rooms")],
    responses={409: {"model": ErrorOut}},
)
async def create_bot(body: UsernameIn, user: CurrentUser, hub: HubDep) -> BotCreatedOut:
    """A bot account owned by the caller, and its API token — shown this once. The token
    works wherever an access token does (REST ``Authorization: Bearer``, Socket.IO
    ``auth.token``) until the bot is deleted."""
    bot, token = await integrations.create_bot(hub, user, username=body.username)
    return BotCreatedOut(user=UserOut.of(bot), token=token)


@router.get("/bots", dependencies=[per_user("reads")])
async def list_bots(user: CurrentUser, hub: HubDep) -> BotsOut:
    return BotsOut(bots=[UserOut.of(b) for b in await integrations.bots(hub, user)])


@router.delete("/bots/{username}", status_code=_NO_CONTENT, dependencies=[per_user("writes")])
async def delete_bot(
    username: Annotated[str, Path(max_length=64)], user: CurrentUser, hub: HubDep
) -> Response:
    await integrations.delete_bot(hub, user, username=username)
    return Response(status_code=_NO_CONTENT)


def _hook_url(request: Request, webhook_id: int, secret: str) -> str:
    return f"{str(request.base_url).rstrip('/')}/api/hooks/{webhook_id}/{secret}"


@router.post(
    "/rooms/{name}/webhooks",
    status_code=status.HTTP_201_CREATED,
    dependencies=[per_user("writes")],
)
async def create_webhook(
    name: str, body: WebhookIn, request: Request, user: CurrentUser, hub: HubDep
) -> WebhookCreatedOut:
    """A secret URL that posts into this room (owner or moderators); shown this once."""
    hook, secret = await integrations.create_webhook(hub, user, name, name=body.name)
    return WebhookCreatedOut(id=hook.id, name=hook.name, url=_hook_url(request, hook.id, secret))


@router.get("/rooms/{name}/webhooks", dependencies=[per_user("reads")])
async def list_webhooks(name: str, user: CurrentUser, hub: HubDep) -> WebhooksOut:
    hooks = await integrations.webhooks(hub, user, name)
    return WebhooksOut(
        webhooks=[WebhookOut(id=h.id, name=h.name, bot=UserOut.of(h.bot)) for h in hooks]
    )


@router.delete(
    "/rooms/{name}/webhooks/{webhook_id}",
    status_code=_NO_CONTENT,
    dependencies=[per_user("writes")],
)
async def delete_webhook(name: str, webhook_id: HookId, user: CurrentUser, hub: HubDep) -> Response:
    await integrations.delete_webhook(hub, user, name, webhook_id=webhook_id)
    return Response(status_code=_NO_CONTENT)


@router.post("/hooks/{webhook_id}/{secret}", dependencies=[per_address("webhooks_ip")])
async def post_to_webhook(
    webhook_id: HookId,
    secret: Annotated[str, Path(max_length=128)],
    body: HookIn,
    hub: HubDep,
) -> MessageOut:
    """Slack-compatible: ``{"text": "deploy done"}`` (other fields ignored) becomes a
    message from the hook's bot. No token: the URL's secret is the credential."""
    message = await integrations.post(hub, webhook_id=webhook_id, secret=secret, text=body.text)
    return MessageOut.of(message)
