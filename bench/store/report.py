"""Markdown tables of a store benchmark run (stdout); the JSON line is the caller's."""

from __future__ import annotations

import argparse
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from store.common import median
from store.sends import WriteResult

TARGET_MSGS_S = 10_000
TARGET_PAGE_MS = {"sqlite": 1.0, "postgres": 2.0}
SEARCH_P50_MS, SEARCH_P99_MS = 20.0, 100.0
INDEX_COST_MAX = 0.15
STANDARD = ("raw", "raw-rows", "store", "store-noindex", "store-old")
QUIET_CORES = 0.3  # a run during which other processes used more is "disturbed"


@dataclass(slots=True)
class BackendReport:
    backend: str
    writes: list[WriteResult] = field(default_factory=list)
    mixed: list[Any] = field(default_factory=list)  # MixedResult
    search: Any = None  # SearchReport
    pages: list[Any] = field(default_factory=list)  # PageResult
    seed_seconds: float | None = None
    error: str | None = None


def f0(x: float) -> str:
    return "-" if x != x else f"{x:,.0f}"


def ratio(a: float | None, b: float | None) -> float:
    return a / b if a is not None and b else float("nan")


def rng_text(values: list[float], fmt: str = "{:.2f}") -> str:
    values = [v for v in values if v == v]
    if not values:
        return "-"
    return f"{fmt.format(median(values))} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def print_writes(reports: list[BackendReport], args: argparse.Namespace) -> None:
    if not any(r.writes for r in reports):
        return
    print(
        f"\n## writes: {args.senders} sequential senders over {args.rooms} rooms,"
        f" {args.seconds:g} s per run (after {args.warmup:g} s warm-up), {args.text} text,"
        f" {f'{args.prefill:,} rows stored before' if args.prefill else 'empty table at start'}"
        f"{f', plan_cache_mode={args.pg_plan_cache_mode}' if args.pg_plan_cache_mode else ''}\n"
    )
    print(
        "| backend | run | variant | msgs/s | first s / last s | commits | msgs/commit"
        " | ack p50 ms | ack p99 ms | ack max ms | client CPU % | PostgreSQL / other cores"
        " | CPU µs/msg | check |"
    )
    print("|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|")
    for rep in reports:
        for w in sorted(rep.writes, key=lambda w: (w.run, w.variant)):
            mark = "" if w.msgs_per_s >= TARGET_MSGS_S else " (below 10k)"
            ends = f"{w.timeline[0]:,} / {w.timeline[-1]:,}" if w.timeline else "-"
            print(
                f"| {w.backend} | {w.run} | {w.variant} | {w.msgs_per_s:,.0f}{mark} | {ends} |"
                f" {w.commits:,} | {w.mean_batch:.1f} | {w.ack_p50_ms:.2f} | {w.ack_p99_ms:.2f} |"
                f" {w.ack_max_ms:.1f} | {w.cpu_pct:.0f} | {w.pg_cores:.2f} / {w.other_cores:.2f}"
                f"{' (disturbed)' if w.other_cores > QUIET_CORES else ''} |"
                f" {cpu_per_msg(w):.0f} | {w.seq_check} |"
            )
    print_ratios(reports)


def cpu_per_msg(w: WriteResult) -> float:
    """CPU microseconds per stored message: this process (event loop and SQLite's writer
    thread) plus PostgreSQL's processes. Less sensitive than msgs/s to other processes
    taking the CPU away (it counts work done, not waiting), but not immune (caches)."""
    return (w.cpu_pct / 100 + w.pg_cores) / w.msgs_per_s * 1e6 if w.msgs_per_s else float("nan")


def write_ratios(
    rep: BackendReport, clean_only: bool = False, metric: str = "rate"
) -> dict[str, list[float]]:
    """Per run: store/raw, store/store-noindex, store/store-old (same run, same machine);
    ``clean_only``: only pairs where neither run was disturbed by other processes."""
    by_run: dict[int, dict[str, WriteResult]] = defaultdict(dict)
    for w in rep.writes:
        by_run[w.run][w.variant] = w
    out: dict[str, list[float]] = defaultdict(list)
    for run in sorted(by_run):
        v = by_run[run]
        for name, other in (
            ("store/raw", "raw"),
            ("store/raw-rows", "raw-rows"),
            ("store/noindex", "store-noindex"),
            ("store/old", "store-old"),
        ):
            if "store" not in v or other not in v:
                continue
            if clean_only and max(v["store"].other_cores, v[other].other_cores) > QUIET_CORES:
                continue
            if metric == "rate":
                out[name].append(ratio(v["store"].msgs_per_s, v[other].msgs_per_s))
            else:  # the same ratio from CPU per message: other / store
                out[name].append(ratio(cpu_per_msg(v[other]), cpu_per_msg(v["store"])))
    return out


def print_ratios(reports: list[BackendReport]) -> None:
    print(
        "\n| backend | runs | store / raw driver | store / raw, row by row"
        " | search index cost on sends (1 - store / no index) | store / store before issue 7 |"
    )
    print("|---|---|--:|--:|--:|--:|")
    for rep in reports:
        for metric, clean in (("rate", False), ("rate", True), ("cpu", False)):
            r = write_ratios(rep, clean, metric)
            if not r:
                continue
            n = max(len(v) for v in r.values())
            cost = [1 - x for x in r.get("store/noindex", [])]
            verdict = ""
            if cost:
                verdict = " met" if median(cost) < INDEX_COST_MAX else " **missed**"
            what = {
                ("rate", False): "msgs/s, all",
                ("rate", True): "msgs/s, undisturbed",
                ("cpu", False): "CPU per msg, all",
            }[(metric, clean)]
            print(
                f"| {rep.backend} | {what} {n} |"
                f" {rng_text(r.get('store/raw', []))} |"
                f" {rng_text(r.get('store/raw-rows', []))} |"
                f" {rng_text(cost, '{:.1%}')}{verdict} (target < 15%) |"
                f" {rng_text(r.get('store/old', []))} |"
            )
    extra = sorted({w.variant for rep in reports for w in rep.writes} - set(STANDARD))
    if extra:
        print("\n| backend | experiment | runs | experiment / store, same run |")
        print("|---|---|--:|--:|")
        for rep in reports:
            by_run: dict[int, dict[str, float]] = defaultdict(dict)
            for w in rep.writes:
                by_run[w.run][w.variant] = w.msgs_per_s
            for name in extra:
                r = [
                    ratio(v[name], v["store"])
                    for v in by_run.values()
                    if name in v and "store" in v
                ]
                if r:
                    print(f"| {rep.backend} | {name} | {len(r)} | {rng_text(r)} |")
    print(
        "\n(median over runs, range in brackets; each ratio taken within one run;"
        f" undisturbed: other processes used <= {QUIET_CORES} cores in both runs of the pair;"
        " CPU per msg: the ratio as the other run's CPU per message over the store's)"
    )


def print_mixed(reports: list[BackendReport], args: argparse.Namespace) -> None:
    if not any(r.mixed for r in reports):
        return
    m0 = next(r.mixed[0] for r in reports if r.mixed)
    print(f"\n## mixed workload: {args.senders} senders over {args.rooms} rooms, {m0.mix}\n")
    print(
        "| backend | run | ops/s | sends/s (/ send-only, same run) | replies/s | edits/s"
        " | reacts/s | unreacts/s | deletes/s | commits | ops/commit | ops/commit in bursts"
        " | ack p50 / p99 ms | unchanged / refused | other cores | check |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|")
    for rep in reports:
        send_only = {w.run: w.msgs_per_s for w in rep.writes if w.variant == "store"}
        for m in rep.mixed:
            k = m.kinds
            rel = ratio(m.sends_per_s, send_only.get(m.run))
            print(
                f"| {m.backend} | {m.run} | {m.ops_per_s:,.0f} | {m.sends_per_s:,.0f}"
                f" ({rel:.2f}) | {k['reply'].per_s:,.0f} | {k['edit'].per_s:,.0f} |"
                f" {k['react'].per_s:,.0f} | {k['unreact'].per_s:,.0f} | {k['delete'].per_s:,.0f}"
                f" | {m.commits:,} | {m.ops_per_commit:.1f} | {m.burst_ops_per_commit:.1f} |"
                f" {m.ack_p50_ms:.2f} / {m.ack_p99_ms:.2f} | {m.unchanged} / {m.refused} |"
                f" {m.other_cores:.2f} | {m.check} |"
            )
    print("\nack latency by kind, ms (p50 / p99, median over runs):\n")
    kinds = ("send", "reply", "edit", "react", "unreact", "delete")
    print("| backend | " + " | ".join(kinds) + " |")
    print("|---|" + "--:|" * len(kinds))
    for rep in reports:
        if not rep.mixed:
            continue
        cells = []
        for kind in kinds:
            p50 = median([m.kinds[kind].p50_ms for m in rep.mixed])
            p99 = median([m.kinds[kind].p99_ms for m in rep.mixed])
            cells.append(f"{p50:.2f} / {p99:.2f}")
        print(f"| {rep.backend} | " + " | ".join(cells) + " |")


def print_search(reports: list[BackendReport]) -> None:
    reps = [r for r in reports if r.search is not None and r.search.figures]
    if not reps:
        return
    s0 = reps[0].search
    print(
        f"\n## search: {s0.rows:,} messages, {s0.rooms} rooms ({s0.public_rooms} public),"
        f" {s0.users} users, {s0.memberships:,} memberships; limit 20, newest first\n"
    )
    for rep in reps:
        s = rep.search
        print(
            f"- {rep.backend}: seeded in {s.seed_seconds} s (index build {s.index_seconds} s);"
            f" a typical user can read {s.readable_share_typical:.0%} of the messages,"
            f" a few-rooms user {s.readable_share_few:.1%}"
        )
    print(
        "\n| backend | phase | query | runs x queries | p50 ms | p99 ms | mean ms | max ms"
        " | hits (mean) | full pages | other cores | target p50 < 20, p99 < 100 |"
    )
    print("|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|")
    for rep in reps:
        groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for f in rep.search.figures:
            groups[(f.phase, f.kind)].append(f)
        for (phase, kind), fs in groups.items():
            p50 = [f.p50_ms for f in fs]
            p99 = [f.p99_ms for f in fs]
            ok = median(p50) < SEARCH_P50_MS and median(p99) < SEARCH_P99_MS
            print(
                f"| {rep.backend} | {phase} | {kind} | {len(fs)} x {fs[0].queries} |"
                f" {rng_text(p50, '{:.1f}')} | {rng_text(p99, '{:.1f}')} |"
                f" {median([f.mean_ms for f in fs]):.1f} | {max(f.max_ms for f in fs):.1f} |"
                f" {median([f.mean_hits for f in fs]):.1f} |"
                f" {median([f.full_pages for f in fs]):.0%} |"
                f" {rng_text([f.other_cores for f in fs])} | {'met' if ok else '**missed**'} |"
            )
    print("\n(p50/p99: median over runs, range in brackets)")
    for rep in reps:
        for kind, plan in rep.search.plans.items():
            print(f"\n{rep.backend} plan, {kind}:\n```\n{plan}\n```")


def print_history(reports: list[BackendReport], args: argparse.Namespace) -> None:
    if not any(r.pages for r in reports):
        return
    print(
        f"\n## history: 50-message pages (messages_before) at"
        f" {args.history_rows:,} stored messages over {args.history_rooms} rooms,"
        f" {args.page_reads} sequential reads per line\n"
    )
    print("| backend | run | page | p50 ms | p99 ms | mean ms | target |")
    print("|---|--:|---|--:|--:|--:|---|")
    for rep in reports:
        for p in rep.pages:
            target = TARGET_PAGE_MS[p.backend]
            verdict = "/".join("met" if v < target else "missed" for v in (p.p50_ms, p.p99_ms))
            print(
                f"| {p.backend} | {p.run} | {p.kind} | {p.p50_ms:.3f} | {p.p99_ms:.3f} |"
                f" {p.mean_ms:.3f} | < {target:g} ms (p50/p99): {verdict} |"
            )
    print()
    for rep in reports:
        if rep.seed_seconds is not None:
            print(f"{rep.backend}: seeded {args.history_rows:,} rows in {rep.seed_seconds} s")


def print_report(reports: list[BackendReport], args: argparse.Namespace) -> None:
    print_writes(reports, args)
    print_mixed(reports, args)
    print_search(reports)
    print_history(reports, args)
    for rep in reports:
        if rep.error:
            print(f"\n{rep.backend}: FAILED: {rep.error}")
