"""Catch-up (``sync``): per room, by ``seq`` (v1: new messages) or by ``rev`` (v2: every
message new or changed since, once, in its latest state)."""

from __future__ import annotations

from dataclasses import dataclass, field

from hubbub.actions.rooms import readable_room
from hubbub.errors import HubbubError
from hubbub.hub import Hub
from hubbub.security import TokenUser
from hubbub.store.base import MessagePage, MessageRecord, RoomRecord

SYNC_LIMIT = 500  # per room (PROTOCOL.md)
SYNC_TOTAL = 1000  # in one reply, whatever the number of rooms (PROTOCOL v2)


@dataclass(frozen=True, slots=True)
class RevMark:
    """``{"rev": n}``: the client has seen every change of the room up to rev ``n``."""

    rev: int


@dataclass(slots=True)
class SyncResult:
    messages: dict[str, list[MessageRecord]] = field(default_factory=dict)
    has_more: dict[str, bool] = field(default_factory=dict)
    rev: dict[str, int] = field(default_factory=dict)
    errors: dict[str, HubbubError] = field(default_factory=dict)


async def sync(hub: Hub, user: TokenUser, last_seen: dict[str, int | RevMark]) -> SyncResult:
    """Everything after each room's mark, from the store (so it survives any node's
    death), ascending: at most ``SYNC_LIMIT`` per room and ``SYNC_TOTAL`` in all, so one
    request cannot make a reply of unbounded size (``has_more`` says where to go on). A
    room the user can no longer read is reported in ``errors`` rather than failing the
    other rooms. ``rev`` gives each room's rev as of the answer: a client that got
    everything (``has_more`` false) has seen every change up to it."""
    result = SyncResult()
    budget = SYNC_TOTAL
    bytes_left = hub.settings.sync_max_bytes
    for name, mark in last_seen.items():
        try:
            target = await readable_room(hub, user, name)
        except HubbubError as exc:
            result.errors[name] = exc
            continue
        limit = min(SYNC_LIMIT, budget) if bytes_left > 0 else 0
        page, bytes_left = _within(await _page(hub, target, mark, limit), bytes_left)
        budget -= len(page.messages)
        result.messages[name] = page.messages
        result.has_more[name] = page.has_more
        result.rev[name] = max([target.last_rev, *(m.rev for m in page.messages)])
    return result


def _within(page: MessagePage, bytes_left: int) -> tuple[MessagePage, int]:
    """As much of the page as fits in the reply's byte budget (clients cap what they
    take in one frame: python-socketio's aiohttp transport at 4 MiB). ``has_more`` says
    the rest is there."""
    for i, message in enumerate(page.messages):
        bytes_left -= wire_size(message)
        if bytes_left < 0:
            return MessagePage(page.messages[:i], True), 0
    return page, bytes_left


def wire_size(message: MessageRecord) -> int:
    """About the bytes of a message on the wire: its text and the fields around it."""
    return (
        400 + len(message.text.encode()) + 40 * (len(message.reactions) + len(message.attachments))
    )


async def _page(hub: Hub, room: RoomRecord, mark: int | RevMark, limit: int) -> MessagePage:
    if isinstance(mark, RevMark):
        if limit <= 0 or room.last_rev <= mark.rev:
            return MessagePage([], room.last_rev > mark.rev)
        return await hub.store.messages_changed(room=room, after_rev=mark.rev, limit=limit)
    if limit <= 0 or room.last_seq <= mark:
        return MessagePage([], room.last_seq > mark)
    return await hub.store.messages_after(room=room, after=mark, limit=limit)
