"""How every client event is admitted, before its handler runs: the socket must be
authorised, within its rate limit and its bound on events handled at once, and the payload
must be small and well-formed. Whatever goes wrong answers the ack with PROTOCOL's error
and touches nothing else: the socket stays up, other clients never notice."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ValidationError

from hubbub import metrics
from hubbub.config import Settings
from hubbub.errors import BadRequest, HubbubError, RateLimited, TooLarge, Unauthorized
from hubbub.logs import connection_id
from hubbub.ratelimit import Kind, Limits
from hubbub.realtime import contract
from hubbub.realtime.sessions import SocketSessions
from hubbub.security import TokenUser

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)
Ack = dict[str, Any]
Handler = Callable[[str, TokenUser, M], Awaitable[Ack]]
UNAVAILABLE = {"code": "unavailable", "message": "try again"}
OK: Ack = {"ok": True}


def describe(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "payload"
    return f"{where}: {first['msg']}"


def error_ack(error: HubbubError) -> Ack:
    return {"ok": False, "error": error.to_wire()}


class Dispatch:
    def __init__(
        self, settings: Settings, sessions: SocketSessions, limits: Callable[[], Limits]
    ) -> None:
        self._max_bytes = settings.max_event_bytes
        self._check_wire = settings.check_wire
        self._max_pending = settings.socket_max_pending
        self._sessions = sessions
        self._limits = limits  # the hub's, known once the app has started
        self._pending: Counter[str] = Counter()

    def forget(self, sid: str) -> None:
        self._pending.pop(sid, None)

    def register(
        self,
        sio: Any,
        name: str,
        model: type[M],
        handler: Handler[M],
        *,
        limit: Kind,
        quiet: bool = False,
    ) -> None:
        """``sio.on(name, …)`` with the handler wrapped by ``event`` (and, with
        ``check_wire``, its acks checked against ``events.ACKS``)."""
        handle = self.event(name, model, handler, limit=limit, quiet=quiet)
        if self._check_wire:
            handle = _checked(name, handle)
        sio.on(name, handle)

    def event(
        self, name: str, model: type[M], handler: Handler[M], *, limit: Kind, quiet: bool = False
    ) -> Callable[..., Awaitable[Ack]]:
        """Wrap the handler of event ``name``. ``quiet``: over the rate limit, answer ok
        and do nothing (typing indicators: a dropped one costs the user nothing)."""
        received = metrics.EVENTS.labels(name)
        ack_seconds = metrics.ACK_SECONDS.labels(name)

        async def handle(sid: str, *args: Any) -> Ack:
            started = time.perf_counter()
            received.inc()
            connection_id.set(sid)  # this event's own task: its log lines carry the sid
            try:
                user = self._sessions.get(sid)
                if user is None:
                    return error_ack(Unauthorized("not connected"))
                if self._pending[sid] >= self._max_pending:
                    return error_ack(RateLimited("too many requests in flight", retry_after=1))
                self._pending[sid] += 1
                try:
                    parsed = self._parse(model, args)
                    if quiet:
                        if not await self._limits().allow(limit, user.id):
                            return OK
                    else:
                        await self._limits().check(limit, user.id)
                    return await handler(sid, user, parsed)
                except HubbubError as exc:
                    return error_ack(exc)
                except Exception:
                    log.exception("socket event failed")
                    return {"ok": False, "error": UNAVAILABLE}
                finally:
                    self._pending[sid] -= 1
                    if self._pending[sid] <= 0:
                        del self._pending[sid]
            finally:
                ack_seconds.observe(time.perf_counter() - started)

        return handle

    def _parse(self, model: type[M], args: tuple[Any, ...]) -> M:
        if len(args) > 1:
            raise BadRequest("send one payload object")
        payload = args[0] if args else None
        if not isinstance(payload, dict):
            raise BadRequest("the payload must be a JSON object")
        try:
            size = len(orjson.dumps(payload))
        except orjson.JSONEncodeError as exc:
            raise BadRequest(_unencodable(exc)) from exc
        if size > self._max_bytes:
            raise TooLarge(f"payload is over {self._max_bytes} bytes")
        try:
            return model.model_validate(payload)
        except ValidationError as exc:
            raise BadRequest(describe(exc)) from exc


def _checked(name: str, handle: Callable[..., Awaitable[Ack]]) -> Callable[..., Awaitable[Ack]]:
    async def checked(sid: str, *args: Any) -> Ack:
        ack = await handle(sid, *args)
        contract.check_ack(name, ack)
        return ack

    return checked


def _unencodable(exc: orjson.JSONEncodeError) -> str:
    """What a client sent that the stdlib could parse but JSON out cannot carry."""
    reason = str(exc)
    if "surrogate" in reason:
        return "the payload is not valid Unicode text (a lone UTF-16 surrogate)"
    if "ecursion" in reason:
        return "the payload is nested too deeply"
    return "the payload cannot be read as JSON"
