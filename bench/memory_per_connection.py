"""What one idle, authenticated Socket.IO connection costs a Hubbub process, by module.

    .venv/bin/python bench/memory_per_connection.py [--clients 500] [--by filename|lineno]

Starts a server (pinned to core 0, SQLite in a temp dir, the settings ``hubbub serve``
passes to uvicorn) under ``tracemalloc``, snapshots its Python heap once it is up, opens
``--clients`` WebSocket connections from this process (python-socketio, one account each,
every one in the same room), snapshots again and prints the difference per connection,
grouped by the file that allocated it. RSS per connection is printed beside it (the
scenario D figure of ``../shared/bench``; tracemalloc's own overhead inflates RSS here, so
compare RSS only within this script's runs). Issue 9's target: ≤ the reference's ~28 KiB.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import httpx
import socketio

REPO = Path(__file__).resolve().parent.parent
LIMITS = {
    "HUBBUB_RATE_REGISTER_IP": "100000/minute",
    "HUBBUB_RATE_LOGIN_IP": "100000/minute",
    "HUBBUB_RATE_LOGIN_USER": "100000/minute",
    "HUBBUB_RATE_JOINS": "100000/second",
    "HUBBUB_MAX_SOCKETS_PER_USER": "10000",
    "HUBBUB_PASSWORD_HASH_QUEUE": "10000",
    "HUBBUB_METRICS": "off",
    "HUBBUB_LOG_LEVEL": "warning",
}


def serve(port: int, by: str, clients: int, ws: str) -> None:
    """The server side: uvicorn as ``hubbub serve`` runs it, with snapshot signals."""
    tracemalloc.start(1)
    import uvicorn

    from hubbub.config import Settings
    from hubbub.realtime.server import TRANSPORT_MAX_BYTES
    from hubbub.store.migrate import upgrade

    settings = Settings()
    upgrade(settings.resolved_database_url)
    settings.resolved_jwt_secret()
    snapshots: list[tracemalloc.Snapshot] = []

    def take(*_: Any) -> None:
        gc.collect()
        snapshots.append(tracemalloc.take_snapshot())

    def report(*_: Any) -> None:
        gc.collect()
        stats = tracemalloc.take_snapshot().compare_to(snapshots[-1], by)
        total = sum(s.size_diff for s in stats)
        print(f"python heap per connection: {total / clients / 1024:.1f} KiB", flush=True)
        for s in stats[:25]:
            where = str(s.traceback).replace(str(REPO), ".").split("site-packages/")[-1]
            print(
                f"  {s.size_diff / clients:7.0f} B  {s.count_diff / clients:5.1f} objects  {where}"
            )
        sys.stdout.flush()

    signal.signal(signal.SIGUSR1, take)
    signal.signal(signal.SIGUSR2, report)
    uvicorn.run(
        "hubbub.app:app_from_environment",
        factory=True,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        proxy_headers=True,
        server_header=False,
        ws_per_message_deflate=settings.ws_compression,
        ws_max_size=TRANSPORT_MAX_BYTES,
        ws=ws,  # hubbub serve: uvicorn's default ("auto": websockets-sansio)
    )


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def connect_all(url: str, clients: int) -> list[socketio.AsyncClient]:
    run = secrets.token_hex(3)
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:

        async def account(i: int) -> str:
            body = {"username": f"m{run}{i}", "password": "correct horse battery"}
            reply = await http.post("/api/auth/register", json=body)
            reply.raise_for_status()
            return str(reply.json()["access_token"])

        tokens: list[str] = []
        for start in range(0, clients, 50):
            tokens += await asyncio.gather(*(account(i) for i in range(start, start + 50)))
    sockets: list[socketio.AsyncClient] = []
    for start in range(0, clients, 50):
        batch = [socketio.AsyncClient() for _ in tokens[start : start + 50]]
        await asyncio.gather(
            *(
                c.connect(url, auth={"token": t}, transports=["websocket"])
                for c, t in zip(batch, tokens[start : start + 50], strict=True)
            )
        )
        await asyncio.gather(*(c.call("joinRoom", {"room": "general"}) for c in batch))
        sockets += batch
    return sockets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--by", choices=["filename", "lineno"], default="filename")
    parser.add_argument("--ws", default="auto", help="uvicorn's WebSocket implementation")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.by, args.clients, args.ws)
        return
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = tempfile.mkdtemp(prefix="hubbub-memory-")
    env = {**os.environ, **LIMITS, "HUBBUB_DATA_DIR": data}
    command = [sys.executable, __file__, "--serve", str(port), "--by", args.by]
    command += ["--clients", str(args.clients), "--ws", args.ws]
    server = subprocess.Popen(["taskset", "-c", "0", *command], env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        time.sleep(1)
        server.send_signal(signal.SIGUSR1)
        time.sleep(1)
        before = rss_kib(server.pid)

        async def hold() -> None:
            sockets = await connect_all(url, args.clients)
            await asyncio.sleep(3)
            after = rss_kib(server.pid)
            print(
                f"connections: {len(sockets)}; RSS per connection (with tracemalloc):"
                f" {(after - before) / len(sockets):.1f} KiB",
                flush=True,
            )
            server.send_signal(signal.SIGUSR2)
            await asyncio.sleep(4)
            await asyncio.gather(*(c.disconnect() for c in sockets))

        asyncio.run(hold())
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
