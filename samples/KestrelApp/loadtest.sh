#!/usr/bin/env bash
# Load comparison of the KestrelApp sample with Orthotope's pool and with Kestrel's default pool.
#
# For every run, scenario and pool mode it starts a fresh Release build of the sample on 127.0.0.1:$PORT, warms it
# up with wrk, measures with wrk, then reads the server's VmRSS/VmHWM from /proc and its GC heap and pool figures
# from GET /stats, and stops it with SIGTERM (its shutdown log, with the pool statistics, is kept). The order of the
# two modes alternates from run to run. Results go to $OUT_DIR/results.tsv, the medians and the Orthotope/Kestrel
# throughput ratios to $OUT_DIR/summary.tsv, which is also printed. A server it started is always stopped, also when
# the script fails or is interrupted.
#
# Usage: samples/KestrelApp/loadtest.sh            (needs dotnet, wrk, curl and python3: apt-get install -y wrk curl python3)
# Knobs (environment): RUNS=3 DURATION=15s WARMUP=3s THREADS=2 CONNECTIONS=32 PORT=5080 OUT_DIR=/tmp/kestrel-loadtest
set -euo pipefail

RUNS=${RUNS:-3}
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-3s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-5080}
OUT_DIR=${OUT_DIR:-/tmp/kestrel-loadtest}

missing=()
for tool in dotnet wrk curl python3; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if (( ${#missing[@]} )); then
  echo "loadtest.sh: needs ${missing[*]} on the PATH (Debian/Ubuntu: apt-get install -y wrk curl python3; dotnet: the .NET 10 SDK)" >&2
  exit 2
fi

here=$(cd "$(dirname "$0")" && pwd)
url="http://127.0.0.1:$PORT"
mkdir -p "$OUT_DIR"

if curl -s -o /dev/null "$url/"; then
  echo "loadtest.sh: something already listens on 127.0.0.1:$PORT (an earlier KestrelApp?); stop it or set PORT=..." >&2
  exit 2
fi

# The server (and wrk) of the measurement in progress, stopped whatever ends the script. wrk runs in the background
# and is waited for, so that a signal's trap runs at once rather than after wrk's full duration.
server_pid=
wrk_pid=
run_wrk() { # run_wrk OUTPUT ARGS...
  local output=$1
  shift
  wrk "$@" >"$output" &
  wrk_pid=$!
  wait "$wrk_pid"
  wrk_pid=
}
stop_server() {
  if [[ -n $wrk_pid ]]; then
    kill "$wrk_pid" 2>/dev/null || true
    wrk_pid=
  fi
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=
}
trap stop_server EXIT
trap 'stop_server; exit 130' INT
trap 'stop_server; exit 143' TERM

dotnet build "$here/KestrelApp.csproj" -c Release --nologo -v quiet >"$OUT_DIR/build.log"
app="$here/bin/Release/net10.0/KestrelApp.dll"

printf 'run\tscenario\tmode\trequests_per_s\tlatency_p99\tvmrss_kib\tvmhwm_kib\tgc_heap_bytes\tgc_committed_bytes\tpool_reserved_bytes\tgen0\tgen2\n' >"$OUT_DIR/results.tsv"

json_field() { # json_field FILE FIELD: the first numeric value of "FIELD" in a JSON file
  grep -o "\"$2\": *[0-9]*" "$1" | head -n 1 | grep -o '[0-9]*$' || echo 0
}

measure() { # measure RUN SCENARIO MODE
  local run=$1 scenario=$2 mode=$3 args=() wrk_args=()
  [[ $mode == default ]] && args+=(--kestrel-default-pool)
  if [[ $scenario == echo16k ]]; then wrk_args=(-s "$here/echo16k.lua" "$url/echo"); else wrk_args=("$url/hello"); fi
  local tag="$run-$scenario-$mode"

  dotnet "$app" --port "$PORT" "${args[@]}" >"$OUT_DIR/server-$tag.log" 2>&1 &
  server_pid=$!
  local pid=$server_pid up=0
  for _ in $(seq 1 100); do
    if curl -sf "$url/hello" >/dev/null; then up=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if (( ! up )); then
    echo "loadtest.sh: KestrelApp did not answer on $url within 10 s; its log, $OUT_DIR/server-$tag.log:" >&2
    cat "$OUT_DIR/server-$tag.log" >&2
    exit 1
  fi

  run_wrk /dev/null -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "${wrk_args[@]}"
  run_wrk "$OUT_DIR/wrk-$tag.txt" -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${wrk_args[@]}"

  local rss hwm
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
  hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
  curl -sf "$url/stats" >"$OUT_DIR/stats-$tag.json"
  stop_server

  local rps p99 stats="$OUT_DIR/stats-$tag.json"
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$OUT_DIR/wrk-$tag.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$OUT_DIR/wrk-$tag.txt")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$scenario" "$mode" "$rps" "$p99" "$rss" "$hwm" \
    "$(json_field "$stats" GcHeapSizeBytes)" "$(json_field "$stats" GcCommittedBytes)" "$(json_field "$stats" ReservedBytes)" \
    "$(json_field "$stats" Gen0Collections)" "$(json_field "$stats" Gen2Collections)" >>"$OUT_DIR/results.tsv"
  echo "run $run $scenario $mode: $rps req/s, p99 $p99, VmRSS $rss KiB, VmHWM $hwm KiB"
}

for run in $(seq 1 "$RUNS"); do
  if (( run % 2 )); then modes=(orthotope default); else modes=(default orthotope); fi
  for scenario in hello echo16k; do
    for mode in "${modes[@]}"; do
      measure "$run" "$scenario" "$mode"
    done
  done
done

# Medians per scenario and mode, and the ratio of Orthotope's median requests/s to Kestrel's default pool's.
python3 - "$OUT_DIR/results.tsv" >"$OUT_DIR/summary.tsv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
cols = ["requests_per_s", "vmrss_kib", "vmhwm_kib", "gc_heap_bytes", "gc_committed_bytes", "pool_reserved_bytes"]
print("scenario\tmode\truns\t" + "\t".join("median_" + c for c in cols) + "\tratio_requests_per_s\tp99_latencies")
for scenario in dict.fromkeys(r["scenario"] for r in rows):
    medians = {}
    for mode in ("default", "orthotope"):
        sel = [r for r in rows if r["scenario"] == scenario and r["mode"] == mode]
        medians[mode] = ([statistics.median(float(r[c]) for r in sel) for c in cols], sel)
    base = medians["default"][0][0]
    for mode in ("default", "orthotope"):
        med, sel = medians[mode]
        ratio = med[0] / base if base else float("nan")
        print(f"{scenario}\t{mode}\t{len(sel)}\t" + "\t".join(f"{m:.0f}" for m in med) + f"\t{ratio:.2f}\t" + ",".join(r["latency_p99"] for r in sel))
PY
if command -v column >/dev/null 2>&1; then column -t -s $'\t' "$OUT_DIR/summary.tsv"; else cat "$OUT_DIR/summary.tsv"; fi
echo
python3 - "$OUT_DIR/summary.tsv" <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1]), delimiter="\t"):
    if r["mode"] == "orthotope":
        print(f"{r['scenario']}: Orthotope {float(r['median_requests_per_s']):,.0f} requests/s, "
              f"{r['ratio_requests_per_s']}x Kestrel's default pool (median of {r['runs']} runs)")
PY
echo "raw rows: $OUT_DIR/results.tsv; medians and ratios: $OUT_DIR/summary.tsv; server and wrk logs beside them"
