#!/usr/bin/env bash
# Instructions per operation of benchmark rows, counted by valgrind's callgrind (exact and repeatable, unlike time on
# a shared machine): each row runs twice under callgrind, for N and 2N calls after the same warm-up, and the
# difference divided by N (and the row's operations per call) is what one operation executes.
#
# Usage: Orthotope.Pooling.Benchmarks/count.sh [-n N] Class.Row [Class.Row ...]
#   e.g. Orthotope.Pooling.Benchmarks/count.sh RentReturn4K.ArrayPoolShared RentReturn4K.OrthotopeMemory
# Needs valgrind (apt-get install -y valgrind). Builds the benchmark project in Release first.
set -euo pipefail
n=100000
if [[ ${1:-} == -n ]]; then n=$2; shift 2; fi
if [[ $# -eq 0 ]]; then echo "usage: $0 [-n N] Class.Row [Class.Row ...]" >&2; exit 2; fi
command -v valgrind >/dev/null || { echo "count.sh: valgrind is not installed (apt-get install -y valgrind)" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
dotnet build "$root/Orthotope.Pooling.Benchmarks" -c Release --nologo -v quiet >/dev/null
dll="$root/Orthotope.Pooling.Benchmarks/bin/Release/net10.0/Orthotope.Pooling.Benchmarks.dll"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
count() { # count ROW CALLS: total instructions of one run
  env ${COUNT_ENV:-} valgrind --tool=callgrind --smc-check=all-non-file --callgrind-out-file="$work/cg" \
    dotnet "$dll" --count "$1" "$2" >"$work/out" 2>&1
  grep -o 'Collected : [0-9]*' "$work/out" | grep -o '[0-9]*$'
}
printf '| Row | Instructions per operation |\n|---|---:|\n'
for row in "$@"; do
  one=$(count "$row" "$n")
  two=$(count "$row" $((2 * n)))
  ops=$(grep -o 'calls of [0-9]* operations' "$work/out" | grep -o '[0-9]* operations' | grep -o '[0-9]*')
  awk -v a="$one" -v b="$two" -v n="$n" -v o="$ops" -v r="$row" 'BEGIN { printf "| %s | %.1f |\n", r, (b - a) / (n * o) }'
done
