"""What the fuzzer counts (``Stats``, filled in the fuzzer process and sent back as JSON),
and what the run reports (``Report``: the figures, and the ``checks`` that must hold).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fuzz.canary import CanaryFigures

# ---- what the fuzzer counts ----


@dataclass
class Stats:
    frames: Counter[str] = field(default_factory=Counter)  # by category
    transports: Counter[str] = field(default_factory=Counter)  # frames by transport
    connections: Counter[str] = field(default_factory=Counter)  # opened, by transport
    closed_by_server: Counter[str] = field(default_factory=Counter)  # by the frame's category
    answers: Counter[str] = field(default_factory=Counter)  # "ok" or the error code
    sentinels: int = 0
    server_events: int = 0
    problems: defaultdict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def problem(self, kind: str, detail: str) -> None:
        """Record one (Hypothesis often repeats an example: each is kept once)."""
        seen = self.problems[kind]
        if detail in seen:
            return
        if len(seen) < 12:
            seen.append(detail)
        else:
            seen[-1] = f"… and more, e.g. {detail}"

    @property
    def total_frames(self) -> int:
        return sum(self.frames.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "counters": {name: dict(getattr(self, name)) for name in _COUNTERS},
            "sentinels": self.sentinels,
            "server_events": self.server_events,
            "problems": dict(self.problems),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Stats:
        stats = cls(sentinels=data["sentinels"], server_events=data["server_events"])
        for name in _COUNTERS:
            getattr(stats, name).update(data["counters"][name])
        stats.problems.update(data["problems"])
        return stats


_COUNTERS = ("frames", "transports", "connections", "closed_by_server", "answers")


def excerpt(data: str | bytes, limit: int = 160) -> str:
    text = repr(data)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(data)} chars)"


# ---- the report ----


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class Report:
    stats: Stats
    canary: CanaryFigures
    seconds: float
    rss_before: int
    rss_after: int
    log_lines: list[str]
    tracebacks: list[str]  # the exception line that ends each traceback in the whole log
    health: int
    seed: int
    started: float = 0.0  # time.monotonic() when the fuzzer started

    def slow_canary(self, over: float = 0.100) -> list[tuple[float, float]]:
        """(seconds into the run, latency) of each canary message slower than ``over``."""
        c = self.canary
        return [
            (received - latency - self.started, latency)
            for received, latency in zip(c.received_times, c.latencies, strict=True)
            if latency > over
        ]

    @property
    def rss_growth(self) -> int:
        return self.rss_after - self.rss_before

    def checks(self, *, p99_limit: float = 0.100, rss_limit: int = 50 * 2**20) -> list[Check]:
        """What a user or an operator would see; every one must hold."""
        s, c = self.stats, self.canary
        connections = sum(s.connections.values())
        checks = [
            Check(f"no {kind}", False, "\n    ".join(details))
            for kind, details in sorted(s.problems.items())
        ]
        p99 = c.percentile(99)
        checks += [
            Check(
                "the canary lost no message",
                not c.lost and not c.errors,
                f"lost {len(c.lost)} of {c.sent}: {c.lost[:10]}; errors {c.errors[:5]}",
            ),
            Check(
                f"the canary's p99 latency is under {p99_limit * 1000:.0f} ms",
                p99 < p99_limit,
                f"p99 {p99 * 1000:.1f} ms",
            ),
            Check(
                "no traceback in the server log",
                not self.tracebacks,
                f"{len(self.tracebacks)} tracebacks: "
                + "; ".join(f"{n} x {e}" for e, n in Counter(self.tracebacks).most_common()),
            ),
            Check("the server still answers /healthz", self.health == 200, f"status {self.health}"),
            Check(
                "at most one log line per fuzzed connection",
                len(self.log_lines) <= connections,
                f"{len(self.log_lines)} lines for {connections} connections",
            ),
            Check(
                f"server RSS grew by less than {rss_limit // 2**20} MB",
                self.rss_growth < rss_limit,
                f"grew {self.rss_growth / 2**20:.1f} MB",
            ),
        ]
        return checks

    def render(self) -> str:
        s, c = self.stats, self.canary
        slow = self.slow_canary()
        lines = [
            f"fuzz: {s.total_frames} frames in {self.seconds:.1f} s "
            f"({s.total_frames / max(self.seconds, 1e-9):.0f}/s), seed {self.seed}",
            "  by transport: " + _counts(s.transports),
            "  connections opened: "
            + _counts(s.connections)
            + f"; closed by the server: {sum(s.closed_by_server.values())}",
            f"  sentinels: {s.sentinels}; server events received: {s.server_events}",
            "  answers: " + _counts(s.answers),
            "  frames by category:",
        ]
        for category, n in sorted(s.frames.items()):
            closed = s.closed_by_server.get(category, 0)
            lines.append(f"    {category:<28} {n:>7}" + (f"  (closed {closed})" if closed else ""))
        lines += [
            f"  canary: {c.sent} sent, {c.acked} acked, {c.received} received, "
            f"{len(c.lost)} lost; latency p50 {c.percentile(50) * 1000:.1f} ms, "
            f"p99 {c.percentile(99) * 1000:.1f} ms, "
            f"max {max(c.latencies, default=float('nan')) * 1000:.1f} ms",
            f"  canary messages over 100 ms: {len(slow)}"
            + "".join(f", {lat * 1000:.0f} ms at {at:+.1f} s" for at, lat in slow[:20])
            + (", …" if len(slow) > 20 else ""),
            f"  server RSS: {self.rss_before / 2**20:.1f} MB before, "
            f"{self.rss_after / 2**20:.1f} MB after ({self.rss_growth / 2**20:+.1f} MB)",
            f"  server log: {len(self.log_lines)} new lines "
            f"({sum('WARNING' in line for line in self.log_lines)} warnings), "
            f"{len(self.tracebacks)} tracebacks; /healthz {self.health}",
        ]
        kinds = Counter(_log_kind(line) for line in self.log_lines)
        lines += [f"    {n:>6} x {kind}" for kind, n in kinds.most_common(12)]
        return "\n".join(lines)


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counter.most_common()) or "none"


def _log_kind(line: str) -> str:
    """A log line without its connection id, for counting."""
    return re.sub(
        r"connection \S+:", "connection <sid>:", re.sub(r"session \S+", "session <sid>", line)
    )[:110]


def tracebacks_in(log: str) -> list[str]:
    """The exception line (``KeyError: …``) that ends each traceback in ``log``."""
    found = []
    for block in log.split("Traceback (most recent call last):")[1:]:
        ends = [line for line in block.splitlines() if re.match(r"\w+(\.\w+)*: ", line)]
        found.append(ends[0][:160] if ends else "?")
    return found


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")
