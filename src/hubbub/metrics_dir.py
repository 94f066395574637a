"""The directory where prometheus-client's multiprocess mode keeps its files, one per run.

prometheus-client chooses between in-memory and multiprocess values once, when it is first
imported, from ``PROMETHEUS_MULTIPROC_DIR``. So ``hubbub serve`` calls ``prepare`` first
thing, before anything imports ``hubbub.metrics`` (workers started afterwards inherit the
variable), and ``prepare`` refuses to run if it is already too late.

Each run gets a fresh directory ``<data dir>/metrics/run-<pid>-<random>``, held with an
``flock`` for as long as the server's main process lives, and removed when it exits.
Directories whose lock nobody holds are left from a crash and are removed at the next
start; a server running beside on the same data dir keeps its own. Counters therefore
start at zero with each run, as Prometheus expects of a restarted target.

This module must not import prometheus-client.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import os
import shutil
import sys
import tempfile
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"
LOCK = ".lock"
_held: list[int] = []  # lock file descriptors kept open for the life of the process


def prepare(data_dir: Path) -> Path:
    """Create this run's directory, point ``PROMETHEUS_MULTIPROC_DIR`` at it, and remove
    the directories of runs that are over."""
    if "prometheus_client" in sys.modules:
        raise RuntimeError(
            "prometheus_client was imported before the metrics directory was set:"
            " multiprocess mode would be off (hubbub.metrics imported too early)"
        )
    root = data_dir / "metrics"
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    guard = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(guard, fcntl.LOCK_EX)  # one starting server at a time cleans up
        remove_stale(root)
        run = Path(tempfile.mkdtemp(prefix=f"run-{os.getpid()}-", dir=root))
        _hold(run)
    finally:
        os.close(guard)  # closing the descriptor releases the lock
    atexit.register(shutil.rmtree, run, ignore_errors=True)
    os.environ[ENV] = str(run)
    return run


def _hold(run: Path) -> None:
    fd = os.open(run / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    _held.append(fd)


def remove_stale(root: Path) -> list[Path]:
    """Remove the run directories under ``root`` whose lock no live process holds."""
    removed = []
    for run in root.glob("run-*"):
        if not run.is_dir():
            continue
        try:
            fd = os.open(run / LOCK, os.O_RDWR)
        except FileNotFoundError:  # a crash before its lock existed
            shutil.rmtree(run, ignore_errors=True)
            removed.append(run)
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # a running server's
        finally:
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(run, ignore_errors=True)
        removed.append(run)
    return removed
