"""Experiment behind RESULTS.md's proposed SQLite fix (issue 7): CPU per stored message on
the migrated schema with the FTS5 index kept by the per-row insert trigger (as the store
does), by one ``INSERT INTO messages_fts … SELECT`` per 50-message transaction, and with no
FTS at all; 300 transactions of 50 inserts each (``synchronous = FULL``, WAL).

    PYTHONPATH=/tmp/hubbub-<sha>/src .venv/bin/python bench/store/experiments/sqlite_fts_batch.py
"""

import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # bench/
from hubbub.store.migrate import upgrade
from store.sends import text_pool

texts = text_pool("zipf")


def setup():
    d = tempfile.mkdtemp(dir="/tmp")
    url = f"sqlite:///{d}/b.db"
    upgrade(url)
    c = sqlite3.connect(f"{d}/b.db", isolation_level=None)
    c.execute("PRAGMA synchronous=FULL")
    c.execute(
        "INSERT INTO users (username, username_key, password_hash, created_at)"
        " VALUES ('a', 'a', 'x', 't')"
    )
    c.execute(
        "INSERT INTO rooms (name, private, owner_id, created_at, last_seq) VALUES ('r',0,1,'t',0)"
    )
    return c


INS = (
    "INSERT INTO messages (room_id, seq, user_id, text, created_at, client_id, rev, reply_to,"
    " mentions, attachments) VALUES (1, ?, 1, ?, 't', ?, ?, NULL, '[]', '[]')"
)
BATCH_FTS = (
    "INSERT INTO messages_fts (rowid, text) SELECT id, text FROM messages"
    " WHERE id >= (SELECT id FROM messages WHERE room_id = 1 AND seq = ?)"
)
for _ in range(2):
    for variant in ("trigger per row", "one FTS insert per batch", "no FTS"):
        c = setup()
        if variant != "trigger per row":
            c.execute("DROP TRIGGER messages_fts_insert")
        seq = 0
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        for _batch in range(300):
            c.execute("BEGIN IMMEDIATE")
            first = seq + 1
            for _i in range(50):
                seq += 1
                c.execute(INS, (seq, texts[seq % len(texts)], f"c{seq}", seq))
            if variant == "one FTS insert per batch":
                c.execute(BATCH_FTS, (first,))
            c.execute("COMMIT")
        n = 15000
        cpu = (time.process_time() - cpu0) / n * 1e6
        wall = (time.perf_counter() - t0) / n * 1e6
        print(f"{variant:26s} cpu {cpu:6.1f} us/msg, wall {wall:6.1f} us/msg")
