"""Publications on the wire between nodes (orjson), tagged with the sending node's id."""

from __future__ import annotations

from typing import Any

import orjson

from hubbub.fanout.base import Emit, MembershipChange, Publication, Resync, SessionEnded


def encode(node_id: str, publication: Publication) -> bytes:
    body: dict[str, Any]
    if isinstance(publication, Emit):
        body = {
            "k": "emit",
            "event": publication.event,
            "data": publication.data,
            "to": publication.to,
            "key": publication.key,
            "skip_user": publication.skip_user,
        }
    elif isinstance(publication, Resync):
        body = {"k": "resync"}
    elif isinstance(publication, SessionEnded):
        body = {"k": "session_ended", "session": publication.session}
    else:
        body = {
            "k": "membership",
            "user_id": publication.user_id,
            "room": publication.room,
            "joined": publication.joined,
        }
    body["node"] = node_id
    return orjson.dumps(body)


def decode(raw: bytes | str) -> tuple[str, Publication]:
    body = orjson.loads(raw)
    node = body.pop("node")
    kind = body.pop("k")
    if kind == "emit":
        return node, Emit(**body)
    if kind == "membership":
        return node, MembershipChange(**body)
    if kind == "resync":
        return node, Resync()
    if kind == "session_ended":
        return node, SessionEnded(**body)
    raise ValueError(f"unknown publication kind {kind!r}")
