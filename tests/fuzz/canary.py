"""The canary: two users chatting in a room of their own while a fuzzer hammers the server.

One python-socketio client sends a message every ``interval``; the other receives, and
the send→receive latency of each message is what a user would feel. It runs in a process
of its own (``CanaryProcess``), so that the fuzzer's own CPU work (Hypothesis, building
megabyte frames) is not mistaken for the server's latency:

    python -m tests.fuzz.canary URL SENDER_TOKEN RECEIVER_TOKEN ROOM INTERVAL

prints ``ready`` once both clients are connected, chats until a line arrives on stdin,
then prints its figures as one JSON line.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import socketio

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class CanaryFigures:
    sent: int
    acked: int
    received: int
    lost: list[str]
    latencies: list[float]  # seconds, send → receive
    errors: list[str]
    received_times: list[float]  # time.monotonic() at each receive, for a timeline

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Canary:
    """The two clients, and what they saw."""

    def __init__(self, url: str, sender: str, receiver: str, room: str, interval: float) -> None:
        self.url = url
        self.room = room
        self.interval = interval
        self.tokens = (sender, receiver)
        self.a = socketio.AsyncClient(reconnection=False)
        self.b = socketio.AsyncClient(reconnection=False)
        self.sent_at: dict[str, float] = {}
        self.acked: set[str] = set()
        self.received_at: dict[str, float] = {}
        self.errors: list[str] = []
        self.finishing = False
        self._progress = asyncio.Event()
        self.b.on("receiveMessage", self._received)
        self.a.on("disconnect", self._disconnected("sender"))
        self.b.on("disconnect", self._disconnected("receiver"))

    def _disconnected(self, who: str) -> Callable[..., None]:
        def disconnected(*_: Any) -> None:
            if not self.finishing:
                self.errors.append(f"the {who} was disconnected")

        return disconnected

    def _received(self, message: dict[str, Any]) -> None:
        client_id = message.get("client_id")
        if message.get("room") == self.room and isinstance(client_id, str):
            self.received_at.setdefault(client_id, time.monotonic())
            self._progress.set()

    async def start(self) -> None:
        for client, token in zip((self.a, self.b), self.tokens, strict=True):
            await client.connect(
                self.url, auth={"token": token}, transports=["websocket"], wait_timeout=15
            )

    async def run(self, stop: asyncio.Event) -> None:
        n = 0
        next_at = time.monotonic()
        while not stop.is_set():
            n += 1
            client_id = f"canary-{n}"
            self.sent_at[client_id] = time.monotonic()
            try:
                await self.a.emit(
                    "sendMessage",
                    {"room": self.room, "text": f"canary {n}", "client_id": client_id},
                    callback=self._acker(client_id),
                )
            except Exception as exc:  # the figures say what was lost
                self.errors.append(f"send {n}: {exc!r}")
            next_at += self.interval
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), max(0.0, next_at - time.monotonic()))

    def _acker(self, client_id: str) -> Callable[[Any], None]:
        def acked(answer: Any) -> None:
            if isinstance(answer, dict) and answer.get("ok") is True:
                self.acked.add(client_id)
            else:
                self.errors.append(f"{client_id} answered {answer!r:.200}")
            self._progress.set()

        return acked

    async def finish(self, grace: float = 10.0) -> CanaryFigures:
        deadline = time.monotonic() + grace
        while len(self.acked) < len(self.sent_at) or len(self.received_at) < len(self.sent_at):
            self._progress.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._progress.wait(), remaining)
        self.finishing = True
        for client in (self.a, self.b):
            with contextlib.suppress(Exception):
                await client.disconnect()
        lost = [c for c in self.sent_at if c not in self.acked or c not in self.received_at]
        return CanaryFigures(
            sent=len(self.sent_at),
            acked=len(self.acked),
            received=len(self.received_at),
            lost=lost,
            latencies=[
                self.received_at[c] - t for c, t in self.sent_at.items() if c in self.received_at
            ],
            errors=self.errors,
            received_times=[self.received_at[c] for c in self.sent_at if c in self.received_at],
        )


class CanaryProcess:
    """``Canary`` in a child process: started, stopped, its figures read back."""

    def __init__(self, url: str, sender: str, receiver: str, room: str, interval: float) -> None:
        self.args = [url, sender, receiver, room, str(interval)]
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.fuzz.canary",
            *self.args,
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), 60)
        if line.strip() != b"ready":
            await self.process.wait()
            raise RuntimeError(f"the canary did not start: {line!r}")

    async def stop(self) -> CanaryFigures:
        assert self.process is not None
        out, _ = await asyncio.wait_for(self.process.communicate(b"stop\n"), 60)
        return CanaryFigures(**json.loads(out))


async def _main(url: str, sender: str, receiver: str, room: str, interval: str) -> None:
    canary = Canary(url, sender, receiver, room, float(interval))
    await canary.start()
    print("ready", flush=True)
    stop = asyncio.Event()
    running = asyncio.create_task(canary.run(stop))
    await asyncio.to_thread(sys.stdin.readline)
    stop.set()
    await running
    print(json.dumps(asdict(await canary.finish())), flush=True)


if __name__ == "__main__":
    asyncio.run(_main(*sys.argv[1:6]))
