"""What one metric call on the hot path costs: ``.inc()`` and ``.observe()`` on Hubbub's
own metric objects, in multiprocess mode (each call writes a memory-mapped file, as under
``hubbub serve``) and, for comparison, in-memory mode.

    .venv/bin/python bench/metrics_calls.py            # both modes, best of 5 runs
    .venv/bin/python bench/metrics_calls.py --calls 500000 --repeat 7

Each mode runs in a fresh interpreter: prometheus-client picks its mode at import.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import timeit
from pathlib import Path


def measure(calls: int, repeat: int) -> None:
    from hubbub import metrics  # after PROMETHEUS_MULTIPROC_DIR is set (or not)

    delivered = metrics.DELIVERIES
    stored = metrics.MESSAGES_STORED
    ack = metrics.ACK_SECONDS.labels("sendMessage")
    batch_size, commit_seconds = metrics.store_metrics("sqlite")
    cases = {
        "Counter.inc() (deliveries: once per emit)": lambda: delivered.inc(37),
        "Counter.inc() (messages stored)": stored.inc,
        "Histogram.observe() (ack, 3 ms: 5th bucket)": lambda: ack.observe(0.003),
        "Histogram.observe() (batch size 40: 7th bucket)": lambda: batch_size.observe(40),
        "Histogram.observe() (commit, 2 s: last bucket)": lambda: commit_seconds.observe(2.0),
        "empty lambda (the loop's own cost)": lambda: None,
    }
    mode = "multiprocess (mmap)" if metrics.MULTIPROCESS else "in-memory"
    print(f"{mode}: best of {repeat} runs of {calls:,} calls, µs per call")
    for name, call in cases.items():
        best = min(timeit.repeat(call, number=calls, repeat=repeat)) / calls
        print(f"  {best * 1e6:6.3f}  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", choices=["multiprocess", "memory"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.child == "multiprocess":
            from hubbub import metrics_dir

            with tempfile.TemporaryDirectory() as data_dir:
                metrics_dir.prepare(Path(data_dir))
                measure(args.calls, args.repeat)
        else:
            measure(args.calls, args.repeat)
        return
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    for child in ("multiprocess", "memory"):
        command = [sys.executable, __file__, "--child", child]
        command += ["--calls", str(args.calls), "--repeat", str(args.repeat)]
        subprocess.run(command, env=env, check=True)


if __name__ == "__main__":
    main()
