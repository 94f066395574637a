"""The operator's commands (``hubbub users …``, ``hubbub rooms …``, ``hubbub audit``): the
same store the server uses, opened on its own (safe while the server runs: every write is
one transaction). What a running server must hear of (a deactivated user's sockets) goes
through the broker when ``HUBBUB_REDIS_URL`` is set; without it, the user's tokens stop at
once (REST and connect ask the store) and the server closes their open sockets at its next
check of its sockets' logins (``HUBBUB_SESSION_CHECK_SECONDS``)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable

from pydantic import ValidationError

from hubbub.config import Settings
from hubbub.errors import Conflict, HubbubError
from hubbub.fanout.base import Emit, Publication, SessionEnded
from hubbub.security import PasswordHashing
from hubbub.store.base import AuditEntry, DuplicateName, Store
from hubbub.store.factory import open_configured_store


class OperatorError(Exception):
    """A command that cannot be carried out: its message is printed, exit status 1."""


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    users = commands.add_parser("users", help="manage accounts").add_subparsers(
        dest="users_command", required=True
    )
    create = users.add_parser("create", help="create an account (password from a prompt)")
    create.add_argument("name")
    create.add_argument("--admin", action="store_true", help="make it a server admin")
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    role = users.add_parser("set-role", help="make a user a server admin or a member")
    role.add_argument("name")
    role.add_argument("role", choices=["admin", "member"])
    for verb in ("deactivate", "reactivate"):
        users.add_parser(verb, help=f"{verb} an account").add_argument("name")
    users.add_parser("list", help="every account, its role and state")
    rooms = commands.add_parser("rooms", help="manage rooms").add_subparsers(
        dest="rooms_command", required=True
    )
    rooms.add_parser("list", help="every room (DMs excepted)")
    rooms.add_parser("delete", help="delete a room and everything in it").add_argument("name")
    audit = commands.add_parser(
        "audit",
        help="the audit log, newest first",
        description="The audit log (moderation, roles, deactivations, deletions, bots and"
        " webhooks), newest first. An actor of '-' is the command line.",
    )
    audit.add_argument(
        "--limit", type=int, default=50, metavar="N", help=f"at most N entries (1-{MAX_AUDIT})"
    )
    audit.add_argument("--room", metavar="NAME", help="only entries about this room")
    audit.add_argument("--actor", metavar="USER", help="only what this user did")
    audit.add_argument(
        "--before", type=int, metavar="ID", help="only entries older than this id (paging)"
    )


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Carry out a ``users``, ``rooms`` or ``audit`` command; the exit status."""
    try:
        asyncio.run(_run(settings, args))
    except (OperatorError, HubbubError) as exc:
        print(f"hubbub: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # the database or Redis is not there
        print(f"hubbub: cannot reach the store: {exc}", file=sys.stderr)
        return 1
    return 0


async def _run(settings: Settings, args: argparse.Namespace) -> None:
    from hubbub.store.migrate import upgrade

    await asyncio.to_thread(upgrade, settings.resolved_database_url)
    store = await open_configured_store(settings)
    try:
        command = getattr(args, f"{args.command}_command", "")
        handler = _HANDLERS[(args.command, command)]
        await handler(store, settings, args)
    finally:
        await store.close()


async def _account_id(store: Store, name: str) -> int:
    account = await store.account(username=name)
    if account is None:
        raise OperatorError(f"no user named {name!r}")
    return account.id


def _audit(action: str, target: str, detail: str = "") -> AuditEntry:
    return AuditEntry(
        actor_id=None, action=action, target=target, detail=f"command line {detail}".strip()
    )


async def _publish(settings: Settings, publications: list[Publication]) -> None:
    if not settings.redis_url or not publications:
        return
    from hubbub.fanout.factory import build_fanout

    fanout = build_fanout(settings)
    await fanout.broker.start()
    try:
        for publication in publications:
            await fanout.broker.publish(publication)
    finally:
        await fanout.close()


async def _create(store: Store, settings: Settings, args: argparse.Namespace) -> None:
    from hubbub.schemas import Credentials

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {args.name}: ")
    try:
        Credentials(username=args.name, password=password)
    except ValidationError as exc:
        reasons = "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())
        raise OperatorError(f"not a valid username and password ({reasons})") from exc
    hashing = PasswordHashing(threads=1, queue=1)
    try:
        user = await store.create_user(
            username=args.name, password_hash=await hashing.hash(password)
        )
    except DuplicateName as exc:
        raise Conflict(f"a user named {args.name!r} exists") from exc
    finally:
        hashing.close()
    if args.admin:
        await store.set_server_role(
            user_id=user.id, admin=True, audit=_audit("set_role", args.name, "admin")
        )
    print(f"created {user.username} (id {user.id}){' as admin' if args.admin else ''}")


async def _set_role(store: Store, settings: Settings, args: argparse.Namespace) -> None:
    user_id = await _account_id(store, args.name)
    await store.set_server_role(
        user_id=user_id,
        admin=args.role == "admin",
        audit=_audit("set_role", args.name, args.role),
    )
    print(f"{args.name} is now {args.role}")


async def _deactivate(store: Store, settings: Settings, args: argparse.Namespace) -> None:
    user_id = await _account_id(store, args.name)
    logins = await store.logins_of(user_id=user_id)
    await store.deactivate(user_id=user_id, audit=_audit("deactivate", args.name))
    await _publish(settings, [SessionEnded(session=f) for f in logins])
    print(f"{args.name} is deactivated; {len(logins)} login(s) ended")


async def _reactivate(store: Store, settings: Settings, args: argparse.Namespace) -> None:
    user_id = await _account_id(store, args.name)
    await store.reactivate(user_id=user_id, audit=_audit("reactivate", args.name))
    print(f"{args.name} is active again")


async def _list_users(store: Store, settings: Settings, args: argparse.Namespace) -> None:
    for user in await store.find_users(prefix="", limit=100_000):
        account = await store.account(username=user.username)
        assert account is not None
        state = "deactivated" if account.deactivated else "active"
        role = "admin" if account.admin else "member"
        print(f"{user.id}\t{user.username}\t{role}\t{state}\t{user.display_name or ''}")


async def _list_rooms(store: Store, settings: Settings, args: argparse.Namespace) -> None:
    for room in await store.all_rooms():
        flags = ",".join(
            f for f, on in (("private", room.private), ("archived", room.archived)) if on
        )
        print(f"{room.id}\t{room.name}\t{room.last_seq} messages\t{flags}")


async def _delete_room(store: Store, settings: Settings, args: argparse.Namespace) -> None:
    room = await store.get_room(name=args.name)
    if room is None or room.kind == "dm":
        raise OperatorError(f"no room named {args.name!r}")
    members = await store.list_members(room_id=room.id)
    await store.delete_room(room_id=room.id, audit=_audit("delete_room", args.name))
    from hubbub.events import RoomDeletedOut
    from hubbub.fanout.base import MembershipChange

    gone: list[Publication] = [
        Emit(
            event="roomDeleted",
            data=RoomDeletedOut(room=room.name).model_dump(),
            to="room",
            key=room.name,
        )
    ]
    gone += [MembershipChange(user_id=m.id, room=room.name, joined=False) for m in members]
    await _publish(settings, gone)
    print(f"deleted {room.name}")


MAX_AUDIT = 10_000


async def _audit_log(store: Store, settings: Settings, args: argparse.Namespace) -> None:
    if not 1 <= args.limit <= MAX_AUDIT:
        raise OperatorError(f"--limit must be 1-{MAX_AUDIT}")
    actor_id = None if args.actor is None else await _account_id(store, args.actor)
    entries = await store.audit_entries(
        before_id=args.before, limit=args.limit, room=args.room, actor_id=actor_id
    )
    if not entries and args.room is not None and await store.get_room(name=args.room) is None:
        # A deleted room's entries stay under its name; only a name never seen is an error.
        raise OperatorError(f"no room named {args.room!r}, and none in the audit log")
    rows = [("ID", "AT (UTC)", "ACTOR", "ACTION", "ROOM", "TARGET", "DETAIL")]
    rows += [
        (
            str(e.id),
            e.at[:19].replace("T", " "),
            e.actor_username or "-",
            e.action,
            e.room or "-",
            e.target or "-",
            e.detail or "",
        )
        for e in entries
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(6)]
    for *cells, detail in rows:
        padded = [cell.ljust(width) for cell, width in zip(cells, widths, strict=True)]
        print("  ".join([*padded, detail]).rstrip())


Handler = Callable[[Store, Settings, argparse.Namespace], Awaitable[None]]
_HANDLERS: dict[tuple[str, str], Handler] = {
    ("users", "create"): _create,
    ("users", "set-role"): _set_role,
    ("users", "deactivate"): _deactivate,
    ("users", "reactivate"): _reactivate,
    ("users", "list"): _list_users,
    ("rooms", "list"): _list_rooms,
    ("rooms", "delete"): _delete_room,
    ("audit", ""): _audit_log,
}
