"""Redis pub/sub as Hubbub's broker uses it: one channel, every node subscribed.

Starts its own ``redis-server`` (``--save '' --appendonly no``, a free port, pinned with
``taskset`` to ``--redis-core``), pins itself and its subscriber process to
``--client-core``, and for each subscriber count N and mode publishes a real Hubbub
publication (a ``receiveMessage`` ``Emit`` of a stored message, encoded by
``hubbub.fanout.codec``) to one channel that N subscribers read:

* ``await``: redis-py asyncio as ``RedisBroker.publish`` does, one awaited ``PUBLISH``
  per message, from ``--tasks`` concurrent tasks (concurrent sends on one node); the
  subscribers are redis-py asyncio ``PubSub`` objects (one connection each, as each node
  has) that decode every publication with Hubbub's codec, as ``RedisBroker._deliver`` does.
* ``pipeline``: the same subscribers; publishers send ``--pipeline`` PUBLISHes per round
  trip (``pipeline(transaction=False)``).
* ``pipeline-raw``: pipelined publishers, and subscribers that only count the RESP frames
  they read (no parsing in Python): what Redis itself can push, not what a Python node
  can take in.

Publishers hold back while any subscriber has more than 1 MB waiting in Redis (polled
with ``CLIENT LIST TYPE pubsub``), so a slow subscriber is never cut off by Redis's
output-buffer limit: the rates are what both sides sustain together. After the window a
sentinel publication tells every subscriber to stop; nothing may be missing.

Reports per run: publishes/s, deliveries/s, Redis CPU (cores, and µs per publish and per
delivery: ``/proc/<pid>/stat``), the publisher's and the subscribers' CPU per message.

    .venv/bin/python bench/scaling/redis_fanout.py [--subscribers 1,4,16,64]
        [--modes await,pipeline,pipeline-raw] [--seconds 4]

Prints a Markdown table and, last, one JSON line with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import socket
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass

import redis.asyncio as aioredis

from hubbub.fanout.base import Emit
from hubbub.fanout.codec import decode, encode
from hubbub.schemas import message_wire
from hubbub.store.records import MessageRecord, UserRecord

CHANNEL = "hubbub:fanout"
STOP = b'{"k":"bench-stop"}'
FRAME = b"*3\r\n$7\r\nmessage\r\n"  # starts every pub/sub message Redis pushes
HIGH_WATER = 1 << 20  # bytes waiting in Redis for one subscriber: publishers pause
LOW_WATER = 256 << 10  # ... and resume below this


def publication() -> bytes:
    """What ``RedisBroker.publish`` sends for one chat message: a ``receiveMessage`` emit of
    the stored message, as ``actions.messages.send`` builds it, tagged with a node id."""
    message = MessageRecord(
        id=1_234_567,
        room="general",
        seq=48_213,
        user=UserRecord(id=4_711, username="alice", display_name="Alice Liddell"),
        text="sounds good, I'll push the fix after lunch and ping you on the PR",
        created_at="2026-12-06T10:21:33.482913+00:00",
        client_id="c-7f3a9e21-5b0c-4d8e-9a61-2f4b8c0d1e37",
        rev=61_022,
    )
    emit = Emit(event="receiveMessage", data=message_wire(message), to="room", key="general")
    return encode("a1b2c3d4e5f6", emit)


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        raw = f.read()
    fields = raw[raw.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- the subscriber process -------------------------------------------------------------


async def subscribe_redispy(port: int, n: int) -> list[int]:
    client = aioredis.Redis(host="127.0.0.1", port=port)
    counts = [0] * n
    pubsubs = [client.pubsub(ignore_subscribe_messages=True) for _ in range(n)]
    for ps in pubsubs:
        await ps.subscribe(CHANNEL)

    async def listen(i: int, ps: aioredis.client.PubSub) -> None:
        async for message in ps.listen():
            data = message["data"]
            if data == STOP:
                return
            decode(data)  # what every node does with every publication
            counts[i] += 1

    ready()
    await asyncio.gather(*(listen(i, ps) for i, ps in enumerate(pubsubs)))
    for ps in pubsubs:
        await ps.aclose()  # type: ignore[no-untyped-call]
    await client.aclose()
    return counts


async def subscribe_raw(port: int, n: int) -> list[int]:
    counts = [0] * n
    conns = []
    for _ in range(n):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        name = CHANNEL.encode()
        writer.write(b"*2\r\n$9\r\nSUBSCRIBE\r\n$%d\r\n%s\r\n" % (len(name), name))
        await reader.readuntil(b":1\r\n")  # the subscribe confirmation
        conns.append((reader, writer))

    async def listen(i: int, reader: asyncio.StreamReader) -> None:
        tail = b""
        while True:
            chunk = await reader.read(1 << 16)
            if not chunk:
                return
            data = tail + chunk
            counts[i] += data.count(FRAME)
            if STOP in data:
                counts[i] -= 1  # the sentinel's own frame
                return
            tail = data[-128:]
            counts[i] -= tail.count(FRAME)  # counted again with the next chunk

    ready()
    await asyncio.gather(*(listen(i, r) for i, (r, _) in enumerate(conns)))
    for _, writer in conns:
        writer.close()
    return counts


def ready() -> None:
    print("ready", flush=True)


def subscriber_main(args: argparse.Namespace) -> None:
    sub = subscribe_raw if args.kind == "raw" else subscribe_redispy
    counts = asyncio.run(sub(args.port, args.n))
    print(json.dumps({"counts": counts, "done": time.monotonic(), "cpu": own_cpu()}), flush=True)


# --- the publisher and the runs ---------------------------------------------------------


@dataclass(slots=True)
class Run:
    mode: str
    subscribers: int
    payload_bytes: int
    published: int
    delivered: int
    missing: int
    seconds: float  # from the first publish to the last subscriber's sentinel
    publishes_per_s: float
    deliveries_per_s: float
    redis_cores: float
    redis_us_per_publish: float
    redis_us_per_delivery: float
    publisher_us_per_publish: float
    subscriber_us_per_delivery: float


@contextlib.asynccontextmanager
async def redis_server(core: int) -> AsyncIterator[tuple[int, int]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = ["taskset", "-c", str(core), "redis-server", "--port", str(port)]
    cmd += ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no"]
    proc = await asyncio.create_subprocess_exec(
        *cmd, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    try:
        client = aioredis.Redis(host="127.0.0.1", port=port)
        for _ in range(100):
            with contextlib.suppress(OSError, aioredis.ConnectionError):
                await client.ping()
                break
            await asyncio.sleep(0.05)
        await client.aclose()
        yield port, proc.pid
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), 10)


async def throttle(port: int, go: asyncio.Event) -> None:
    """Hold publishers back while a subscriber lags (its output buffer in Redis); on its
    own connection, and never leaving them held back if it fails."""
    client = aioredis.Redis(host="127.0.0.1", port=port)
    try:
        while True:
            listing = await client.execute_command(  # type: ignore[no-untyped-call]
                "CLIENT", "LIST", "TYPE", "pubsub"
            )
            text = listing.decode() if isinstance(listing, bytes) else str(listing)
            omem = [int(f[5:]) for ln in text.splitlines() for f in ln.split() if f[:5] == "omem="]
            worst = max(omem, default=0)
            if worst > HIGH_WATER:
                go.clear()
            elif worst < LOW_WATER:
                go.set()
            await asyncio.sleep(0.02)
    except Exception as exc:
        if not isinstance(exc, asyncio.CancelledError):
            print(f"throttle failed: {exc!r}", file=sys.stderr)
        raise
    finally:
        go.set()
        await client.aclose()


async def one_run(
    args: argparse.Namespace, port: int, redis_pid: int, mode: str, n: int, payload: bytes
) -> Run:
    kind = "raw" if mode.endswith("-raw") else "redispy"
    sub = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--role=sub",
        f"--kind={kind}",
        f"--port={port}",
        f"--n={n}",
        stdout=asyncio.subprocess.PIPE,
    )
    assert sub.stdout is not None
    await sub.stdout.readline()  # "ready"
    client = aioredis.Redis(host="127.0.0.1", port=port)
    for _ in range(1000):  # every subscription registered in Redis
        if (await client.pubsub_numsub(CHANNEL))[0][1] >= n:
            break
        await asyncio.sleep(0.01)
    go = asyncio.Event()
    go.set()
    watcher = asyncio.create_task(throttle(port, go))
    published = 0
    start = time.monotonic()
    end = start + args.seconds
    redis0, me0 = cpu_seconds(redis_pid), own_cpu()

    async def publish_awaited() -> None:
        nonlocal published
        while time.monotonic() < end:
            await go.wait()
            await client.publish(CHANNEL, payload)
            published += 1

    async def publish_pipelined() -> None:
        nonlocal published
        while time.monotonic() < end:
            await go.wait()
            pipe = client.pipeline(transaction=False)
            for _ in range(args.pipeline):
                pipe.publish(CHANNEL, payload)
            await pipe.execute()
            published += args.pipeline

    worker = publish_awaited if mode == "await" else publish_pipelined
    tasks = args.tasks if mode == "await" else max(1, args.tasks // 4)
    await asyncio.gather(*(worker() for _ in range(tasks)))
    me_cpu = own_cpu() - me0
    watcher.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await watcher
    await client.publish(CHANNEL, STOP)
    line = await asyncio.wait_for(sub.stdout.readline(), 120)
    redis_cpu = cpu_seconds(redis_pid) - redis0
    await sub.wait()
    await client.aclose()
    result = json.loads(line)
    delivered = sum(result["counts"])
    wall = result["done"] - start
    return Run(
        mode=mode,
        subscribers=n,
        payload_bytes=len(payload),
        published=published,
        delivered=delivered,
        missing=published * n - delivered,
        seconds=round(wall, 2),
        publishes_per_s=round(published / wall),
        deliveries_per_s=round(delivered / wall),
        redis_cores=round(redis_cpu / wall, 2),
        redis_us_per_publish=round(redis_cpu / published * 1e6, 2),
        redis_us_per_delivery=round(redis_cpu / max(1, delivered) * 1e6, 3),
        publisher_us_per_publish=round(me_cpu / published * 1e6, 1),
        subscriber_us_per_delivery=round(result["cpu"] / max(1, delivered) * 1e6, 2),
    )


def table(runs: list[Run]) -> str:
    head = (
        "| mode | N subs | publishes/s | deliveries/s | missing | Redis CPU (cores) "
        "| Redis µs/publish | Redis µs/delivery | publisher µs/publish | subscriber µs/delivery |"
    )
    lines = [head, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for r in runs:
        lines.append(
            f"| {r.mode} | {r.subscribers} | {r.publishes_per_s:,} | {r.deliveries_per_s:,} "
            f"| {r.missing} | {r.redis_cores:.2f} | {r.redis_us_per_publish:.2f} "
            f"| {r.redis_us_per_delivery:.3f} | {r.publisher_us_per_publish:.1f} "
            f"| {r.subscriber_us_per_delivery:.2f} |"
        )
    return "\n".join(lines)


async def main(args: argparse.Namespace) -> None:
    os.sched_setaffinity(0, {args.client_core})  # the subscriber process inherits it
    payload = publication()
    print(f"publication: {len(payload)} bytes", file=sys.stderr)
    runs: list[Run] = []
    async with redis_server(args.redis_core) as (port, pid):
        for mode in args.modes.split(","):
            for n in (int(x) for x in args.subscribers.split(",")):
                run = await one_run(args, port, pid, mode, n, payload)
                print(f"  {mode} N={n}: {run.deliveries_per_s:,} del/s", file=sys.stderr)
                runs.append(run)
    print(table(runs))
    print(json.dumps({"payload_bytes": len(payload), "runs": [asdict(r) for r in runs]}))


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--subscribers", default="1,4,16,64")
    p.add_argument("--modes", default="await,pipeline,pipeline-raw")
    p.add_argument("--seconds", type=float, default=4.0)
    p.add_argument("--tasks", type=int, default=16, help="awaiting publishers (÷4 pipelined)")
    p.add_argument("--pipeline", type=int, default=100, help="PUBLISHes per round trip")
    p.add_argument("--redis-core", type=int, default=0)
    p.add_argument("--client-core", type=int, default=1)
    p.add_argument("--role", default="main", choices=["main", "sub"], help=argparse.SUPPRESS)
    p.add_argument("--kind", default="redispy", help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--n", type=int, default=1, help=argparse.SUPPRESS)
    return p.parse_args()


if __name__ == "__main__":
    arguments = parse()
    if arguments.role == "sub":
        subscriber_main(arguments)
    else:
        asyncio.run(main(arguments))
