#!/usr/bin/env bash
# Cost of a change on the fan-out path: the current tree ("new") beside an older commit
# ("baseline"), with the Node.js reference, in one run.
#
#   bench/cost_vs.sh OLD_COMMIT [SCENARIO ...]      # default scenarios: A B C400 C700
#   PROBE="/api/search?q=x 401 404" REPEAT=6 bench/cost_vs.sh a40ac7a A C60
#   bench/cost_vs.sh --table bench/out/cost-*/results.jsonl   # the tables again
#
# The baseline runs from a git worktree of OLD_COMMIT, made on first use at
# /tmp/hubbub-<commit> (detached; the built web client copied into it from this tree's
# src/hubbub/static/app), or from BASE_SRC if given (then OLD_COMMIT only names it).
# For each pass and scenario: wait for a quiet machine, run the reference
# (`run.sh reference SC`), then a fresh Hubbub on the current tree and a fresh Hubbub on the
# baseline (same venv and entry point, PYTHONPATH=$BASE_SRC), in alternating order (odd
# passes new first, even passes baseline first). Servers are started as in fanout.sh (core 0,
# new temp SQLite data dir, BENCH_LIMITS, which a baseline may ignore). Every JSON line goes
# to $OUT/results.jsonl with "variant" (reference | new | baseline), "run" (the pass), the load
# before the scenario and "foreign_cores" (CPU of processes outside this script during the
# run); baseline lines get target "baseline", so `compare.py results.jsonl` shows the new code
# against the reference and `compare.py baseline.jsonl` (written at the end) the baseline
# against it. The new/baseline ratios (per pass, then mean and median of the undisturbed
# passes) are printed at the end and written to $OUT/ratios.md.
#
# That each server runs the code it should is checked before every run: `import hubbub`
# with the server's environment must resolve to the tree's src/, and optionally
#   PROBE="PATH NEW_STATUS BASE_STATUS"  the HTTP status of GET PATH must differ as given
#   PROBE_HEADER=NAME                     only the new code sends this response header
#
# Environment:
#   REPEAT=N       passes (default 2)
#   BASE_SRC=DIR   the baseline's src folder (default: the worktree above)
#   NEW=COMMIT     run the new code from a worktree of COMMIT too (made the same way), not
#                  from this working tree (which may hold others' unfinished edits)
#   OUT=DIR        output folder (default bench/out/cost-OLD_COMMIT-YYYYmmdd-HHMMSS)
#   QUIET_LOAD=L   wait while the 1-minute load average is above L (default 1.0) and the
#                  machine's CPU over the last 3 s is above QUIET_BUSY cores (default 0.3;
#                  our own previous run inflates the load average while it decays)
#   QUIET_MAX=S    give up waiting after S seconds per scenario (default 600) and note the load
#   FOREIGN_MAX=C  a pass is "disturbed" (left out of the means) when processes outside this
#                  script used more than C cores (default 0.2) during one of its three runs
#   HUBBUB_ENV, BENCH_LIMITS, RUN_SH, HUBBUB: as in fanout.sh
set -euo pipefail
source "$(dirname "$0")/common.sh"
base_src=${BASE_SRC:-}
new_src=$repo/src
probe=${PROBE:-}
probe_header=${PROBE_HEADER:-}
repeat=${REPEAT:-2}
quiet_load=${QUIET_LOAD:-1.0}
quiet_busy=${QUIET_BUSY:-0.3}
quiet_max=${QUIET_MAX:-600}
FOREIGN_MAX=${FOREIGN_MAX:-0.2}
if [ "${1:-}" != --table ]; then
  old=${1:?usage: bench/cost_vs.sh OLD_COMMIT [SCENARIO ...] | --table FILE ...}
  shift
  # a worktree of a commit at /tmp/hubbub-SHA, with the built web client; its src/
  worktree_src() {
    local sha
    sha=$(git -C "$repo" rev-parse --verify --short "$1^{commit}")
    [ -d "/tmp/hubbub-$sha/src" ] || git -C "$repo" worktree add --detach "/tmp/hubbub-$sha" "$sha" >/dev/null
    if [ ! -d "/tmp/hubbub-$sha/src/hubbub/static/app" ] && [ -d "$repo/src/hubbub/static/app" ]; then
      mkdir -p "/tmp/hubbub-$sha/src/hubbub/static"
      cp -r "$repo/src/hubbub/static/app" "/tmp/hubbub-$sha/src/hubbub/static/"
    fi
    echo "/tmp/hubbub-$sha/src"
  }
  old_sha=$(git -C "$repo" rev-parse --verify --short "$old^{commit}")
  [ -n "$base_src" ] || base_src=$(worktree_src "$old_sha")
  [ -z "${NEW:-}" ] || new_src=$(worktree_src "$NEW")
  out=${OUT:-$repo/bench/out/cost-$old_sha-$(date +%Y%m%d-%H%M%S)}
fi
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(A B C400 C700)
results=${out:-}/results.jsonl
ulimit -n 20000 2>/dev/null || true

server_pid=""
data_dir=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  [ -z "$data_dir" ] || rm -rf "$data_dir"
}
trap cleanup EXIT

# cores busy over the last 3 s, from /proc/stat
busy_cores() {
  "$python" - <<'EOF'
import os, time
def read():
    f = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return sum(f), f[3] + f[4]
t0, i0 = read(); time.sleep(3); t1, i1 = read()
print(f"{(1 - (i1 - i0) / max(1, t1 - t0)) * os.cpu_count():.2f}")
EOF
}

load1() { cut -d" " -f1 /proc/loadavg; }

# CPU used by processes outside this script's tree while a server is measured (another
# session's tests): `foreign snap FILE` before, `foreign cores FILE` after, in cores
foreign() {
  "$python" - "$1" "$2" "$$" <<'EOF'
import json, os, sys, time
what, path, root = sys.argv[1], sys.argv[2], int(sys.argv[3])
ticks, parent = {}, {}
for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    try:
        raw = open(f"/proc/{pid}/stat").read()
    except OSError:
        continue
    fields = raw[raw.rindex(")") + 2:].split()
    parent[int(pid)] = int(fields[1])
    ticks[pid] = int(fields[11]) + int(fields[12])  # utime + stime
if what == "snap":
    json.dump({"t": time.time(), "ticks": ticks}, open(path, "w"))
    sys.exit()
def ours(pid):
    while pid > 1:
        if pid == root:
            return True
        pid = parent.get(pid, 0)
    return False
before = json.load(open(path))
used = sum(t - before["ticks"].get(pid, 0) for pid, t in ticks.items() if not ours(int(pid)))
print(f"{used / os.sysconf('SC_CLK_TCK') / (time.time() - before['t']):.2f}")
EOF
}

quiet=""  # "load1 busy waited_s" of the last wait
wait_quiet() {
  local start=$SECONDS busy
  while :; do
    busy=$(busy_cores)
    if awk -v l="$(load1)" -v b="$busy" -v ql="$quiet_load" -v qb="$quiet_busy" \
      'BEGIN { exit !(l <= ql || b <= qb) }'; then
      break
    fi
    if [ $((SECONDS - start)) -ge "$quiet_max" ]; then
      echo "  still busy after ${quiet_max}s (load $(load1), $busy cores busy); going on"
      break
    fi
    sleep 10
  done
  quiet="$(load1) $busy $((SECONDS - start))"
  echo "  load $(load1), $busy cores busy, waited $((SECONDS - start)) s"
}

# keep only the generator's JSON line, tagged; anything else stays in the log
record_tagged() {
  local log=$1 variant=$2 pass=$3 foreign_cores=$4
  local line
  line=$(grep -E '^\{' "$log" | tail -n 1 || true)
  if [ -z "$line" ]; then
    echo "  no JSON line; see $log" >&2
    return
  fi
  # shellcheck disable=SC2086
  line=$(echo "$line" | "$python" -c '
import json, sys
variant, run, foreign, load1, busy, waited = sys.argv[1:]
d = json.loads(sys.stdin.read())
d.update(variant=variant, run=int(run), load1_before=float(load1), busy_before=float(busy),
         waited_s=int(waited), foreign_cores=float(foreign))
if variant == "baseline":
    d["target"] = "baseline"
print(json.dumps(d))' "$variant" "$pass" "$foreign_cores" $quiet)
  echo "$line" >>"$results"
  echo "  $(echo "$line" | "$python" "$repo/bench/compare.py" --brief -); other processes: $foreign_cores cores"
}

run_reference() {
  local sc=$1 pass=$2
  local log=$out/reference-$sc-$pass.log
  echo "[$pass] reference $sc"
  foreign snap "$out/.foreign"
  "$run_sh" reference "$sc" >"$log" 2>&1 || true  # exits 143: it kills its server last
  record_tagged "$log" reference "$pass" "$(foreign cores "$out/.foreign")"
}

# the code a server of this variant imports, and (PROBE, PROBE_HEADER) what it answers
src_of() {
  local variant=$1
  if [ "$variant" = new ]; then
    PYTHONPATH=$new_src "$python" -c 'import hubbub; print(hubbub.__file__)'
  else
    PYTHONPATH=$base_src "$python" -c 'import hubbub; print(hubbub.__file__)'
  fi
}
check_variant() {
  local variant=$1 port=$2 want_src where
  if [ "$variant" = new ]; then want_src=$new_src; else want_src=$base_src; fi
  where=$(src_of "$variant")
  case $(realpath "$where") in
    "$(realpath "$want_src")"/*) ;;
    *) echo "  the $variant server would import $where, not from $want_src" >&2; exit 3 ;;
  esac
  if [ -n "$probe_header" ]; then
    if curl -fsS -D - -o /dev/null "http://127.0.0.1:$port/healthz" | grep -qi "^$probe_header"; then
      [ "$variant" = new ] || { echo "  the baseline sent $probe_header: not the old code" >&2; exit 3; }
    else
      [ "$variant" = baseline ] || { echo "  the new code sent no $probe_header" >&2; exit 3; }
    fi
  fi
  if [ -n "$probe" ]; then
    local path want_new want_base got
    read -r path want_new want_base <<<"$probe"
    got=$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$path")
    if [ "$variant" = new ] && [ "$got" != "$want_new" ] || { [ "$variant" = baseline ] && [ "$got" != "$want_base" ]; }; then
      echo "  GET $path answered $got on the $variant server (PROBE: new $want_new, baseline $want_base)" >&2
      exit 3
    fi
  fi
}

run_hubbub() {
  local sc=$1 pass=$2 variant=$3
  local log=$out/$variant-$sc-$pass.log
  local port extra=""
  if [ "$variant" = new ]; then extra="PYTHONPATH=$new_src"; else extra="PYTHONPATH=$base_src"; fi
  port=$(free_port)
  data_dir=$(mktemp -d /tmp/hubbub-cost-XXXXXX)
  echo "[$pass] hubbub $variant $sc (port $port)"
  # shellcheck disable=SC2086  # BENCH_LIMITS and HUBBUB_ENV are lists of K=V words
  env HUBBUB_DATA_DIR="$data_dir" HUBBUB_LOG_LEVEL=warning $bench_limits ${HUBBUB_ENV:-} $extra \
    taskset -c 0 "$hubbub" serve --host 127.0.0.1 --port "$port" >"$out/server-$variant-$sc-$pass.log" 2>&1 &
  server_pid=$!
  if wait_port "$port" healthz "$server_pid"; then
    check_variant "$variant" "$port"
    foreign snap "$out/.foreign"
    "$run_sh" hubbub "http://127.0.0.1:$port" "$server_pid" "$sc" >"$log" 2>&1 || true
    record_tagged "$log" "$variant" "$pass" "$(foreign cores "$out/.foreign")"
  else
    echo "  hubbub did not come up; see $out/server-$variant-$sc-$pass.log" >&2
  fi
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  rm -rf "$data_dir"
  data_dir=""
}

# The tables of a results file (or of several, concatenated): $2/table.md (compare.py: new
# against the reference, then the baseline against it) and $2/ratios.md (new/baseline).
summarize() {
  local results=$1 dir=$2
  # baseline.jsonl: the reference and the baseline (as "hubbub"), for compare.py
  "$python" - "$results" "$dir/baseline.jsonl" <<'EOF'
import json, sys
with open(sys.argv[2], "w") as f:
    for raw in open(sys.argv[1]):
        d = json.loads(raw)
        if d["variant"] in ("reference", "baseline"):
            d["target"] = "reference" if d["variant"] == "reference" else "hubbub"
            f.write(json.dumps(d) + "\n")
EOF
  {
    echo "## New code / reference"; echo
    "$python" "$repo/bench/compare.py" "$results"
    echo; echo "## Baseline / reference"; echo
    "$python" "$repo/bench/compare.py" "$dir/baseline.jsonl"
  } >"$dir/table.md"
  # new / baseline, pass by pass, and the mean of the clean passes' ratios
  "$python" - "$results" "$FOREIGN_MAX" <<'EOF' | tee "$dir/ratios.md"
import json, sys
from collections import defaultdict
lines = [json.loads(r) for r in open(sys.argv[1]) if r.strip()]
foreign_max = float(sys.argv[2])
by = defaultdict(dict)
for d in lines:
    by[(d["label"], d["run"])][d["variant"]] = d
def lat(d, p): return (d.get("lat_ms") or {}).get(p)
def cpk(d):
    c, r = d.get("server_cpu_pct"), d.get("deliveries_s")
    return c / (r / 1000) if c is not None and r else None
def rt(a, b): return a / b if a is not None and b else None
def f(x, fmt="{:.2f}"): return "-" if x is None else fmt.format(x)
metrics = [("del/s", lambda d: d.get("deliveries_s")), ("p50", lambda d: lat(d, "p50")),
           ("p99", lambda d: lat(d, "p99")), ("CPU %", lambda d: d.get("server_cpu_pct")),
           ("CPU/1k del/s", cpk)]
print("| scenario | run | other procs, cores (ref/new/base) | " + " | ".join(
    f"{m}: new/ref, base/ref, **new/base**" for m, _ in metrics) + " |")
print("|---|--:|--:|" + "--:|" * len(metrics))
acc = defaultdict(list)
acc_all = defaultdict(list)  # disturbed passes too
order = {"A": 0, "B": 1, "R": 2, "C": 3, "D": 4}
def key(kv):
    label, run = kv[0]
    return (order.get(label[0], 9), int(label[1:] or 0) if label[1:].isdigit() else 0, run)
for (label, run), v in sorted(by.items(), key=key):
    ref, new, base = v.get("reference"), v.get("new"), v.get("baseline")
    if not (new and base) or new.get("mode") == "idle":
        continue
    other = [x.get("foreign_cores") if x else None for x in (ref, new, base)]
    clean = all(o is not None and o <= foreign_max for o in other)
    cells = []
    for name, get in metrics:
        nr = rt(get(new), get(ref)) if ref else None
        br = rt(get(base), get(ref)) if ref else None
        nb = rt(get(new), get(base))
        if nb is not None and clean:
            acc[(label, name)].append(nb)
        if nb is not None:
            acc_all[(label, name)].append(nb)
        cells.append(f"{f(nr)}, {f(br)}, **{f(nb)}**")
    mark = "" if clean else " (disturbed)"
    print(f"| {label} | {run}{mark} | {'/'.join(f(o) for o in other)} | " + " | ".join(cells) + " |")
print()
import statistics
print(f"New/baseline over the undisturbed passes (other processes <= {foreign_max} cores),"
      " median (mean):")
for label in sorted({k[0] for k in acc}, key=lambda l: key(((l, 0), None))):
    n = len(acc[(label, metrics[0][0])])
    print(f"- {label} ({n} passes): " + ", ".join(
        f"{name} {statistics.median(acc[(label, name)]):.3f}"
        f" ({statistics.fmean(acc[(label, name)]):.3f})"
        for name, _ in metrics if acc.get((label, name))))
print()
for title, table in (("undisturbed passes", acc), ("all passes, disturbed ones too", acc_all)):
    print(f"| scenario ({title}) | CPU per delivery, **new/baseline** per pass | median | mean |")
    print("|---|---|--:|--:|")
    every = []
    for label in sorted({k[0] for k in table}, key=lambda l: key(((l, 0), None))):
        v = table.get((label, "CPU/1k del/s"), [])
        if v:
            every += v
            print(f"| {label} ({len(v)}) | {', '.join(f'{x:.2f}' for x in v)} |"
                  f" {statistics.median(v):.2f} | {statistics.fmean(v):.2f} |")
    if every:
        print(f"| all {len(every)} | | **{statistics.median(every):.2f}** |"
              f" **{statistics.fmean(every):.2f}** |")
    print()
idle = [(run, v) for (label, run), v in sorted(by.items()) if label == "D"]
if idle:
    print()
    print("D, RSS per idle connection KiB (reference / new / baseline):")
    for run, v in idle:
        print(f"- run {run}: " + " / ".join(
            f((v.get(k) or {}).get("rss_per_conn_kib"), "{:.1f}") for k in ("reference", "new", "baseline")))
EOF
}

if [ "${1:-}" = --table ]; then  # bench/cost_vs.sh --table RESULTS.jsonl [...]: the tables again
  shift
  dir=$(mktemp -d /tmp/cost-table-XXXXXX)
  # passes numbered on across the files (pass 1 of the second file follows the first's last)
  "$python" - "$@" >"$dir/results.jsonl" <<'EOF'
import json, sys
offset = 0
for path in sys.argv[1:]:
    lines = [json.loads(raw) for raw in open(path) if raw.strip()]
    for d in lines:
        d["run"] += offset
        print(json.dumps(d))
    offset = max([offset] + [d["run"] for d in lines])
EOF
  summarize "$dir/results.jsonl" "$dir" >/dev/null
  cat "$dir/table.md"; echo; cat "$dir/ratios.md"
  rm -rf "$dir"
  exit 0
fi

[ -f "$base_src/hubbub/__init__.py" ] || { echo "no baseline at $base_src" >&2; exit 2; }
[ -d "$base_src/hubbub/static" ] || { echo "copy the built web client to $base_src/hubbub/static" >&2; exit 2; }
mkdir -p "$out"

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  if [ "$new_src" = "$repo/src" ]; then
    new_desc="$(cd "$repo" && git rev-parse --short HEAD) + $(cd "$repo" && git status --short -- src | wc -l) uncommitted files in src"
  else
    new_desc="$(git -C "$new_src" rev-parse --short HEAD) ($new_src)"
  fi
  echo "node: $(node --version), new: $new_desc," \
    "baseline: $(git -C "$base_src" rev-parse --short HEAD 2>/dev/null || echo "$base_src") ($old)"
  echo "baseline src: $base_src"
  [ -z "$probe" ] || echo "probe: GET $probe"
  echo "scenarios: ${scenarios[*]}, repeat: $repeat"
  echo "limits: $bench_limits ${HUBBUB_ENV:-}"
  echo "load average at start: $(cut -d" " -f1-3 /proc/loadavg)"
} | tee "$out/meta.txt"

for pass in $(seq "$repeat"); do
  for sc in "${scenarios[@]}"; do
    wait_quiet
    run_reference "$sc" "$pass"
    if [ $((pass % 2)) -eq 1 ]; then order=(new baseline); else order=(baseline new); fi
    for variant in "${order[@]}"; do run_hubbub "$sc" "$pass" "$variant"; done
  done
done
echo "load average at end: $(cut -d" " -f1-3 /proc/loadavg)" | tee -a "$out/meta.txt"

echo "results: $results"
summarize "$results" "$out"
