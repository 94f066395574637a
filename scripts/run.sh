#!/usr/bin/env bash
# Set up (first time) and start Hubbub on the embedded default: SQLite in ./data, no Redis.
# Arguments go to `hubbub serve` (e.g. --port 9000). Migrations run at start.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build-web.sh
exec .venv/bin/hubbub serve "$@"
