#!/usr/bin/env bash
# Shared set-up: a virtualenv in .venv with Hubbub installed (re-run when pyproject changes).
#   scripts/setup.sh          runtime only
#   scripts/setup.sh dev      runtime + test and lint tools
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "Hubbub needs Python 3.11 or newer ($python is $("$python" --version 2>&1))" >&2; exit 1; }

extra=""
[ "${1:-}" = dev ] && extra="[dev]"
stamp=".venv/.installed${extra:+-dev}"
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ requirements.txt -nt "$stamp" ]; then
  echo "Installing Hubbub${extra} into .venv ..." >&2
  # requirements.txt pins what the tests ran with (python-socketio/engineio internals
  # are used: realtime/engine.py checks the versions at start-up).
  .venv/bin/python -m pip install --quiet --constraint requirements.txt --editable ".${extra}"
  touch "$stamp"
fi
