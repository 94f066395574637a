"""Bots (accounts a user owns, speaking with API tokens) and incoming webhooks (a secret
URL that posts into its room as the hook's own bot, Slack-style ``{"text"}``)."""

from __future__ import annotations

import hmac
import re
import secrets

from hubbub import policy
from hubbub.actions.auth import API_TOKEN_PREFIX
from hubbub.actions.messages import send_message
from hubbub.actions.rooms import room_access
from hubbub.errors import BadRequest, Conflict, NotFound
from hubbub.events import RoomEventOut
from hubbub.fanout.base import Emit, SessionEnded
from hubbub.hub import Hub
from hubbub.schemas import UserOut
from hubbub.security import TokenUser, hash_refresh_token
from hubbub.store.base import AuditEntry, DuplicateName, MessageRecord, UserRecord, WebhookRecord

MAX_BOTS = 20  # per owner
_USERNAME = re.compile(r"[A-Za-z0-9_.-]{3,32}")


async def create_bot(hub: Hub, user: TokenUser, *, username: str) -> tuple[UserRecord, str]:
    """The bot and its token, shown this once (only its hash is kept)."""
    me = await hub.store.get_user(user_id=user.id)
    policy.may_own_bots(bot=me is not None and me.bot)
    if not _USERNAME.fullmatch(username):
        raise BadRequest("a bot's username is 3-32 of letters, digits, '_', '.' and '-'")
    if len(await hub.store.bots_of(owner_id=user.id)) >= MAX_BOTS:
        raise BadRequest(f"one person may own at most {MAX_BOTS} bots")
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    try:
        bot = await hub.store.create_bot(
            username=username,
            owner_id=user.id,
            token_hash=hash_refresh_token(token),
            session_id="bot-" + secrets.token_hex(12),
        )
    except DuplicateName as exc:
        raise Conflict("that username is taken") from exc
    return bot, token


async def bots(hub: Hub, user: TokenUser) -> list[UserRecord]:
    return await hub.store.bots_of(owner_id=user.id)


async def delete_bot(hub: Hub, user: TokenUser, *, username: str) -> None:
    """Its token stops at once, and its sockets close on every node."""
    ended = await hub.store.remove_bot(
        owner_id=user.id,
        username=username,
        audit=AuditEntry(actor_id=user.id, action="delete_bot", target=username),
    )
    if ended is None:
        raise NotFound(f"you have no bot named {username!r}")
    for session in ended:
        await hub.broker.publish(SessionEnded(session=session))


async def create_webhook(
    hub: Hub, user: TokenUser, room: str, *, name: str
) -> tuple[WebhookRecord, str]:
    """The hook, and its URL's secret (shown this once)."""
    name = " ".join(name.split())
    if not 1 <= len(name) <= 64:
        raise BadRequest("a webhook's name is 1-64 characters")
    access = await room_access(hub, user, room)
    policy.may_manage_webhooks(access)
    secret = secrets.token_urlsafe(24)
    hook = await hub.store.create_webhook(
        room_id=access.room.id,
        name=name,
        secret_hash=hash_refresh_token(secret),
        bot_username="hook-" + secrets.token_hex(6),
        created_by=user.id,
        audit=AuditEntry(actor_id=user.id, action="webhook", room=room, target=name),
    )
    # Its bot joined the room: members' lists show it at once.
    joined = RoomEventOut(type="join", room=room, user=UserOut.of(hook.bot)).wire()
    await hub.broker.publish(Emit(event="roomEvent", data=joined, to="room", key=room))
    return hook, secret


async def webhooks(hub: Hub, user: TokenUser, room: str) -> list[WebhookRecord]:
    access = await room_access(hub, user, room)
    policy.may_manage_webhooks(access)
    return await hub.store.webhooks_of(room_id=access.room.id)


async def delete_webhook(hub: Hub, user: TokenUser, room: str, *, webhook_id: int) -> None:
    access = await room_access(hub, user, room)
    policy.may_manage_webhooks(access)
    audit = AuditEntry(actor_id=user.id, action="delete_webhook", room=room, target=str(webhook_id))
    if not await hub.store.delete_webhook(
        room_id=access.room.id, webhook_id=webhook_id, audit=audit
    ):
        raise NotFound(f"no webhook {webhook_id} in {room!r}")


async def post(hub: Hub, *, webhook_id: int, secret: str, text: str) -> MessageRecord:
    """Store and deliver ``text`` as the hook's bot: the same path as any send."""
    hook = await hub.store.webhook(webhook_id=webhook_id)
    if hook is None or not hmac.compare_digest(hook.secret_hash, hash_refresh_token(secret)):
        raise NotFound("no such webhook")
    # Per hook as well as per address (the route's): a leaked URL posted to from many
    # addresses floods no more than one person could. Counted once the secret matched, so
    # guesses at a hook's URL cannot use up its budget.
    await hub.limits.check("webhooks", hook.id)
    bot = TokenUser(id=hook.bot.id, username=hook.bot.username)
    return await send_message(hub, bot, room=hook.room, text=text, client_id=None)
