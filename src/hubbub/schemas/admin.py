"""What server admins and integrations get back: accounts, the audit log, bots, webhooks."""

from __future__ import annotations

from pydantic import Field

from hubbub.schemas import Out, UserOut
from hubbub.store.base import AuditRecord


class AccountOut(UserOut):
    """What a server admin sees of an account."""

    admin: bool
    deactivated: bool


class AccountsOut(Out):
    users: list[AccountOut]


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
