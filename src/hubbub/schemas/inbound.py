"""What clients send in REST bodies (unknown fields ignored, never trusted)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from hubbub.schemas.base import In, Password, RoomName, Seq, Username


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
