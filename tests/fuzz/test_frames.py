"""Hostile Socket.IO frames against a live server, while two users keep chatting.

A short run of ``tests/fuzz/frames.py`` (``bench/fuzz.py`` runs the long one): a few
thousand generated frames over WebSocket and long-polling, from several users at once.
What must hold afterwards is what a user or an operator would see: every well-formed
event was answered and its socket stayed up, no connection hung, the canary pair lost no
message and kept its p99 under 100 ms, the server logged no traceback and at most one line
per fuzzed connection, still answers /healthz, and its memory did not grow by 50 MB.

Scale: ``HUBBUB_FUZZ_FRAMES`` (default 3000), ``HUBBUB_FUZZ_LANES`` (6), and
``HUBBUB_FUZZ_SEED`` to generate a run's frames again (the seed is printed). The server's
data lives in ``/dev/shm`` unless ``HUBBUB_FUZZ_ON_DISK=1`` (see ``scratch_dir``).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from tests.fuzz.frames import FuzzConfig, run_fuzz, scratch_dir
from tests.fuzz.report import Stats
from tests.fuzz.strategies import Frame
from tests.fuzz.transports import PollingSession, WsConnection
from tests.support import ServerProcess, unique

FRAMES = int(os.environ.get("HUBBUB_FUZZ_FRAMES", "3000"))
LANES = int(os.environ.get("HUBBUB_FUZZ_LANES", "6"))
SEED = int(os.environ["HUBBUB_FUZZ_SEED"]) if os.environ.get("HUBBUB_FUZZ_SEED") else None

pytestmark = [pytest.mark.timeout(120 + FRAMES // 50), pytest.mark.exclusive]


@pytest_asyncio.fixture(scope="module")
async def fuzzed_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[ServerProcess]:
    """A server of its own: the fuzzer's users, rooms and log lines stay out of the others'.
    Generous rate limits (the default of ``ServerProcess``), so frames reach the handlers;
    access tokens outlive the run, so no socket is ended for an expired token; its data in
    memory when possible (``scratch_dir``: the canary measures the server, not the disk)."""
    data_dir = scratch_dir("hubbub-fuzz-")
    server = ServerProcess(data_dir=data_dir, extra_env={"HUBBUB_ACCESS_TOKEN_TTL": "86400"})
    try:
        await asyncio.to_thread(server.start)
        yield server
    finally:
        await asyncio.to_thread(server.stop)
        if server.log_path is not None and server.log_path.exists():  # keep it for a failure
            keep = tmp_path_factory.mktemp("fuzz-frames") / server.log_path.name
            await asyncio.to_thread(shutil.copyfile, server.log_path, keep)
        await asyncio.to_thread(shutil.rmtree, data_dir, True)


async def test_hostile_frames_leave_the_server_and_its_users_unharmed(
    fuzzed_server: ServerProcess,
) -> None:
    assert fuzzed_server.process is not None and fuzzed_server.log_path is not None
    report = await run_fuzz(
        fuzzed_server.url,
        fuzzed_server.process.pid,
        fuzzed_server.log_path,
        FuzzConfig(frames=FRAMES, lanes=LANES, seed=SEED),
    )
    print()
    print(report.render())
    assert report.stats.total_frames >= FRAMES
    assert report.stats.transports["polling"] > 0 and report.stats.transports["websocket"] > 0
    failed = [f"{check.name}: {check.detail}" for check in report.checks() if not check.ok]
    assert not failed, f"seed {report.seed}:\n" + "\n".join(failed)


# ---- what the fuzzer found, one frame at a time ----
# Exact reproductions of the server bugs the fuzzer found, so that each failure names its
# frame. On a server of their own: their tracebacks must not count against the run above.


@pytest_asyncio.fixture(scope="module")
async def plain_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[ServerProcess]:
    server = ServerProcess(data_dir=tmp_path_factory.mktemp("fuzz-found"))
    await asyncio.to_thread(server.start)
    yield server
    await asyncio.to_thread(server.stop)


async def _token(server: ServerProcess) -> str:
    async with httpx.AsyncClient(base_url=server.url, timeout=15) as http:
        r = await http.post(
            "/api/auth/register", json={"username": unique("found"), "password": "fuzz password"}
        )
    assert r.status_code == 201, r.text
    return str(r.json()["access_token"])


async def _log_since(server: ServerProcess, offset: int) -> str:
    assert server.log_path is not None
    text = await asyncio.to_thread(server.log_path.read_text, errors="replace")
    return text[offset:]


async def _log_size(server: ServerProcess) -> int:
    assert server.log_path is not None
    return len(await asyncio.to_thread(server.log_path.read_text, errors="replace"))


async def _answer(server: ServerProcess, body: str) -> str | None:
    """Send one event (with an ack id) on a fresh connected socket: its answer, or
    ``"closed"`` if the server closed the connection instead, or ``None``: silence."""
    conn = WsConnection(server.url, Stats())
    await conn.open()
    try:
        assert await conn.connect_namespace(await _token(server))
        future = conn.emit(Frame("found", body, event=True, ack=True), "", "")
        assert future is not None
        try:
            answer = await asyncio.wait_for(future, 5)
        except TimeoutError:
            return None
        return "closed" if answer is None else answer
    finally:
        await conn.close()


@pytest.mark.parametrize(
    "body",
    ['["connect",1,2,3]', '["connect",{"token":"x"},null,null]', '["disconnect",1,2,3]'],
)
async def test_reserved_event_names_are_answered_whatever_their_arguments(
    plain_server: ServerProcess, body: str
) -> None:
    offset = await _log_size(plain_server)
    answer = await _answer(plain_server, body)
    assert answer is not None and '"code":"bad_request"' in answer, answer
    assert "Traceback" not in await _log_since(plain_server, offset)


@pytest.mark.parametrize("body", ['["*"]', '["*",{}]'])
async def test_an_event_named_star_is_answered_as_unknown(
    plain_server: ServerProcess, body: str
) -> None:
    offset = await _log_size(plain_server)
    answer = await _answer(plain_server, body)
    assert answer is not None and "unknown event '*'" in answer, answer
    assert "Traceback" not in await _log_since(plain_server, offset)


@pytest.mark.parametrize("body", ['[["joinRoom"],{}]', '[{"a":1}]'])
async def test_an_event_name_that_is_not_a_string_is_refused_quietly(
    plain_server: ServerProcess, body: str
) -> None:
    """Answered ``bad_request`` or closed as a malformed packet: either will do, but never
    silence and a traceback."""
    offset = await _log_size(plain_server)
    answer = await _answer(plain_server, body)
    assert answer == "closed" or (answer is not None and "bad_request" in answer), answer
    assert "Traceback" not in await _log_since(plain_server, offset)


@pytest.mark.parametrize("packet", ["6", "2", "2probe", "0"])
async def test_a_long_polling_post_of_a_control_packet_is_answered(
    plain_server: ServerProcess, packet: str
) -> None:
    """Engine.IO packets a client never sends over polling: the POST must still be
    answered (it used to hang for good, holding the request)."""
    async with httpx.AsyncClient(base_url=plain_server.url, timeout=15) as http:
        session = PollingSession(http, Stats())
        await session.open()
        try:
            r = await http.post(session.path, content=packet, timeout=5)
        except httpx.TimeoutException:
            pytest.fail(f"POST {packet!r} over long-polling was never answered")
    assert r.status_code in (200, 400), r.text


async def test_a_long_polling_post_after_a_close_packet_is_not_a_server_error(
    plain_server: ServerProcess,
) -> None:
    offset = await _log_size(plain_server)
    async with httpx.AsyncClient(base_url=plain_server.url, timeout=15) as http:
        session = PollingSession(http, Stats())
        await session.open()
        assert (await http.post(session.path, content="1")).status_code == 200
        r = await http.post(session.path, content="40")
    assert r.status_code == 400, r.text
    assert "Traceback" not in await _log_since(plain_server, offset)
