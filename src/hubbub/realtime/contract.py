"""The wire contract checked by the server itself (``HUBBUB_CHECK_WIRE``, on in the tests).

``events.ACKS`` and ``events.EMITTED`` name the model of every ack and every emitted event.
With the check on, each ack and each emitted event is validated against its model before
it goes out, and a mismatch is logged as ``wire contract broken`` (the test harness fails
a test whose server logged one). It stays off in production: the hot path builds its
frames directly (``schemas.message_wire``) and the validation would cost more than the
send. What goes out is never changed by the check.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError

from hubbub.events import ACKS, EMITTED, ErrorAck

log = logging.getLogger(__name__)

BROKEN = "wire contract broken"


def check_ack(event: str, ack: Any) -> None:
    failed = isinstance(ack, dict) and ack.get("ok") is False
    model = ErrorAck if failed else ACKS.get(event)
    if model is None:
        log.error("%s: the ack of %r has no model in events.ACKS", BROKEN, event)
        return
    _check(model, ack, f"the ack of {event!r}")


def check_emit(event: str, data: Any) -> None:
    model = EMITTED.get(event)
    if model is None:
        log.error("%s: event %r has no model in events.EMITTED", BROKEN, event)
        return
    _check(model, data, f"event {event!r}")


def _check(model: Any, data: Any, what: str) -> None:
    try:
        model.model_validate(data)
    except ValidationError as exc:
        log.error("%s: %s does not match %s: %s", BROKEN, what, model.__name__, exc)
