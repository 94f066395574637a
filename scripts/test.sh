#!/usr/bin/env bash
# Set up (first time) and run every check: lint, types, the web client's unit tests (vitest),
# and the whole test suite against real SQLite, PostgreSQL (HUBBUB_TEST_PG_URL, default
# postgresql://127.0.0.1:5432/test) and the official JavaScript Socket.IO client. Extra
# arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev
scripts/build-web.sh
if [ ! -d tests/js/node_modules ] || [ tests/js/package-lock.json -nt tests/js/node_modules ]; then
  npm ci --prefix tests/js --no-audit --no-fund --silent
fi
.venv/bin/ruff check
.venv/bin/ruff format --check
.venv/bin/mypy
npm --prefix web test --silent
# The tests share the two cores over pytest-xdist (HUBBUB_TEST_WORKERS processes, each with its
# own servers, databases and Redis prefixes; 0 runs them in this process, e.g. for --pdb);
# those marked `exclusive` (a latency bound under hostile load, processes killed on a timer)
# then run alone, so another test's load cannot fail them. A `-m EXPR` given here narrows both
# phases. "No tests collected" (exit 5) in one phase is not a failure — arguments may select
# tests from only one — but in both it is. After a failure with -x/--maxfail the second phase
# does not run.
workers=${HUBBUB_TEST_WORKERS:-2}
args=() marks="" stop_early=""
while [ $# -gt 0 ]; do
  case $1 in
    -m) marks=$2; shift 2 ;;
    -m*) marks=${1#-m}; shift ;;
    -n|--numprocesses) workers=$2; shift 2 ;;
    -x|--exitfirst|--maxfail=*) stop_early=1; args+=("$1"); shift ;;
    --maxfail) stop_early=1; args+=("$1" "$2"); shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
narrowed() { if [ -n "$marks" ]; then echo "($1) and ($marks)"; else echo "$1"; fi; }

first=0 second=0
.venv/bin/pytest -q -n "$workers" -m "$(narrowed "not exclusive")" "${args[@]}" || first=$?
if [ "$first" -eq 0 ] || [ "$first" -eq 5 ] || [ -z "$stop_early" ]; then
  .venv/bin/pytest -q -p no:xdist -m "$(narrowed exclusive)" "${args[@]}" || second=$?
fi
if [ "$first" -eq 5 ] && [ "$second" -eq 5 ]; then
  echo "no tests selected" >&2
  exit 5
fi
for rc in "$first" "$second"; do
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 5 ]; then exit "$rc"; fi
done
exit 0
