"""How the server logs: uvicorn's handlers, with Hubbub's loggers on them, as text (the
default) or as one JSON object per line (``HUBBUB_LOG_FORMAT=json``) for log shippers.

A JSON line carries ``time``, ``level``, ``logger`` and ``message``, and, where there is
one, the ``request_id`` of the HTTP request (``api/request_id.py``) and the ``sid`` of the
Socket.IO connection whose event is being handled (set by the realtime layer). Both come
from context variables, so any log call made while handling them carries them without
passing them along.
"""

from __future__ import annotations

import copy
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import orjson

request_id: ContextVar[str | None] = ContextVar("hubbub_request_id", default=None)
connection_id: ContextVar[str | None] = ContextVar("hubbub_connection_id", default=None)

_ACCESS_FIELDS = ("client", "method", "path", "http_version", "status")


def log_config(level: str, fmt: str = "text") -> dict[str, Any]:
    """uvicorn's logging, with Hubbub's own loggers on the same handler and level; in
    JSON, every handler formats JSON and other libraries' warnings go through it too."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["hubbub"] = {
        "handlers": ["default"],
        "level": level.upper(),
        "propagate": False,
    }
    if fmt == "json":
        config["formatters"] = {"json": {"()": "hubbub.logs.JsonFormatter"}}
        for handler in config["handlers"].values():
            handler["formatter"] = "json"
        config["root"] = {"handlers": ["default"], "level": "WARNING"}
    return config


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (tracebacks inside, as ``exc_info``)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": _timestamp(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request = request_id.get()
        if request is not None:
            line["request_id"] = request
        sid = connection_id.get()
        if sid is not None:
            line["sid"] = sid
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            # uvicorn's access record: (client, method, path, HTTP version, status).
            line.update(zip(_ACCESS_FIELDS, record.args, strict=False))
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exc_info"] = record.exc_text
        return orjson.dumps(line, default=str).decode()


def _timestamp(created: float) -> str:
    """UTC, milliseconds, ``Z``: what log shippers parse without a pattern."""
    moment = datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")
    return moment.replace("+00:00", "Z")
