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
repo=$(cd "$(dirname "$0")/.." && pwd)
run_sh=${RUN_SH:-$(cd "$repo/.." && pwd)/shared/bench/run.sh}
[ -x "$run_sh" ] || run_sh=/work/shared/bench/run.sh
work=${BENCH_DIR:-/tmp/hubbub-refbench}
ulimit -n "$(ulimit -Hn)" # 20,000 here: one per connection on each side, in each process
"$run_sh" reference D >/dev/null 2>&1 || true # copies the generator, installs its packages
python=$repo/.venv/bin/python
limits="HUBBUB_RATE_REGISTER_IP=100000/minute HUBBUB_RATE_LOGIN_IP=100000/minute \
HUBBUB_RATE_LOGIN_USER=100000/minute HUBBUB_RATE_JOINS=100000/second HUBBUB_RATE_ROOMS=100000/second \
HUBBUB_RATE_WRITES=100000/second HUBBUB_RATE_READS=100000/second HUBBUB_MAX_SOCKETS_PER_USER=100000 \
HUBBUB_PASSWORD_HASH_QUEUE=10000 HUBBUB_LOG_LEVEL=warning"
gen_env="C=$clients MODE=idle HOLD=5 CONCURRENCY=200"
port() { "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 150); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return; sleep 0.2; done; }

ref_port=$(port)
(cd "$work" && exec env PORT="$ref_port" MODE=broadcast taskset -c 0 node reference-server.mjs) >/dev/null 2>&1 &
ref_pid=$!
wait_port "$ref_port"
sleep 0.5
ref=$(cd "$work" && env $gen_env URL="http://127.0.0.1:$ref_port" SERVER_PID=$ref_pid TARGET=reference \
  LABEL=D$clients taskset -c 1 node loadgen.mjs | tail -1)
kill "$ref_pid"; wait "$ref_pid" 2>/dev/null || true

data=$(mktemp -d)
hub_port=$(port)
env HUBBUB_DATA_DIR="$data" $limits taskset -c 0 "$repo/.venv/bin/hubbub" serve --port "$hub_port" \
  >"$data/server.log" 2>&1 &
hub_pid=$!
wait_port "$hub_port"
sleep 1
hub=$(cd "$work" && env $gen_env URL="http://127.0.0.1:$hub_port" SERVER_PID=$hub_pid TARGET=hubbub \
  LABEL=D$clients taskset -c 1 node loadgen.mjs | tail -1)
kill "$hub_pid"; wait "$hub_pid" 2>/dev/null || true
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
