#!/usr/bin/env bash
# Build the web client (web/ → src/hubbub/static/app, served by `hubbub serve` at /) when
# the build is missing or older than its sources. Needs Node.js and npm; installs web/'s
# pinned dependencies from web/package-lock.json (npm ci) when they are missing or stale.
set -euo pipefail
cd "$(dirname "$0")/.."

out=src/hubbub/static/app/index.html
if ! command -v npm >/dev/null 2>&1; then
  if [ -f "$out" ]; then
    echo "npm not found: using the web client built earlier" >&2
  else
    echo "npm not found: the web client is not built (install Node.js and npm; the API works without it)" >&2
  fi
  exit 0
fi
if [ ! -f web/node_modules/.package-lock.json ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  echo "Installing the web client's dependencies ..." >&2
  npm ci --prefix web --no-audit --no-fund --silent
fi
if [ ! -f "$out" ] || [ -n "$(find web/index.html web/package.json web/package-lock.json web/tsconfig.json web/vite.config.ts web/src -newer "$out" -print -quit)" ]; then
  echo "Building the web client ..." >&2
  if ! log=$(npm run --prefix web --silent build 2>&1); then
    echo "$log" >&2
    exit 1
  fi
  # The API docs page (/docs) uses Swagger UI from npm too, never a CDN: it works offline.
  mkdir -p src/hubbub/static/app/api-docs
  cp web/node_modules/swagger-ui-dist/{swagger-ui-bundle.js,swagger-ui.css,favicon-32x32.png} \
    src/hubbub/static/app/api-docs/
fi
