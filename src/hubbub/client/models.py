"""PROTOCOL's objects as typed, frozen dataclasses (unknown fields are ignored, so a newer
server's additions never break an older client)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    display_name: str | None = None
    bot: bool = False

    @property
    def name(self) -> str:
        """What to call them: the display name if set."""
        return self.display_name or self.username

    @classmethod
    def of(cls, data: dict[str, Any]) -> User:
        return cls(
            id=data["id"],
            username=data["username"],
            display_name=data.get("display_name"),
            bot=bool(data.get("bot", False)),
        )


@dataclass(frozen=True, slots=True)
class Reaction:
    emoji: str
    user_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Attachment:
    id: int
    name: str
    size: int
    content_type: str
    url: str
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True, slots=True)
class Message:
    id: int
    room: str
    seq: int
    rev: int
    user: User
    text: str
    created_at: str
    client_id: str | None = None
    edited_at: str | None = None
    deleted: bool = False
    reply_to: int | None = None
    reply_count: int = 0
    reactions: tuple[Reaction, ...] = ()
    mentions: tuple[int, ...] = ()
    attachments: tuple[Attachment, ...] = ()

    @classmethod
    def of(cls, data: dict[str, Any]) -> Message:
        return cls(
            id=data["id"],
            room=data["room"],
            seq=data["seq"],
            rev=data.get("rev", data["seq"]),
            user=User.of(data["user"]),
            text=data["text"],
            created_at=data["created_at"],
            client_id=data.get("client_id"),
            edited_at=data.get("edited_at"),
            deleted=bool(data.get("deleted", False)),
            reply_to=data.get("reply_to"),
            reply_count=data.get("reply_count", 0),
            reactions=tuple(
                Reaction(r["emoji"], tuple(r["user_ids"])) for r in data.get("reactions", [])
            ),
            mentions=tuple(data.get("mentions", [])),
            attachments=tuple(
                Attachment(
                    a["id"],
                    a["name"],
                    a["size"],
                    a["content_type"],
                    a["url"],
                    a.get("width"),
                    a.get("height"),
                )
                for a in data.get("attachments", [])
            ),
        )


@dataclass(frozen=True, slots=True)
class Room:
    id: int
    name: str
    private: bool
    last_seq: int
    rev: int
    kind: str = "room"
    member: bool = False
    topic: str | None = None

    @classmethod
    def of(cls, data: dict[str, Any]) -> Room:
        return cls(
            id=data["id"],
            name=data["name"],
            private=bool(data["private"]),
            last_seq=data["last_seq"],
            rev=data.get("rev", data["last_seq"]),
            kind=data.get("kind", "room"),
            member=bool(data.get("member", False)),
            topic=data.get("topic"),
        )
