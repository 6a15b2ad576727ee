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
# Prints each step's wall time and peak memory (RSS), and the total; with
# RUNS above 1 (each run some three and a half minutes at 2,000,000
# households), each step's median, the median of the runs' totals and every
# run's total, the steps and read_csv taken in turn in each run: on this
# shared machine one run's total can move by a sixth within minutes.
#
#   scripts/bench-scale.sh                       # 2,000,000 households, one run
#   RUNS=3 scripts/bench-scale.sh                # medians of three
#   HOUSEHOLDS=200000 LIMIT=2GB scripts/bench-scale.sh
#
# The sample is written once into BENCH_DIR (default /tmp/prokus-bench-scale);
# it takes several GB of disk.
set -euo pipefail
cd "$(dirname "$0")/.."

households=${HOUSEHOLDS:-2000000}
limit=${LIMIT:-6GB}
runs=${RUNS:-1}
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
: >"$work/steps"
: >"$work/read_csv.times"

# step NAME ARGS...: one timed prokus command, recorded in $work/steps.
step() {
    local name=$1
    shift
    echo "$name ..." >&2
    /usr/bin/time -f "%e %M" -o "$work/step.time" "$prokus" --db "$db" --memory-limit "$limit" "$@" \
        >"$work/$name.out" 2>&1 || { cat "$work/$name.out" >&2; exit 1; }
    echo "$run $name $(cat "$work/step.time")" >>"$work/steps"
}
for run in $(seq "$runs"); do
    echo "run $run/$runs" >&2
    rm -rf "$db" "$db.wal" "$db.tmp" "$db.figures" "$work/reports"
    step ingest ingest "$data/incubators.csv" "$data/kpm_register.csv" "$export_csv"
    step indicators indicators --format parquet --output "$work/indicators.parquet"
    step check check --output "$work/findings.csv"
    # The three audiences in one run: what they print is computed once.
    step report report --audience national,dashboard,province --out "$work/reports"
    rm -f "$work/raw.duckdb" "$work/raw.duckdb.wal"
    /usr/bin/time -f "%e %M" -a -o "$work/read_csv.times" "$baseline" "$work/raw.duckdb" \
        "$data/incubators.csv" "$data/kpm_register.csv" "$export_csv" >/dev/null
done

rows=$(grep -E "^$(basename "$export_csv")" "$work/ingest.out" | awk '{ print $3 }')
echo
echo "$households households; export $(basename "$export_csv"): $(du -m "$export_csv" | cut -f1) MB, $rows rows; --memory-limit $limit; median of $runs run(s)"
for name in ingest indicators check report; do
    wall=$(awk -v n="$name" '$2 == n { print $3 }' "$work/steps" | median)
    peak=$(awk -v n="$name" '$2 == n { print $4 }' "$work/steps" | sort -n | tail -n 1)
    printf "%-22s %9.1f s %9.0f MB\n" "$name" "$wall" "$((peak / 1024))"
done
totals=$(awk '{ t[$1] += $3 } END { for (r in t) print r, t[r] }' "$work/steps" | sort -n | awk '{ printf "%s%.1f", sep, $2; sep = ", " }')
total=$(awk '{ t[$1] += $3 } END { for (r in t) print t[r] }' "$work/steps" | median)
peak=$(awk '{ print $4 }' "$work/steps" | sort -n | tail -n 1)
printf "%-22s %9.1f s %9.0f MB (peak of any step); each run: %s s\n" "total" "$total" "$((peak / 1024))" "$totals"
rs=$(cut -d' ' -f1 "$work/read_csv.times" | median)
rm=$(cut -d' ' -f2 "$work/read_csv.times" | sort -n | tail -n 1)
awk -v s="$rs" -v m="$rm" 'BEGIN { printf "%-22s %9.1f s %9.0f MB  (DuckDB read_csv of the three files ingested, the alternative to ingest)\n", "read_csv", s, m / 1024 }'
pdfs=$(find "$work/reports" -name '*.pdf' | wc -l)
echo "PDFs: $pdfs"
