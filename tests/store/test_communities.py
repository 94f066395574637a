"""The ``Store`` contract for roles, moderation, accounts and the audit log, on SQLite and
PostgreSQL alike: each change and its audit entry in one transaction."""

from __future__ import annotations

from datetime import timedelta

from hubbub.store.base import AuditEntry, Store, utc_now
from tests.store.conftest import MakeRoom, MakeUser


async def test_roles_bans_mutes_and_their_audit(
    store: Store, make_user: MakeUser, make_room: MakeRoom
) -> None:
    owner, mod, spammer = await make_user("owner"), await make_user("mod"), await make_user("spam")
    room = await make_room("lobby", owner=owner)
    for u in (mod, spammer):
        await store.add_member(room_id=room.id, user_id=u.id)

    access = await store.get_room_for(name="lobby", user_id=owner.id)
    assert access is not None and access.role == "owner" and not access.admin

    def audit(action: str, target: str) -> AuditEntry:
        return AuditEntry(actor_id=owner.id, action=action, room="lobby", target=target)

    assert await store.set_member_role(
        room_id=room.id, user_id=mod.id, role="moderator", audit=audit("role", "mod")
    )
    assert not await store.set_member_role(
        room_id=room.id, user_id=owner.id, role="member", audit=audit("role", "owner")
    )  # an owner stays owner
    standing = await store.standing(room_id=room.id, user_id=mod.id)
    assert (standing.role, standing.admin, standing.banned) == ("moderator", False, False)

    until = utc_now() + timedelta(minutes=5)
    await store.mute(
        room_id=room.id, user_id=spammer.id, by_id=mod.id, until=until, audit=audit("mute", "spam")
    )
    muted = await store.get_room_for(name="lobby", user_id=spammer.id)
    assert muted is not None and muted.muted_until is not None
    assert abs((muted.muted_until - until).total_seconds()) < 1

    assert await store.ban(
        room_id=room.id, user_id=spammer.id, by_id=mod.id, audit=audit("ban", "spam")
    )
    banned = await store.get_room_for(name="lobby", user_id=spammer.id)
    assert banned is not None and banned.banned and not banned.member
    assert not await store.add_member(room_id=room.id, user_id=spammer.id)  # kept out
    assert await store.unban(room_id=room.id, user_id=spammer.id, audit=audit("unban", "spam"))
    assert await store.add_member(room_id=room.id, user_id=spammer.id)
    assert await store.kick(room_id=room.id, user_id=spammer.id, audit=audit("kick", "spam"))
    assert not await store.is_member(room_id=room.id, user_id=spammer.id)

    await store.set_topic(room_id=room.id, topic="be nice", audit=audit("topic", "lobby"))
    await store.archive_room(room_id=room.id, audit=audit("archive", "lobby"))
    fresh = await store.get_room(name="lobby")
    assert fresh is not None and (fresh.topic, fresh.archived) == ("be nice", True)

    entries = await store.audit_entries(before_id=None, limit=100)
    assert [e.action for e in entries] == [
        "archive",
        "topic",
        "kick",
        "unban",
        "ban",
        "mute",
        "role",
        "role",
    ]
    assert entries[0].actor_username == "owner" and entries[2].target == "spam"
    older = await store.audit_entries(before_id=entries[3].id, limit=2)
    assert [e.action for e in older] == ["ban", "mute"]
    lobby = await store.audit_entries(before_id=None, limit=9, room="lobby", actor_id=owner.id)
    assert lobby == entries
    assert await store.audit_entries(before_id=None, limit=9, room="elsewhere") == []
    assert await store.audit_entries(before_id=None, limit=9, actor_id=mod.id) == []

    await store.delete_room(room_id=room.id, audit=audit("delete_room", "lobby"))
    assert await store.get_room(name="lobby") is None


async def test_accounts_deactivate_and_password_changes_end_logins(
    store: Store, make_user: MakeUser
) -> None:
    ann = await make_user("ann")
    later = utc_now() + timedelta(days=1)
    for token, family in (("t1", "A"), ("t2", "B"), ("t3", "C")):
        await store.add_refresh_token(
            token_hash=token, user_id=ann.id, family_id=family, expires_at=later
        )
    assert sorted(await store.logins_of(user_id=ann.id)) == ["A", "B", "C"]
    assert await store.live_sessions(sessions=["A", "C", "nope"]) == {"A", "C"}
    assert await store.live_sessions(sessions=[]) == set()
    await store.change_password(user_id=ann.id, password_hash="new-hash", keep="B")
    assert await store.logins_of(user_id=ann.id) == ["B"]
    creds = await store.get_credentials(username="ann")
    assert creds is not None and creds.password_hash == "new-hash"

    account = await store.account(username="ANN")
    assert account is not None and (account.admin, account.deactivated) == (False, False)
    await store.set_server_role(
        user_id=ann.id, admin=True, audit=AuditEntry(actor_id=None, action="set_role")
    )
    await store.deactivate(user_id=ann.id, audit=AuditEntry(actor_id=None, action="deactivate"))
    account = await store.account(username="ann")
    assert account is not None and (account.admin, account.deactivated) == (True, True)
    assert await store.logins_of(user_id=ann.id) == []
    assert not await store.session_active(session="B", user_id=ann.id)
    assert await store.live_sessions(sessions=["A", "B", "C"]) == set()
    await store.reactivate(user_id=ann.id, audit=AuditEntry(actor_id=None, action="reactivate"))
    account = await store.account(username="ann")
    assert account is not None and not account.deactivated
    assert await store.account(username="nobody") is None

    # a bot's session stands while its account is active
    bot = await store.create_bot(
        username="beep", owner_id=ann.id, token_hash="bot-hash", session_id="bot-1"
    )
    assert await store.live_sessions(sessions=["bot-1", "B"]) == {"bot-1"}
    await store.deactivate(user_id=bot.id, audit=AuditEntry(actor_id=None, action="deactivate"))
    assert await store.live_sessions(sessions=["bot-1"]) == set()
