"""Removing uploads no message uses, on SQLite and PostgreSQL: real store, real files."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from hubbub.config import Settings
from hubbub.files import sweeper
from hubbub.files.storage import DiskStorage
from hubbub.files.sweeper import sweep_once
from hubbub.store.base import Attachment, Store, StoredMessage
from tests.store.conftest import MakeRoom, MakeUser, new_message


async def test_unused_uploads_are_removed_after_a_while(
    store: Store, make_user: MakeUser, make_room: MakeRoom, tmp_path: Path
) -> None:
    ann = await make_user("ann")
    room = await make_room("lobby", owner=ann)
    files = DiskStorage(tmp_path / "uploads")
    hub = SimpleNamespace(
        store=store, files=files, settings=Settings(data_dir=tmp_path, upload_orphan_seconds=60)
    )
    keys = []
    for n in range(3):
        key = f"{n:032x}"
        await files.save(key, io.BytesIO(b"data"))
        keys.append(key)
    uploads = [
        await store.add_upload(
            room_id=room.id,
            user_id=ann.id,
            attachment=Attachment(0, f"f{n}", 4, "application/octet-stream"),
            storage_key=keys[n],
        )
        for n in range(3)
    ]
    assert await sweep_once(hub) == 0  # all too young
    hub.settings = Settings(data_dir=tmp_path, upload_orphan_seconds=60)
    # make them old: sweep with the clock a day ahead
    real_now = sweeper.utc_now
    sweeper.utc_now = lambda: real_now() + timedelta(days=1)  # type: ignore[assignment]
    try:
        used = await store.store_message(
            replace(new_message(room, ann, "with file"), attachments=(uploads[0].attachment.id,))
        )
        assert isinstance(used, StoredMessage)
        assert await sweep_once(hub) == 2
    finally:
        sweeper.utc_now = real_now  # type: ignore[assignment]
    assert await files.exists(keys[0])
    assert not await files.exists(keys[1]) and not await files.exists(keys[2])
    assert await store.get_upload(upload_id=uploads[1].attachment.id) is None
    kept = await store.get_upload(upload_id=uploads[0].attachment.id)
    assert kept is not None and kept.message_id is not None
