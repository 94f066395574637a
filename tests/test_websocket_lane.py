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
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from hubbub.realtime.websocket_lane import websocket_frame
from tests.support import Api, ServerProcess


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


@pytest_asyncio.fixture
async def room_of_two(api: Api) -> AsyncIterator[tuple[Any, Any, str]]:
    writer, reader = await api.register("writer"), await api.register("reader")
    room = await api.create_room(writer)
    assert (await api.join(reader, room)).status_code == 200
    yield writer, reader, room


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
    proc = ServerProcess(
        data_dir=tmp_path_factory.mktemp("compressing"),
        extra_env={"HUBBUB_WS_COMPRESSION": "true"},
    )
    await asyncio.to_thread(proc.start)
    yield proc
    await asyncio.to_thread(proc.stop)


async def test_compressed_and_plain_websockets_on_one_server_both_get_everything(
    compressing_server: ServerProcess,
) -> None:
    api = Api(compressing_server.url)
    try:
        writer, reader = await api.register("writer"), await api.register("reader")
        room = await api.create_room(writer)
        assert (await api.join(reader, room)).status_code == 200
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
