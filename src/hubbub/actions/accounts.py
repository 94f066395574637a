"""Accounts: a user's own password change, and what server admins do to accounts
(deactivate, reactivate, make admin) and read (the audit log). Ending a login is always
the same two steps: the store forgets its refresh tokens (so its access tokens answer 401
at once), then every node closes its sockets (``SessionEnded``)."""

from __future__ import annotations

from hubbub import policy
from hubbub.errors import BadRequest, NotFound, Unauthorized
from hubbub.fanout.base import SessionEnded
from hubbub.hub import Hub
from hubbub.security import TokenUser
from hubbub.store.base import Account, AuditEntry, AuditRecord, UserRecord


async def _end_logins(hub: Hub, families: list[str]) -> None:
    for family in families:
        await hub.broker.publish(SessionEnded(session=family))


async def change_password(hub: Hub, user: TokenUser, *, old: str, new: str) -> None:
    """Every other login of the user ends (tokens and sockets); this one keeps working."""
    me = await hub.store.get_user(user_id=user.id)
    policy.may_change_password(bot=me is not None and me.bot)
    credentials = await hub.store.get_credentials(username=user.username)
    if credentials is None or not await hub.passwords.verify(credentials.password_hash, old):
        raise Unauthorized("the current password is wrong")
    if old == new:
        raise BadRequest("the new password is the old one")
    before = await hub.store.logins_of(user_id=user.id)
    await hub.store.change_password(
        user_id=user.id, password_hash=await hub.passwords.hash(new), keep=user.session
    )
    await _end_logins(hub, [f for f in before if f != user.session])


async def _as_admin(hub: Hub, user: TokenUser) -> None:
    """Server admins only (the role is read from the store on every call: a demoted
    admin's token stops being one at once)."""
    me = await hub.store.account(username=user.username)
    policy.may_administer(admin=me is not None and me.admin)


async def _admin_and_target(hub: Hub, user: TokenUser, username: str) -> Account:
    await _as_admin(hub, user)
    target = await hub.store.account(username=username)
    if target is None:
        raise NotFound(f"no user named {username!r}")
    return target


async def deactivate(hub: Hub, user: TokenUser, username: str) -> None:
    target = await _admin_and_target(hub, user, username)
    if target.id == user.id:
        raise BadRequest("you cannot deactivate yourself")
    logins = await hub.store.logins_of(user_id=target.id)
    await hub.store.deactivate(
        user_id=target.id,
        audit=AuditEntry(actor_id=user.id, action="deactivate", target=target.username),
    )
    await _end_logins(hub, logins)


async def reactivate(hub: Hub, user: TokenUser, username: str) -> None:
    target = await _admin_and_target(hub, user, username)
    await hub.store.reactivate(
        user_id=target.id,
        audit=AuditEntry(actor_id=user.id, action="reactivate", target=target.username),
    )


async def audit_log(
    hub: Hub, user: TokenUser, *, before_id: int | None, limit: int
) -> list[AuditRecord]:
    await _as_admin(hub, user)
    return await hub.store.audit_entries(before_id=before_id, limit=limit)


async def accounts(
    hub: Hub, user: TokenUser, *, prefix: str, limit: int
) -> list[tuple[UserRecord, Account]]:
    await _as_admin(hub, user)
    return await hub.store.accounts(prefix=prefix.strip(), limit=limit)
