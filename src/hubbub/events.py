"""Socket.IO event payloads: one model per event.

Inbound models ignore unknown fields (PROTOCOL.md: newer clients must keep working, and a
``user`` field is never trusted); outbound ones forbid extras.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from hubbub.schemas import (
    DmOut,
    In,
    MemberOut,
    MessageOut,
    Out,
    RoomListingOut,
    RoomOut,
    Seq,
    UserOut,
)

RoomKey = Annotated[str, StringConstraints(min_length=1, max_length=64)]
ClientId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[^\x00]*$")]


# ---- client → server ----
class RoomRef(In):
    """``joinRoom``, ``leaveRoom`` and ``typing`` all name one room."""

    room: RoomKey


Text = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$")]  # length: by the action


class SendMessageIn(In):
    room: RoomKey
    text: Text
    client_id: ClientId | None = None
    reply_to: Seq | None = None
    attachments: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] = Field(
        default_factory=list, max_length=10
    )


class MessageRef(In):
    """``deleteMessage``: one message, by its room and seq."""

    room: RoomKey
    seq: Seq


class EditMessageIn(MessageRef):
    text: Text


class ReactionIn(MessageRef):
    """``addReaction`` / ``removeReaction``; what an emoji may be: ``hubbub.reactions``."""

    emoji: Annotated[str, StringConstraints(min_length=1, max_length=64)]


class RevIn(In):
    """A ``sync`` mark by change (PROTOCOL v2): every change after ``rev``."""

    rev: Seq


class SyncIn(In):
    rooms: dict[RoomKey, Seq | RevIn] = Field(max_length=500)


class MarkReadIn(In):
    room: RoomKey
    seq: Seq


class ReauthIn(In):
    """Extension of PROTOCOL v2: a fresh access token for a live socket."""

    token: Annotated[str, StringConstraints(min_length=1, max_length=4096)]


# ---- server → client ----
ReceiveMessage = MessageOut


class RoomEventOut(Out):
    type: Literal["join", "leave", "kick", "ban", "role", "mute"]
    room: str
    user: UserOut
    by: UserOut | None = None  # kick, ban, role, mute: who did it
    role: Literal["moderator", "member"] | None = None  # role: the new one
    until: str | None = None  # mute: when it ends

    def wire(self) -> dict[str, object]:
        """The event without the fields its type does not use (``by`` on a join…)."""
        return {k: v for k, v in self.model_dump().items() if v is not None}


class RoomUpdatedOut(Out):
    """A room's topic, roles or archived state changed (to its members)."""

    room: RoomOut


class RoomDeletedOut(Out):
    room: str


class UserStatusOut(Out):
    user: UserOut
    status: Literal["online", "offline"]


class RoomCreatedOut(Out):
    """Extension: a public room was created (to every connected socket)."""

    room: RoomOut


class InvitedOut(Out):
    """Extension: the receiving user was invited to a private room (to their sockets)."""

    room: RoomOut
    by: UserOut


class DmCreatedOut(Out):
    """Extension: a DM including the receiving user was opened by someone else."""

    room: DmOut


class UserUpdatedOut(Out):
    """Extension: a user changed their display name (to every connected socket)."""

    user: UserOut


class TypingOut(Out):
    room: str
    user: UserOut


class SessionEndedOut(Out):
    """Extension: why the server is about to disconnect this socket (token expired, or
    the login was ended); reconnect with a fresh token, or log in again."""

    code: Literal["unauthorized"]
    message: str


# ---- acks ----
class JoinRoomAck(Out):
    ok: Literal[True] = True
    room: RoomOut
    messages: list[MessageOut]
    members: list[MemberOut]


class SendMessageAck(Out):
    ok: Literal[True] = True
    message: MessageOut


class MessageAck(Out):
    """Every event that answers "the message" (edits, deletes, reactions)."""

    ok: Literal[True] = True
    message: MessageOut


class ErrorBody(Out):
    code: str
    message: str
    retry_after: float | None = None  # rate_limited: seconds until a retry may pass


class OkAck(Out):
    """The ack of an event that answers nothing but success."""

    ok: Literal[True] = True


class ErrorAck(Out):
    """Any event's ack when it failed: PROTOCOL's ``{ok: false, error: {code, message}}``."""

    ok: Literal[False] = False
    error: ErrorBody


class ReauthAck(Out):
    ok: Literal[True] = True
    expires_in: int  # seconds the new token has left


class SyncAck(Out):
    ok: Literal[True] = True
    messages: dict[str, list[MessageOut]]
    has_more: dict[str, bool]
    rev: dict[str, int]
    errors: dict[str, ErrorBody] = Field(default_factory=dict)


class RoomsAck(Out):
    ok: Literal[True] = True
    rooms: list[RoomListingOut]


# The model of each event's successful ack, and of each event the server emits, by name:
# the server checks what it sends against these when HUBBUB_CHECK_WIRE is on (the tests
# run that way), so the models above are the contract the server keeps, not a description.
ACKS: dict[str, type[Out]] = {
    "joinRoom": JoinRoomAck,
    "leaveRoom": OkAck,
    "sendMessage": SendMessageAck,
    "typing": OkAck,
    "editMessage": MessageAck,
    "deleteMessage": MessageAck,
    "addReaction": MessageAck,
    "removeReaction": MessageAck,
    "sync": SyncAck,
    "markRead": OkAck,
    "reauth": ReauthAck,
}
EMITTED: dict[str, type[Out]] = {
    "receiveMessage": MessageOut,
    "messageUpdated": MessageOut,
    "roomEvent": RoomEventOut,
    "roomUpdated": RoomUpdatedOut,
    "roomDeleted": RoomDeletedOut,
    "userStatus": UserStatusOut,
    "roomCreated": RoomCreatedOut,
    "invited": InvitedOut,
    "dmCreated": DmCreatedOut,
    "userUpdated": UserUpdatedOut,
    "typing": TypingOut,
    "sessionEnded": SessionEndedOut,
}
