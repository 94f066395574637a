"""schemathesis over the REST API's OpenAPI document, against a live server.

Every operation gets a bounded number of generated requests (valid and invalid ones, with a
valid bearer token, and with the path's room name often one that exists), and every answer
must be: no 5xx, a documented status code, the documented content type and headers, and a
body that matches the documented schema.

The schema is the app's own (``create_app().openapi()``, built at import so that each
operation is its own test item); ``test_live_server_serves_this_schema`` proves that it is
the document the live server serves at ``/openapi.json``.

``FINDINGS`` are the answers the document once failed to list (found by this fuzzer and
fixed: every /api route now documents 400, 413, 422, 429 and 503, and the authenticated
ones 401). ``test_finding`` reproduces each exactly and holds it to the document, so none
can come back unnoticed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from hubbub.app import create_app
from hubbub.config import Settings
from tests.support import ServerProcess, unique

EXAMPLES = int(os.environ.get("HUBBUB_OPENAPI_EXAMPLES", "25"))
PASSWORD = "openapi password"


def _openapi_of(app: Any) -> dict[str, Any]:
    """The OpenAPI document of the FastAPI app inside Hubbub's ASGI wrappers."""
    seen: list[Any] = [app]
    while seen:
        node = seen.pop()
        if hasattr(node, "openapi"):
            document: dict[str, Any] = node.openapi()
            return document
        seen += [getattr(node, a) for a in ("app", "other_asgi_app") if hasattr(node, a)]
    raise AssertionError("no FastAPI app inside create_app()")


APP_SCHEMA = _openapi_of(create_app(Settings(data_dir=Path("/nonexistent"))))
SCHEMA = schemathesis.openapi.from_dict(APP_SCHEMA)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
BODY_ROUTES = (
    "POST /api/auth/register",
    "POST /api/auth/login",
    "POST /api/auth/refresh",
    "POST /api/auth/logout",
    "POST /api/rooms",
    "POST /api/rooms/{name}/invite",
    "POST /api/rooms/{name}/read",
)


@dataclass(frozen=True)
class Finding:
    """An answer the OpenAPI document does not list, and how to get it."""

    key: str
    status: int
    code: str
    operations: tuple[str, ...]
    why: str
    body: bytes | None = None
    query: dict[str, str] = field(default_factory=dict)
    authenticated: bool = True
    strict_limits: bool = False  # needs a server whose read limit is tiny
    public_room: bool = False  # the path's room: a public one the caller owns

    @property
    def reason(self) -> str:
        return f"finding {self.key}: {self.why}"


FINDINGS = [
    Finding(
        key="401-undocumented",
        status=401,
        code="unauthorized",
        operations=("GET /api/me", "GET /api/users/online"),
        authenticated=False,
        why="401 without a token is not in the route's responses (only 200 is)",
    ),
    Finding(
        key="429-undocumented",
        status=429,
        code="rate_limited",
        operations=("GET /api/me", "GET /api/users/online"),
        strict_limits=True,
        why="rate-limited as 'reads', but 429 is not in the route's responses",
    ),
    Finding(
        key="400-body-not-utf8",
        status=400,
        code="bad_request",
        operations=BODY_ROUTES,
        body=b"=\xe9=",
        why="a JSON body that is not UTF-8 answers 400 'There was an error parsing the "
        "body' (FastAPI); the document lists 422 for bad input, not 400",
    ),
    Finding(
        key="400-before-and-after",
        status=400,
        code="bad_request",
        operations=("GET /api/rooms/{name}/messages",),
        query={"before": "1", "after": "0"},
        why="?before=&after= together answer 400 'give either before or after, not both', "
        "not in the route's responses",
    ),
    Finding(
        key="400-invite-public-room",
        status=400,
        code="bad_request",
        operations=("POST /api/rooms/{name}/invite",),
        body=b'{"username": "OTHER_USER"}',
        public_room=True,
        why="inviting to a public room answers 400 (protocol-extensions.md), not in the "
        "route's responses",
    ),
    Finding(
        key="413-undocumented",
        status=413,
        code="too_large",
        operations=BODY_ROUTES,
        body=b'{"pad": "' + b"x" * 70_000 + b'"}',
        why="a body over HUBBUB_MAX_BODY_BYTES answers 413 too_large before any route; "
        "no route lists 413",
    ),
]


@dataclass
class Live:
    """The server under test, a user's token and rooms it can name in paths."""

    url: str
    headers: dict[str, str]
    rooms: list[str]
    other_user: str = ""


def _register(http: httpx.Client) -> tuple[str, dict[str, str]]:
    username = unique("oa")
    r = http.post("/api/auth/register", json={"username": username, "password": PASSWORD})
    assert r.status_code == 201, r.text
    return username, {"Authorization": f"Bearer {r.json()['access_token']}"}


def _room(http: httpx.Client, headers: dict[str, str], *, private: bool) -> str:
    name = unique("oa")
    r = http.post("/api/rooms", json={"name": name, "private": private}, headers=headers)
    assert r.status_code == 201, r.text
    return name


def _start(tmp_path_factory: pytest.TempPathFactory, name: str, **env: str) -> ServerProcess:
    server = ServerProcess(data_dir=tmp_path_factory.mktemp(name), extra_env=env)
    server.start()
    return server


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """A server of its own (the fuzzer registers users and creates rooms by the dozen)."""
    server = _start(tmp_path_factory, "openapi")
    try:
        with httpx.Client(base_url=server.url, timeout=15) as http:
            (_, me), (other_name, other) = _register(http), _register(http)
            rooms = [
                _room(http, me, private=False),
                _room(http, me, private=True),
                _room(http, other, private=True),  # 403 for the caller
            ]
        yield Live(server.url, me, rooms, other_name)
        assert "Traceback" not in server.log_path.read_text()  # type: ignore[union-attr]
    finally:
        server.stop()


@pytest.fixture(scope="module")
def strict_live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """A server with a tiny read limit, for the 429 finding."""
    server = _start(tmp_path_factory, "openapi-strict", HUBBUB_RATE_READS="3/minute")
    try:
        with httpx.Client(base_url=server.url, timeout=15) as http:
            yield Live(server.url, _register(http)[1], [])
    finally:
        server.stop()


def test_live_server_serves_this_schema(live: Live) -> None:
    """What ``test_api`` generates from is what a client reads at /openapi.json."""
    r = httpx.get(live.url + "/openapi.json", timeout=15)
    assert r.status_code == 200
    assert r.json() == APP_SCHEMA


@SCHEMA.given(data=st.data())
@SCHEMA.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api(case: schemathesis.Case, data: st.DataObject, live: Live) -> None:
    """No 5xx, and every answer is one the document describes."""
    # Random room names are nearly always 404: often name a room that exists instead.
    params = case.path_parameters
    if params and "name" in params and data.draw(st.booleans(), label="existing room"):
        params["name"] = data.draw(st.sampled_from(live.rooms), label="room")
    response = case.call(base_url=live.url, headers=live.headers, timeout=15)
    case.validate_response(response, checks=CHECKS, headers=live.headers)


FINDING_CASES = [
    pytest.param(finding, label, id=f"{finding.key}-{label}")
    for finding in FINDINGS
    for label in finding.operations
]


@pytest.mark.parametrize(("finding", "label"), FINDING_CASES)
def test_finding(finding: Finding, label: str, request: pytest.FixtureRequest) -> None:
    """Reproduce the finding exactly, then hold the answer to the document."""
    server: Live = request.getfixturevalue("strict_live" if finding.strict_limits else "live")
    method, path = label.split(" ", 1)
    operation = SCHEMA[path][method]
    headers = dict(server.headers) if finding.authenticated else {}
    room = "no-such-room"
    if finding.public_room:  # its own: the fuzzer may have archived or deleted the shared ones
        with httpx.Client(base_url=server.url, timeout=15) as http:
            room = _room(http, server.headers, private=False)
    url = server.url + path.replace("{name}", room)
    if finding.body is not None:
        headers["content-type"] = "application/json"
    body = finding.body and finding.body.replace(b"OTHER_USER", server.other_user.encode())
    attempts = 6 if finding.strict_limits else 1  # past the limit of 3 a minute
    with httpx.Client(timeout=15) as http:
        for _ in range(attempts):
            response = http.request(
                method, url, params=finding.query, headers=headers, content=body
            )
    assert response.status_code == finding.status, response.text
    assert response.json()["error"]["code"] == finding.code
    case = operation.Case(path_parameters={"name": room} if "{name}" in path else None)
    case.validate_response(response, checks=[status_code_conformance])
