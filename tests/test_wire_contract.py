"""The wire contract the server checks itself against (``realtime/contract.py``; every
server the tests start runs with ``HUBBUB_CHECK_WIRE`` and fails its test on a break):
each registered event has an ack model, and the check tells a match from a mismatch."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from hubbub.config import Settings
from hubbub.events import ACKS, EMITTED
from hubbub.realtime import contract
from hubbub.realtime.server import RealtimeServer

SRC = Path(__file__).resolve().parent.parent / "src" / "hubbub"


def test_every_event_the_server_handles_has_an_ack_model() -> None:
    handled = set(RealtimeServer(Settings()).sio.handlers["/"]) - {"connect", "disconnect", "*"}
    assert handled == set(ACKS)


def test_every_event_the_server_emits_has_a_model() -> None:
    source = "\n".join(p.read_text() for p in SRC.rglob("*.py"))
    emitted = set(re.findall(r'event="(\w+)"', source)) | {"sessionEnded"}
    assert emitted <= set(EMITTED)


def test_a_matching_ack_passes_and_a_broken_one_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger="hubbub.realtime.contract"):
        contract.check_ack("markRead", {"ok": True})
        contract.check_ack("markRead", {"ok": False, "error": {"code": "x", "message": "y"}})
        contract.check_ack(
            "sendMessage",
            {"ok": False, "error": {"code": "rate_limited", "message": "m", "retry_after": 1.5}},
        )
        contract.check_emit("roomDeleted", {"room": "lobby"})
        assert caplog.records == []

        contract.check_ack("markRead", {"ok": True, "extra": 1})
        contract.check_ack("sendMessage", {"ok": True, "message": {"text": "no seq"}})
        contract.check_emit("roomDeleted", {})
        contract.check_emit("noSuchEvent", {})
    broken = [r.getMessage() for r in caplog.records]
    assert len(broken) == 4
    assert all(m.startswith(contract.BROKEN) for m in broken)
    assert "noSuchEvent" in broken[-1]
