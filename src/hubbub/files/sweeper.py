"""Removing uploads no message uses: pending ones nobody sent, and those of deleted
messages, once ``HUBBUB_UPLOAD_ORPHAN_SECONDS`` have passed since the upload."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from hubbub.hub import Hub
from hubbub.store.base import utc_now

log = logging.getLogger(__name__)

BATCH = 200


async def sweep_once(hub: Hub) -> int:
    """Remove every orphan old enough; how many. The record goes first: a file without a
    record is invisible, a record without its file would answer 404 to a message."""
    removed = 0
    cutoff = utc_now() - timedelta(seconds=hub.settings.upload_orphan_seconds)
    while orphans := await hub.store.orphan_uploads(created_before=cutoff, limit=BATCH):
        for upload in orphans:
            await hub.store.delete_upload(upload_id=upload.attachment.id)
            await hub.files.delete(upload.storage_key)
            removed += 1
        if len(orphans) < BATCH:
            break
    return removed


async def sweep_forever(hub: Hub, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            removed = await sweep_once(hub)
        except Exception:
            log.exception("removing unused uploads failed; trying again later")
            continue
        if removed:
            log.info("removed %d unused uploads", removed)
