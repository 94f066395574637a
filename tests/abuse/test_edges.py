"""Bounded memory at every edge, and quiet refusals of what no client should send: the
figures printed are what a hostile client can make the server hold."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from tests.abuse.conftest import Attacker, closed_by_server, raw_socket, rss_mib
from tests.support import Api, ServerProcess, settle

LONG_TEXT = "x" * 3900


async def fill_rooms(
    api: Api, clients, url: str, rooms: int, each: int, text: str = LONG_TEXT
) -> list[str]:
    """Public rooms full of messages (on a server with generous limits: this is the
    set-up, not the attack)."""
    names = []
    for _ in range(rooms):
        writer = await api.register("writer")
        name = await api.create_room(writer)
        names.append(name)
        sock = await clients(url, writer.access_token)
        for start in range(0, each, 50):
            sends = [sock.send(name, f"{n} {text}") for n in range(start, start + 50)]
            assert all(ack["ok"] for ack in await asyncio.gather(*sends))
    return names


async def test_one_sync_answers_at_most_1000_messages(
    sqlite_server: ServerProcess, sqlite_api: Api, clients
) -> None:
    """20 public rooms needed no membership and made a 49.5 MB reply before; now one
    reply holds at most 1,000 messages however many rooms it names, and about
    ``HUBBUB_SYNC_MAX_BYTES`` (2 MB) however long they are."""
    names = await fill_rooms(sqlite_api, clients, sqlite_server.url, rooms=4, each=300, text="hi")
    reader = await sqlite_api.register("syncer")
    sock = await clients(sqlite_server.url, reader.access_token)
    ack = await sock.call("sync", {"rooms": {name: 0 for name in names}})
    counts = [len(ack["messages"][name]) for name in names]
    assert counts == [300, 300, 300, 100]
    assert [ack["has_more"][name] for name in names] == [False, False, False, True]
    # has_more says where to go on: the rest comes in the next call.
    rest = await sock.call("sync", {"rooms": {names[-1]: ack["messages"][names[-1]][-1]["seq"]}})
    assert len(rest["messages"][names[-1]]) == 200 and not rest["has_more"][names[-1]]

    # Long messages: the byte budget ends the reply first; paging gets every one, once.
    (long_room,) = await fill_rooms(sqlite_api, clients, sqlite_server.url, rooms=1, each=600)
    before = rss_mib(sqlite_server)
    got: list[int] = []
    sizes: list[int] = []
    mark = 0
    while True:
        ack = await sock.call("sync", {"rooms": {long_room: {"rev": mark}}})
        page = ack["messages"][long_room]
        sizes.append(len(json.dumps(ack)))
        got += [m["seq"] for m in page]
        if not ack["has_more"][long_room]:
            break
        mark = page[-1]["rev"]
    print(
        f"sync of 600 x 3.9 KB messages: {len(sizes)} replies of at most "
        f"{max(sizes) / 1e6:.2f} MB, server RSS {before:.0f} -> {rss_mib(sqlite_server):.0f} MiB"
    )
    assert got == list(range(1, 601))
    assert max(sizes) <= 2_100_000 and len(sizes) >= 2


async def test_a_client_that_stops_reading_is_disconnected(
    sqlite_server: ServerProcess, sqlite_api: Api, clients
) -> None:
    """The server's queue for one socket is bounded (1,000 packets by default): a client
    that reads nothing while its room is busy is cut off instead of buffered for."""
    writer, staller = await sqlite_api.register("busy"), await sqlite_api.register("staller")
    room = await sqlite_api.create_room(writer)
    await sqlite_api.join(staller, room)
    # max_queue=1: the client stops reading from TCP after one frame.
    ws = await raw_socket(sqlite_server.url, staller.access_token, max_queue=1)
    sock = await clients(sqlite_server.url, writer.access_token)
    before = rss_mib(sqlite_server)
    log = sqlite_server.log_path
    assert log is not None
    sent = 0
    while "stopped reading" not in log.read_text() and sent < 6000:
        sends = [sock.send(room, f"{n} {LONG_TEXT}") for n in range(sent, sent + 100)]
        acks = await asyncio.gather(*sends)
        # the store is fast enough to meet the test server's 2,000 sends/s: pace, not fail
        assert all(a["ok"] or a["error"]["code"] == "rate_limited" for a in acks), acks
        sent += sum(1 for a in acks if a["ok"])
        if not all(a["ok"] for a in acks):
            await asyncio.sleep(1.1)
    grown = rss_mib(sqlite_server) - before
    print(f"stalled reader: cut off after {sent} messages of 4 KB; server RSS +{grown:.0f} MiB")
    assert "stopped reading" in log.read_text()
    assert grown < 50
    await asyncio.sleep(1.1)  # 2,000 sends can fit in one second: the rate window passes
    last = await sock.send(room, "the writer carries on")
    assert last["ok"], last
    await ws.close()


async def test_binary_packets_are_refused_before_anything_is_buffered(
    limited: ServerProcess, attacker: Attacker
) -> None:
    alice = await attacker.register("binary")
    before = rss_mib(limited)
    ws = await raw_socket(limited.url, alice.access_token, max_size=None)
    await ws.send('45999999999-["sendMessage",{"_placeholder":true,"num":0}]')
    assert await closed_by_server(ws)
    ws = await raw_socket(limited.url, alice.access_token, max_size=None)
    with pytest.raises(Exception):  # noqa: B017 - closed after the first frame, any error
        for _ in range(150):
            await ws.send(b"\x04" + b"\x00" * 900_000)
        await asyncio.wait_for(ws.recv(), 5)
    grown = rss_mib(limited) - before
    print(f"binary attachments: refused; server RSS +{grown:.0f} MiB")
    assert grown < 30


async def raw_request(server: ServerProcess, head: str, body_parts: list[bytes]) -> bytes:
    """Send a request head and part of a body, then read what the server answers."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(head.encode())
    for part in body_parts:
        writer.write(part)
    await writer.drain()
    answer = b""
    while b"too_large" not in answer:  # the whole answer, however it arrives
        chunk = await asyncio.wait_for(reader.read(4096), 10)
        if not chunk:
            break
        answer += chunk
    writer.close()
    return answer


async def test_an_oversized_body_gets_413_before_it_is_read(limited: ServerProcess) -> None:
    """A 36 MB body without a token peaked the server at 909 MB before the 401: now the
    answer is 413 before the body is read (declared, or counted as it arrives)."""
    before = rss_mib(limited)
    declared = await raw_request(
        limited,
        "POST /api/rooms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 36000000\r\n\r\n",
        [],  # not a byte of the body: the declared length is enough to refuse it
    )
    assert declared.startswith(b"HTTP/1.1 413") and b'"too_large"' in declared
    chunk = b"10000\r\n" + b"a" * 65_536 + b"\r\n"
    chunked = await raw_request(
        limited,
        "POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n",
        [chunk, chunk],
    )
    assert chunked.startswith(b"HTTP/1.1 413") and b'"too_large"' in chunked
    grown = rss_mib(limited) - before
    print(f"36 MB body without a token: 413; server RSS +{grown:.0f} MiB")
    assert grown < 20


async def test_malformed_frames_cost_one_log_line_and_the_connection(
    limited: ServerProcess, attacker: Attacker
) -> None:
    log = limited.log_path
    assert log is not None
    start = len(log.read_text())
    alice = await attacker.register("frames")
    for n in range(50):
        token = None if n % 2 else alice.access_token
        ws = await raw_socket(limited.url, token)
        await ws.send("42{")
        assert await closed_by_server(ws), n
    await settle(0.5)
    written = log.read_text()[start:]
    warnings = [line for line in written.splitlines() if line.startswith("WARNING")]
    print(f"50 malformed frames: {len(written)} bytes of log, {len(warnings)} warnings")
    assert "Traceback" not in written
    assert len(warnings) <= 50


async def test_every_response_carries_the_security_headers(limited: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=limited.url) as http:
        for path in ("/", "/docs", "/healthz", "/api/me", "/openapi.json", "/nowhere"):
            r = await http.get(path)
            csp = r.headers["content-security-policy"]
            assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp, path
            assert r.headers["x-content-type-options"] == "nosniff", path
            assert r.headers["referrer-policy"] == "no-referrer", path
            assert r.headers["x-frame-options"] == "DENY", path
        docs = await http.get("/docs")
        assert (
            "'unsafe-inline'" not in docs.headers["content-security-policy"].split("style-src")[0]
        )  # scripts: by hash only


async def test_a_forwarded_host_does_not_make_an_origin_the_servers_own(
    limited: ServerProcess, attacker: Attacker
) -> None:
    import socketio

    alice = await attacker.register("origin")
    client = socketio.AsyncClient(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(
            limited.url,
            auth={"token": alice.access_token},
            headers={"Origin": "http://evil.example", "X-Forwarded-Host": "evil.example"},
            transports=["websocket"],
            wait_timeout=5,
        )
    await client.shutdown()
