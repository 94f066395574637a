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
exec .venv/bin/pytest -q "$@"
