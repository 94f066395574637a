"""What Hypothesis generates: frames (well-formed events with hostile payloads, and
malformed frames) grouped into batches, one batch per connection (``batches``).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from tests.fuzz.protocol import (
    CLIENT_EVENTS,
    OTHER_TOKEN,
    OWN_TOKEN,
    PARSER_MAX_DEPTH,
    PARSER_MAX_DIGITS,
    RESERVED_EVENTS,
    TRANSPORT_MAX_BYTES,
    wire_size,
)

Transport = Literal["websocket", "polling"]


@dataclass(frozen=True)
class Frame:
    """One frame. An *event* frame's ``data`` is the JSON array after ``42<ack id>``."""

    category: str
    data: str | bytes
    event: bool = False
    ack: bool = False
    may_close: bool = False  # the server may close the connection instead of answering


@dataclass(frozen=True)
class Batch:
    """Frames sent over one connection: ``events`` (well-formed, on a connected socket,
    each answered) or ``raw`` (anything, each followed by the sentinel)."""

    kind: Literal["events", "raw"]
    transport: Transport
    connect: bool
    frames: tuple[Frame, ...]


@dataclass(frozen=True)
class Targets:
    """What the strategies may name: rooms that exist (the canary's is never among them)."""

    rooms: tuple[str, ...]


SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
SHORT_TEXT = st.text(max_size=24)
ODD_STRINGS = st.sampled_from(
    ["", " ", " \n\t ", "\u200b", "\ufeff", "\U0001f600", "\U0010ffff", "null", "[]", "{}"]
)
HUGE_INTS = st.sampled_from(
    [-1, -(2**31), 2**31, 2**53 + 1, 2**63 - 1, 2**63, 2**64 + 1, -(2**63) - 1, 10**30, 10**400]
)
HOSTILE_TEXT = st.one_of(
    SHORT_TEXT,
    st.text(alphabet=st.one_of(st.characters(), SURROGATES), max_size=24),  # lone surrogates
    SHORT_TEXT.map(lambda s: f"{s}\x00{s}"),  # NUL
    ODD_STRINGS,
)
# Long strings: at the message limit, around the event payload limit (64 KiB), far above it.
BIG_TEXT = st.sampled_from([4000, 4001, 65_000, 65_600, 70_000, 300_000]).map(lambda n: "x" * n)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    HUGE_INTS,
    st.floats(allow_nan=True, allow_infinity=True),
    HOSTILE_TEXT,
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(SHORT_TEXT, kids, max_size=4),
    max_leaves=12,
)
EXTRA_KEYS = st.one_of(
    st.sampled_from(["user", "id", "seq", "ok", "__proto__", "constructor", "token", "room"]),
    SHORT_TEXT,
)
UNKNOWN_EVENTS = st.one_of(
    st.sampled_from(["message", "connect_error", "newListener", "*", "__proto__", "JoinRoom"]),
    st.text(max_size=20).filter(lambda s: s not in CLIENT_EVENTS + RESERVED_EVENTS),
)
# Forged tokens an attacker can make (no secret): unsigned, wrongly signed, not a JWT.
_B64 = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0"  # {"alg":"none","typ":"JWT"}
FORGED_TOKENS = st.sampled_from(
    [
        f"{_B64}.eyJzdWIiOiIxIiwibmFtZSI6ImEiLCJ0eXAiOiJhY2Nlc3MiLCJleHAiOjk5OTk5OTk5OTl9.",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLWlzLXdyb25n",
        "not.a.jwt",
        "Bearer x",
        "",
        "x" * 5000,
    ]
)
TOKENS = st.one_of(
    st.sampled_from([OWN_TOKEN, OTHER_TOKEN]), FORGED_TOKENS, SHORT_TEXT, JSON_VALUES
)


def room_values(targets: Targets) -> SearchStrategy[Any]:
    known = st.sampled_from(targets.rooms)
    invalid = st.sampled_from(
        ["", "UPPER", "a b", "../x", "x" * 64, "x" * 65, "no-such-room", "room\x00", "é"]
    )
    return st.one_of(known, known, invalid, SHORT_TEXT, JSON_VALUES)


EMOJI = st.one_of(
    st.sampled_from(["👍", "👍🏽", "🇫🇷", "👨\u200d👩\u200d👧", ":tada:", ":+1:", "❤️"]),
    st.sampled_from(["👍👍", ":Nope:", "a", "", "\u200d", "\ud83d", "x" * 70]),
    SHORT_TEXT,
)


def seq_values() -> SearchStrategy[Any]:
    return st.one_of(st.integers(0, 100), st.integers(), HUGE_INTS, JSON_VALUES)


@functools.cache
def payloads(event: str, targets: Targets) -> SearchStrategy[Any]:
    """A payload for ``event``: mostly its own shape with hostile values, sometimes
    extra fields, sometimes anything at all."""
    room = room_values(targets)
    seqs = seq_values()
    client_ids = st.one_of(
        st.uuids().map(str),
        st.sampled_from(["c" * 64, "c" * 65, "a\x00b", ""]),
        SHORT_TEXT,
        JSON_VALUES,
    )
    big_sync = st.tuples(st.integers(495, 505), st.integers(-2, 3)).map(
        lambda p: {f"room-{i}": p[1] for i in range(p[0])}
    )
    shapes: dict[str, SearchStrategy[Any]] = {
        "joinRoom": st.fixed_dictionaries({"room": room}),
        "leaveRoom": st.fixed_dictionaries({"room": room}),
        "typing": st.fixed_dictionaries({"room": room}),
        "sendMessage": st.fixed_dictionaries(
            {"room": room, "text": st.one_of(HOSTILE_TEXT, HOSTILE_TEXT, BIG_TEXT, JSON_VALUES)},
            optional={
                "client_id": client_ids,
                "reply_to": seqs,
                "attachments": st.one_of(st.lists(seqs, max_size=12), JSON_VALUES),
            },
        ),
        "editMessage": st.fixed_dictionaries(
            {"room": room, "seq": seqs, "text": st.one_of(HOSTILE_TEXT, BIG_TEXT, JSON_VALUES)}
        ),
        "deleteMessage": st.fixed_dictionaries({"room": room, "seq": seqs}),
        "addReaction": st.fixed_dictionaries({"room": room, "seq": seqs, "emoji": EMOJI}),
        "removeReaction": st.fixed_dictionaries({"room": room, "seq": seqs, "emoji": EMOJI}),
        "sync": st.fixed_dictionaries(
            {
                "rooms": st.one_of(
                    st.dictionaries(
                        st.one_of(st.sampled_from(targets.rooms), SHORT_TEXT),
                        st.one_of(seqs, st.fixed_dictionaries({"rev": seqs})),
                        max_size=6,
                    ),
                    big_sync,
                    JSON_VALUES,
                )
            }
        ),
        "markRead": st.fixed_dictionaries({"room": room, "seq": seqs}),
        "reauth": st.fixed_dictionaries({"token": TOKENS}),
    }
    shape = shapes.get(event, st.fixed_dictionaries({"room": room}))
    extras = st.dictionaries(EXTRA_KEYS, JSON_VALUES, min_size=1, max_size=3)
    with_extras = st.tuples(shape, extras).map(lambda p: {**p[1], **p[0]})
    padded = st.tuples(shape, BIG_TEXT).map(lambda p: {**p[0], "padding": p[1]})
    # Big payloads cost the server real work: a few of them go a long way.
    return st.one_of(shape, shape, shape, shape, with_extras, with_extras, padded, JSON_VALUES)


def _encode(value: Any, *, ascii_only: bool) -> str:
    """JSON text as a client would send it (lone surrogates always as ``\\udXXX``)."""
    text = json.dumps(value, ensure_ascii=ascii_only, allow_nan=True)
    try:
        text.encode()
    except UnicodeEncodeError:
        text = json.dumps(value, ensure_ascii=True, allow_nan=True)
    return text


def _event_category(name: str) -> str:
    if name in CLIENT_EVENTS:
        return f"event:{name}"
    return "event:reserved" if name in RESERVED_EVENTS else "event:unknown"


@st.composite
def event_frames(draw: st.DrawFn, targets: Targets) -> Frame:
    """A well-formed event (``["name", …args]``) with a hostile payload."""
    name = draw(
        st.one_of(
            st.sampled_from(CLIENT_EVENTS),
            st.sampled_from(CLIENT_EVENTS),
            st.sampled_from(CLIENT_EVENTS),
            st.sampled_from(RESERVED_EVENTS),
            UNKNOWN_EVENTS,
        )
    )
    payload = payloads(name, targets)
    args = draw(
        st.one_of(
            payload.map(lambda p: [p]),
            payload.map(lambda p: [p]),
            payload.map(lambda p: [p]),
            st.just([]),  # no payload
            st.lists(JSON_VALUES, min_size=2, max_size=3),  # several
        )
    )
    body = _encode([name, *args], ascii_only=draw(st.booleans()))
    ack = draw(st.integers(0, 9)) > 0  # mostly with an ack id, so an answer is due
    may_close = wire_size(body) > TRANSPORT_MAX_BYTES - 64
    return Frame(_event_category(name), body, event=True, ack=ack, may_close=may_close)


@st.composite
def pathological_event_frames(draw: st.DrawFn, targets: Targets) -> Frame:
    """Well-formed JSON that is expensive or impossible to parse: deep nesting, numbers
    with thousands of digits, frames past the transport's 1 MB."""
    name = draw(st.sampled_from(CLIENT_EVENTS))
    room = json.dumps(draw(st.sampled_from(targets.rooms)))
    kind = draw(st.sampled_from(["deep", "deep", "digits", "digits", "over-1MB"]))
    if kind == "deep":
        depth = draw(st.sampled_from([2, 50, 254, 255, 600, 1100, 20_000]))
        body = f'["{name}",{{"room":{room},"seq":{"[" * depth}{"]" * depth}}}]'
        return Frame("event:deep", body, event=True, ack=True, may_close=depth > PARSER_MAX_DEPTH)
    if kind == "digits":
        digits = draw(st.sampled_from([19, 20, 400, 4300, 4301, 50_000]))
        body = f'["{name}",{{"room":{room},"seq":{"9" * digits}}}]'
        may_close = digits > PARSER_MAX_DIGITS
        return Frame("event:huge-number", body, event=True, ack=True, may_close=may_close)
    size = draw(st.sampled_from([999_000, TRANSPORT_MAX_BYTES + 1, 1_500_000]))
    body = f'["sendMessage",{{"room":{room},"text":"{"x" * size}"}}]'
    may_close = wire_size(body) > TRANSPORT_MAX_BYTES - 64
    return Frame("event:over-1MB", body, event=True, ack=True, may_close=may_close)


@functools.cache
def raw_frames(targets: Targets) -> SearchStrategy[Frame]:
    """Frames that are not well-formed events; most close the connection, none may hang it."""
    event_body = event_frames(targets).map(lambda f: str(f.data))

    def truncated(pair: tuple[str, int]) -> Frame:
        body, cut = pair
        return Frame("truncated-json", "421" + body[: cut % max(1, len(body) - 1)])

    def frame(category: str) -> Callable[[str | bytes], Frame]:
        return lambda data: Frame(category, data)

    namespace = st.one_of(st.sampled_from(["/nope", "/admin", "/", "//", "/a,b"]), SHORT_TEXT)
    return st.one_of(
        st.text(max_size=200).map(frame("random-text")),
        st.just(Frame("empty", "")),
        st.binary(max_size=200).map(frame("binary")),
        st.tuples(st.sampled_from("789abxyzAB?{[-"), SHORT_TEXT).map(
            lambda p: Frame("bad-eio-type", p[0] + p[1])
        ),
        st.tuples(st.sampled_from("789abxyz-{["), SHORT_TEXT).map(
            lambda p: Frame("bad-sio-type", "4" + p[0] + p[1])
        ),
        st.tuples(
            st.sampled_from(["5", "6"]),
            st.one_of(st.integers(0, 3), st.just(999_999_999_999), st.integers()),
            st.sampled_from(["", "1", "/nope,", "7"]),
            event_body,
        ).map(lambda p: Frame("binary-header", f"4{p[0]}{p[1]}-{p[2]}{p[3]}")),
        st.tuples(event_body, st.integers(0, 10_000)).map(truncated),
        st.tuples(st.sampled_from(["42", "421", "43", "431"]), JSON_VALUES)
        .filter(lambda p: not isinstance(p[1], list))
        .map(lambda p: Frame("not-a-list", p[0] + _encode(p[1], ascii_only=True))),
        st.tuples(st.sampled_from(["421", "42"]), JSON_VALUES, st.lists(JSON_VALUES, max_size=2))
        .filter(lambda p: not isinstance(p[1], str))
        .map(lambda p: Frame("bad-event-name", p[0] + _encode([p[1], *p[2]], ascii_only=True))),
        st.tuples(st.sampled_from(["40", "41", "42", "421", "43"]), namespace, event_body).map(
            lambda p: Frame("bad-namespace", f"{p[0]}{p[1]},{p[2] if p[0] != '41' else ''}")
        ),
        st.one_of(
            st.sampled_from(["40", "40{}", '40{"token":null}', '40{"token":123}', "40[]"]),
            st.sampled_from(['40"token"', "40null", f'40{{"token":"{OTHER_TOKEN}"}}']),
            FORGED_TOKENS.map(lambda t: "40" + json.dumps({"token": t})),
            JSON_VALUES.map(lambda v: "40" + _encode({"token": v}, ascii_only=True)),
        ).map(frame("bad-connect")),
        st.sampled_from(["2", "3", "5", "6", "0", "2probe", "3probe", "6x", "0{}"]).map(
            frame("eio-control")
        ),
        st.sampled_from(["41", "41/nope,"]).map(frame("sio-disconnect")),
        st.sampled_from(["431[{}]", "43[", "4399999999999999999999[1]", "439[null]"]).map(
            frame("client-ack")
        ),
        event_body.map(lambda b: Frame("huge-ack-id", "42" + "9" * 40 + b)),
        st.just(Frame("eio-close", "1")),
    )


def batches(targets: Targets) -> SearchStrategy[Batch]:
    """Event batches (answered, on a connected socket) and raw batches (anything, with or
    without CONNECT first), about one in five over long-polling."""
    transport: SearchStrategy[Transport] = st.sampled_from(
        ["websocket", "websocket", "websocket", "websocket", "polling"]
    )
    events = st.one_of(*[event_frames(targets)] * 9, pathological_event_frames(targets))
    event_batch = st.builds(
        Batch,
        kind=st.just("events"),
        transport=transport,
        connect=st.just(True),
        frames=st.lists(events, min_size=1, max_size=12).map(tuple),
    )
    raw_batch = st.builds(
        Batch,
        kind=st.just("raw"),
        transport=transport,
        connect=st.booleans(),
        frames=st.lists(
            st.one_of(raw_frames(targets), raw_frames(targets), event_frames(targets)),
            min_size=1,
            max_size=8,
        ).map(tuple),
    )
    return st.one_of(event_batch, event_batch, raw_batch)
