"""orjson for Socket.IO packets: python-socketio takes any module-like ``json`` object."""

from __future__ import annotations

import json
from typing import Any

import orjson


class OrjsonCodec:
    @staticmethod
    def dumps(obj: Any, **_: Any) -> str:
        try:
            return orjson.dumps(obj).decode()
        except TypeError:
            # A lone UTF-16 surrogate cannot be UTF-8: the stdlib writes it as a \u escape,
            # which is what a JavaScript peer sends and expects.
            return json.dumps(obj, separators=(",", ":"))

    @staticmethod
    def loads(data: str | bytes, **_: Any) -> Any:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            # orjson refuses what the stdlib accepts, such as a lone UTF-16 surrogate that
            # a JavaScript client sliced mid-emoji; parse it, so the handler can answer.
            return json.loads(data)
