#!/usr/bin/env bash
# The whole PKH scale on this machine: a nationwide sample of HOUSEHOLDS
# households (default 2,000,000, about 8 million answers), loaded, its
# indicators computed, checked, and the national, dashboard and province
# reports rendered (one `report` run, which reads back the indicator rows
# and findings the indicators and check steps kept, and computes the rest),
# each step under DuckDB's --memory-limit (default 6GB).
# Beside the ingest, DuckDB's own read_csv of the same three files (the
# incubator list, the register and the export), each into a table of one new
# database file (examples/read_csv_baseline.rs), as in bench-ingest.sh.
# Prints each step's wall time and peak memory (RSS), and the total.
#
#   scripts/bench-scale.sh                       # 2,000,000 households
#   HOUSEHOLDS=200000 LIMIT=2GB scripts/bench-scale.sh
#
# The sample is written once into BENCH_DIR (default /tmp/prokus-bench-scale);
# it takes several GB of disk.
set -euo pipefail
cd "$(dirname "$0")/.."

households=${HOUSEHOLDS:-2000000}
limit=${LIMIT:-6GB}
work=${BENCH_DIR:-/tmp/prokus-bench-scale}
# shellcheck source=scripts/bench-common.sh
. scripts/bench-common.sh
baseline="$target/debug/examples/read_csv_baseline"

data="$work/data-$households"
mkdir -p "$work"
if [ ! -f "$data/kpm_register.csv" ]; then
    echo "writing a nationwide sample of $households households into $data ..." >&2
    /usr/bin/time -f "%e %M" -o "$work/sample.time" "$prokus" sample --nationwide --households "$households" --out "$data" >/dev/null
fi
export_csv=$(ls -S "$data"/prokus_monitoring_*.csv | sed -n 1p)
db="$work/scale.duckdb"
rm -rf "$db" "$db.wal" "$db.tmp" "$db.figures" "$work/reports"
: >"$work/steps"

# step NAME ARGS...: one timed prokus command, recorded in $work/steps.
step() {
    local name=$1
    shift
    echo "$name ..." >&2
    /usr/bin/time -f "%e %M" -o "$work/step.time" "$prokus" --db "$db" --memory-limit "$limit" "$@" \
        >"$work/$name.out" 2>&1 || { cat "$work/$name.out" >&2; exit 1; }
    echo "$name $(cat "$work/step.time")" >>"$work/steps"
}
step ingest ingest "$data/incubators.csv" "$data/kpm_register.csv" "$export_csv"
step indicators indicators --format parquet --output "$work/indicators.parquet"
step check check --output "$work/findings.csv"
# The three audiences in one run: what they print is computed once.
step report report --audience national,dashboard,province --out "$work/reports"
rm -f "$work/raw.duckdb" "$work/raw.duckdb.wal"
/usr/bin/time -f "%e %M" -o "$work/read_csv.time" "$baseline" "$work/raw.duckdb" \
    "$data/incubators.csv" "$data/kpm_register.csv" "$export_csv" >/dev/null

rows=$(grep -E "^$(basename "$export_csv")" "$work/ingest.out" | awk '{ print $3 }')
echo
echo "$households households; export $(basename "$export_csv"): $(du -m "$export_csv" | cut -f1) MB, $rows rows; --memory-limit $limit"
awk '{ printf "%-22s %9.1f s %9.0f MB\n", $1, $2, $3 / 1024; total += $2; if ($3 > peak) peak = $3 }
     END { printf "%-22s %9.1f s %9.0f MB (peak of any step)\n", "total", total, peak / 1024 }' "$work/steps"
read -r rs rm <"$work/read_csv.time"
awk -v s="$rs" -v m="$rm" 'BEGIN { printf "%-22s %9.1f s %9.0f MB  (DuckDB read_csv of the three files ingested, the alternative to ingest)\n", "read_csv", s, m / 1024 }'
pdfs=$(find "$work/reports" -name '*.pdf' | wc -l)
echo "PDFs: $pdfs"
