# Shared by the fan-out benchmark scripts (sourced, not run): where things are, the server
# limits they start Hubbub with, a free port, waiting for a server, keeping the generator's
# JSON line. A script sets `results` (its JSONL file) before calling `record`.
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
run_sh=${RUN_SH:-$(cd "$repo/.." && pwd)/shared/bench/run.sh}
[ -x "$run_sh" ] || run_sh=/work/shared/bench/run.sh
python=$repo/.venv/bin/python
hubbub=${HUBBUB:-$repo/.venv/bin/hubbub}
# every rate limit checked on every request but too high to be reached (bench/limits.env)
bench_limits=${BENCH_LIMITS:-$(grep -v "^#" "$repo/bench/limits.env" | xargs)}

free_port() {
  "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_port PORT [HTTP_PATH [PID]]: until the port listens or, with a path, answers 2xx;
# gives up after 30 s, or at once when process PID has exited
wait_port() {
  for _ in $(seq 300); do
    if [ -n "${2:-}" ]; then
      curl -fsS --max-time 1 -o /dev/null "http://127.0.0.1:$1/$2" 2>/dev/null && return 0
    else
      (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    fi
    if [ -n "${3:-}" ] && ! kill -0 "$3" 2>/dev/null; then return 1; fi
    sleep 0.1
  done
  return 1
}

# record LOG: the generator's JSON line from LOG onto $results, and its one-line summary
record() {
  local line
  line=$(grep -E '^\{' "$1" | tail -n 1 || true)
  if [ -n "$line" ]; then
    echo "$line" >>"$results"
    echo "  $(echo "$line" | "$python" "$repo/bench/compare.py" --brief -)"
  else
    echo "  no JSON line; see $1" >&2
  fi
}
