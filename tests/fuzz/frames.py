"""Fuzzing a live Hubbub with Socket.IO frames: Hypothesis strategies, raw senders, a canary.

Shared by ``tests/fuzz/test_frames.py`` (a short run in CI) and ``bench/fuzz.py`` (a long
one). Nothing here imports the server: it speaks the wire protocol the way a hostile
client would, over raw WebSockets and Engine.IO long-polling.

- **Strategies** (``batches``) generate batches of frames: well-formed events of every
  client event of PROTOCOL.md and protocol-extensions.md (plus unknown and reserved names)
  with hostile payloads, and malformed frames (random text, binary, bad Engine.IO and
  Socket.IO types, binary-event headers, truncated JSON, unknown namespaces, bad CONNECTs,
  events before CONNECT).
- **Senders** (``Lane``) send each batch over one connection, opening a new one when the
  server closes it. Every well-formed event with an ack id must be answered with PROTOCOL's
  ``{"ok": …}`` and leave the socket up (unless the frame is over the transport's 1 MB or
  unparseable by design, e.g. nested deeper than the JSON parser goes). After each
  malformed frame a *sentinel* (a CONNECT to a namespace that does not exist, always
  answered ``44``) proves that the connection is either closed or still served: never hung.
- **Canary** (``tests/fuzz/canary.py``, in a process of its own): two users chatting in a
  room of their own with python-socketio clients, one message every 50 ms, measuring
  send→receive latency and losses.
- **Report**: the counts, the canary's latency, the server's RSS before and after, its new
  log lines, and the checks a user would care about (``Report.checks``).

Hypothesis only *generates* here: ``@given`` runs in a worker thread and hands each batch
to the event loop, which sends it while the canary keeps chatting. The properties are
checked on what the server answers, and reported all at once at the end.

Three processes besides the server: the test (``run_fuzz``: accounts, rooms, the figures),
the canary, and the fuzzer (``python -m tests.fuzz.frames``, ``send_frames``) at the lowest
CPU priority, so that on a small machine its own work never passes for server latency.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import re
import secrets
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx
import websockets
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from tests.fuzz.canary import ROOT, CanaryFigures, CanaryProcess

# ---- protocol facts (docs/PROTOCOL.md, docs/protocol-extensions.md) ----

CLIENT_EVENTS = ("joinRoom", "leaveRoom", "sendMessage", "typing", "sync", "markRead", "reauth")
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

# ---- what Hypothesis generates ----

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
            optional={"client_id": client_ids},
        ),
        "sync": st.fixed_dictionaries(
            {
                "rooms": st.one_of(
                    st.dictionaries(
                        st.one_of(st.sampled_from(targets.rooms), SHORT_TEXT), seqs, max_size=6
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


def _size(data: str | bytes) -> int:
    """Bytes on the wire: the transports' limits count bytes, not characters."""
    return len(data.encode() if isinstance(data, str) else data)


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
    may_close = _size(body) > TRANSPORT_MAX_BYTES - 64
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
    may_close = _size(body) > TRANSPORT_MAX_BYTES - 64
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


# ---- what the fuzzer counts ----


@dataclass
class Stats:
    frames: Counter[str] = field(default_factory=Counter)  # by category
    transports: Counter[str] = field(default_factory=Counter)  # frames by transport
    connections: Counter[str] = field(default_factory=Counter)  # opened, by transport
    closed_by_server: Counter[str] = field(default_factory=Counter)  # by the frame's category
    answers: Counter[str] = field(default_factory=Counter)  # "ok" or the error code
    sentinels: int = 0
    server_events: int = 0
    problems: defaultdict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def problem(self, kind: str, detail: str) -> None:
        """Record one (Hypothesis often repeats an example: each is kept once)."""
        seen = self.problems[kind]
        if detail in seen:
            return
        if len(seen) < 12:
            seen.append(detail)
        else:
            seen[-1] = f"… and more, e.g. {detail}"

    @property
    def total_frames(self) -> int:
        return sum(self.frames.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "counters": {name: dict(getattr(self, name)) for name in _COUNTERS},
            "sentinels": self.sentinels,
            "server_events": self.server_events,
            "problems": dict(self.problems),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Stats:
        stats = cls(sentinels=data["sentinels"], server_events=data["server_events"])
        for name in _COUNTERS:
            getattr(stats, name).update(data["counters"][name])
        stats.problems.update(data["problems"])
        return stats


_COUNTERS = ("frames", "transports", "connections", "closed_by_server", "answers")


def excerpt(data: str | bytes, limit: int = 160) -> str:
    text = repr(data)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(data)} chars)"


def check_answer(stats: Stats, frame: Frame, answer: str) -> None:
    """An ack must be PROTOCOL's ``[{"ok": true, …}]`` or ``[{"ok": false, "error": …}]``."""
    try:
        value = json.loads(answer)
    except ValueError:
        stats.problem("unreadable answers", f"{excerpt(answer)} to {excerpt(frame.data)}")
        return
    body = value[0] if isinstance(value, list) and len(value) == 1 else None
    if not isinstance(body, dict) or not isinstance(body.get("ok"), bool):
        stats.problem("answers not in PROTOCOL's shape", f"{excerpt(answer)} to {frame.category}")
        return
    if body["ok"]:
        stats.answers["ok"] += 1
        return
    error = body.get("error")
    code = error.get("code") if isinstance(error, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    stats.answers[str(code)] += 1
    if code not in ERROR_CODES or not isinstance(message, str) or not message:
        stats.problem(
            "error answers with an unexpected code",
            f"{excerpt(answer)} to {frame.category} {excerpt(frame.data)}",
        )


def _fill(data: str | bytes, own: str, other: str) -> str | bytes:
    if isinstance(data, bytes):
        return data
    return data.replace(OWN_TOKEN, own).replace(OTHER_TOKEN, other)


# ---- transports ----


async def _wait_patiently(futures: list[Any]) -> None:
    """Wait up to ``ANSWER_TIMEOUT`` for ``futures``, and a moment more: on a loaded machine
    this process may itself have stalled, with the answers already in its sockets."""
    _, pending = await asyncio.wait(futures, timeout=ANSWER_TIMEOUT)
    if pending:
        await asyncio.wait(pending, timeout=1.0)


def _says_goodbye(frame: Frame) -> bool:
    """An Engine.IO CLOSE packet (``1…``): the client hangs up after it, as real ones do
    (the server stops answering it, but leaves the WebSocket to the client to close)."""
    return isinstance(frame.data, str) and frame.data.startswith("1")


_ACK = re.compile(r"43(\d+)(.*)", re.DOTALL)
Outcome = Literal["served", "closed", "hung"]


class WsConnection:
    """A raw Engine.IO WebSocket: answers the server's pings, routes acks and sentinels."""

    def __init__(self, url: str, stats: Stats) -> None:
        self.url = url.replace("http://", "ws://", 1) + EIO_PATH + "websocket"
        self.stats = stats
        self.ws: Any = None
        self.closed = asyncio.Event()
        self.by_us = False
        self._acks: dict[int, asyncio.Future[str | None]] = {}
        self._sentinels: list[asyncio.Future[bool]] = []
        self._connect: asyncio.Future[bool] | None = None
        self._next_id = 0
        self._reader: asyncio.Task[None] | None = None

    async def open(self) -> None:
        self.ws = await websockets.connect(
            self.url, max_size=None, open_timeout=15, ping_interval=None, compression=None
        )
        self.stats.connections["websocket"] += 1
        first = await asyncio.wait_for(self.ws.recv(), ANSWER_TIMEOUT)
        if not str(first).startswith("0{"):
            raise AssertionError(f"no Engine.IO open packet: {excerpt(first)}")
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for message in self.ws:
                self._route(message)
        except websockets.ConnectionClosed:
            pass
        finally:
            self.closed.set()
            for future in [*self._acks.values(), *self._sentinels]:
                if not future.done():
                    future.set_result(None)  # type: ignore[arg-type]
            if self._connect is not None and not self._connect.done():
                self._connect.set_result(False)

    def _route(self, message: str | bytes) -> None:
        if isinstance(message, bytes):
            return
        if message == "2":
            asyncio.create_task(self._send_quietly("3"))  # noqa: RUF006 (fire and forget)
        elif message.startswith("43") and (match := _ACK.fullmatch(message)):
            future = self._acks.pop(int(match[1]), None)
            if future is not None and not future.done():
                future.set_result(match[2])
        elif message.startswith(SENTINEL_ANSWER):
            while self._sentinels:
                future = self._sentinels.pop(0)
                if not future.done():
                    future.set_result(True)
                    break
        elif message.startswith(("40{", "44{")):
            if self._connect is not None and not self._connect.done():
                self._connect.set_result(message.startswith("40{"))
        elif message.startswith("42"):
            self.stats.server_events += 1

    async def _send_quietly(self, data: str | bytes) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            await self.ws.send(data)

    async def send(self, data: str | bytes) -> None:
        await self._send_quietly(data)

    async def connect_namespace(self, token: str) -> bool:
        self._connect = asyncio.get_running_loop().create_future()
        await self.send("40" + json.dumps({"token": token}))
        try:
            return await asyncio.wait_for(self._connect, ANSWER_TIMEOUT)
        except TimeoutError:
            return False

    def emit(self, frame: Frame, own: str, other: str) -> asyncio.Future[str | None] | None:
        """Send an event frame; with an ack id, the future of its answer (``None``: closed)."""
        body = str(_fill(frame.data, own, other))
        future: asyncio.Future[str | None] | None = None
        ack_id = ""
        if frame.ack:
            self._next_id += 1
            future = asyncio.get_running_loop().create_future()
            self._acks[self._next_id] = future
            ack_id = str(self._next_id)
        asyncio.create_task(self._send_quietly(f"42{ack_id}{body}"))  # noqa: RUF006
        if self.closed.is_set() and future is not None and not future.done():
            future.set_result(None)
        return future

    async def sentinel(self) -> Outcome:
        """Is the connection still served, or closed? Anything else is a hung connection."""
        if self.closed.is_set():
            return "closed"
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._sentinels.append(future)
        self.stats.sentinels += 1
        await self.send(SENTINEL)
        await _wait_patiently([future])
        if not future.done():
            return "closed" if self.closed.is_set() else "hung"
        return "served" if future.result() else "closed"

    async def close(self) -> None:
        self.by_us = True
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 5)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader


class PollingSession:
    """A raw Engine.IO long-polling session (sticky to one server, as polling must be)."""

    def __init__(self, http: httpx.AsyncClient, stats: Stats) -> None:
        self.http = http
        self.stats = stats
        self.sid = ""
        self.gone = False
        self.abandoned = False  # we gave up on a GET: the session cannot be used any more
        self.pending: list[str] = []
        self.last_ack_id = 0

    @property
    def path(self) -> str:
        return f"{EIO_PATH}polling&sid={self.sid}"

    async def open(self) -> None:
        r = await self.http.get(EIO_PATH + "polling")
        self.stats.connections["polling"] += 1
        if r.status_code != 200 or not r.text.startswith("0{"):
            raise AssertionError(f"no Engine.IO open packet over polling: {r.status_code}")
        self.sid = json.loads(r.text[1:])["sid"]

    async def post(self, data: str | bytes) -> bool:
        """Send packets; ``False`` when the server refused them (and closed the session)."""
        if self.gone:
            return False
        try:
            r = await self.http.post(self.path, content=data, timeout=ANSWER_TIMEOUT)
        except httpx.TimeoutException:
            self.stats.problem("long-polling POSTs never answered", excerpt(data))
            self.gone = True
            return False
        if r.status_code != 200:
            self.gone = True
        return not self.gone

    async def receive(self, wanted: Callable[[str], bool], timeout: float) -> str | None:
        """Poll until a packet ``wanted`` accepts arrives; ``None``: closed or timed out."""
        deadline = time.monotonic() + timeout
        while True:
            for i, packet in enumerate(self.pending):
                if wanted(packet):
                    del self.pending[i]
                    return packet
            remaining = deadline - time.monotonic()
            if self.gone or remaining <= 0:
                return None
            try:
                r = await self.http.get(self.path, timeout=remaining)
            except httpx.TimeoutException:
                # The server still holds that GET: a second one would end the session.
                self.gone = self.abandoned = True
                return None
            if r.status_code != 200:
                self.gone = True
                return None
            for packet in r.text.split(POLLING_SEPARATOR):
                if packet == "2":
                    await self.post("3")
                elif packet.startswith("42"):
                    self.stats.server_events += 1
                elif packet == "1" or packet.startswith("6"):
                    self.gone = self.gone or packet == "1"
                else:
                    self.pending.append(packet)

    async def connect_namespace(self, token: str) -> bool:
        if not await self.post("40" + json.dumps({"token": token})):
            return False
        packet = await self.receive(lambda p: p.startswith(("40{", "44{")), ANSWER_TIMEOUT)
        return packet is not None and packet.startswith("40{")

    async def sentinel(self) -> Outcome:
        self.stats.sentinels += 1
        if not await self.post(SENTINEL):
            return "closed"
        # A moment more than ``ANSWER_TIMEOUT``, as in ``_wait_patiently``.
        packet = await self.receive(lambda p: p.startswith(SENTINEL_ANSWER), ANSWER_TIMEOUT + 1)
        if packet is not None:
            return "served"
        return "closed" if self.gone and not self.abandoned else "hung"

    async def close(self) -> None:
        if not self.gone:
            with contextlib.suppress(httpx.HTTPError):
                await self.post("1")
        self.gone = True


# ---- senders ----


def _payloads(frames: list[Frame]) -> list[list[Frame]]:
    """Frames grouped into long-polling POSTs each within the transport's limit (which
    counts the whole body, not each packet)."""
    chunks: list[list[Frame]] = []
    size = TRANSPORT_MAX_BYTES
    for frame in frames:
        packet = _size(frame.data) + 32  # "42<ack id>" and the separator, generously
        if size + packet > TRANSPORT_MAX_BYTES - 64:
            chunks.append([])
            size = 0
        chunks[-1].append(frame)
        size += packet
    return chunks


@dataclass
class LaneAccount:
    username: str
    token: str


class Lane:
    """Sends batches as one user: events over a socket kept open between batches, raw
    frames over connections of their own (reopened whenever the server closes one)."""

    def __init__(self, url: str, account: LaneAccount, other: LaneAccount, stats: Stats) -> None:
        self.url = url
        self.account = account
        self.other = other
        self.stats = stats
        self.http = httpx.AsyncClient(base_url=url, timeout=ANSWER_TIMEOUT + 5)
        self._socket: WsConnection | None = None

    async def aclose(self) -> None:
        if self._socket is not None:
            await self._socket.close()
        await self.http.aclose()

    def _fill(self, data: str | bytes) -> str | bytes:
        return _fill(data, self.account.token, self.other.token)

    def _count(self, frame: Frame, transport: Transport) -> None:
        self.stats.frames[frame.category] += 1
        self.stats.transports[transport] += 1

    async def run(self, batch: Batch) -> None:
        if batch.transport == "polling":
            await (self._poll_events(batch) if batch.kind == "events" else self._poll_raw(batch))
        else:
            await (self._ws_events(batch) if batch.kind == "events" else self._ws_raw(batch))

    # -- WebSocket --

    async def _ws(self, *, connect: bool) -> WsConnection:
        conn = WsConnection(self.url, self.stats)
        await conn.open()
        if connect and not await conn.connect_namespace(self.account.token):
            self.stats.problem("CONNECT refused", f"lane {self.account.username} over websocket")
        return conn

    async def _ws_events(self, batch: Batch) -> None:
        if self._socket is None or self._socket.closed.is_set():
            if self._socket is not None:
                await self._socket.close()
            self._socket = await self._ws(connect=True)
        conn = self._socket
        safe = [f for f in batch.frames if not f.may_close]
        risky = [f for f in batch.frames if f.may_close]
        pending: list[tuple[Frame, asyncio.Future[str | None]]] = []
        for frame in safe:
            self._count(frame, "websocket")
            future = conn.emit(frame, self.account.token, self.other.token)
            if future is not None:
                pending.append((frame, future))
        await self._collect(pending, "websocket")
        for frame in risky:
            if conn.closed.is_set():
                await conn.close()
                conn = self._socket = await self._ws(connect=True)
            self._count(frame, "websocket")
            future = conn.emit(frame, self.account.token, self.other.token)
            assert future is not None
            await self._collect([(frame, future)], "websocket", may_close=True)
        if not conn.closed.is_set() and await conn.sentinel() == "hung":
            self.stats.problem("hung connections", f"websocket after events {batch.frames!r:.200}")

    async def _collect(
        self,
        pending: list[tuple[Frame, asyncio.Future[str | None]]],
        transport: Transport,
        *,
        may_close: bool = False,
    ) -> None:
        if not pending:
            return
        await _wait_patiently([f for _, f in pending])
        for frame, future in pending:
            answer = future.result() if future.done() else None
            if answer is not None:
                check_answer(self.stats, frame, answer)
            elif may_close and future.done():
                self.stats.closed_by_server[frame.category] += 1
            elif future.done():
                self.stats.problem(
                    "well-formed events that closed the connection",
                    f"{transport} {frame.category} {excerpt(frame.data)}",
                )
            else:
                self.stats.problem(
                    "well-formed events never answered",
                    f"{transport} {frame.category} {excerpt(frame.data)}",
                )

    async def _ws_raw(self, batch: Batch) -> None:
        conn: WsConnection | None = None
        try:
            for frame in batch.frames:
                if conn is None or conn.closed.is_set():
                    if conn is not None:
                        await conn.close()
                    conn = await self._ws(connect=batch.connect)
                self._count(frame, "websocket")
                if frame.event:
                    conn.emit(frame, self.account.token, self.other.token)
                else:
                    await conn.send(self._fill(frame.data))
                if _says_goodbye(frame):
                    await conn.close()  # a client that said goodbye hangs up
                    conn = None
                    continue
                outcome = await conn.sentinel()
                if outcome == "closed":
                    self.stats.closed_by_server[frame.category] += 1
                elif outcome == "hung":
                    self.stats.problem(
                        "hung connections",
                        f"websocket after {frame.category} {excerpt(frame.data)}",
                    )
        finally:
            if conn is not None:
                await conn.close()

    # -- long-polling --

    async def _polling(self, *, connect: bool) -> PollingSession:
        session = PollingSession(self.http, self.stats)
        await session.open()
        if connect and not await session.connect_namespace(self.account.token):
            self.stats.problem("CONNECT refused", f"lane {self.account.username} over polling")
        return session

    async def _poll_events(self, batch: Batch) -> None:
        session = await self._polling(connect=True)
        try:
            safe = [f for f in batch.frames if not f.may_close]
            risky = [f for f in batch.frames if f.may_close]
            for chunk in _payloads(safe):
                if session.gone:  # e.g. given up after an event that was never answered
                    await session.close()
                    session = await self._polling(connect=True)
                await self._poll_send(session, chunk, may_close=False)
            for frame in risky:
                if session.gone:
                    await session.close()
                    session = await self._polling(connect=True)
                await self._poll_send(session, [frame], may_close=True)
            if not session.gone and await session.sentinel() == "hung":
                self.stats.problem("hung connections", "polling after events")
        finally:
            await session.close()

    async def _poll_send(
        self, session: PollingSession, frames: list[Frame], *, may_close: bool
    ) -> None:
        packets: list[str] = []
        due: dict[int, Frame] = {}
        for frame in frames:
            self._count(frame, "polling")
            session.last_ack_id += 1
            i = session.last_ack_id
            packets.append(f"42{i if frame.ack else ''}{self._fill(frame.data)}")
            if frame.ack:
                due[i] = frame
        if not await session.post(POLLING_SEPARATOR.join(packets)):
            for frame in frames:
                if may_close:
                    self.stats.closed_by_server[frame.category] += 1
                else:
                    self.stats.problem(
                        "well-formed events refused over polling",
                        f"{frame.category} {excerpt(frame.data)}",
                    )
            return
        deadline = time.monotonic() + ANSWER_TIMEOUT
        while due and time.monotonic() < deadline:
            packet = await session.receive(
                lambda p: _ACK.fullmatch(p) is not None, deadline - time.monotonic()
            )
            if packet is None:
                break
            match = _ACK.fullmatch(packet)
            assert match is not None
            frame = due.pop(int(match[1]), None)  # type: ignore[assignment]
            if frame is not None:
                check_answer(self.stats, frame, match[2])
        for frame in due.values():
            if may_close and session.gone and not session.abandoned:
                self.stats.closed_by_server[frame.category] += 1
            else:
                self.stats.problem(
                    "well-formed events never answered",
                    f"polling {frame.category} {excerpt(frame.data)}",
                )

    async def _poll_raw(self, batch: Batch) -> None:
        session: PollingSession | None = None
        try:
            for frame in batch.frames:
                if session is None or session.gone:
                    if session is not None:
                        await session.close()
                    session = await self._polling(connect=batch.connect)
                self._count(frame, "polling")
                data = self._fill(frame.data)
                if frame.event:
                    data = f"42{1 if frame.ack else ''}{data}"
                if not await session.post(data):
                    self.stats.closed_by_server[frame.category] += 1
                    continue
                if _says_goodbye(frame):
                    session.gone = True
                    continue
                outcome = await session.sentinel()
                if outcome == "closed":
                    self.stats.closed_by_server[frame.category] += 1
                elif outcome == "hung":
                    self.stats.problem(
                        "hung connections", f"polling after {frame.category} {excerpt(frame.data)}"
                    )
        finally:
            if session is not None:
                await session.close()


# ---- the run ----


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class Report:
    stats: Stats
    canary: CanaryFigures
    seconds: float
    rss_before: int
    rss_after: int
    log_lines: list[str]
    tracebacks: list[str]  # the exception line that ends each traceback in the whole log
    health: int
    seed: int
    started: float = 0.0  # time.monotonic() when the fuzzer started

    def slow_canary(self, over: float = 0.100) -> list[tuple[float, float]]:
        """(seconds into the run, latency) of each canary message slower than ``over``."""
        c = self.canary
        return [
            (received - latency - self.started, latency)
            for received, latency in zip(c.received_times, c.latencies, strict=True)
            if latency > over
        ]

    @property
    def rss_growth(self) -> int:
        return self.rss_after - self.rss_before

    def checks(self, *, p99_limit: float = 0.100, rss_limit: int = 50 * 2**20) -> list[Check]:
        """What a user or an operator would see; every one must hold."""
        s, c = self.stats, self.canary
        connections = sum(s.connections.values())
        checks = [
            Check(f"no {kind}", False, "\n    ".join(details))
            for kind, details in sorted(s.problems.items())
        ]
        p99 = c.percentile(99)
        checks += [
            Check(
                "the canary lost no message",
                not c.lost and not c.errors,
                f"lost {len(c.lost)} of {c.sent}: {c.lost[:10]}; errors {c.errors[:5]}",
            ),
            Check(
                f"the canary's p99 latency is under {p99_limit * 1000:.0f} ms",
                p99 < p99_limit,
                f"p99 {p99 * 1000:.1f} ms",
            ),
            Check(
                "no traceback in the server log",
                not self.tracebacks,
                f"{len(self.tracebacks)} tracebacks: "
                + "; ".join(f"{n} x {e}" for e, n in Counter(self.tracebacks).most_common()),
            ),
            Check("the server still answers /healthz", self.health == 200, f"status {self.health}"),
            Check(
                "at most one log line per fuzzed connection",
                len(self.log_lines) <= connections,
                f"{len(self.log_lines)} lines for {connections} connections",
            ),
            Check(
                f"server RSS grew by less than {rss_limit // 2**20} MB",
                self.rss_growth < rss_limit,
                f"grew {self.rss_growth / 2**20:.1f} MB",
            ),
        ]
        return checks

    def render(self) -> str:
        s, c = self.stats, self.canary
        slow = self.slow_canary()
        lines = [
            f"fuzz: {s.total_frames} frames in {self.seconds:.1f} s "
            f"({s.total_frames / max(self.seconds, 1e-9):.0f}/s), seed {self.seed}",
            "  by transport: " + _counts(s.transports),
            "  connections opened: "
            + _counts(s.connections)
            + f"; closed by the server: {sum(s.closed_by_server.values())}",
            f"  sentinels: {s.sentinels}; server events received: {s.server_events}",
            "  answers: " + _counts(s.answers),
            "  frames by category:",
        ]
        for category, n in sorted(s.frames.items()):
            closed = s.closed_by_server.get(category, 0)
            lines.append(f"    {category:<28} {n:>7}" + (f"  (closed {closed})" if closed else ""))
        lines += [
            f"  canary: {c.sent} sent, {c.acked} acked, {c.received} received, "
            f"{len(c.lost)} lost; latency p50 {c.percentile(50) * 1000:.1f} ms, "
            f"p99 {c.percentile(99) * 1000:.1f} ms, "
            f"max {max(c.latencies, default=float('nan')) * 1000:.1f} ms",
            f"  canary messages over 100 ms: {len(slow)}"
            + "".join(f", {lat * 1000:.0f} ms at {at:+.1f} s" for at, lat in slow[:20])
            + (", …" if len(slow) > 20 else ""),
            f"  server RSS: {self.rss_before / 2**20:.1f} MB before, "
            f"{self.rss_after / 2**20:.1f} MB after ({self.rss_growth / 2**20:+.1f} MB)",
            f"  server log: {len(self.log_lines)} new lines "
            f"({sum('WARNING' in line for line in self.log_lines)} warnings), "
            f"{len(self.tracebacks)} tracebacks; /healthz {self.health}",
        ]
        kinds = Counter(_log_kind(line) for line in self.log_lines)
        lines += [f"    {n:>6} x {kind}" for kind, n in kinds.most_common(12)]
        return "\n".join(lines)


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counter.most_common()) or "none"


def _log_kind(line: str) -> str:
    """A log line without its connection id, for counting."""
    return re.sub(
        r"connection \S+:", "connection <sid>:", re.sub(r"session \S+", "session <sid>", line)
    )[:110]


def tracebacks_in(log: str) -> list[str]:
    """The exception line (``KeyError: …``) that ends each traceback in ``log``."""
    found = []
    for block in log.split("Traceback (most recent call last):")[1:]:
        ends = [line for line in block.splitlines() if re.match(r"\w+(\.\w+)*: ", line)]
        found.append(ends[0][:160] if ends else "?")
    return found


SHM = Path("/dev/shm")


def scratch_dir(prefix: str) -> Path:
    """A fresh data dir for the fuzzed server, in memory (``/dev/shm``) when there is one.

    Every acknowledged message is committed with an fsync first; on a small VM's disk one
    fsync may take hundreds of milliseconds, and the canary would measure the disk rather
    than what the fuzz does to the server. ``HUBBUB_FUZZ_ON_DISK=1`` keeps it on disk."""
    use_shm = os.environ.get("HUBBUB_FUZZ_ON_DISK") != "1" and os.access(SHM, os.W_OK)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=SHM if use_shm else None))


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


@dataclass
class FuzzConfig:
    frames: int = 4000
    lanes: int = 6
    seed: int | None = None
    canary_interval: float = 0.05
    examples_per_run: int = 200  # Hypothesis examples (batches) per @given run
    password: str = "fuzz password"


async def _register(http: httpx.AsyncClient, prefix: str, password: str) -> LaneAccount:
    username = f"{prefix}_{secrets.token_hex(4)}"
    r = await http.post("/api/auth/register", json={"username": username, "password": password})
    assert r.status_code == 201, r.text
    return LaneAccount(username, r.json()["access_token"])


async def _room(http: httpx.AsyncClient, owner: LaneAccount, *, private: bool = False) -> str:
    name = f"fuzz-{secrets.token_hex(4)}"
    r = await http.post(
        "/api/rooms",
        json={"name": name, "private": private},
        headers={"Authorization": f"Bearer {owner.token}"},
    )
    assert r.status_code == 201, r.text
    return name


def _generate(
    strategy: SearchStrategy[Batch],
    *,
    seed: int,
    examples: int,
    submit: Callable[[Batch], bool],
) -> None:
    """Hypothesis runs (each ``examples`` batches, seeds ``seed``, ``seed + 1``, …) until
    ``submit`` says no more frames are wanted."""
    wanted = True

    for run in range(1_000_000):

        @hypothesis_seed(seed + run)
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(strategy)
        def send(batch: Batch) -> None:
            nonlocal wanted
            if wanted:
                wanted = submit(batch)

        send()
        if not wanted:
            return


async def send_frames(
    url: str, accounts: list[LaneAccount], rooms: list[str], config: FuzzConfig, seed: int
) -> Stats:
    """The fuzzing itself: Hypothesis generates batches in a thread, one lane per account
    (but the last, whose token is only ever *another* user's) sends them."""
    stats = Stats()
    lanes = [
        Lane(url, account, accounts[(i + 1) % len(accounts)], stats)
        for i, account in enumerate(accounts[: config.lanes])
    ]
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Batch | None] = asyncio.Queue(maxsize=config.lanes * 2)
    planned = 0

    def submit(batch: Batch) -> bool:
        nonlocal planned
        asyncio.run_coroutine_threadsafe(queue.put(batch), loop).result()
        planned += len(batch.frames)
        return planned < config.frames

    async def work(lane: Lane) -> None:
        while (batch := await queue.get()) is not None:
            try:
                await lane.run(batch)
            except (OSError, TimeoutError, websockets.InvalidHandshake, httpx.HTTPError) as exc:
                request = exc.request if isinstance(exc, httpx.RequestError) else None
                where = f" on {request.method} {request.url.query.decode()}" if request else ""
                stats.problem(
                    "connections the server refused or dropped",
                    f"{exc!r:.200}{where} ({batch.transport} {batch.kind}: "
                    f"{', '.join(f.category for f in batch.frames)})",
                )

    workers = [asyncio.create_task(work(lane)) for lane in lanes]
    generator = threading.Thread(
        target=_generate,
        kwargs={
            "strategy": batches(Targets(tuple(rooms))),
            "seed": seed,
            "examples": config.examples_per_run,
            "submit": submit,
        },
        daemon=True,
    )
    generator.start()
    await asyncio.to_thread(generator.join)
    for _ in workers:
        await queue.put(None)
    await asyncio.gather(*workers)
    for lane in lanes:
        await lane.aclose()
    return stats


async def _fuzzer_process(
    url: str, accounts: list[LaneAccount], rooms: list[str], config: FuzzConfig, seed: int
) -> Stats:
    """``send_frames`` in a child process at the lowest CPU priority: on a small machine the
    fuzzer must not take the CPU from the server or the canary, whose latency is measured
    (it slows down instead)."""
    job = {
        "url": url,
        "accounts": [asdict(a) for a in accounts],
        "rooms": rooms,
        "config": asdict(config),
        "seed": seed,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fuzz.frames",
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await process.communicate(json.dumps(job).encode())
    if process.returncode != 0:
        raise RuntimeError(f"the fuzzer failed (exit {process.returncode}); see its stderr")
    return Stats.from_json(json.loads(out))


async def run_fuzz(url: str, pid: int, log_path: Path, config: FuzzConfig) -> Report:
    """Fuzz the server at ``url`` (process ``pid``, log ``log_path``) and report."""
    seed = config.seed if config.seed is not None else secrets.randbelow(2**32)
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        accounts = [await _register(http, "fz", config.password) for _ in range(config.lanes + 1)]
        sender = await _register(http, "canary", config.password)
        receiver = await _register(http, "canary", config.password)
        owner = accounts[0]
        rooms = [await _room(http, owner) for _ in range(3)]
        rooms.append(await _room(http, owner, private=True))
        canary_room = await _room(http, sender)
        r = await http.post(
            f"/api/rooms/{canary_room}/join", headers={"Authorization": f"Bearer {receiver.token}"}
        )
        assert r.status_code == 200, r.text
    canary = CanaryProcess(url, sender.token, receiver.token, canary_room, config.canary_interval)
    await canary.start()
    await asyncio.sleep(1.0)  # the canary's first messages: a baseline before the noise

    rss_before = rss_bytes(pid)
    log_offset = (await asyncio.to_thread(log_path.stat)).st_size
    started = time.monotonic()
    try:
        stats = await _fuzzer_process(url, accounts, rooms, config, seed)
    finally:
        seconds = time.monotonic() - started
        figures = await canary.stop()
    await asyncio.sleep(1.0)  # let the server notice the last disconnects
    rss_after = rss_bytes(pid)
    log = await asyncio.to_thread(log_path.read_text, errors="replace")
    async with httpx.AsyncClient(base_url=url, timeout=15) as http:
        health = (await http.get("/healthz")).status_code
    return Report(
        stats=stats,
        canary=figures,
        seconds=seconds,
        rss_before=rss_before,
        rss_after=rss_after,
        log_lines=[line for line in log[log_offset:].splitlines() if line.strip()],
        tracebacks=tracebacks_in(log),
        health=health,
        seed=seed,
        started=started,
    )


async def _main() -> None:
    os.nice(19)  # see ``_fuzzer_process``
    job = json.loads(await asyncio.to_thread(sys.stdin.read))
    stats = await send_frames(
        job["url"],
        [LaneAccount(**a) for a in job["accounts"]],
        job["rooms"],
        FuzzConfig(**job["config"]),
        job["seed"],
    )
    print(json.dumps(stats.to_json()), flush=True)


if __name__ == "__main__":
    asyncio.run(_main())
