"""Store benchmark: group-commit throughput beside a raw-driver loop, a mixed workload of
sends and changes, search at a million messages, history pages; per backend.

Measures through the ``Store`` interface the server itself uses (``hubbub.store.factory``);
the parts live in ``bench/store/``:

* **writes** (``store/sends.py``, ``store/raw.py``): ``--senders`` sequential senders over
  ``--rooms`` rooms for ``--seconds``, once per variant in each run, in a rotating order:
  ``raw`` (a minimal group-commit loop on the raw driver), ``store``, ``store-noindex`` (the
  search index dropped) and, with ``--baseline-src DIR``, ``store-old`` (the store of an
  older tree, run in a child process with ``PYTHONPATH=DIR``); msgs/s, commits, batch size,
  ack latency, and the ratios store ÷ raw, store ÷ no index, store ÷ old within each run.
* **mixed** (``store/mixed.py``): the same senders, with edits, replies, reactions (in
  bursts) and deletes; ops/s by kind, commits, ops per commit, the sends' rate.
* **search** (``store/search.py``): ``--search-rows`` messages of Zipf text over a few
  hundred rooms, the store's own index, ``store.search`` p50/p99 per kind of query.
* **history** (``store/history.py``): ``--history-rows`` seeded messages, 50-message pages.

Each run gets a fresh database: a file in a temporary directory for SQLite, a new
database on the PostgreSQL server (``--pg-admin-url``) that is dropped at the end.

    .venv/bin/python bench/store_bench.py [--backend sqlite|postgres|both] [--parts ...]
                                          [--seconds N] [--repeat N] [--baseline-src DIR]
    .venv/bin/python bench/store_bench.py --from-json OUT1 [OUT2 ...]   # the tables again

Prints Markdown tables and, last, one JSON line with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sqlite3
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/: the ``store`` package

import hubbub
from store.common import wait_quiet
from store.report import QUIET_CORES, BackendReport, print_report
from store.sends import EXPERIMENTS, WriteResult, store_run

HERE = Path(__file__).resolve()
PARTS = ("writes", "mixed", "search", "history")
VARIANTS = ("raw", "raw-rows", "store", "store-noindex", "store-old", *EXPERIMENTS)


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def inside(path: str, folder: str) -> bool:
    return Path(path).resolve().is_relative_to(Path(folder).resolve())


async def old_store_run(backend: str, run: int, args: argparse.Namespace) -> WriteResult:
    """The send-only ``store`` run, in a child process on the tree at ``--baseline-src``."""
    cmd = [
        sys.executable, str(HERE), "--backend", backend,
        "--parts", "writes", "--variants", "store", "--repeat", "1", "--json-only",
        "--seconds", str(args.seconds), "--warmup", str(args.warmup),
        "--senders", str(args.senders), "--rooms", str(args.rooms), "--text", args.text,
        "--pg-admin-url", args.pg_admin_url, "--loop", args.loop,
    ]  # fmt: skip
    if args.tmp_dir:
        cmd += ["--tmp-dir", args.tmp_dir]
    env = {**os.environ, "PYTHONPATH": args.baseline_src}
    proc = await asyncio.create_subprocess_exec(
        *cmd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await proc.communicate()
    lines = [x for x in out.decode().splitlines() if x.startswith("{")]
    if proc.returncode or not lines:
        raise RuntimeError(f"baseline run failed ({proc.returncode}): {err.decode()[-2000:]}")
    line = json.loads(lines[-1])
    if not inside(line["hubbub"], args.baseline_src):
        raise RuntimeError(f"the baseline run imported hubbub from {line['hubbub']}")
    w = WriteResult(**line["results"][0]["writes"][0])
    w.variant, w.run = "store-old", run
    return w


async def run_backend(backend: str, args: argparse.Namespace) -> BackendReport:
    report = BackendReport(backend)
    variants = [v for v in args.variants.split(",") if v and EXPERIMENTS.get(v, backend) == backend]
    if args.baseline_src and "store-old" not in variants:
        variants.append("store-old")
    try:
        for run in range(1, args.repeat + 1):
            if "writes" in args.parts:
                shift = (run - 1) % len(variants)  # rotate the order from run to run
                for variant in variants[shift:] + variants[:shift]:
                    if args.wait_quiet:
                        await wait_quiet(args.wait_quiet, QUIET_CORES, log)
                    if variant in ("raw", "raw-rows"):
                        from store.raw import raw_run

                        result = await raw_run(backend, run, args, variant)
                    elif variant == "store-old":
                        result = await old_store_run(backend, run, args)
                    else:
                        result = await store_run(backend, variant, run, args)
                    report.writes.append(result)
                    log(
                        f"[{backend}] run {run} {variant}: {result.msgs_per_s:,.0f} msgs/s,"
                        f" {result.mean_batch:.1f} msgs/commit, ack p50/p99"
                        f" {result.ack_p50_ms:.2f}/{result.ack_p99_ms:.2f} ms {result.seq_check}"
                    )
            if "mixed" in args.parts:
                from store.mixed import mixed_run

                if args.wait_quiet:
                    await wait_quiet(args.wait_quiet, QUIET_CORES, log)
                m = await mixed_run(backend, run, args)
                report.mixed.append(m)
                log(
                    f"[{backend}] run {run} mixed: {m.ops_per_s:,.0f} ops/s"
                    f" ({m.sends_per_s:,.0f} sends/s), {m.ops_per_commit:.1f} ops/commit,"
                    f" in bursts {m.burst_ops_per_commit:.1f}; {m.check}"
                )
        if "search" in args.parts and args.search_rows > 0:
            from store.search import search_bench

            report.search = await search_bench(backend, args, log)
        if "history" in args.parts and args.history_rows > 0:
            from store.history import history

            report.seed_seconds, report.pages = await history(backend, args)
            for p in report.pages:
                log(f"[{backend}] page {p.kind} run {p.run}: p50 {p.p50_ms} p99 {p.p99_ms} ms")
    except Exception as exc:  # report what failed, keep the other backend's figures
        report.error = f"{type(exc).__name__}: {exc}"
        log(f"[{backend}] failed: {report.error}")
        if args.json_only:
            raise
    return report


async def main_async(args: argparse.Namespace) -> list[BackendReport]:
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    return [await run_backend(b, args) for b in backends]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--parts", default=",".join(PARTS), help=f"comma-separated, of {', '.join(PARTS)}"
    )
    parser.add_argument("--repeat", type=int, default=2, help="runs of each figure")
    # writes and mixed
    parser.add_argument("--seconds", type=float, default=10.0, help="measured send window")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds first")
    parser.add_argument("--senders", type=int, default=50)
    parser.add_argument("--rooms", type=int, default=10)
    parser.add_argument(
        "--variants",
        default="raw,store,store-noindex",
        help=f"writes: comma-separated, of {', '.join(VARIANTS)}",
    )
    parser.add_argument(
        "--baseline-src",
        default=None,
        help="writes: also run the store of this tree's src/ (e.g. a git worktree of an"
        " older commit) as variant store-old, in a child process",
    )
    parser.add_argument(
        "--text",
        choices=["zipf", "fixed"],
        default="zipf",
        help="what senders send: varied chat lines (the index's real work) or one fixed line",
    )
    parser.add_argument(
        "--prefill",
        type=int,
        default=0,
        help="store runs: seed this many rows (and ANALYZE) before sending; default a fresh table",
    )
    parser.add_argument(
        "--mix",
        default="send=70,reply=5,edit=12,react=8,delete=5",
        help="mixed: weights of the operations outside bursts",
    )
    parser.add_argument("--burst-period", type=float, default=1.0, help="mixed: seconds")
    parser.add_argument(
        "--burst-length", type=float, default=0.2, help="mixed: seconds of reactions only"
    )
    # search
    parser.add_argument("--search-rows", type=int, default=1_000_000, help="0: skip")
    parser.add_argument("--search-rooms", type=int, default=300)
    parser.add_argument("--search-public", type=int, default=10)
    parser.add_argument("--search-users", type=int, default=500)
    parser.add_argument("--search-memberships", type=int, default=20)
    parser.add_argument("--search-queries", type=int, default=200, help="timed, per kind and run")
    parser.add_argument("--search-warmup", type=int, default=20, help="per kind and run")
    parser.add_argument(
        "--search-after-sends",
        type=float,
        default=5.0,
        help="seconds of store sends after the seeded rounds, then the queries again (0: no)",
    )
    parser.add_argument("--search-seed", type=int, default=1)
    parser.add_argument("--explain", action="store_true", help="search: print each kind's plan")
    # history
    parser.add_argument("--history-rows", type=int, default=1_000_000, help="0: skip")
    parser.add_argument("--history-rooms", type=int, default=10)
    parser.add_argument("--page-reads", type=int, default=2000, help="timed pages per line")
    parser.add_argument("--page-warmup", type=int, default=200)
    # where
    parser.add_argument(
        "--pg-admin-url",
        default="postgresql://127.0.0.1:5432/test",
        help="an existing database to CREATE/DROP the bench database from",
    )
    parser.add_argument(
        "--pg-plan-cache-mode",
        choices=["auto", "force_custom_plan", "force_generic_plan"],
        default=None,
        help="set on the bench database (diagnostic; default: the server's setting)",
    )
    parser.add_argument("--tmp-dir", default=None, help="where the SQLite file goes")
    parser.add_argument(
        "--loop", choices=["uvloop", "asyncio"], default="uvloop", help="as the server runs"
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0.0,
        help="before each writes/mixed run, wait up to this many seconds for other processes"
        " to use at most 0.3 cores (a shared machine)",
    )
    parser.add_argument("--json-only", action="store_true", help="no tables, only the JSON")
    args = parser.parse_args(argv)
    args.parts = [p for p in args.parts.split(",") if p]
    unknown = set(args.parts) - set(PARTS) | set(args.variants.split(",")) - set(VARIANTS) - {""}
    if unknown:
        parser.error(f"unknown part or variant: {sorted(unknown)}")
    return args


def from_json(paths: list[str]) -> int:
    """The tables again from saved JSON lines (several files: runs numbered on)."""
    from store.history import PageResult
    from store.mixed import KindFigures, MixedResult
    from store.search import QueryFigures, SearchReport

    merged: dict[str, BackendReport] = {}
    args = None
    for path in paths:
        text = Path(path).read_text()
        line = json.loads([x for x in text.splitlines() if x.startswith("{")][-1])
        args = args or argparse.Namespace(**line["args"])
        for r in line["results"]:
            rep = merged.setdefault(r["backend"], BackendReport(r["backend"]))
            offset = max([0] + [w.run for w in rep.writes] + [m.run for m in rep.mixed])
            for w in r["writes"]:
                rep.writes.append(WriteResult(**{**w, "run": w["run"] + offset}))
            for m in r["mixed"]:
                kinds = {k: KindFigures(**v) for k, v in m["kinds"].items()}
                rep.mixed.append(MixedResult(**{**m, "kinds": kinds, "run": m["run"] + offset}))
            if r.get("search"):
                s = r["search"]
                figures = [QueryFigures(**f) for f in s["figures"]]
                rep.search = SearchReport(**{**s, "figures": figures})
            rep.pages += [PageResult(**p) for p in r.get("pages", [])]
            rep.error = rep.error or r.get("error")
    assert args is not None
    print_report(list(merged.values()), args)
    return 0


def main(argv: list[str] | None = None) -> int:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--from-json":
        return from_json(sys.argv[2:])
    args = parse_args(argv)
    started = datetime.now(UTC)
    if args.loop == "uvloop":
        import uvloop

        reports = uvloop.run(main_async(args))
    else:
        reports = asyncio.run(main_async(args))
    if not args.json_only:
        print_report(reports, args)
    line: dict[str, Any] = {
        "bench": "store",
        "started": started.isoformat(timespec="seconds"),
        "hubbub": hubbub.__file__,
        "host": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            "loop": args.loop,
        },
        "args": vars(args),
        "results": [asdict(r) for r in reports],
    }
    print(json.dumps(line, default=str))
    return 1 if any(r.error for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
