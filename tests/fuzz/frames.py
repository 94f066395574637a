"""Fuzzing a live Hubbub with Socket.IO frames: the run, from its accounts to its report.

The fuzzer's entry (``run_fuzz``, ``FuzzConfig``, ``scratch_dir``), shared by
``tests/fuzz/test_frames.py`` (a short run in CI) and ``bench/fuzz.py`` (a long one).
Nothing in the fuzzer imports the server: it speaks the wire protocol the way a hostile
client would, over raw WebSockets and Engine.IO long-polling.

- **Strategies** (``batches``, in ``strategies.py``) generate batches of frames:
  well-formed events of every client event of PROTOCOL.md and protocol-extensions.md (plus
  unknown and reserved names) with hostile payloads, and malformed frames (random text,
  binary, bad Engine.IO and Socket.IO types, binary-event headers, truncated JSON, unknown
  namespaces, bad CONNECTs, events before CONNECT).
- **Senders** (``Lane``, in ``lanes.py``, over the raw clients of ``transports.py``) send
  each batch over one connection, opening a new one when the server closes it. Every
  well-formed event with an ack id must be answered with PROTOCOL's ``{"ok": …}`` and
  leave the socket up (unless the frame is over the transport's 1 MB or unparseable by
  design, e.g. nested deeper than the JSON parser goes). After each malformed frame a
  *sentinel* (a CONNECT to a namespace that does not exist, always answered ``44``) proves
  that the connection is either closed or still served: never hung.
- **Canary** (``canary.py``, in a process of its own): two users chatting in a room of
  their own with python-socketio clients, one message every 50 ms, measuring
  send→receive latency and losses.
- **Report** (``report.py``): the counts, the canary's latency, the server's RSS before
  and after, its new log lines, and the checks a user would care about
  (``Report.checks``).

Hypothesis only *generates* here: ``@given`` runs in a worker thread and hands each batch
to the event loop, which sends it while the canary keeps chatting. The properties are
checked on what the server answers, and reported all at once at the end.

Three processes besides the server: the test (``run_fuzz``: accounts, rooms, the figures),
the canary, and the fuzzer (``python -m tests.fuzz.frames``, ``send_frames``) at the lowest
CPU priority, so that on a small machine its own work never passes for server latency.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
import websockets
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.strategies import SearchStrategy

from tests.fuzz.canary import ROOT, CanaryProcess
from tests.fuzz.lanes import Lane, LaneAccount
from tests.fuzz.report import Report, Stats, rss_bytes, tracebacks_in
from tests.fuzz.strategies import Batch, Targets, batches

SHM = Path("/dev/shm")


def scratch_dir(prefix: str) -> Path:
    """A fresh data dir for the fuzzed server, in memory (``/dev/shm``) when there is one.

    Every acknowledged message is committed with an fsync first; on a small VM's disk one
    fsync may take hundreds of milliseconds, and the canary would measure the disk rather
    than what the fuzz does to the server. ``HUBBUB_FUZZ_ON_DISK=1`` keeps it on disk."""
    use_shm = os.environ.get("HUBBUB_FUZZ_ON_DISK") != "1" and os.access(SHM, os.W_OK)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=SHM if use_shm else None))


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
