"""Mixed workload: the send-only run's senders, but a share of what they do is edits,
replies, reactions and deletes (``store.change_message``), through the same group-commit
writer as sends.

Each sender keeps to its room (sender ``i`` in room ``i % rooms``) and:
* outside bursts draws each operation from ``--mix`` (default send 70, reply 5, edit 12,
  react 8, delete 5): an edit changes one of its own 20 latest live messages, a delete
  tombstones its oldest live one, a reply answers one of the room's hot messages;
* in bursts (``--burst-length`` seconds every ``--burst-period``) only reacts: every
  sender toggles one of a few emoji on one of the room's 3 hot messages (the room's
  latest messages, refreshed every 20th send of each sender) — many people on few
  messages at once, which the writer should commit as a few transactions, not one each.
A reaction is a toggle: ``react`` if this sender has not put that emoji there, else
``unreact``. Reported: operations/s by kind and ack latency, changes that changed nothing
or were refused, commits and operations per commit (overall and inside bursts), and a
check that every room's ``last_seq`` and ``last_rev`` add up to what was acknowledged.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from hubbub.store.base import (
    ChangedMessage,
    MessageChange,
    NewMessage,
    Refused,
    Store,
    StoredMessage,
    utc_now,
)
from hubbub.store.factory import open_store
from store.common import drive, fresh_database, make_users_and_rooms, ms, percentile
from store.sends import text_pool

EMOJI = ("👍", "🎉", "❤️", "😂", "👀")
EMOJI_WEIGHTS = (5, 2, 2, 1, 1)
KINDS = ("send", "reply", "edit", "react", "unreact", "delete")


@dataclass(slots=True)
class KindFigures:
    count: int
    per_s: float
    p50_ms: float
    p99_ms: float


@dataclass(slots=True)
class MixedResult:
    backend: str
    run: int
    senders: int
    rooms: int
    mix: str
    seconds: float
    ops: int
    ops_per_s: float
    sends_per_s: float  # new messages (sends and replies)
    kinds: dict[str, KindFigures]
    unchanged: int
    refused: int
    commits: int
    ops_per_commit: float
    burst_ops: int  # operations completed inside burst windows
    burst_commits: int
    burst_ops_per_commit: float
    ack_p50_ms: float
    ack_p99_ms: float
    cpu_pct: float
    check: str
    refusals: list[str] = field(default_factory=list)
    pg_cores: float = 0.0
    other_cores: float = 0.0


def parse_mix(text: str) -> dict[str, float]:
    mix = {k: float(v) for k, v in (part.split("=") for part in text.split(","))}
    unknown = set(mix) - {"send", "reply", "edit", "react", "delete"}
    if unknown:
        raise ValueError(f"--mix: unknown kinds {sorted(unknown)}")
    return mix


async def mixed_run(backend: str, run: int, args: argparse.Namespace) -> MixedResult:
    async with fresh_database(backend, args) as url:
        store = await open_store(url)
        try:
            return await _mixed_run(store, backend, url, run, args)
        finally:
            await store.close()


async def _mixed_run(
    store: Store, backend: str, url: str, run: int, args: argparse.Namespace
) -> MixedResult:
    users, rooms = await make_users_and_rooms(store, users=args.senders, rooms=args.rooms)
    if args.prefill:  # as the send-only run: rows with rev = seq, analyzed on PostgreSQL
        from store.history import seed

        await seed(backend, url, rows=args.prefill, rooms=rooms, users=users)
        rooms = [r for r in [await store.get_room(name=r.name) for r in rooms] if r]
    texts = text_pool(args.text)
    mix = parse_mix(args.mix)
    kinds, weights = list(mix), list(mix.values())
    rngs = [random.Random(run * 1000 + i) for i in range(args.senders)]
    own: list[list[int]] = [[] for _ in range(args.senders)]  # live seqs, oldest first
    mine: list[set[tuple[int, str]]] = [set() for _ in range(args.senders)]  # my reactions
    hot: dict[int, list[int]] = {room.id: [] for room in rooms}
    clock = {"t": -1.0, "burst": False, "c0": 0, "ops0": 0}
    tally = {"created": 0, "replies": 0, "changed": 0, "unchanged": 0, "refused": 0, "burst_ops": 0}
    burst_commits = [0]
    refusals: list[str] = []

    def in_window() -> bool:
        return 0.0 <= clock["t"] < args.seconds

    def on_tick(t: float) -> None:
        clock["t"] = t
        burst = (t % args.burst_period) < args.burst_length
        if burst and not clock["burst"]:
            clock["c0"] = store.commit_count
        elif clock["burst"] and not burst and 0.0 <= t <= args.seconds + args.burst_length:
            burst_commits[0] += store.commit_count - clock["c0"]
        clock["burst"] = burst

    def text(i: int, n: int) -> str:
        return texts[(i * 7919 + n) % len(texts)]

    async def send(i: int, n: int, at: datetime, reply_to: int | None) -> str:
        room = rooms[i % len(rooms)]
        result = await store.store_message(
            NewMessage(
                room=room,
                user=users[i],
                text=text(i, n),
                client_id=f"s{i}-{n}",
                created_at=at,
                reply_to=reply_to,
            )
        )
        assert isinstance(result, StoredMessage) and result.created, result
        tally["created"] += 1
        tally["replies"] += reply_to is not None
        seq = result.message.seq
        own[i].append(seq)
        if n % 20 == 0:
            hot[room.id] = [*hot[room.id][-2:], seq]
        return "reply" if reply_to is not None else "send"

    async def change(i: int, change: MessageChange) -> Any:
        result = await store.change_message(change)
        if isinstance(result, Refused):
            tally["refused"] += 1
            if len(refusals) < 5:
                refusals.append(f"{change.kind}: {result.code} {result.message}")
        elif isinstance(result, ChangedMessage):
            tally["changed" if result.changed else "unchanged"] += 1
        return result

    async def op(i: int, n: int) -> str:
        rng = rngs[i]
        room = rooms[i % len(rooms)]
        at = utc_now()
        burst = clock["burst"]
        kind = "react" if burst else rng.choices(kinds, weights)[0]
        targets = hot[room.id]
        if kind in ("react", "reply") and not targets:
            kind = "send"
        live = own[i]
        if kind == "edit" and not live:
            kind = "send"
        if kind == "delete":
            candidates = [s for s in live[:5] if s not in targets]
            if not candidates:
                kind = "send"
        base = MessageChange(room=room, seq=0, kind="edit", actor_id=users[i].id, at=at)
        if kind == "send":
            done = await send(i, n, at, None)
        elif kind == "reply":
            done = await send(i, n, at, rng.choice(targets))
        elif kind == "edit":
            seq = rng.choice(live[-20:])
            await change(i, replace(base, seq=seq, text=f"{text(i, n)} (edited {n})"))
            done = "edit"
        elif kind == "delete":
            seq = candidates[0]
            live.remove(seq)
            await change(i, replace(base, seq=seq, kind="delete"))
            done = "delete"
        else:
            seq = rng.choice(targets)
            emoji = rng.choices(EMOJI, EMOJI_WEIGHTS)[0]
            key = (seq, emoji)
            done = "unreact" if key in mine[i] else "react"
            result = await change(i, replace(base, seq=seq, kind=done, emoji=emoji))
            if isinstance(result, ChangedMessage):
                has = any(
                    r.emoji == emoji and users[i].id in r.user_ids for r in result.message.reactions
                )
                (mine[i].add if has else mine[i].discard)(key)
        if burst and in_window():
            tally["burst_ops"] += 1
        return done

    w = await drive(
        args,
        args.senders,
        op,
        lambda: store.commit_count,
        on_tick,  # type: ignore[attr-defined]
    )

    # every acknowledged send took one seq; every change that changed something one rev,
    # a send one, a reply one more (its parent's reply_count)
    check = "ok"
    seqs = revs = 0
    for room in rooms:
        fresh = await store.get_room(name=room.name)
        assert fresh is not None
        seqs += fresh.last_seq
        revs += fresh.last_rev
    seqs -= args.prefill
    revs -= args.prefill
    if seqs != tally["created"]:
        check = f"sum(last_seq) {seqs} != {tally['created']} sends"
    elif revs != tally["created"] + tally["replies"] + tally["changed"]:
        check = (
            f"sum(last_rev) {revs} != {tally['created']} sends + {tally['replies']} replies"
            f" + {tally['changed']} changes"
        )

    by_kind = {}
    for kind in KINDS:
        lat = w.latencies.get(kind, [])
        by_kind[kind] = KindFigures(
            count=len(lat),
            per_s=round(len(lat) / w.wall, 1),
            p50_ms=ms(percentile(lat, 50)),
            p99_ms=ms(percentile(lat, 99)),
        )
    acks = sorted(x for lat in w.latencies.values() for x in lat)
    sends = by_kind["send"].count + by_kind["reply"].count
    return MixedResult(
        backend=backend,
        run=run,
        senders=args.senders,
        rooms=args.rooms,
        mix=f"{args.mix}; bursts {args.burst_length:g} s of reactions"
        f" every {args.burst_period:g} s",
        seconds=round(w.wall, 3),
        ops=w.ops,
        ops_per_s=round(w.ops / w.wall, 1),
        sends_per_s=round(sends / w.wall, 1),
        kinds=by_kind,
        unchanged=tally["unchanged"],
        refused=tally["refused"],
        commits=w.commits,
        ops_per_commit=round(w.ops / w.commits, 2) if w.commits else float("nan"),
        burst_ops=tally["burst_ops"],
        burst_commits=burst_commits[0],
        burst_ops_per_commit=(
            round(tally["burst_ops"] / burst_commits[0], 2) if burst_commits[0] else float("nan")
        ),
        ack_p50_ms=ms(percentile(acks, 50)),
        ack_p99_ms=ms(percentile(acks, 99)),
        cpu_pct=round(w.cpu / w.wall * 100, 1),
        check=check,
        refusals=refusals,
        pg_cores=w.cores.get("postgres", 0.0),
        other_cores=w.cores.get("other", 0.0),
    )
