"""Where uploaded bytes live, behind a small Protocol: on disk under the data directory
today; S3-compatible storage can come later behind the same four calls."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import BinaryIO, Protocol

CHUNK = 64 * 1024


class FileStorage(Protocol):
    async def save(self, key: str, source: BinaryIO) -> int:
        """Store ``source`` (read from its start) under ``key``; the bytes written."""

    def read(self, key: str) -> AsyncIterator[bytes]:
        """The stored bytes, in chunks (``FileNotFoundError`` if there are none)."""

    async def delete(self, key: str) -> None:
        """Remove the bytes (nothing if they are gone already)."""

    async def exists(self, key: str) -> bool: ...


class DiskStorage:
    """``<root>/<k[:2]>/<key>``: keys are random hex, so no name a user chose ever
    reaches the file system, and files spread over 256 directories."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not key.isalnum():
            raise ValueError(f"bad storage key {key!r}")
        return self.root / key[:2] / key

    async def save(self, key: str, source: BinaryIO) -> int:
        return await asyncio.to_thread(self._save, key, source)

    def _save(self, key: str, source: BinaryIO) -> int:
        path = self._path(key)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        source.seek(0)
        with open(partial, "wb") as out:
            shutil.copyfileobj(source, out, CHUNK)
            out.flush()
            os.fsync(out.fileno())
            size = out.tell()
        partial.replace(path)  # whole or not at all
        return size

    async def read(self, key: str) -> AsyncIterator[bytes]:
        handle = await asyncio.to_thread(open, self._path(key), "rb")
        try:
            while chunk := await asyncio.to_thread(handle.read, CHUNK):
                yield chunk
        finally:
            handle.close()

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(key).is_file)
