"""A throwaway PostgreSQL cluster and Redis server the chaos test may kill at will.

The shared services of the other tests must never be restarted, so the chaos test brings
its own: ``initdb`` + ``pg_ctl`` on a free port, ``redis-server`` on another. A ``Stack``
is both, with the nodes that share them.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import pytest

from tests.support import IN_CI, ServerProcess, free_port


@dataclass(frozen=True)
class Tools:
    """Where the PostgreSQL binaries are, and how to run them (``runuser`` as root)."""

    pg_bin: Path
    as_postgres: tuple[str, ...]
    redis_server: str
    postgres_user: pwd.struct_passwd | None


def _pg_bin() -> Path | None:
    def version(path: str) -> tuple[int, ...]:
        name = Path(path).parent.name
        return tuple(int(p) for p in name.split(".") if p.isdigit())

    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=version)
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def require_tools() -> Tools:
    """The binaries the chaos test runs, or a skip (a failure with ``CI=true``)."""
    problems: list[str] = []
    pg_bin = _pg_bin()
    if pg_bin is None or not (pg_bin / "pg_ctl").exists():
        problems.append("initdb/pg_ctl not found (/usr/lib/postgresql/*/bin or PATH)")
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        problems.append("redis-server not found")
    as_postgres: tuple[str, ...] = ()
    postgres_user = None
    if os.geteuid() == 0:  # initdb and pg_ctl refuse to run as root
        runuser = shutil.which("runuser")
        try:
            postgres_user = pwd.getpwnam("postgres")
        except KeyError:
            problems.append("no 'postgres' user to run PostgreSQL as")
        if runuser is None:
            problems.append("runuser not found")
        else:
            as_postgres = (runuser, "-u", "postgres", "--")
    if problems:
        message = "chaos test needs its own PostgreSQL and Redis: " + "; ".join(problems)
        if IN_CI:
            pytest.fail(message + " (CI=true: the chaos test must run)")
        pytest.skip(message)
    assert pg_bin is not None and redis_server is not None
    return Tools(pg_bin, as_postgres, redis_server, postgres_user)


@dataclass
class PgCluster:
    """One PostgreSQL cluster in a temp dir (owned by the postgres user when we are root)."""

    tools: Tools
    base: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="hubbub-chaos-pg-")))
    port: int = field(default_factory=free_port)

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def log(self) -> Path:
        return self.base / "postgres.log"

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, timeout: float = 60) -> None:
        out = self.base / "pg_ctl.out"
        with out.open("ab") as sink:
            done = subprocess.run(
                [*self.tools.as_postgres, *args],
                stdout=sink,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({done.returncode}):\n{out.read_text()[-3000:]}")

    def init(self) -> None:
        user = self.tools.postgres_user
        if user is not None:
            os.chown(self.base, user.pw_uid, user.pw_gid)
        self._run(
            str(self.tools.pg_bin / "initdb"),
            "-D", str(self.data),
            "-A", "trust",
            "-U", "postgres",
            "--no-sync",
            "--encoding=UTF8",
            "--locale=C",
        )  # fmt: skip

    def start(self) -> None:
        # fsync=off: an immediate stop kills the server, not the machine, so what it
        # wrote before acknowledging a commit is still in the OS and survives.
        options = (
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c max_connections=200"
        )
        self._run(
            str(self.tools.pg_bin / "pg_ctl"),
            "-D", str(self.data),
            "-o", options,
            "-l", str(self.log),
            "-w", "-t", "60",
            "start",
        )  # fmt: skip

    def stop(self, mode: str = "immediate") -> None:
        self._run(str(self.tools.pg_bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "stop")

    async def stall_commits(self, stalled: bool) -> None:
        """Make every commit wait for a synchronous standby that does not exist (or stop
        that): committed here, but the committer hears nothing until it is lifted."""
        conn = await asyncpg.connect(self.dsn())
        try:
            if stalled:
                await conn.execute("ALTER SYSTEM SET synchronous_standby_names = 'nobody'")
            else:
                await conn.execute("ALTER SYSTEM RESET synchronous_standby_names")
            await conn.execute("SELECT pg_reload_conf()")
        finally:
            await conn.close()

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                self.stop()
        shutil.rmtree(self.base, ignore_errors=True)


@dataclass
class RedisServer:
    """``redis-server`` without persistence: a restart comes back empty, as after a crash."""

    executable: str
    log: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(
                [
                    self.executable,
                    "--port", str(self.port),
                    "--bind", "127.0.0.1",
                    "--save", "",
                    "--appendonly", "no",
                ],
                stdout=sink,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited:\n{self.log.read_text()[-2000:]}")
            if self._answers():
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not answer PING")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self, *, kill: bool = False) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@dataclass
class Stack:
    pg: PgCluster
    database: str
    redis: RedisServer
    nodes: list[ServerProcess]
