#!/usr/bin/env bash
# Ingest benchmark: `prokus ingest` of a Kobo CSV export of about a million
# response rows, against DuckDB's own `read_csv` of the same file into a new
# database file (same DuckDB build, examples/read_csv_baseline.rs). The two are
# run alternately, RUNS times each; the script prints each one's median wall
# time and peak memory (RSS), and the ratio of their throughputs.
#
#   scripts/bench-ingest.sh            # 250,000 households -> ~1.03M rows
#   HOUSEHOLDS=50000 RUNS=3 scripts/bench-ingest.sh
#
# The sample is written once into BENCH_DIR (default /tmp/prokus-bench-ingest)
# and reused by later runs.
set -euo pipefail
cd "$(dirname "$0")/.."

households=${HOUSEHOLDS:-250000}
runs=${RUNS:-5}
work=${BENCH_DIR:-/tmp/prokus-bench-ingest}
# shellcheck source=scripts/bench-common.sh
. scripts/bench-common.sh
baseline="$target/debug/examples/read_csv_baseline"

kobo_data "$work/data-$households" "$households" "$work/base.duckdb"

: >"$work/ingest.times"
: >"$work/read_csv.times"
for i in $(seq "$runs"); do
    cp "$work/base.duckdb" "$work/run.duckdb"
    /usr/bin/time -f "%e %M" -a -o "$work/ingest.times" \
        "$prokus" ingest --json --db "$work/run.duckdb" "$export_csv" >"$work/ingest.json"
    rm -f "$work/raw.duckdb" "$work/raw.duckdb.wal"
    /usr/bin/time -f "%e %M" -a -o "$work/read_csv.times" \
        "$baseline" "$work/raw.duckdb" "$export_csv" >/dev/null
    echo "run $i/$runs done" >&2
done

rows=$(sed -E 's/.*"rows_read":([0-9]+).*/\1/' "$work/ingest.json")
ingest_s=$(cut -d' ' -f1 "$work/ingest.times" | median)
ingest_kb=$(cut -d' ' -f2 "$work/ingest.times" | sort -n | tail -n 1)
read_s=$(cut -d' ' -f1 "$work/read_csv.times" | median)
read_kb=$(cut -d' ' -f2 "$work/read_csv.times" | sort -n | tail -n 1)

echo
echo "file: $export_csv ($(du -m "$export_csv" | cut -f1) MB, $rows rows)"
awk -v rows="$rows" -v a="$ingest_s" -v am="$ingest_kb" -v b="$read_s" -v bm="$read_kb" -v n="$runs" 'BEGIN {
    printf "%-28s %10s %14s %14s\n", "median of " n " runs", "wall s", "rows/s", "peak RSS MB"
    printf "%-28s %10.2f %14.0f %14.0f\n", "prokus ingest", a, rows / a, am / 1024
    printf "%-28s %10.2f %14.0f %14.0f\n", "duckdb read_csv (baseline)", b, rows / b, bm / 1024
    printf "throughput ratio (ingest / read_csv): %.2f\n", b / a
}'
