"""What a chaos run left behind, read back and checked: the stored messages against the
acks and against what every socket holds, presence on every live node, each node's log.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime

import asyncpg
import httpx

from tests.chaos.chat import Cluster, Message, Tab, fingerprint
from tests.chaos.services import Stack


def wire(row: asyncpg.Record) -> Message:
    """A database row as PROTOCOL.md's message object (v2: with its change fields)."""
    created: datetime = row["created_at"]
    return {
        "id": row["id"],
        "room": row["room"],
        "seq": row["seq"],
        "user": {
            "id": row["user_id"],
            "username": row["username"],
            "display_name": row["display_name"],
            "bot": row["bot"],
        },
        "text": row["text"],
        "created_at": created.astimezone(UTC).isoformat(timespec="milliseconds")[:-6] + "Z",
        "client_id": row["client_id"],
        "rev": row["rev"],
        "edited_at": row["edited_at"],
        "deleted": row["deleted"],
        "reply_to": row["reply_to"],
        "reply_count": row["reply_count"],
        "reactions": json.loads(row["reactions"]),
        "mentions": json.loads(row["mentions"]),
        "attachments": json.loads(row["attachments"]),
    }


async def read_store(stack: Stack) -> tuple[dict[str, int], dict[str, dict[int, Message]]]:
    conn = await asyncpg.connect(stack.pg.dsn(stack.database))
    try:
        last_seq = {r["name"]: r["last_seq"] for r in await conn.fetch("SELECT * FROM rooms")}
        rows = await conn.fetch(
            "SELECT m.id, r.name AS room, m.seq, m.user_id, u.username, u.display_name, u.bot,"
            " m.text, m.created_at, m.client_id, m.rev, m.edited_at, m.deleted, m.reply_to,"
            " m.reply_count, m.reactions, m.mentions, m.attachments"
            " FROM messages m JOIN rooms r ON r.id = m.room_id"
            " JOIN users u ON u.id = m.user_id ORDER BY r.name, m.seq"
        )
    finally:
        await conn.close()
    stored: dict[str, dict[int, Message]] = {name: {} for name in last_seq}
    for row in rows:
        stored[row["room"]][row["seq"]] = wire(row)
    return last_seq, stored


async def online_everywhere(
    http: httpx.AsyncClient, cluster: Cluster, headers: dict[str, str]
) -> list[set[int]]:
    answers = []
    for url in cluster.live():
        r = await http.get(url + "/api/users/online", headers=headers)
        answers.append({u["id"] for u in r.json()["users"]} if r.status_code == 200 else {-1})
    return answers


def log_lines(stack: Stack) -> str:
    """How much each node complained (its log's ERROR and WARNING lines)."""
    counts = []
    for i, node in enumerate(stack.nodes):
        text = node.log_path.read_text(errors="replace") if node.log_path else ""
        lines = text.splitlines()
        errors = sum(line.startswith("ERROR") for line in lines)
        warnings = sum(line.startswith("WARNING") for line in lines)
        counts.append(f"node{i}: {errors} ERROR, {warnings} WARNING ({node.log_path})")
    return "\n".join(counts)


def check_store_and_tabs(
    tabs: list[Tab], last_seq: dict[str, int], stored: dict[str, dict[int, Message]]
) -> list[str]:
    """What the database and every socket hold, against each other and the acks."""
    problems: list[str] = []
    for room, by_seq in stored.items():
        if sorted(by_seq) != list(range(1, last_seq[room] + 1)):
            problems.append(f"{room}: seqs are not 1..{last_seq[room]} ({len(by_seq)} rows)")
        # only sends in this run: each took one rev, so the rev stream is gap-free too
        if sorted(m["rev"] for m in by_seq.values()) != list(range(1, last_seq[room] + 1)):
            problems.append(f"{room}: revs are not 1..{last_seq[room]}")
    client_ids = Counter(m["client_id"] for by_seq in stored.values() for m in by_seq.values())
    problems += [f"client_id {c} stored {n} times" for c, n in client_ids.items() if n != 1]
    acked = {m["client_id"]: m for t in tabs for m in t.acked}
    for message in acked.values():
        found = stored.get(message["room"], {}).get(message["seq"])
        if found != message:
            problems.append(f"acked {message} but stored {found}")
    problems += [f"{c} stored but never acked" for c in client_ids.keys() - acked.keys()]
    problems += [f"{c} was never acknowledged" for t in tabs for c in t.unacked]
    marks = {
        room: {s: fingerprint(m) for s, m in by_seq.items()} for room, by_seq in stored.items()
    }
    for tab in tabs:
        problems += tab.anomalies
        for room in tab.rooms:
            held = tab.held[room]
            if held != marks[room]:
                missing = sorted(marks[room].keys() - held.keys())
                extra = sorted(held.keys() - marks[room].keys())
                wrong = [s for s in held if s in marks[room] and held[s] != marks[room][s]]
                problems.append(
                    f"{tab.name} in {room}: missing seqs {missing[:10]}, extra {extra[:10]},"
                    f" not as stored {[stored[room][s] for s in wrong[:3]]}"
                )
    return problems
