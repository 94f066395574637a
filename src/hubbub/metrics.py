"""Every Prometheus metric Hubbub exports, in one place (served at ``GET /metrics``).

``hubbub serve`` runs prometheus-client in multiprocess mode (``metrics_dir.py`` sets
``PROMETHEUS_MULTIPROC_DIR`` before this module is first imported): each worker writes its
values to memory-mapped files there, and a scrape answered by any worker sums them all,
so ``--workers N`` reports one truth. Without that variable (``HUBBUB_METRICS=off``, or an
app built by hand) the values live in this process's memory.

The hot path makes one call per event, per batch or per emit — never per recipient — on
objects bound here: an ``.inc()`` or ``.observe()`` writes one or two mmap slots (about a
microsecond each; bench figures in docs/operations.md).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from prometheus_client import Counter, Gauge, Histogram, values

MULTIPROCESS = "PROMETHEUS_MULTIPROC_DIR" in os.environ  # read once, as prometheus-client does


def _cached_pid() -> Callable[[], int]:
    """``os.getpid`` read once per process. prometheus-client asks for the process id on
    every ``inc()``/``observe()`` to notice a fork — a system call each time, a few per
    message — so it gets a cached one that ``os.register_at_fork`` renews in a child."""
    pid = [os.getpid()]
    os.register_at_fork(after_in_child=lambda: pid.__setitem__(0, os.getpid()))
    return lambda: pid[0]


if MULTIPROCESS:  # before the first metric below is made: each binds ValueClass then
    values.ValueClass = values.MultiProcessValue(  # type: ignore[no-untyped-call]
        process_identifier=_cached_pid()
    )

# Seconds: the ack target is p99 <= 10 ms, so the buckets are finest there.
_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
_BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)

CONNECTIONS = Gauge(
    "hubbub_connections",
    "Open Socket.IO connections (authenticated), all workers together",
    multiprocess_mode="livesum",  # a dead worker's sockets are gone with it
)
EVENTS = Counter(
    "hubbub_events",
    "Socket.IO events received from clients, by event name (unknown names: 'unknown')",
    ["event"],
)
ACK_SECONDS = Histogram(
    "hubbub_ack_seconds",
    "From a client event reaching its handler to its ack being ready, by event name",
    ["event"],
    buckets=_LATENCY_BUCKETS,
)
MESSAGES_STORED = Counter(
    "hubbub_messages_stored",
    "Messages stored (sends and webhook posts; a resend of a stored client_id is not counted)",
)
DELIVERIES = Counter(
    "hubbub_deliveries",
    "Frames queued to local sockets by the fan-out emitter (one per recipient socket)",
)
STORE_BATCH_SIZE = Histogram(
    "hubbub_store_batch_size",
    "Writes (sends, edits, deletes, reactions) committed together in one group commit",
    ["store"],
    buckets=_BATCH_BUCKETS,
)
STORE_COMMIT_SECONDS = Histogram(
    "hubbub_store_commit_seconds",
    "Time of one group-commit transaction, from its start to its commit",
    ["store"],
    buckets=_LATENCY_BUCKETS,
)
BROKER_PUBLISHED = Counter(
    "hubbub_broker_published",
    "Publications this node handed to the broker (memory: this process; Redis: every node)",
)
BROKER_RECEIVED = Counter(
    "hubbub_broker_received",
    "Publications received from other nodes through Redis (this node's own echoes not counted)",
)
BROKER_ERRORS = Counter(
    "hubbub_broker_errors",
    "Broker failures by kind: publish (Redis refused or timed out), subscribe (subscription"
    " lost), malformed (an undecodable publication), deliver (the local handler failed)",
    ["kind"],
)
RATE_LIMITED = Counter(
    "hubbub_rate_limited",
    "Requests refused (or typing notices dropped) by a rate limit, by limit kind",
    ["kind"],
)

BROKER_ERROR_KINDS = ("publish", "subscribe", "malformed", "deliver")
for _kind in BROKER_ERROR_KINDS:
    BROKER_ERRORS.labels(_kind)  # exported as 0 from the start, so rate() sees the first


def store_metrics(store: str) -> tuple[Histogram, Histogram]:
    """A store writer's (batch size, commit time) children, bound once at its start."""
    return STORE_BATCH_SIZE.labels(store), STORE_COMMIT_SECONDS.labels(store)
