#!/usr/bin/env bash
# Indicator benchmark: `prokus indicators` (the whole catalog, every default
# level and every period) over a database of about a million response rows,
# RUNS times; prints the median wall time and the peak memory (RSS).
#
#   scripts/bench-indicators.sh            # 250,000 households -> ~1M rows
#   HOUSEHOLDS=50000 RUNS=3 scripts/bench-indicators.sh
#   EXTRA="--winsorize --by province:gender" scripts/bench-indicators.sh
#
# The sample and its database are written once into BENCH_DIR (default
# /tmp/prokus-bench-indicators) and reused by later runs.
set -euo pipefail
cd "$(dirname "$0")/.."

households=${HOUSEHOLDS:-250000}
runs=${RUNS:-5}
work=${BENCH_DIR:-/tmp/prokus-bench-indicators}
extra=${EXTRA:-}
# shellcheck source=scripts/bench-common.sh
. scripts/bench-common.sh

data="$work/data-$households"
db="$work/db-$households.duckdb"
sample_db "$data" "$db" --households "$households"

: >"$work/indicators.times"
for i in $(seq "$runs"); do
    # shellcheck disable=SC2086
    /usr/bin/time -f "%e %M" -a -o "$work/indicators.times" \
        "$prokus" --db "$db" indicators $extra --output "$work/indicators.csv" 2>/dev/null
    echo "run $i/$runs done" >&2
done

wall=$(cut -d' ' -f1 "$work/indicators.times" | median)
peak=$(cut -d' ' -f2 "$work/indicators.times" | sort -n | tail -n 1)
lines=$(($(wc -l <"$work/indicators.csv") - 1))
echo
echo "database: $db"
echo "indicator rows written: $lines"
echo "all runs (s KB): $(tr '\n' ';' <"$work/indicators.times")"
awk -v w="$wall" -v m="$peak" -v n="$runs" 'BEGIN {
    printf "prokus indicators, median of %d runs: %.2f s, peak RSS %.0f MB\n", n, w, m / 1024
}'
