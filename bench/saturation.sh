#!/usr/bin/env bash
# Where each server saturates, with a generator that does not saturate first: the Node.js
# reference and Hubbub under bench/loadgen_light.mjs (bare WebSocket clients speaking
# Engine.IO/Socket.IO frames), in one run, alternating.
#
#   bench/saturation.sh [SCENARIO ...]     default: B B100 B200 C400 C800 C1200
#   REPEAT=2 bench/saturation.sh C800 C1600
#
# Scenarios as ../shared/bench/run.sh (A, B, R, C<rate>) plus B<rate>: B's 1,000 clients in
# one room at <rate> msgs/s. Servers on core 0, the generator on core 1, Hubbub started as
# bench/fanout.sh starts it (new SQLite data dir, BENCH_LIMITS). One JSON line per run goes
# to $OUT/results.jsonl (generator "light"); `bench/compare.py` reads it. A server has
# saturated when it delivers less than what is offered or its p99 passes 250 ms; the
# generator is not the limit while its "gen CPU" stays well under 100%.
#
# Environment: REPEAT (default 1), OUT (default bench/out/saturation-DATE), BENCH_LIMITS
# (default bench/limits.env),
# HUBBUB_ENV as in fanout.sh, RUN_SH (../shared/bench/run.sh: its folder's files and
# node_modules are copied to BENCH_DIR, default /tmp/hubbub-refbench, as run.sh does).
set -euo pipefail

source "$(dirname "$0")/common.sh"
shared=$(dirname "$run_sh")
work=${BENCH_DIR:-/tmp/hubbub-refbench}
repeat=${REPEAT:-1}
out=${OUT:-$repo/bench/out/saturation-$(date -u +%Y%m%d-%H%M%S)}
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(B B100 B200 C400 C800 C1200)
mkdir -p "$out" "$work"
results=$out/results.jsonl
ulimit -n 20000 2>/dev/null || true

for f in package.json reference-server.mjs loadgen.mjs; do
  cmp -s "$shared/$f" "$work/$f" || cp "$shared/$f" "$work/$f"
done
cp "$repo/bench/loadgen_light.mjs" "$work/loadgen_light.mjs"
[ -d "$work/node_modules/ws" ] || (cd "$work" && npm install --silent --no-audit --no-fund >/dev/null)

scenario_env() {
  case $1 in
    A) echo "C=100 S=10 RATE=200 DURATION=10 MODE=broadcast" ;;
    B) echo "C=1000 S=10 RATE=50 DURATION=10 MODE=broadcast" ;;
    B*) echo "C=1000 S=10 RATE=${1#B} DURATION=10 MODE=broadcast" ;;
    R) echo "C=1000 S=10 RATE=200 DURATION=10 MODE=room ROOMS=10" ;;
    C*) echo "C=200 S=10 RATE=${1#C} DURATION=10 MODE=broadcast" ;;
    *) echo "unknown scenario $1" >&2; return 1 ;;
  esac
}

generate() {  # generate TARGET URL PID SCENARIO LOG
  local senv
  senv=$(scenario_env "$4")
  # shellcheck disable=SC2086  # the scenario is a list of K=V words
  (cd "$work" && env $senv URL="$2" SERVER_PID="$3" TARGET="$1" LABEL="$4" \
    taskset -c 1 node loadgen_light.mjs) >"$5" 2>&1 || true
}

run_reference() {
  local sc=$1 pass=$2 port mode pid
  port=$(free_port)
  mode=$(scenario_env "$sc" | grep -o 'MODE=[a-z]*' | cut -d= -f2)
  (cd "$work" && exec env PORT="$port" MODE="$mode" taskset -c 0 node reference-server.mjs) \
    >/dev/null 2>&1 &
  pid=$!
  wait_port "$port"
  sleep 0.5
  echo "[$pass] reference $sc"
  generate reference "http://127.0.0.1:$port" "$pid" "$sc" "$out/reference-$sc-$pass.log"
  record "$out/reference-$sc-$pass.log"
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

run_hubbub() {
  local sc=$1 pass=$2 port data pid
  port=$(free_port)
  data=$(mktemp -d /tmp/hubbub-saturation-XXXXXX)
  # shellcheck disable=SC2086  # BENCH_LIMITS and HUBBUB_ENV are lists of K=V words
  env HUBBUB_DATA_DIR="$data" HUBBUB_LOG_LEVEL=warning $bench_limits ${HUBBUB_ENV:-} \
    taskset -c 0 "$hubbub" serve --host 127.0.0.1 --port "$port" >"$out/server-$sc-$pass.log" 2>&1 &
  pid=$!
  if wait_port "$port" healthz "$pid"; then
    echo "[$pass] hubbub $sc"
    generate hubbub "http://127.0.0.1:$port" "$pid" "$sc" "$out/hubbub-$sc-$pass.log"
    record "$out/hubbub-$sc-$pass.log"
  else
    echo "  hubbub did not come up; see $out/server-$sc-$pass.log" >&2
  fi
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$data"
}

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ), hubbub $(cd "$repo" && git rev-parse --short HEAD)"
  echo "generator: bench/loadgen_light.mjs; scenarios: ${scenarios[*]}; repeat: $repeat"
  echo "load average at start: $(cut -d" " -f1-3 /proc/loadavg)"
} | tee "$out/meta.txt"

for pass in $(seq "$repeat"); do
  for sc in "${scenarios[@]}"; do
    if [ $((pass % 2)) -eq 1 ]; then
      run_reference "$sc" "$pass"; run_hubbub "$sc" "$pass"
    else
      run_hubbub "$sc" "$pass"; run_reference "$sc" "$pass"
    fi
  done
done
"$python" "$repo/bench/compare.py" "$results" | tee "$out/table.md"
echo "results: $results"
