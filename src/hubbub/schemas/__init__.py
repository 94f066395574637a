"""PROTOCOL.md's wire objects, split by direction: ``…In`` is what clients send (unknown
fields ignored, never trusted), ``…Out`` what the server answers (``extra="forbid"``, so a
server bug cannot leak a field)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from hubbub.store.base import (
    Attachment,
    AuditRecord,
    MessageRecord,
    RoomListing,
    RoomRecord,
    UserRecord,
)

Username = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{3,32}$")]
Password = Annotated[str, Field(min_length=8, max_length=1024)]
RoomName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{1,64}$")]
MAX_SEQ = 2**63 - 1  # a seq is a signed 64-bit integer in both stores
Seq = Annotated[int, Field(ge=0, le=MAX_SEQ)]


class In(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- inbound (REST bodies) ----
class Credentials(In):
    username: Username
    password: Password


class RefreshIn(In):
    refresh_token: str = Field(min_length=1, max_length=512)


class RoomCreate(In):
    name: RoomName
    private: bool = False


class InviteIn(In):
    username: str = Field(min_length=1, max_length=64)


class ReadMarkIn(In):
    seq: Seq


class DisplayNameIn(In):
    display_name: str | None = Field(default=None, max_length=256)


class DmIn(In):
    usernames: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        min_length=1, max_length=64
    )


class NotifyIn(In):
    level: Literal["all", "mentions", "none"]


class UsernameIn(In):
    username: str = Field(min_length=1, max_length=64)


class MuteIn(UsernameIn):
    seconds: int = Field(description="how long, 1 s to a year")


class RoleIn(In):
    role: Literal["moderator", "member"]


class TopicIn(In):
    topic: str | None = Field(default=None, max_length=1000)


class PasswordChangeIn(In):
    old_password: str = Field(min_length=1, max_length=1024)
    new_password: Password


class WebhookIn(In):
    name: str = Field(min_length=1, max_length=64)


class HookIn(In):
    text: str = Field(max_length=100_000)


class MessageEdit(In):
    text: Annotated[str, StringConstraints(pattern=r"^[^\x00]*$")]  # length: by the action


# ---- outbound ----
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


class AccountOut(UserOut):
    """What a server admin sees of an account."""

    admin: bool
    deactivated: bool


class AccountsOut(Out):
    users: list[AccountOut]


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

    @classmethod
    def of_listing(cls, listing: RoomListing) -> RoomListingOut:
        return cls(
            **RoomOut.of(listing.room).model_dump(),
            role=listing.role,
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


class AuditActorOut(Out):
    id: int
    username: str


class AuditEntryOut(Out):
    id: int
    at: str
    actor: AuditActorOut | None
    action: str
    room: str | None
    target: str | None
    detail: str | None


class AuditOut(Out):
    entries: list[AuditEntryOut]

    @classmethod
    def of(cls, entries: list[AuditRecord]) -> AuditOut:
        return cls(
            entries=[
                AuditEntryOut(
                    id=e.id,
                    at=e.at,
                    actor=AuditActorOut(id=e.actor_id, username=e.actor_username)
                    if e.actor_id is not None and e.actor_username is not None
                    else None,
                    action=e.action,
                    room=e.room,
                    target=e.target,
                    detail=e.detail,
                )
                for e in entries
            ]
        )


class BotCreatedOut(Out):
    user: UserOut
    token: str = Field(description="the bot's API token, shown this once")


class BotsOut(Out):
    bots: list[UserOut]


class WebhookCreatedOut(Out):
    id: int
    name: str
    url: str = Field(description='POST {"text"} here; shown this once')


class WebhookOut(Out):
    id: int
    name: str
    bot: UserOut


class WebhooksOut(Out):
    webhooks: list[WebhookOut]
