"""Where the server's CPU goes at one scenario: user and kernel time, by thread, beside the
Node.js reference in the same pass.

    .venv/bin/python bench/cpu_split.py [--repeat 3] [--scenario A] [--env NAME=VALUE ...]

The shared generator (``../shared/bench/run.sh``, core 1) reports one CPU figure per
server. This reads ``/proc/PID/task/*/stat`` instead, over 8 s of the send window (found as
``workers_redis.py`` finds it: Hubbub's first stored message; for the reference, the first
half second in which it uses more than 5% of a core), and splits it into user and kernel
time per thread: the event loop's thread (Node's main thread), the busiest other thread
(Hubbub's SQLite writer; in Node a V8 or libuv helper) and the rest. Kernel time on the
loop's thread is, at these scenarios, mostly the TCP writes to the recipients (on loopback
the sender's core also runs the receiving side's TCP); kernel time on the writer is the
WAL's pwrite, fsync and locks. Figures are µs per message (the scenario's rate), so the
cost of one message (its store, its fan-out to every member, its ack) reads directly.
``--env`` settings go to Hubbub only (e.g. ``--env HUBBUB_SQLITE_SYNCHRONOUS=normal``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from workers_redis import LIMITS, RUN_SH, TICK, generator_line, start_hubbub, stored

WINDOW = 8.0  # seconds of the send window measured (it lasts 10)


def threads(pid: int) -> dict[int, tuple[str, float, float]]:
    """Each thread of ``pid``: (name, user seconds, kernel seconds)."""
    found: dict[int, tuple[str, float, float]] = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tids:
        try:
            raw = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
        except OSError:
            continue
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        found[int(tid)] = (name, int(fields[11]) / TICK, int(fields[12]) / TICK)
    return found


class Sampler(threading.Thread):
    """Waits for the send window (``started()``), then measures WINDOW seconds."""

    def __init__(self, pid: int, started: Callable[[], bool]) -> None:
        super().__init__(daemon=True)
        self.pid, self.started = pid, started
        self.split: dict[str, tuple[float, float]] = {}  # group -> (user, kernel) cores

    def run(self) -> None:
        deadline = time.monotonic() + 120
        while not self.started() and time.monotonic() < deadline:
            time.sleep(0.25)
        time.sleep(1.0)
        start, before = time.monotonic(), threads(self.pid)
        time.sleep(WINDOW)
        after, wall = threads(self.pid), time.monotonic() - start
        used = {
            tid: (
                (user - before.get(tid, (name, 0.0, 0.0))[1]) / wall,
                (kernel - before.get(tid, (name, 0.0, 0.0))[2]) / wall,
            )
            for tid, (name, user, kernel) in after.items()
        }
        # Python names its threads for itself only (the OS sees one name): the writer is
        # told apart as the busiest thread after the loop's — in the send window nothing
        # else works (no searches, sign-ups or password hashes then).
        others = sorted((tid for tid in used if tid != self.pid), key=lambda t: -sum(used[t]))
        split: dict[str, list[float]] = {}
        for tid, (user, kernel) in used.items():
            key = "loop" if tid == self.pid else "writer" if tid == others[0] else "other"
            total = split.setdefault(key, [0.0, 0.0])
            total[0] += user
            total[1] += kernel
        self.split = {key: (u, k) for key, (u, k) in split.items()}


def busy(pid: int) -> Callable[[], bool]:
    """``started`` for the reference: its process used > 5% of a core over half a second."""

    def started() -> bool:
        first = sum(u + k for _, u, k in threads(pid).values())
        time.sleep(0.5)
        return sum(u + k for _, u, k in threads(pid).values()) - first > 0.025

    return started


def reference_pid() -> int | None:
    found = subprocess.run(
        ["pgrep", "-n", "-f", "node reference-server.mjs"], capture_output=True, text=True
    )
    return int(found.stdout.split()[0]) if found.stdout.strip() else None


def run_reference(scenario: str) -> tuple[dict, dict[str, tuple[float, float]]]:
    result: dict[str, tuple[float, float]] = {}

    def follow() -> None:  # run.sh starts the reference: find it, then sample it
        deadline = time.monotonic() + 60
        while (pid := reference_pid()) is None and time.monotonic() < deadline:
            time.sleep(0.1)
        if pid is not None:
            sampler = Sampler(pid, busy(pid))
            sampler.run()
            result.update(sampler.split)

    follower = threading.Thread(target=follow, daemon=True)
    follower.start()
    done = subprocess.run([str(RUN_SH), "reference", scenario], capture_output=True, text=True)
    follower.join(timeout=30)
    return generator_line(done.stdout), result


def run_hubbub(scenario: str, extra: dict[str, str]) -> tuple[dict, dict[str, tuple[float, float]]]:
    data = Path(tempfile.mkdtemp(prefix="hubbub-split-"))
    env = {**os.environ, **LIMITS, "HUBBUB_DATA_DIR": str(data), "HUBBUB_LOG_LEVEL": "warning"}
    env.update(extra)
    server, url = start_hubbub(env, data)
    try:
        sampler = Sampler(server.pid, lambda: stored(url) > 0)
        sampler.start()
        done = subprocess.run(
            [str(RUN_SH), "hubbub", url, str(server.pid), scenario], capture_output=True, text=True
        )
        sampler.join(timeout=30)
        return generator_line(done.stdout), sampler.split
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)


def describe(label: str, line: dict, split: dict[str, tuple[float, float]]) -> dict:
    rate = line["rate_msgs_s"]

    def us(cores: float) -> float:
        return round(cores * 1e6 / rate, 1)

    row: dict = {"server": label, "deliveries_s": line["deliveries_s"]}
    for key in ("loop", "writer", "other"):
        user, kernel = split.get(key, (0.0, 0.0))
        row[f"{key}_user_us"], row[f"{key}_kernel_us"] = us(user), us(kernel)
    row["total_us"] = us(sum(u + k for u, k in split.values()))
    row["p99_ms"] = line["lat_ms"]["p99"]
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scenario", default="A")
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for Hubbub")
    args = parser.parse_args()
    extra = dict(item.split("=", 1) for item in args.env)
    print(f"date {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}, scenario {args.scenario}")
    rows = []
    for _ in range(args.repeat):
        rows.append(describe("Node.js reference", *run_reference(args.scenario)))
        rows.append(describe("Hubbub", *run_hubbub(args.scenario, extra)))
    print(
        "\nµs of server CPU per message (user + kernel)\n\n"
        "| server | event loop thread | SQLite writer (Node: busiest helper) | other threads"
        " | total |"
    )
    print("|---|--:|--:|--:|--:|")
    for r in rows:
        print(
            f"| {r['server']} | {r['loop_user_us']} + {r['loop_kernel_us']} "
            f"| {r['writer_user_us']} + {r['writer_kernel_us']} "
            f"| {r['other_user_us']} + {r['other_kernel_us']} | {r['total_us']} |"
        )


if __name__ == "__main__":
    main()
