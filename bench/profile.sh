#!/usr/bin/env bash
# A py-spy profile of Hubbub under one scenario of ../shared/bench, and where its time went.
#
#   bench/profile.sh SCENARIO OUT.folded [SRC]     e.g. bench/profile.sh A /tmp/A.folded
#
# Starts `hubbub serve` as fanout.sh does (core 0, new SQLite data dir, BENCH_LIMITS), from
# SRC (a src/ folder: an older commit's worktree, to profile "before") or this tree, runs the
# scenario (`run.sh hubbub …`, generator on core 1) and, once the generator's sign-ups are
# over, samples the server for 7 s: `py-spy record --gil --native` (only the thread holding
# the GIL, C frames of uvloop and the interpreter included: what the server's core spends
# its time on; system calls such as write() appear as libc frames). The folded stacks go to
# OUT.folded; bench/profile_top.py OUT.folded prints the summary. The generator's JSON line
# is printed too (py-spy pauses the process for each sample: its latencies are not figures).
set -euo pipefail
scenario=${1:?scenario}
out=${2:?output file}
source "$(dirname "$0")/common.sh"
src=${3:-$repo/src}
delay=${DELAY:-15}  # seconds from the server's start to the generator's sending (sign-ups first)
port=$(free_port)
data=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$data"' EXIT
env PYTHONPATH="$src" HUBBUB_DATA_DIR="$data" HUBBUB_LOG_LEVEL=warning $bench_limits \
  taskset -c 0 "$python" -m hubbub serve --port "$port" >"$data/server.log" 2>&1 &
pid=$!
wait_port "$port" healthz "$pid" || { tail "$data/server.log" >&2; exit 1; }
(sleep "$delay"; "$repo/.venv/bin/py-spy" record -p "$pid" -r 200 -d 7 --gil --native -f raw \
  -o "$out" >/dev/null 2>&1) &
spy=$!
"$run_sh" hubbub "http://127.0.0.1:$port" "$pid" "$scenario" | tail -1
wait "$spy"
