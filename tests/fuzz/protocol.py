"""Protocol facts the fuzzer relies on, and the two wire-level helpers built on them.

Shared by the strategies (what to generate), the transports and the lanes (what to expect).
"""

from __future__ import annotations

# ---- protocol facts (docs/PROTOCOL.md, docs/protocol-extensions.md) ----

CLIENT_EVENTS = (
    "joinRoom",
    "leaveRoom",
    "sendMessage",
    "typing",
    "sync",
    "markRead",
    "reauth",
    "editMessage",
    "deleteMessage",
    "addReaction",
    "removeReaction",
)
RESERVED_EVENTS = ("connect", "disconnect")
# Every error code an ack may carry; ``unavailable`` is a server-side failure, so here it
# counts as a problem.
ERROR_CODES = frozenset(
    {"bad_request", "unauthorized", "forbidden", "not_found", "conflict", "too_large"}
    | {"rate_limited"}
)
TRANSPORT_MAX_BYTES = 1_000_000  # Engine.IO / uvicorn close the connection above this
# What the server's JSON parser cannot take although it is well-formed JSON: nesting past
# Python's recursion limit, and integers past its 4300-digit conversion limit.
PARSER_MAX_DEPTH = 900
PARSER_MAX_DIGITS = 4300

OWN_TOKEN = "@@own-token@@"  # replaced by the sending lane's access token
OTHER_TOKEN = "@@other-token@@"  # replaced by another user's access token
SENTINEL = "40/fuzz-sentinel,"  # CONNECT to a namespace that does not exist …
SENTINEL_ANSWER = "44/fuzz-sentinel,"  # … always answered with CONNECT_ERROR
EIO_PATH = "/socket.io/?EIO=4&transport="
POLLING_SEPARATOR = "\x1e"
ANSWER_TIMEOUT = 5.0  # an answer later than this counts as never


def fill_tokens(data: str | bytes, own: str, other: str) -> str | bytes:
    if isinstance(data, bytes):
        return data
    return data.replace(OWN_TOKEN, own).replace(OTHER_TOKEN, other)


def wire_size(data: str | bytes) -> int:
    """Bytes on the wire: the transports' limits count bytes, not characters."""
    return len(data.encode() if isinstance(data, str) else data)
