#!/usr/bin/env bash
# Issue 6's run of bench/cost_vs.sh (see there): the limits and guards against fb52f2f, from
# the worktree at /tmp/hubbub-base, checked by the CSP header only the new code sends.
#
#   git worktree add /tmp/hubbub-base fb52f2f && cp -r src/hubbub/static /tmp/hubbub-base/src/hubbub/
#   REPEAT=2 bench/limits_cost.sh A B C400 C700          # default scenarios: A B C400 C700
#   bench/limits_cost.sh --table FILE...                 # the tables again
here=$(cd "$(dirname "$0")" && pwd)
export BASE_SRC=${BASE_SRC:-/tmp/hubbub-base/src}
export PROBE_HEADER=${PROBE_HEADER-content-security-policy}
export OUT=${OUT:-$here/out/limits-$(date +%Y%m%d-%H%M%S)}
[ "${1:-}" = --table ] && exec "$here/cost_vs.sh" "$@"
exec "$here/cost_vs.sh" fb52f2f "$@"
