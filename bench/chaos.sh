#!/usr/bin/env bash
# The chaos test (tests/chaos/test_chaos.py), longer and bigger: fault cycles (node killed,
# Redis restarted, PostgreSQL crashed and restarted, node back) for the whole run, then the
# same checks as in CI (nothing lost, nothing doubled, presence agrees).
#
#   bench/chaos.sh [SECONDS [CLIENTS]] [pytest args...]    default: 600 s, 100 sockets
#
# Environment: HUBBUB_CHAOS_SENDERS, HUBBUB_CHAOS_RATE, HUBBUB_CHAOS_FAULT_EVERY (see the
# test's docstring); OUT=DIR (default bench/out/chaos-YYYYmmdd-HHMMSS) gets the output and
# every server's log.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export HUBBUB_CHAOS_SECONDS="${1:-600}"
export HUBBUB_CHAOS_CLIENTS="${2:-100}"
shift $(($# < 2 ? $# : 2))
out=${OUT:-bench/out/chaos-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
echo "chaos: ${HUBBUB_CHAOS_SECONDS}s, ${HUBBUB_CHAOS_CLIENTS} sockets; output in $out" >&2
.venv/bin/pytest -q -s -p no:cacheprovider --basetemp="$out/tmp" tests/chaos "$@" \
  2>&1 | tee "$out/output.txt"
