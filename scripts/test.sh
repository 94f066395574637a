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
# own servers, databases and Redis prefixes); those marked `exclusive` (a latency bound under
# hostile load, processes killed on a timer) then run alone, so another test's load cannot fail
# them. "No tests collected" (exit 5) in one phase is not a failure: arguments may select
# tests from only one.
pytest_phase() {
  local rc=0
  .venv/bin/pytest -q "$@" || rc=$?
  [ "$rc" -eq 5 ] && rc=0
  return "$rc"
}
status=0
pytest_phase -n "${HUBBUB_TEST_WORKERS:-2}" -m "not exclusive" "$@" || status=$?
pytest_phase -p no:xdist -m exclusive "$@" || status=$?
exit "$status"
