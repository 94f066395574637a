"""The long run of the Socket.IO frame fuzzer (tests/fuzz/frames.py) against a fresh server.

Starts ``hubbub serve`` (SQLite, a temp data dir, the test suite's generous rate limits so
frames reach the handlers), fuzzes it with ``--frames`` frames from ``--lanes`` users while
the canary pair chats, prints the figures and the checks, and exits 1 if a check failed.

    .venv/bin/python bench/fuzz.py                  # 100,000 frames
    .venv/bin/python bench/fuzz.py --frames 20000 --seed 1234
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fuzz.frames import FuzzConfig, run_fuzz, scratch_dir  # noqa: E402
from tests.fuzz.report import Report  # noqa: E402
from tests.support import ServerProcess  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=100_000, help="frames to send")
    parser.add_argument("--lanes", type=int, default=6, help="users fuzzing at once")
    parser.add_argument("--seed", type=int, default=None, help="replay a run's seed")
    parser.add_argument(
        "--p99-ms", type=float, default=100.0, help="the canary's p99 latency limit"
    )
    parser.add_argument("--rss-mb", type=int, default=50, help="the server's RSS growth limit")
    parser.add_argument("--keep", action="store_true", help="keep the data dir and its log")
    return parser.parse_args()


async def fuzz(server: ServerProcess, args: argparse.Namespace) -> Report:
    assert server.process is not None and server.log_path is not None
    config = FuzzConfig(frames=args.frames, lanes=args.lanes, seed=args.seed)
    return await run_fuzz(server.url, server.process.pid, server.log_path, config)


def main() -> int:
    args = parse_args()
    data_dir = scratch_dir("hubbub-fuzz-")  # in /dev/shm unless HUBBUB_FUZZ_ON_DISK=1
    server = ServerProcess(data_dir=data_dir, extra_env={"HUBBUB_ACCESS_TOKEN_TTL": "86400"})
    server.start()
    print(f"server {server.url} (pid {server.process.pid if server.process else '?'})")
    try:
        report = asyncio.run(fuzz(server, args))
    finally:
        server.stop()
    print(report.render())
    checks = report.checks(p99_limit=args.p99_ms / 1000, rss_limit=args.rss_mb * 2**20)
    for check in checks:
        print(f"{'ok  ' if check.ok else 'FAIL'} {check.name}: {check.detail}")
    print(f"server log: {server.log_path}" if args.keep else f"(removing {data_dir})")
    if not args.keep:
        shutil.rmtree(data_dir)
    return 0 if all(check.ok for check in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
