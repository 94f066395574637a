#!/usr/bin/env bash
# Fan-out benchmark: Hubbub beside the tutorial's Node.js reference, same run, same machine.
#
#   bench/fanout.sh [SCENARIO ...]          default: A B C100 C200 C400 C700
#
# For each scenario (see ../shared/bench/README.md: A | B | R | C<rate> | D), runs the reference
# (`run.sh reference SCENARIO`), then a fresh Hubbub server (SQLite in a new temp data dir,
# pinned to core 0 like the reference) under the same load generator (core 1), and stops it.
# Every JSON line goes to $OUT/results.jsonl; the comparison table is printed at the end
# (bench/compare.py) and written to $OUT/table.md.
#
# Environment:
#   REPEAT=N     passes over the scenario list (default 1); the machine is noisy, use 2+
#   OUT=DIR      output folder (default bench/out/fanout-YYYYmmdd-HHMMSS)
#   RUN_SH=PATH  the shared harness (default ../shared/bench/run.sh next to the repo)
#   HUBBUB=PATH  the hubbub executable (default .venv/bin/hubbub)
#   HUBBUB_ENV="K=V …"  extra environment for the server (e.g. HUBBUB_WS_COMPRESSION=true)
#   BENCH_LIMITS="K=V …" the server's limits for the run (default bench/limits.env: every
#                limit is checked on every request, none is reached; the generator registers
#                50+ accounts from one address and sends up to 700 msg/s over 50 users, and
#                a saturated server has more than the default 32 sends of a socket in hand)
set -euo pipefail
source "$(dirname "$0")/common.sh"
repeat=${REPEAT:-1}
out=${OUT:-$repo/bench/out/fanout-$(date +%Y%m%d-%H%M%S)}
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(A B C100 C200 C400 C700)
mkdir -p "$out"
results=$out/results.jsonl
ulimit -n 20000 2>/dev/null || true

server_pid=""
data_dir=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  [ -z "$data_dir" ] || rm -rf "$data_dir"
}
trap cleanup EXIT

run_reference() {
  local sc=$1 pass=$2
  local log=$out/reference-$sc-$pass.log
  echo "[$pass] reference $sc"
  "$run_sh" reference "$sc" >"$log" 2>&1 || true  # exits 143: it kills its server last
  record "$log"
}

run_hubbub() {
  local sc=$1 pass=$2
  local log=$out/hubbub-$sc-$pass.log
  local port
  port=$(free_port)
  data_dir=$(mktemp -d /tmp/hubbub-fanout-XXXXXX)
  echo "[$pass] hubbub $sc (port $port, data $data_dir)"
  # shellcheck disable=SC2086  # BENCH_LIMITS and HUBBUB_ENV are lists of K=V words
  env HUBBUB_DATA_DIR="$data_dir" HUBBUB_LOG_LEVEL=warning $bench_limits ${HUBBUB_ENV:-} \
    taskset -c 0 "$hubbub" serve --host 127.0.0.1 --port "$port" >"$out/server-$sc-$pass.log" 2>&1 &
  server_pid=$!
  if wait_port "$port" healthz "$server_pid"; then
    "$run_sh" hubbub "http://127.0.0.1:$port" "$server_pid" "$sc" >"$log" 2>&1 \
      || true
    record "$log"
  else
    echo "  hubbub did not come up; see $out/server-$sc-$pass.log" >&2
  fi
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  rm -rf "$data_dir"
  data_dir=""
}

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "node: $(node --version), hubbub: $(cd "$repo" && git rev-parse --short HEAD)"
  echo "scenarios: ${scenarios[*]}, repeat: $repeat"
  echo "limits: $bench_limits ${HUBBUB_ENV:-}"
  echo "load average at start: $(cut -d" " -f1-3 /proc/loadavg)"
} | tee "$out/meta.txt"

for pass in $(seq "$repeat"); do
  for sc in "${scenarios[@]}"; do
    run_reference "$sc" "$pass"
    run_hubbub "$sc" "$pass"
  done
done

"$python" "$repo/bench/compare.py" "$results" | tee "$out/table.md"
echo "results: $results"
