"""Markdown comparison of loadgen JSON lines: Hubbub beside the Node.js reference.

    .venv/bin/python bench/compare.py bench/out/fanout-*/results.jsonl [...]
    .venv/bin/python bench/compare.py --brief -      # one summary line per JSON line on stdin

Lines are paired by scenario (``label``) and order: the n-th reference run of a scenario
with the n-th Hubbub run of it. Ratios are hubbub / reference (for latency, CPU and RSS
higher is worse; for deliveries/s lower is worse).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

Line = dict[str, Any]
P99_LIMIT_MS = 250.0  # the README's sustainable-rate rule: 100% delivered and p99 <= 250 ms


def load(paths: Iterable[str]) -> list[Line]:
    lines: list[Line] = []
    for path in paths:
        text = sys.stdin.read() if path == "-" else Path(path).read_text()
        for raw in text.splitlines():
            raw = raw.strip()
            if raw.startswith("{"):
                lines.append(json.loads(raw))
    return lines


def scenario_key(label: str) -> tuple[int, int, str]:
    """A, B, R, then C steps by rate, then D."""
    order = {"A": 0, "B": 1, "R": 2, "C": 3, "D": 4}
    m = re.fullmatch(r"([A-Z])(\d*)", label)
    if not m:
        return (9, 0, label)
    return (order.get(m[1], 8), int(m[2] or 0), label)


def num(value: Any, fmt: str = ",.0f") -> str:
    if value is None:
        return "-"
    return format(value, fmt)


def ratio(h: Any, r: Any) -> str:
    if h is None or r is None or r == 0:
        return "-"
    return f"{h / r:.2f}x"


def lat(line: Line, p: str) -> float | None:
    value = (line.get("lat_ms") or {}).get(p)
    return float(value) if value is not None else None


def ack(line: Line, p: str) -> float | None:
    value = (line.get("ack_ms") or {}).get(p)
    return float(value) if value is not None else None


def rss_mib(line: Line) -> float | None:
    rss = line.get("server_rss") or {}
    kib = rss.get("at_end_kib") or rss.get("after_hold_kib")
    return kib / 1024 if kib else None


def cpu_per_k(line: Line) -> float | None:
    """Server CPU (% of one core) per 1,000 deliveries/s: the cost of a delivery."""
    cpu, rate = line.get("server_cpu_pct"), line.get("deliveries_s")
    if cpu is None or not rate:
        return None
    return float(cpu) / (float(rate) / 1000)


def sustainable(line: Line) -> bool:
    p99 = lat(line, "p99")
    return line.get("delivered_ratio") == 1 and p99 is not None and p99 <= P99_LIMIT_MS


def brief(line: Line) -> str:
    if line.get("mode") == "idle":
        return (
            f"{line['target']:9} {line['label']:5} connected {line.get('connected')}"
            f" rss/conn {line.get('rss_per_conn_kib')} KiB"
        )
    return (
        f"{line['target']:9} {line['label']:5} delivered {line.get('delivered_ratio')}"
        f" deliveries/s {num(line.get('deliveries_s'))} p50 {lat(line, 'p50')}"
        f" p99 {lat(line, 'p99')} ms, server CPU {line.get('server_cpu_pct')}%"
        f", gen CPU {line.get('gen_cpu_pct')}%"
        + (f", ack p50/p99 {ack(line, 'p50')}/{ack(line, 'p99')} ms" if "ack_ms" in line else "")
        + (f", ack errors {line['ack_errors']}" if line.get("ack_errors") else "")
        + (f", connect errors {line['connect_errors']}" if line.get("connect_errors") else "")
    )


def pairs(lines: list[Line]) -> list[tuple[str, int, Line | None, Line | None]]:
    by: dict[tuple[str, str], list[Line]] = defaultdict(list)
    for line in lines:
        by[(line.get("label", "?"), line.get("target", "?"))].append(line)
    labels = sorted({label for label, _ in by}, key=scenario_key)
    out: list[tuple[str, int, Line | None, Line | None]] = []
    for label in labels:
        refs, hubs = by.get((label, "reference"), []), by.get((label, "hubbub"), [])
        for i in range(max(len(refs), len(hubs))):
            out.append(
                (
                    label,
                    i + 1,
                    refs[i] if i < len(refs) else None,
                    hubs[i] if i < len(hubs) else None,
                )
            )
    return out


def table(lines: list[Line]) -> str:
    rows = pairs(lines)
    load_rows = [r for r in rows if (r[2] or r[3] or {}).get("mode") != "idle"]
    idle_rows = [r for r in rows if (r[2] or r[3] or {}).get("mode") == "idle"]
    md: list[str] = []
    md.append("### Figures\n")
    md.append(
        "| scenario | run | server | offered del/s | deliveries/s | delivered | p50 ms | p99 ms"
        " | ack p50 / p99 ms | server CPU % | RSS MiB | gen CPU % |"
    )
    md.append("|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for label, run, ref, hub in load_rows:
        for line in (ref, hub):
            if line is None:
                continue
            acks = (
                f"{num(ack(line, 'p50'), '.1f')} / {num(ack(line, 'p99'), '.1f')}"
                if "ack_ms" in line
                else "-"
            )
            errors = f" ({line['ack_errors']} ack errors)" if line.get("ack_errors") else ""
            md.append(
                f"| {label} | {run} | {line['target']} | {num(line.get('offered_deliveries_s'))}"
                f" | {num(line.get('deliveries_s'))} | {num(line.get('delivered_ratio'), '.4f')}"
                f"{errors} | {num(lat(line, 'p50'), '.2f')} | {num(lat(line, 'p99'), '.1f')}"
                f" | {acks} | {num(line.get('server_cpu_pct'), '.0f')}"
                f" | {num(rss_mib(line), '.0f')} | {num(line.get('gen_cpu_pct'), '.0f')} |"
            )
    md.append("\n### Hubbub / reference\n")
    md.append(
        "| scenario | run | deliveries/s | p50 | p99 | server CPU | CPU per 1k deliveries/s | RSS |"
    )
    md.append("|---|--:|--:|--:|--:|--:|--:|--:|")
    for label, run, ref, hub in load_rows:
        if ref is None or hub is None:
            continue
        md.append(
            f"| {label} | {run} | {ratio(hub.get('deliveries_s'), ref.get('deliveries_s'))}"
            f" | {ratio(lat(hub, 'p50'), lat(ref, 'p50'))}"
            f" | {ratio(lat(hub, 'p99'), lat(ref, 'p99'))}"
            f" | {ratio(hub.get('server_cpu_pct'), ref.get('server_cpu_pct'))}"
            f" | {ratio(cpu_per_k(hub), cpu_per_k(ref))} | {ratio(rss_mib(hub), rss_mib(ref))} |"
        )
    c_steps = [r for r in load_rows if r[0].startswith("C") and r[0][1:].isdigit()]
    if c_steps:
        md.append(
            "\n### Sustainable rate (C steps: the highest rate with 100% delivered"
            f" and p99 <= {P99_LIMIT_MS:g} ms)\n"
        )
        for target, index in (("reference", 2), ("hubbub", 3)):
            runs: dict[int, dict[int, bool]] = defaultdict(dict)
            for label, run, *sides in c_steps:
                line = sides[index - 2]
                if line is not None:
                    runs[run][int(label[1:])] = sustainable(line)
            for run, steps in sorted(runs.items()):
                passing = [rate for rate, good in steps.items() if good]
                best = f"{max(passing)} msg/s" if passing else "none of the steps"
                failed = [str(rate) for rate, good in sorted(steps.items()) if not good]
                note = f" (failed: {', '.join(failed)})" if failed else ""
                md.append(f"- {target}, run {run}: {best}{note}")
    if idle_rows:
        md.append("\n### Idle connections (D)\n")
        md.append("| run | server | connected | RSS per connection KiB |")
        md.append("|--:|---|--:|--:|")
        for _, run, ref, hub in idle_rows:
            for line in (ref, hub):
                if line is not None:
                    md.append(
                        f"| {run} | {line['target']} | {line.get('connected')}"
                        f" | {num(line.get('rss_per_conn_kib'), '.1f')} |"
                    )
    return "\n".join(md)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="compare loadgen JSON lines")
    parser.add_argument("files", nargs="+", help="JSON-lines files ('-': stdin)")
    parser.add_argument("--brief", action="store_true", help="one summary line per JSON line")
    args = parser.parse_args(argv)
    lines = load(args.files)
    if args.brief:
        for line in lines:
            print(brief(line))
    else:
        print(table(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
