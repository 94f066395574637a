"""PROTOCOL.md's wire objects, split by direction: ``…In`` is what clients send (unknown
fields ignored, never trusted), ``…Out`` what the server answers (``extra="forbid"``, so a
server bug cannot leak a field). REST bodies are in ``inbound``, what admins and
integrations get back in ``admin``; both build on ``base``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from hubbub.schemas.base import MAX_SEQ, In, Out, Password, RoomName, Seq, Username
from hubbub.schemas.inbound import (
    Credentials,
    DisplayNameIn,
    DmIn,
    HookIn,
    InviteIn,
    MessageEdit,
    MuteIn,
    NotifyIn,
    PasswordChangeIn,
    ReadMarkIn,
    RefreshIn,
    RoleIn,
    RoomCreate,
    TopicIn,
    UsernameIn,
    WebhookIn,
)
from hubbub.store.base import (
    Attachment,
    MessageRecord,
    RoomListing,
    RoomRecord,
    UserRecord,
)


class UserOut(Out):
    id: int
    username: str
    display_name: str | None = None
    bot: bool = False

    @classmethod
    def of(cls, user: UserRecord) -> UserOut:
        return cls(id=user.id, username=user.username, display_name=user.display_name, bot=user.bot)


class UserPresenceOut(UserOut):
    online: bool


class MemberOut(UserPresenceOut):
    """A room member: the user, online or not, and their role in the room (extension)."""

    role: Literal["owner", "moderator", "member"] = "member"


class RoomOut(Out):
    id: int
    name: str
    private: bool
    created_at: str
    last_seq: int
    rev: int = Field(description="the room's change counter (PROTOCOL v2)")
    kind: Literal["room", "dm"] = "room"
    topic: str | None = None
    archived: bool = Field(default=False, description="read-only from then on")

    @classmethod
    def of(cls, room: RoomRecord) -> RoomOut:
        return cls(
            id=room.id,
            name=room.name,
            private=room.private,
            created_at=room.created_at,
            last_seq=room.last_seq,
            rev=room.last_rev,
            kind=room.kind,
            topic=room.topic,
            archived=room.archived,
        )


class RoomListingOut(RoomOut):
    member: bool
    unread: int
    mentions: int = Field(default=0, description="unread messages that mention the caller")
    notify: Literal["all", "mentions", "none"] = "all"
    people: list[UserOut] = Field(default_factory=list, description="a DM's participants")
    role: Literal["owner", "moderator", "member"] | None = Field(
        default=None, description="the caller's role; null when not a member"
    )
    banned: bool = Field(
        default=False, description="the caller is banned from it: joining answers forbidden"
    )

    @classmethod
    def of_listing(cls, listing: RoomListing) -> RoomListingOut:
        return cls(
            **RoomOut.of(listing.room).model_dump(),
            role=listing.role,
            banned=listing.banned,
            member=listing.member,
            unread=listing.unread,
            mentions=listing.mentions,
            notify=listing.notify,
            people=[UserOut.of(u) for u in listing.people],
        )


class DmOut(RoomOut):
    people: list[UserOut] = Field(description="every participant, the caller included")

    @classmethod
    def of_dm(cls, room: RoomRecord, people: list[UserRecord]) -> DmOut:
        return cls(**RoomOut.of(room).model_dump(), people=[UserOut.of(u) for u in people])


class ReactionOut(Out):
    emoji: str
    user_ids: list[int]


class AttachmentOut(Out):
    id: int
    name: str
    size: int
    content_type: str
    url: str
    width: int | None = Field(default=None, description="images: pixels, known before loading")
    height: int | None = None

    @classmethod
    def of(cls, a: Attachment) -> AttachmentOut:
        return cls(
            id=a.id,
            name=a.name,
            size=a.size,
            content_type=a.content_type,
            url=attachment_url(a.id),
            width=a.width,
            height=a.height,
        )


class AttachmentsOut(Out):
    attachments: list[AttachmentOut]


class MessageOut(Out):
    id: int
    room: str
    seq: int
    user: UserOut
    text: str
    created_at: str
    client_id: str | None
    rev: int
    edited_at: str | None
    deleted: bool
    reply_to: int | None
    reply_count: int
    reactions: list[ReactionOut]
    mentions: list[int]
    attachments: list[AttachmentOut]

    @classmethod
    def of(cls, message: MessageRecord) -> MessageOut:
        return cls.model_validate(message_wire(message))


def user_wire(user: UserRecord) -> dict[str, object]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "bot": user.bot,
    }


def attachment_url(attachment_id: int) -> str:
    return f"/api/uploads/{attachment_id}"


def message_wire(message: MessageRecord) -> dict[str, object]:
    """A message as a plain dict, built directly: this runs once per stored message on
    the hot path; ``MessageOut`` describes the same shape and the tests hold them equal."""
    return {
        "id": message.id,
        "room": message.room,
        "seq": message.seq,
        "user": user_wire(message.user),
        "text": message.text,
        "created_at": message.created_at,
        "client_id": message.client_id,
        "rev": message.rev,
        "edited_at": message.edited_at,
        "deleted": message.deleted,
        "reply_to": message.reply_to,
        "reply_count": message.reply_count,
        "reactions": [{"emoji": r.emoji, "user_ids": list(r.user_ids)} for r in message.reactions]
        if message.reactions
        else [],
        "mentions": list(message.mentions),
        "attachments": [
            {
                "id": a.id,
                "name": a.name,
                "size": a.size,
                "content_type": a.content_type,
                "url": attachment_url(a.id),
                "width": a.width,
                "height": a.height,
            }
            for a in message.attachments
        ]
        if message.attachments
        else [],
    }


class TokenPairOut(Out):
    user: UserOut
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class RoomsOut(Out):
    rooms: list[RoomListingOut]


class MembersOut(Out):
    members: list[MemberOut]


class MessagesOut(Out):
    messages: list[MessageOut]
    has_more: bool


class SearchOut(Out):
    results: list[MessageOut]
    has_more: bool


class UsersOut(Out):
    users: list[UserOut]


class PeopleOut(Out):
    users: list[UserPresenceOut]


class HealthOut(Out):
    status: Literal["ok", "unavailable"]
    store: bool
    redis: bool | None = None


class ErrorDetail(Out):
    code: str
    message: str
    retry_after: float | None = Field(
        default=None, description="rate_limited / unavailable: seconds to wait before trying"
    )


class ErrorOut(Out):
    error: ErrorDetail


__all__ = [
    "MAX_SEQ",
    "AttachmentOut",
    "AttachmentsOut",
    "Credentials",
    "DisplayNameIn",
    "DmIn",
    "DmOut",
    "ErrorDetail",
    "ErrorOut",
    "HealthOut",
    "HookIn",
    "In",
    "InviteIn",
    "MemberOut",
    "MembersOut",
    "MessageEdit",
    "MessageOut",
    "MessagesOut",
    "MuteIn",
    "NotifyIn",
    "Out",
    "Password",
    "PasswordChangeIn",
    "PeopleOut",
    "ReactionOut",
    "ReadMarkIn",
    "RefreshIn",
    "RoleIn",
    "RoomCreate",
    "RoomListingOut",
    "RoomName",
    "RoomOut",
    "RoomsOut",
    "SearchOut",
    "Seq",
    "TokenPairOut",
    "TopicIn",
    "UserOut",
    "UserPresenceOut",
    "Username",
    "UsernameIn",
    "UsersOut",
    "WebhookIn",
    "attachment_url",
    "message_wire",
    "user_wire",
]
