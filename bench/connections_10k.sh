#!/usr/bin/env bash
# 10,000 idle, authenticated connections held by one Hubbub process, beside the reference
# holding as many, with ../shared/bench's generator (scenario D's settings but C=10000).
#
#   bench/connections_10k.sh [CLIENTS]        default 10000
#
# Raises `ulimit -n` for both servers and the generator (each connection is one descriptor
# on each side). Prints the generator's JSON line for each (connected, RSS before/after,
# RSS per connection) and the ratio. Hubbub runs as fanout.sh starts it (core 0, a new
# SQLite data dir, BENCH_LIMITS); the generator spreads the sockets over its 50 accounts.
set -euo pipefail
clients=${1:-10000}
source "$(dirname "$0")/common.sh"
work=${BENCH_DIR:-/tmp/hubbub-refbench}
ulimit -n "$(ulimit -Hn)" # 20,000 here: one per connection on each side, in each process
"$run_sh" reference D >/dev/null 2>&1 || true # copies the generator, installs its packages

# hold TARGET PORT PID: the generator's idle run against a server, its JSON line
hold() {
  (cd "$work" && env C="$clients" MODE=idle HOLD=5 CONCURRENCY=200 URL="http://127.0.0.1:$2" \
    SERVER_PID="$3" TARGET="$1" LABEL="D$clients" taskset -c 1 node loadgen.mjs | tail -1)
}

port=$(free_port)
(cd "$work" && exec env PORT="$port" MODE=broadcast taskset -c 0 node reference-server.mjs) >/dev/null 2>&1 &
pid=$!
wait_port "$port" && sleep 0.5
ref=$(hold reference "$port" "$pid")
kill "$pid"; wait "$pid" 2>/dev/null || true

data=$(mktemp -d)
port=$(free_port)
# shellcheck disable=SC2086  # BENCH_LIMITS is a list of K=V words
env HUBBUB_DATA_DIR="$data" HUBBUB_LOG_LEVEL=warning $bench_limits \
  taskset -c 0 "$hubbub" serve --port "$port" >"$data/server.log" 2>&1 &
pid=$!
wait_port "$port" healthz "$pid" && sleep 1
hub=$(hold hubbub "$port" "$pid")
kill "$pid"; wait "$pid" 2>/dev/null || true
rm -rf "$data"

echo "$ref"
echo "$hub"
"$python" - "$ref" "$hub" <<'EOF'
import json, sys
ref, hub = (json.loads(line) for line in sys.argv[1:3])
for name, d in (("reference", ref), ("hubbub", hub)):
    rss = d["server_rss"]
    print(f"{name:9} connected {d['connected']:>6} of {d['clients']}, errors {d['connect_errors']}, "
          f"RSS {rss['before_connect_kib'] / 1024:.0f} -> {rss['after_hold_kib'] / 1024:.0f} MiB, "
          f"{d['rss_per_conn_kib']:.1f} KiB per connection")
print(f"hubbub / reference, RSS per connection: {hub['rss_per_conn_kib'] / ref['rss_per_conn_kib']:.2f}")
EOF
