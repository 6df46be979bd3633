#!/usr/bin/env bash
# Load comparison of the KestrelApp sample with Orthotope's pool and with Kestrel's default pool.
#
# For every run, scenario and pool mode it starts a fresh Release build of the sample on 127.0.0.1:$PORT, warms it
# up with wrk, measures with wrk, then reads the server's VmRSS/VmHWM from /proc and its GC heap and pool figures
# from GET /stats, and stops it with SIGTERM (its shutdown log, with the pool statistics, is kept). The order of the
# two modes alternates from run to run. Results go to $OUT_DIR/results.tsv and the medians to $OUT_DIR/summary.txt.
#
# Usage: samples/KestrelApp/loadtest.sh            (needs wrk and curl: apt-get install -y wrk curl)
# Knobs (environment): RUNS=3 DURATION=15s WARMUP=3s THREADS=2 CONNECTIONS=32 PORT=5080 OUT_DIR=/tmp/kestrel-loadtest
set -euo pipefail

RUNS=${RUNS:-3}
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-3s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-5080}
OUT_DIR=${OUT_DIR:-/tmp/kestrel-loadtest}

here=$(cd "$(dirname "$0")" && pwd)
url="http://127.0.0.1:$PORT"
mkdir -p "$OUT_DIR"

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
  local pid=$!
  for _ in $(seq 1 100); do curl -sf "$url/hello" >/dev/null && break; sleep 0.1; done

  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "${wrk_args[@]}" >/dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${wrk_args[@]}" >"$OUT_DIR/wrk-$tag.txt"

  local rss hwm
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
  hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
  curl -sf "$url/stats" >"$OUT_DIR/stats-$tag.json"
  kill -TERM "$pid"
  wait "$pid" || true

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

# Medians per scenario and mode.
python3 - "$OUT_DIR/results.tsv" >"$OUT_DIR/summary.txt" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
cols = ["requests_per_s", "vmrss_kib", "vmhwm_kib", "gc_heap_bytes", "gc_committed_bytes", "pool_reserved_bytes"]
print("scenario\tmode\truns\t" + "\t".join("median_" + c for c in cols) + "\tp99_latencies")
for scenario in dict.fromkeys(r["scenario"] for r in rows):
    for mode in ("orthotope", "default"):
        sel = [r for r in rows if r["scenario"] == scenario and r["mode"] == mode]
        med = [statistics.median(float(r[c]) for r in sel) for c in cols]
        print(f"{scenario}\t{mode}\t{len(sel)}\t" + "\t".join(f"{m:.0f}" for m in med) + "\t" + ",".join(r["latency_p99"] for r in sel))
PY
cat "$OUT_DIR/summary.txt"
