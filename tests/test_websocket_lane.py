"""The WebSocket lane (realtime/websocket_lane.py): frames written straight to the
transport, gathered per event-loop pass. What a client sees must not change: every frame
whole and in order, acks and broadcasts interleaved as sent, long-polling sessions that
upgrade mid-stream losing nothing, and compressed connections served as before."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
import socketio
import websockets
from pydantic import ValidationError
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from hubbub.config import Settings
from hubbub.realtime.websocket_lane import websocket_frame
from tests.support import Api, ServerProcess, running


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536, 300_000])
def test_a_frame_is_what_the_websockets_parser_reads(size: int) -> None:
    payload = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    reader = StreamReader()
    reader.feed_data(websocket_frame(payload))
    reader.feed_eof()
    parser = Frame.parse(reader.read_exact, mask=False)
    try:
        next(parser)
    except StopIteration as done:
        frame = done.value
    else:  # pragma: no cover - the parser wanted more bytes than the frame has
        pytest.fail("the frame is shorter than its header says")
    assert (frame.opcode, frame.fin, bytes(frame.data)) == (Opcode.TEXT, True, payload)
    assert reader.at_eof()  # nothing after the frame: its length field was exact


async def raw_member(url: str, token: str, **options: Any) -> Any:
    ws = await websockets.connect(
        url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket", **options
    )
    assert str(await ws.recv()).startswith("0{")
    await ws.send("40" + json.dumps({"token": token}))
    assert str(await ws.recv()).startswith("40{")
    return ws


async def read_messages(ws: Any, room: str, count: int) -> list[dict[str, Any]]:
    """``count`` receiveMessage events of ``room``, answering Engine.IO's pings."""
    got: list[dict[str, Any]] = []
    while len(got) < count:
        frame = str(await asyncio.wait_for(ws.recv(), 15))
        if frame == "2":
            await ws.send("3")
        elif frame.startswith("42"):
            name, data = json.loads(frame[2:])
            if name == "receiveMessage" and data["room"] == room:
                got.append(data)
    return got


async def burst(api: Api, url: str, room: str, token: str, count: int) -> list[dict[str, Any]]:
    """``count`` sends fired at once from one python-socketio client: their acks."""
    sender = socketio.AsyncClient(reconnection=False)
    await sender.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
    try:
        calls = [
            sender.call("sendMessage", {"room": room, "text": f"burst {n}"}, timeout=20)
            for n in range(count)
        ]
        return list(await asyncio.gather(*calls))
    finally:
        await sender.disconnect()


async def two_in_a_room(api: Api) -> tuple[Any, Any, str]:
    """A writer and a reader, both members of the writer's new room."""
    writer, reader = await api.register("writer"), await api.register("reader")
    room = await api.create_room(writer)
    assert (await api.join(reader, room)).status_code == 200
    return writer, reader, room


@pytest_asyncio.fixture
async def room_of_two(api: Api) -> AsyncIterator[tuple[Any, Any, str]]:
    yield await two_in_a_room(api)


def own_server(tmp_path_factory: pytest.TempPathFactory, name: str, **env: str) -> Any:
    """A server of this test's own with these settings, for ``async with``."""
    return running(ServerProcess(data_dir=tmp_path_factory.mktemp(name), extra_env=env))


async def test_a_burst_arrives_whole_in_order_and_acked(
    server: ServerProcess, api: Api, room_of_two: tuple[Any, Any, str]
) -> None:
    writer, reader, room = room_of_two
    ws = await raw_member(server.url, reader.access_token, compression=None)
    try:
        assert len(ws.response.headers["x-request-id"]) == 32  # the accept carries its id
        acks = await burst(api, server.url, room, writer.access_token, 200)
        assert all(a["ok"] for a in acks), [a for a in acks if not a["ok"]][:3]
        got = await read_messages(ws, room, 200)
    finally:
        await ws.close()
    seqs = [m["seq"] for m in got]
    assert seqs == list(range(seqs[0], seqs[0] + 200))  # no gap, no reordering
    assert sorted(m["text"] for m in got) == sorted(f"burst {n}" for n in range(200))
    assert sorted(a["message"]["seq"] for a in acks) == seqs  # each ack names its message


async def test_a_long_polling_session_upgrading_mid_stream_loses_nothing(
    server: ServerProcess, api: Api, room_of_two: tuple[Any, Any, str]
) -> None:
    writer, reader, room = room_of_two
    received: list[dict[str, Any]] = []
    client = socketio.AsyncClient(reconnection=False)
    client.on("receiveMessage", received.append)
    # Default transports: long-polling first, then the upgrade while the burst is on.
    sending = asyncio.create_task(burst(api, server.url, room, writer.access_token, 200))
    await client.connect(server.url, auth={"token": reader.access_token}, wait_timeout=10)
    try:
        acks = await sending
        assert all(a["ok"] for a in acks)
        last = max(a["message"]["seq"] for a in acks)
        for _ in range(150):
            if received and received[-1]["seq"] == last:
                break
            await asyncio.sleep(0.1)
        assert client.transport() == "websocket"
    finally:
        await client.disconnect()
    seqs = [m["seq"] for m in received if m["room"] == room]
    # It joined mid-burst: whatever it got is a run without gaps, ending at the last.
    assert seqs and seqs == list(range(seqs[0], last + 1)), seqs


@pytest_asyncio.fixture
async def compressing_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[ServerProcess]:
    async with own_server(tmp_path_factory, "compressing", HUBBUB_WS_COMPRESSION="true") as proc:
        yield proc


async def test_compressed_and_plain_websockets_on_one_server_both_get_everything(
    compressing_server: ServerProcess,
) -> None:
    api = Api(compressing_server.url)
    try:
        writer, reader, room = await two_in_a_room(api)
        deflating = await raw_member(compressing_server.url, reader.access_token)
        plain = await raw_member(compressing_server.url, reader.access_token, compression=None)
        extensions = deflating.response.headers.get("sec-websocket-extensions", "")
        assert "permessage-deflate" in extensions
        assert "sec-websocket-extensions" not in plain.response.headers
        acks = await burst(api, compressing_server.url, room, writer.access_token, 100)
        assert all(a["ok"] for a in acks)
        for ws in (deflating, plain):
            got = await read_messages(ws, room, 100)
            seqs = [m["seq"] for m in got]
            assert seqs == list(range(seqs[0], seqs[0] + 100))
            await ws.close()
    finally:
        await api.close()


async def test_a_connect_event_racing_its_sockets_close_is_answered_as_an_event(
    sqlite_server: ServerProcess, sqlite_api: Api
) -> None:
    """An event *named* "connect" whose socket closes before the event's task runs (here
    a malformed frame right behind it) was taken for python-socketio's own connect: a
    traceback in the log ("Task exception was never retrieved"). Found by tests/fuzz."""
    log = sqlite_server.log_path
    assert log is not None
    account = await sqlite_api.register("racer")
    for _ in range(5):
        before = log.stat().st_size
        ws = await raw_member(sqlite_server.url, account.access_token, compression=None)
        await ws.send('42["connect",{"token":"x"}]')
        await ws.send("x")  # not Engine.IO: the server closes the connection at once
        with contextlib.suppress(websockets.ConnectionClosed):
            while True:
                await asyncio.wait_for(ws.recv(), 5)
        await asyncio.sleep(0.3)
        with log.open("rb") as text:
            text.seek(before)
            written = text.read().decode(errors="replace")
        assert "closing a WebSocket" in written
        assert "Traceback" not in written and "never retrieved" not in written, written


WRITE_DELAY = 0.1  # seconds: HUBBUB_SOCKET_WRITE_DELAY_MS=100, the largest allowed


@pytest.mark.parametrize("setting", ["socket_write_delay_ms", "commit_delay_ms"])
def test_the_delays_are_off_by_default_and_bounded(
    monkeypatch: pytest.MonkeyPatch, setting: str
) -> None:
    """Both latency-for-CPU trades (this one and the store's commit delay)."""
    assert getattr(Settings(), setting) == 0
    for refused in ("101", "-1"):  # past 100 ms a person would notice; a typo for seconds
        monkeypatch.setenv(f"HUBBUB_{setting.upper()}", refused)
        with pytest.raises(ValidationError, match=setting):
            Settings()


@pytest_asyncio.fixture
async def delaying_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[ServerProcess]:
    delay = str(int(WRITE_DELAY * 1000))
    async with own_server(tmp_path_factory, "delaying", HUBBUB_SOCKET_WRITE_DELAY_MS=delay) as proc:
        yield proc


@pytest_asyncio.fixture
async def delaying_room(
    delaying_server: ServerProcess,
) -> AsyncIterator[tuple[str, Api, Any, Any, str]]:
    """The delaying server's URL, an API client, and a writer and reader in one room."""
    api = Api(delaying_server.url)
    try:
        yield (delaying_server.url, api, *await two_in_a_room(api))
    finally:
        await api.close()


async def frames_until(ws: Any, done: Any) -> list[tuple[float, str]]:
    """Every frame (with the loop time it arrived) up to and including the first that
    ``done`` accepts, answering Engine.IO's pings."""
    got: list[tuple[float, str]] = []
    while True:
        frame = str(await asyncio.wait_for(ws.recv(), 15))
        if frame == "2":
            await ws.send("3")
            continue
        got.append((asyncio.get_running_loop().time(), frame))
        if done(frame):
            return got


def is_ack(ack_id: int) -> Any:
    return lambda frame: frame.startswith(f"43{ack_id}[")


async def test_a_write_delay_holds_broadcasts_back_but_not_the_senders_ack(
    delaying_room: tuple[str, Api, Any, Any, str],
) -> None:
    """With HUBBUB_SOCKET_WRITE_DELAY_MS the others get a message up to that much later
    (so that several share a write); the sender's ack is not held back, and a socket's
    frames keep their order when an ack carries the broadcasts gathered before it."""
    url, _, writer, reader, room = delaying_room
    sending = await raw_member(url, writer.access_token, compression=None)
    reading = await raw_member(url, reader.access_token, compression=None)
    loop = asyncio.get_running_loop()
    await asyncio.sleep(3 * WRITE_DELAY)  # the joins' own broadcasts are out: quiet

    sent = loop.time()
    await sending.send("421" + json.dumps(["sendMessage", {"room": room, "text": "one"}]))
    at_sender, at_reader = await asyncio.gather(  # both read as the frames arrive
        frames_until(sending, is_ack(1)), frames_until(reading, lambda f: '"one"' in f)
    )
    (acked, ack), (received, _) = at_sender[-1], at_reader[-1]
    assert json.loads(ack[3:])[0]["ok"] is True
    # One window for every socket, opened by the first frame gathered: here this one.
    assert received - sent >= WRITE_DELAY
    # The ack left on the next pass: it came well before the window's end.
    assert received - acked > WRITE_DELAY / 4, (acked - sent, received - sent)

    # The reader's lane now gathers "two"; its own send's ack writes it at once,
    # before the ack, instead of at the end of the window.
    await sending.send("422" + json.dumps(["sendMessage", {"room": room, "text": "two"}]))
    await frames_until(sending, is_ack(2))
    await reading.send("427" + json.dumps(["sendMessage", {"room": room, "text": "three"}]))
    frames = [frame for _, frame in await frames_until(reading, is_ack(7))]
    texts = [json.loads(f[2:])[1]["text"] for f in frames if f.startswith("42")]
    assert texts[0] == "two", frames  # in order, ahead of the ack that carried it
    await sending.close()
    await reading.close()


async def test_a_burst_through_a_write_delay_arrives_whole_and_in_order(
    delaying_room: tuple[str, Api, Any, Any, str],
) -> None:
    url, api, writer, reader, room = delaying_room
    ws = await raw_member(url, reader.access_token, compression=None)
    acks = await burst(api, url, room, writer.access_token, 200)
    assert all(a["ok"] for a in acks)
    got = await read_messages(ws, room, 200)
    await ws.close()
    seqs = [m["seq"] for m in got]
    assert seqs == list(range(seqs[0], seqs[0] + 200))
