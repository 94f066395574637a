"""Debian's nginx in front of two Hubbub nodes, configured as docs/deployment.md says.

The nginx configuration is cut out of the documentation itself (the ``map``, the
several-nodes ``upstream`` with ``ip_hash`` and ``keepalive``, and the TLS server's
``location`` blocks), so the test checks the configuration readers copy, not a paraphrase.
The only changes: plain HTTP on a free port, the two nodes' addresses in the upstream, and
a wrapper (pid, logs, temp paths) that lets nginx run from a temporary directory.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest
import pytest_asyncio
import socketio

from tests.conftest import PgDatabases, database_url_for
from tests.fanout.conftest import require_redis
from tests.support import (
    IN_CI,
    REDIS_URL,
    SERVER_EVENTS,
    Account,
    Api,
    Client,
    ServerProcess,
    free_port,
)

ROOT = Path(__file__).resolve().parent.parent
DEPLOYMENT_DOC = ROOT / "docs" / "deployment.md"
NGINX = "/usr/sbin/nginx"
# Loopback addresses in different /24s: ip_hash hashes the first three octets of the
# client address, so these can land on different nodes although all are this machine.
SOURCES = [f"127.0.{k}.1" for k in range(1, 17)]


# --- the documented configuration -------------------------------------------------------


def nginx_snippets(markdown: str) -> list[str]:
    return re.findall(r"```nginx\n(.*?)```", markdown, flags=re.S)


def block(text: str, opener: str) -> str:
    """The block whose first line starts with ``opener``, through its closing brace."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(opener))
    depth = 0
    for end in range(start, len(lines)):
        code = lines[end].split("#", 1)[0]
        depth += code.count("{") - code.count("}")
        if depth == 0:
            return "\n".join(lines[start : end + 1])
    raise ValueError(f"unbalanced braces after {opener!r}")


def documented_config(nodes: list[ServerProcess], port: int, prefix: Path, *, as_root: bool) -> str:
    """docs/deployment.md's nginx configuration for ``nodes``, served over HTTP on ``port``."""
    markdown = DEPLOYMENT_DOC.read_text()
    proxy_section, _, scale_section = markdown.partition("### Several nodes behind nginx")
    proxy = nginx_snippets(proxy_section.split("## nginx in front", 1)[1])[0]
    several = nginx_snippets(scale_section)[0]

    connection_map = block(proxy, "map $http_upgrade")
    upstream = block(several, "upstream hubbub")
    addresses = iter(f"127.0.0.1:{node.port}" for node in nodes)
    upstream, servers = re.subn(
        r"^(\s*server\s+)\S+;", lambda m: f"{m[1]}{next(addresses)};", upstream, flags=re.M
    )
    assert servers == len(nodes), upstream
    starts = [m.start() for m in re.finditer("^server ", proxy, flags=re.M)]
    server_blocks = [block(proxy[start:], "server {") for start in starts]
    tls_server = next(b for b in server_blocks if "listen 443" in b)
    # Plain HTTP on a test port: drop what belongs to the public name and its certificate.
    server = re.sub(r"^\s*(listen|server_name|ssl_\w+)\b.*\n", "", tls_server, flags=re.M)
    server = server.replace("server {", f"server {{\n    listen 127.0.0.1:{port};", 1)

    temp = "\n".join(
        f"    {kind}_temp_path {prefix}/{kind}_temp;"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{"user root;" if as_root else ""}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}

http {{
    # Which node served which client address (the test reads it back).
    log_format upstreams '$remote_addr $upstream_addr $status "$request"';
    access_log {prefix}/access.log upstreams;
{temp}

{connection_map}

{upstream}

{server}
}}
"""


# --- nginx as a subprocess --------------------------------------------------------------


def nginx_binary() -> str:
    """Debian's nginx, installed with apt-get if missing (as .ci/run does for Chromium)."""
    if not Path(NGINX).is_file() and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        apt = ["apt-get", "-o", "DPkg::Lock::Timeout=60", "-qq"]  # wait out another apt
        subprocess.run([*apt, "update"], env=env, capture_output=True, timeout=120)
        subprocess.run([*apt, "install", "-y", "nginx"], env=env, capture_output=True, timeout=120)
    if not Path(NGINX).is_file():
        message = f"{NGINX} is missing and could not be installed: `apt-get install nginx`"
        if IN_CI:
            pytest.fail(message + " (CI=true: the nginx test must run)")
        pytest.skip(message)
    return NGINX


@dataclass
class Nginx:
    process: subprocess.Popen[bytes]
    prefix: Path
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self, name: str) -> str:
        path = self.prefix / name
        return path.read_text() if path.exists() else ""

    def upstreams_by_client(self, uri_start: str) -> dict[str, set[str]]:
        """Client address -> the upstream addresses nginx sent its requests for ``uri_start``."""
        seen: dict[str, set[str]] = defaultdict(set)
        for line in self.log("access.log").splitlines():
            client, upstream, _status, request = line.split(" ", 3)
            if request.split(" ")[1].startswith(uri_start):
                seen[client].add(upstream)
        return seen


def start_nginx(binary: str, nodes: list[ServerProcess], prefix: Path) -> Nginx:
    port = free_port()
    conf = prefix / "nginx.conf"
    conf.write_text(documented_config(nodes, port, prefix, as_root=os.geteuid() == 0))
    error_log = str(prefix / "error.log")  # -e: not /var/log/nginx, even before the config
    process = subprocess.Popen(
        [binary, "-p", str(prefix), "-c", str(conf), "-e", error_log, "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    nginx = Nginx(process, prefix, port)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited:\n{nginx.log('error.log')}\n{conf.read_text()}")
        try:
            if httpx.get(nginx.url + "/healthz", timeout=1).status_code == 200:
                return nginx
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"nginx did not answer:\n{nginx.log('error.log')}")


def stop_nginx(nginx: Nginx) -> None:
    nginx.process.send_signal(signal.SIGTERM)
    try:
        nginx.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        nginx.process.kill()
        nginx.process.wait()


@pytest_asyncio.fixture
async def two_nodes(
    tmp_path: Path, pg_databases: PgDatabases
) -> AsyncIterator[list[ServerProcess]]:
    """Two nodes sharing one PostgreSQL database and one Redis prefix (several machines)."""
    client = await require_redis()
    await client.aclose()
    database_url = await database_url_for("postgres", tmp_path, pg_databases)
    env = {"HUBBUB_REDIS_URL": REDIS_URL, "HUBBUB_REDIS_PREFIX": f"t-{secrets.token_hex(4)}"}
    nodes = [
        ServerProcess(data_dir=tmp_path / f"node{i}", database_url=database_url, extra_env=env)
        for i in range(2)
    ]
    try:
        for node in nodes:  # one after the other: the first applies the migrations
            await asyncio.to_thread(node.start)
        yield nodes
    finally:
        for node in nodes:
            await asyncio.to_thread(node.stop)


@pytest.fixture(scope="session")
def nginx_path() -> str:
    return nginx_binary()


@pytest.fixture
def nginx(nginx_path: str, two_nodes: list[ServerProcess], tmp_path: Path) -> Iterator[Nginx]:
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    proxy = start_nginx(nginx_path, two_nodes, prefix)
    yield proxy
    stop_nginx(proxy)


# --- clients from chosen source addresses -----------------------------------------------


class SourcedClient(Client):
    """A recording Socket.IO client whose TCP connections leave from ``source``."""

    def __init__(self, url: str, token: str, *, source: str, transports: list[str]) -> None:
        super().__init__(url, token)
        self.transports = transports
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(source, 0)))
        self.sio = socketio.AsyncClient(reconnection=False, http_session=self.session)
        for name in SERVER_EVENTS:
            self.sio.on(name, self._recorder(name))

    async def connect(self) -> SourcedClient:
        await self.sio.connect(
            self.url, auth={"token": self.token}, transports=self.transports, wait_timeout=10
        )
        return self

    async def close(self) -> None:
        if self.sio.connected and self.sio.transport() == "polling":
            # python-engineio's polling disconnect sends CLOSE, then waits for its pending
            # GET, which the server leaves open after a client's CLOSE: 30 s, with or
            # without nginx. Send the CLOSE, then drop that GET with the session.
            await self.sio.eio.disconnect(abort=True)
        await super().close()
        await self.session.close()


async def sources_per_node(nginx: Nginx, nodes: list[ServerProcess]) -> list[str]:
    """One client address per node, found by asking nginx where it sends each address."""
    for source in SOURCES:
        transport = httpx.AsyncHTTPTransport(local_address=source)
        async with httpx.AsyncClient(transport=transport) as http:
            assert (await http.get(nginx.url + "/healthz")).status_code == 200
    served = nginx.upstreams_by_client("/healthz")
    chosen = []
    for node in nodes:
        address = f"127.0.0.1:{node.port}"
        matching = [s for s in SOURCES if served.get(s) == {address}]
        assert matching, f"ip_hash sent none of {SOURCES} to {address} alone: {dict(served)}"
        chosen.append(matching[0])
    return chosen


def ok(log_line: str) -> bool:
    """Answered, or (499) a polling client of ours dropping its last pending GET on close."""
    _client, _upstream, status, request = log_line.split(" ", 3)
    if status == "499":
        return request.startswith('"GET /socket.io/?transport=polling')
    return status in {"101", "200", "201"}


def text_is(text: str) -> Callable[[Any], bool]:
    return lambda message: bool(message["text"] == text)


TRANSPORTS: dict[str, list[str]] = {
    "websocket": ["websocket"],
    "polling": ["polling"],
    "upgrade": ["polling", "websocket"],  # python-socketio's default: poll, then upgrade
}


@pytest.mark.timeout(300)  # the first run may install nginx
async def test_a_chat_through_nginx_reaches_both_nodes(
    nginx: Nginx, two_nodes: list[ServerProcess]
) -> None:
    """Six users chat in one room through nginx: for each of the two nodes, a WebSocket, a
    long-polling and a polling-then-upgrade client. All clients run on this machine, so
    they connect from loopback addresses in different /24s, chosen by probing so that
    ip_hash sends three to each node; nginx's access log then confirms where every
    request went. Every user sees all six messages, in one gap-free sequence, which
    needs both nodes (and Redis between them) and sticky long-polling sessions."""
    api = Api(nginx.url)  # REST through nginx too
    made: list[SourcedClient] = []
    try:
        page = await api.http.get("/")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "<title>Hubbub</title>" in page.text
        for asset in re.findall(r'(?:src|href)="(/assets/[^"]+)"', page.text):
            assert (await api.http.get(asset)).status_code == 200, asset
        health = await api.http.get("/healthz")
        assert health.status_code == 200
        assert health.json()["status"] == "ok" and health.json()["redis"] is True

        sources = await sources_per_node(nginx, two_nodes)
        users: list[tuple[Account, str, str]] = []  # account, source, transport
        for node_index, source in enumerate(sources):
            for transport in TRANSPORTS:
                account = await api.register(f"n{node_index}{transport[:4]}")
                users.append((account, source, transport))
        room = await api.create_room(users[0][0])
        for account, _, _ in users[1:]:
            assert (await api.join(account, room)).status_code == 200

        for account, source, transport in users:
            client = SourcedClient(
                nginx.url, account.access_token, source=source, transports=TRANSPORTS[transport]
            )
            made.append(client)
            await client.connect()
            expected = "polling" if transport == "polling" else "websocket"
            assert client.sio.transport() == expected, (transport, client.sio.transport())

        acks: list[dict[str, Any]] = []
        for client, (account, _, transport) in zip(made, users, strict=True):
            text = f"{account.username} via {transport}"
            ack = await client.send(room, text, client_id=f"m-{account.username}")
            assert ack["ok"] is True, ack
            acks.append(ack["message"])
        texts = {m["text"] for m in acks}
        assert [m["seq"] for m in acks] == list(range(1, len(users) + 1))

        for client in made:
            for text in texts:
                await client.wait_for("receiveMessage", text_is(text))
            got = [m for m in client.events["receiveMessage"] if m["room"] == room]
            assert sorted(m["seq"] for m in got) == list(range(1, len(users) + 1))
            assert {m["text"] for m in got} == texts

        for client in made:
            await client.close()
        # nginx logs a WebSocket request when it closes: wait for the four of them.
        for _ in range(100):
            if nginx.log("access.log").count(" 101 ") >= 4:
                break
            await asyncio.sleep(0.05)
        # Both nodes served: every Socket.IO request from an address went to that address's
        # node (so long-polling stayed sticky), and nginx refused none.
        served = nginx.upstreams_by_client("/socket.io/")
        for source, node in zip(sources, two_nodes, strict=True):
            assert served[source] == {f"127.0.0.1:{node.port}"}, dict(served)
        log = nginx.log("access.log")
        assert log.count(" 101 ") == 4, log  # WebSocket-only and upgraded, on each node
        refused = [line for line in log.splitlines() if not ok(line)]
        assert refused == [], log
    finally:
        for client in made:
            await client.close()
        await api.close()
