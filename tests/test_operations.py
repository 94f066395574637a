"""Operations on real servers: what ``GET /metrics`` shows after real Socket.IO traffic,
who may scrape it, ``--workers 2`` reporting one sum, the per-run multiprocess directory,
and JSON log lines with request ids and Socket.IO sids."""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import re
import secrets
import subprocess
import sys
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from hubbub import metrics_dir
from tests.fanout.conftest import require_redis
from tests.support import REDIS_URL, Api, ServerProcess

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(text: str) -> Samples:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def scrape(server: ServerProcess, **headers: str) -> Samples:
    r = httpx.get(server.url + "/metrics", headers=headers, timeout=5)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return parse(r.text)


async def eventually_equal(server: ServerProcess, name: str, expected: float) -> Samples:
    for _ in range(50):
        samples = await asyncio.to_thread(scrape, server)
        if value(samples, name) == expected:
            return samples
        await asyncio.sleep(0.1)
    raise AssertionError(f"{name} never reached {expected}: {value(samples, name)}")


async def test_traffic_shows_in_metrics(tmp_path: Path, clients) -> None:
    server = ServerProcess(
        data_dir=tmp_path / "data", extra_env={"HUBBUB_RATE_MESSAGES": "5/minute"}
    )
    await asyncio.to_thread(server.start)
    api = Api(server.url)
    try:
        alice, bob = await api.register("alice"), await api.register("bob")
        room = await api.create_room(alice)
        assert (await api.join(bob, room)).status_code == 200
        a = await clients(server.url, alice.access_token)
        b = await clients(server.url, bob.access_token)
        assert (await a.call("joinRoom", {"room": room}))["ok"]
        acks = [await a.send(room, f"m{i}", client_id=f"c{i}") for i in range(6)]
        assert [ack["ok"] for ack in acks] == [True] * 5 + [False]
        assert acks[5]["error"]["code"] == "rate_limited"
        assert (await b.call("typing", {"room": room}))["ok"]
        await b.wait_for("receiveMessage", lambda m: m["text"] == "m4")

        m = await asyncio.to_thread(scrape, server)
        assert value(m, "hubbub_messages_stored_total") == 5
        assert value(m, "hubbub_events_total", event="sendMessage") == 6
        assert value(m, "hubbub_events_total", event="joinRoom") == 1
        assert value(m, "hubbub_events_total", event="typing") == 1
        assert value(m, "hubbub_events_total", event="sync") == 0  # known events start at 0
        assert value(m, "hubbub_rate_limited_total", kind="messages") == 1
        assert value(m, "hubbub_rate_limited_total", kind="login_ip") == 0
        # Each stored message to Alice's and Bob's sockets, Bob's typing to Alice.
        assert value(m, "hubbub_deliveries_total") >= 5 * 2 + 1
        assert value(m, "hubbub_broker_published_total") >= 5
        assert value(m, "hubbub_connections") == 2
        assert value(m, "hubbub_ack_seconds_count", event="sendMessage") == 6
        assert value(m, "hubbub_ack_seconds_bucket", event="sendMessage", le="+Inf") == 6
        batches = value(m, "hubbub_store_batch_size_count", store="sqlite")
        assert 1 <= batches <= 5
        assert value(m, "hubbub_store_batch_size_sum", store="sqlite") == 5
        assert value(m, "hubbub_store_commit_seconds_count", store="sqlite") == batches
        assert value(m, "hubbub_store_commit_seconds_sum", store="sqlite") > 0

        # No token set: this machine only, and nothing a proxy forwarded.
        for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP"):
            refused = await api.http.get("/metrics", headers={header: "203.0.113.7"})
            assert refused.status_code == 403
            assert refused.json()["error"]["code"] == "forbidden"

        # Multiprocess mode although one process: the values live in this run's files.
        runs = list((server.data_dir / "metrics").glob("run-*"))
        assert len(runs) == 1 and list(runs[0].glob("counter_*.db"))

        await b.close()
        await eventually_equal(server, "hubbub_connections", 1)
    finally:
        await api.close()
        await asyncio.to_thread(server.stop)


TOKEN = secrets.token_urlsafe(24)


@pytest_asyncio.fixture(scope="module")
async def ops_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ServerProcess]:
    """A metrics token, JSON logs, and the debug level (connects are logged with the sid)."""
    server = ServerProcess(
        data_dir=tmp_path_factory.mktemp("ops"),
        extra_env={
            "HUBBUB_METRICS_TOKEN": TOKEN,
            "HUBBUB_LOG_FORMAT": "json",
            "HUBBUB_LOG_LEVEL": "debug",
        },
    )
    await asyncio.to_thread(server.start)
    yield server
    await asyncio.to_thread(server.stop)


async def test_a_token_is_required_from_everyone(ops_server: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=ops_server.url, timeout=5) as http:
        for headers in ({}, {"Authorization": "Bearer wrong-token-wrong-token"}):
            refused = await http.get("/metrics", headers=headers)
            assert refused.status_code == 401
            assert refused.headers["www-authenticate"].startswith("Bearer")
        allowed = await http.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert allowed.status_code == 200
        assert "hubbub_connections" in parse_names(allowed.text)


def parse_names(text: str) -> set[str]:
    return {family.name for family in text_string_to_metric_families(text)}


async def test_metrics_off(tmp_path: Path) -> None:
    server = ServerProcess(data_dir=tmp_path / "off", extra_env={"HUBBUB_METRICS": "off"})
    await asyncio.to_thread(server.start)
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            assert (await http.get(server.url + "/metrics")).status_code == 404
        assert not (server.data_dir / "metrics").exists()
    finally:
        await asyncio.to_thread(server.stop)


def log_lines(server: ServerProcess) -> list[dict[str, Any]]:
    """Every line the server wrote, each of which must be one JSON object."""
    assert server.log_path is not None
    text = server.log_path.read_text()
    return [json.loads(line) for line in text.splitlines() if line.strip()]


async def eventually_logged(server: ServerProcess, match: Callable[[dict[str, Any]], bool]) -> Any:
    for _ in range(50):
        found = [line for line in log_lines(server) if match(line)]
        if found:
            return found[0]
        await asyncio.sleep(0.1)
    raise AssertionError(f"no such log line in {log_lines(server)[-10:]}")


async def test_json_log_lines_carry_request_ids_and_sids(
    ops_server: ServerProcess, clients
) -> None:
    async with httpx.AsyncClient(base_url=ops_server.url, timeout=5) as http:
        given = await http.get("/healthz", headers={"X-Request-ID": "trace-7f3a.b:2"})
        made = await http.get("/healthz")
        forged = await http.get("/healthz", headers={"X-Request-ID": 'a b"} injected'})
    assert given.headers["x-request-id"] == "trace-7f3a.b:2"
    assert re.fullmatch("[0-9a-f]{32}", made.headers["x-request-id"])
    assert re.fullmatch("[0-9a-f]{32}", forged.headers["x-request-id"])  # replaced

    api = Api(ops_server.url)
    try:
        user = await api.register("logs")
    finally:
        await api.close()
    client = await clients(ops_server.url, user.access_token)
    sid = client.sio.get_sid("/")

    access = await eventually_logged(
        ops_server, lambda line: line.get("request_id") == "trace-7f3a.b:2"
    )
    assert access["logger"] == "uvicorn.access"
    assert (access["method"], access["path"], access["status"]) == ("GET", "/healthz", 200)
    assert access["level"] == "info" and access["time"].endswith("Z")
    connected = await eventually_logged(ops_server, lambda line: line.get("sid") == sid)
    assert connected["logger"] == "hubbub.realtime.sockets"
    assert connected["message"] == f"user {user.id} connected"
    assert connected["request_id"]  # the WebSocket's own request, beside the sid
    assert all(
        {"time", "level", "logger", "message"} <= line.keys() for line in log_lines(ops_server)
    )


def _per_worker(run: Path) -> dict[int, Samples]:
    """Each process's own values, read from its files as the scrape would."""
    files: dict[int, list[str]] = defaultdict(list)
    for file in run.glob("*.db"):
        files[int(file.stem.rsplit("_", 1)[1])].append(str(file))
    per_pid: dict[int, Samples] = {}
    for pid, paths in files.items():
        merged = MultiProcessCollector.merge(paths)  # type: ignore[no-untyped-call]
        per_pid[pid] = {
            (s.name, tuple(sorted(s.labels.items()))): s.value for f in merged for s in f.samples
        }
    return per_pid


async def test_workers_report_one_sum(tmp_path: Path, clients) -> None:
    redis = await require_redis()
    await redis.aclose()
    server = ServerProcess(
        data_dir=tmp_path / "data",
        extra_env={"HUBBUB_REDIS_URL": REDIS_URL, "HUBBUB_REDIS_PREFIX": secrets.token_hex(4)},
        extra_args=["--workers", "2"],
    )
    await asyncio.to_thread(server.start)
    api = Api(server.url)
    try:
        user = await api.register("w")
        room = await api.create_room(user)
        (run,) = (server.data_dir / "metrics").glob("run-*")
        sockets = []

        def busy_workers() -> int:
            per_pid = _per_worker(run).values()
            return sum(value(p, "hubbub_connections") > 0 for p in per_pid)

        # Connect until the kernel has given both workers some (at most 40 sockets).
        while len(sockets) < 4 or (busy_workers() < 2 and len(sockets) < 40):
            sockets.append(await clients(server.url, user.access_token))
        assert busy_workers() == 2
        for i, sock in enumerate(sockets):
            assert (await sock.send(room, f"from socket {i}"))["ok"]

        totals = [await asyncio.to_thread(scrape, server) for _ in range(6)]
        per_pid = _per_worker(run).values()
        for name, labels in [
            ("hubbub_connections", {}),
            ("hubbub_messages_stored_total", {}),
            ("hubbub_events_total", {"event": "sendMessage"}),
        ]:
            expected = sum(value(p, name, **labels) for p in per_pid)
            assert expected == len(sockets), name
            # Every scrape, whichever worker answers it, reports the sum.
            assert all(value(t, name, **labels) == len(sockets) for t in totals), name
    finally:
        await api.close()
        await asyncio.to_thread(server.stop)


def test_cli_leaves_prometheus_client_unimported() -> None:
    """``hubbub serve`` must set PROMETHEUS_MULTIPROC_DIR before prometheus_client is
    imported; the CLI module and what it imports must not import it."""
    code = "import sys, hubbub.cli; print('prometheus_client' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_prepare_refuses_when_too_late(tmp_path: Path) -> None:
    import prometheus_client  # noqa: F401  (already imported by the test run, surely now)

    with pytest.raises(RuntimeError, match="imported before"):
        metrics_dir.prepare(tmp_path)


def test_stale_runs_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    root = tmp_path / "metrics"
    stale, live, unlocked = root / "run-1-a", root / "run-2-b", root / "run-3-c"
    for run in (stale, live, unlocked):
        run.mkdir(parents=True)
        (run / "counter_1.db").write_bytes(b"")
    (stale / metrics_dir.LOCK).touch()  # its process died: nobody holds the lock
    fd = os.open(live / metrics_dir.LOCK, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # a running server's
    try:
        removed = metrics_dir.remove_stale(root)
    finally:
        os.close(fd)
    assert sorted(removed) == [stale, unlocked]
    assert live.is_dir() and not stale.exists() and not unlocked.exists()
