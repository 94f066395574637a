"""SQLite's search index, kept a moment behind the sends (migration 0007).

FTS5 writes a new index segment per transaction and merges segments as they pile up;
one segment per group commit of ~50 messages cost a send 6-8 µs, one per ~2,000 costs
3-4 µs. So the writer thread notes how many rows each batch stored and indexes them all
at once when 2,000 are waiting or the oldest has waited 0.25 s — inside the batch's own
transaction when it is busy, in one of its own when idle. A search first asks for the
rest (``flush`` through the writer), so a searcher always finds what was acked before.
``search_progress`` records how far the index goes; opening the store indexes the rest.
"""

from __future__ import annotations

import sqlite3
import time

MAX_PENDING = 2_000  # rows waiting
MAX_DELAY = 0.25  # seconds the oldest may wait


class SearchIndexer:
    """Runs on the writer thread, except ``pending``, which a search reads."""

    def __init__(self) -> None:
        # Rows stored and not yet indexed (at least). Unknown at first: a crash may have
        # left some behind, so the first flush comes as soon as the writer is idle.
        self.pending = 1
        self._since: float | None = time.monotonic() - MAX_DELAY  # when the oldest was noted

    def noted(self, rows: int) -> None:
        """A batch (not committed yet) stored this many new messages."""
        if rows:
            self.pending += rows
            if self._since is None:
                self._since = time.monotonic()

    def due(self, now: float) -> bool:
        return self.pending >= MAX_PENDING or (
            self._since is not None and now - self._since >= MAX_DELAY
        )

    def wait(self, now: float) -> float | None:
        """Seconds until due (``None``: nothing waits)."""
        if self._since is None:
            return None
        return max(0.0, self._since + MAX_DELAY - now)

    def flush(self, conn: sqlite3.Connection) -> None:
        """Index every message past ``search_progress``, inside the caller's transaction.
        ``committed`` must follow the commit."""
        (mark,) = conn.execute("SELECT id FROM search_progress").fetchone()
        conn.execute(
            "INSERT INTO messages_fts (rowid, text) SELECT id, text FROM messages WHERE id > ?",
            (mark,),
        )
        conn.execute(
            "UPDATE search_progress SET id = (SELECT coalesce(max(id), ?) FROM messages)",
            (mark,),
        )

    def committed(self) -> None:
        self.pending = 0
        self._since = None
