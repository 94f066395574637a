"""orjson for Socket.IO packets: python-socketio takes any module-like ``json`` object."""

from __future__ import annotations

from typing import Any

import orjson


class OrjsonCodec:
    @staticmethod
    def dumps(obj: Any, **_: Any) -> str:
        return orjson.dumps(obj).decode()

    @staticmethod
    def loads(data: str | bytes, **_: Any) -> Any:
        return orjson.loads(data)
