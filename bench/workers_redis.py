"""``--workers N`` + Redis on this machine: Hubbub's CPU per delivery, every worker counted.

    .venv/bin/python bench/workers_redis.py [--repeat 2] [--scenario A]

The shared generator (``../shared/bench/run.sh``, core 1) reads the CPU of the one process
it is given, which with ``--workers 2`` is only uvicorn's master. So for each set-up —
1 worker with the in-memory broker, 1 worker + Redis, 2 workers + Redis — this starts
Hubbub (and its own ``redis-server --save ''``) pinned to core 0, and sums the CPU of the
whole process tree and of Redis from ``/proc`` over 8 s of the send window, which it finds
by polling ``/metrics`` until the first message is stored. The Node.js reference runs in
the same pass (``run.sh reference``; its figure is the generator's). Prints, per run:
deliveries/s, Hubbub cores, µs of Hubbub CPU per delivery and per worker, Redis cores and
µs per message, latency p50/p99; then a Markdown table. The CPU is divided by the
generator's deliveries/s over its whole send window: right while the server keeps up (A),
not at saturation, where the server still delivers after the window.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RUN_SH = Path(os.environ.get("RUN_SH", REPO.parent / "shared" / "bench" / "run.sh"))
HUBBUB = REPO / ".venv" / "bin" / "hubbub"
TICK = os.sysconf("SC_CLK_TCK")
PIN = ["taskset", "-c", "0"]  # the server side on core 0; the generator takes core 1
WINDOW = 8.0  # seconds of the send window measured (it lasts 10)
LIMITS = dict(  # what every fan-out benchmark starts Hubbub with (bench/limits.env)
    line.split("=", 1)
    for line in (REPO / "bench" / "limits.env").read_text().splitlines()
    if line and not line.startswith("#")
)
SETUPS = [("1 worker, memory broker", 1, False), ("1 worker + Redis", 1, True)]
SETUPS += [("2 workers + Redis", 2, True)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = raw[raw.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def tree(root: int) -> list[int]:
    """``root`` and every process descending from it (uvicorn's workers, their helpers)."""
    parents: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                raw = Path(f"/proc/{name}/stat").read_text()
            except OSError:
                continue
            parents[int(name)] = int(raw[raw.rindex(")") + 2 :].split()[1])
    found, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def stored(url: str) -> float:
    try:
        with urllib.request.urlopen(f"{url}/metrics", timeout=2) as response:
            text = response.read().decode()
    except OSError:
        return 0.0
    for line in text.splitlines():
        if line.startswith("hubbub_messages_stored_total"):
            return float(line.split()[-1])
    return 0.0


class Sampler(threading.Thread):
    """Waits for the first stored message, then measures WINDOW seconds of CPU."""

    def __init__(self, url: str, hubbub_pid: int, redis_pid: int | None) -> None:
        super().__init__(daemon=True)
        self.url, self.hubbub_pid, self.redis_pid = url, hubbub_pid, redis_pid
        self.hubbub_cores: float | None = None
        self.redis_cores: float | None = None
        self.per_process: list[float] = []  # each process that used >= 0.005 cores

    def run(self) -> None:
        deadline = time.monotonic() + 120
        while stored(self.url) == 0 and time.monotonic() < deadline:
            time.sleep(0.25)
        time.sleep(1.0)
        pids = tree(self.hubbub_pid)
        start = time.monotonic()
        before = [cpu_seconds(p) for p in pids]
        redis_before = cpu_seconds(self.redis_pid) if self.redis_pid else 0.0
        time.sleep(WINDOW)
        wall = time.monotonic() - start
        each = [max(0.0, cpu_seconds(p) - b) / wall for p, b in zip(pids, before, strict=True)]
        self.hubbub_cores = sum(each)
        self.per_process = [round(c, 3) for c in each if c >= 0.005]
        if self.redis_pid:
            self.redis_cores = max(0.0, cpu_seconds(self.redis_pid) - redis_before) / wall


def generator_line(output: str) -> dict:
    lines = [line for line in output.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"no JSON line from the generator:\n{output[-2000:]}")
    return json.loads(lines[-1])


def run_reference(scenario: str) -> dict:
    done = subprocess.run([str(RUN_SH), "reference", scenario], capture_output=True, text=True)
    line = generator_line(done.stdout)
    line["cores"] = line["server_cpu_pct"] / 100
    return line


def start_hubbub(
    env: dict[str, str], data: Path, extra_args: Sequence[str] = ()
) -> tuple[subprocess.Popen[bytes], str]:
    """``hubbub serve`` pinned to core 0 on a free port, its log in ``data``, once
    ``/healthz`` answers (or 30 s have passed); the process and its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    serve = [str(HUBBUB), "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(
        [*PIN, *serve, *extra_args],
        env=env,
        stdout=open(data / "server.log", "w"),  # noqa: SIM115 - closed with the process
        stderr=subprocess.STDOUT,
    )
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    return server, url


def run_hubbub(scenario: str, workers: int, with_redis: bool) -> dict:
    data = Path(tempfile.mkdtemp(prefix="hubbub-workers-"))
    redis = None
    env = {**os.environ, **LIMITS, "HUBBUB_DATA_DIR": str(data), "HUBBUB_LOG_LEVEL": "warning"}
    if with_redis:
        redis_port = free_port()
        redis = subprocess.Popen(
            [*PIN, "redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        env["HUBBUB_REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
        env["HUBBUB_REDIS_PREFIX"] = f"bench-{secrets.token_hex(3)}"
    server, url = start_hubbub(env, data, ["--workers", str(workers)])
    try:
        time.sleep(1.0 if workers > 1 else 0.0)  # every worker up, not only the first
        sampler = Sampler(url, server.pid, redis.pid if redis else None)
        sampler.start()
        done = subprocess.run(
            [str(RUN_SH), "hubbub", url, str(server.pid), scenario], capture_output=True, text=True
        )
        sampler.join(timeout=30)
        line = generator_line(done.stdout)
        line["cores"] = sampler.hubbub_cores
        line["redis_cores"] = sampler.redis_cores
        line["per_process"] = sampler.per_process
        return line
    finally:
        server.terminate()
        server.wait(timeout=30)
        if redis:
            redis.terminate()
            redis.wait(timeout=10)
        shutil.rmtree(data, ignore_errors=True)


def describe(label: str, line: dict) -> dict:
    deliveries = max(1, line["deliveries_s"])  # 0 when nothing was delivered
    messages = line["rate_msgs_s"]
    cores = line["cores"] or 0.0
    row = {
        "setup": label,
        "deliveries_s": deliveries,
        "delivered_ratio": line["delivered_ratio"],
        "cores": round(cores, 3),
        "us_per_delivery": round(cores * 1e6 / deliveries, 1),
        "per_process_cores": line.get("per_process", [round(cores, 3)]),
        "redis_cores": round(line.get("redis_cores") or 0.0, 3),
        "redis_us_per_message": round((line.get("redis_cores") or 0.0) * 1e6 / messages, 1),
        "p50": line["lat_ms"]["p50"],
        "p99": line["lat_ms"]["p99"],
    }
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--scenario", default="A")
    args = parser.parse_args()
    print(f"date {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}, scenario {args.scenario}")
    rows = []
    for _ in range(args.repeat):
        rows.append(describe("Node.js reference", run_reference(args.scenario)))
        for label, workers, with_redis in SETUPS:
            rows.append(describe(label, run_hubbub(args.scenario, workers, with_redis)))
    print(
        "\n| set-up | del/s | cores (per process) | µs CPU per delivery | Redis cores "
        "| Redis µs per message | p50 / p99 ms |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|")
    for r in rows:
        print(
            f"| {r['setup']} | {r['deliveries_s']:,} | {r['cores']} ({r['per_process_cores']}) "
            f"| {r['us_per_delivery']} | {r['redis_cores'] or '—'} "
            f"| {r['redis_us_per_message'] or '—'} | {r['p50']} / {r['p99']} |"
        )


if __name__ == "__main__":
    main()
