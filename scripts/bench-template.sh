#!/usr/bin/env bash
# End-to-end benchmark on data prokus did not write: a canonical template of
# HOUSEHOLDS households (2022 cohort, five waves, ~1M rows at 200,000) filled
# with only the template's own columns (scripts/template-fixture.py), loaded
# into a database without targets or a calendar, as a new user would.
# Times `prokus ingest`, `prokus check` and `prokus report --audience all`
# (median of RUNS each, with peak RSS) and counts the findings by kind; the
# end-to-end figure is the three together (the report run reads back the
# findings the check kept). Then the report run again alone, as a user who
# wants only the PDFs runs it after the ingest (nothing kept: it checks
# the data itself), for the second end-to-end figure, ingest + PDFs.
#
# Beside them, in turn in the same loop so that both see the same noise, the
# two alternatives: DuckDB's own `read_csv` of the two files ingested (the
# incubator list and the template) into tables of a database file
# (examples/read_csv_baseline.rs, the same DuckDB build), for the ingest;
# and the pandas + matplotlib script an M&E officer would write
# (scripts/alt-pandas-template.py: a few indicators by wave, one simple
# 2-page PDF per area and incubator, 2 processes), for ingest + every PDF.
# pandas and matplotlib are installed into a virtual environment under
# BENCH_DIR when python3 lacks them.
#
#   scripts/bench-template.sh                    # 200,000 households
#   HOUSEHOLDS=20000 RUNS=1 scripts/bench-template.sh
set -euo pipefail
cd "$(dirname "$0")/.."

households=${HOUSEHOLDS:-200000}
runs=${RUNS:-3}
work=${BENCH_DIR:-/tmp/prokus-bench-template}
# shellcheck source=scripts/bench-common.sh
. scripts/bench-common.sh

data="$work/data-$households"
template_data "$data" "$households"
python=python3
if ! python3 -c 'import pandas, matplotlib' 2>/dev/null; then
    if [ ! -x "$work/venv/bin/python" ]; then
        echo "installing pandas and matplotlib into $work/venv ..." >&2
        python3 -m venv "$work/venv"
        "$work/venv/bin/pip" install -q pandas matplotlib
    fi
    python="$work/venv/bin/python"
fi
baseline="$target/debug/examples/read_csv_baseline"
db="$work/db.duckdb"
for step in ingest check report alone read_csv pandas; do : >"$work/$step.times"; done
for i in $(seq "$runs"); do
    rm -f "$db" "$db.wal"
    rm -rf "$db.figures"
    /usr/bin/time -f "%e %M" -a -o "$work/ingest.times" \
        "$prokus" --db "$db" ingest "$data/incubators.csv" "$data/template-2022.csv" >"$work/ingest.out" 2>&1
    /usr/bin/time -f "%e %M" -a -o "$work/check.times" \
        "$prokus" --db "$db" check --output "$work/findings.csv" >"$work/check.out" 2>&1
    rm -rf "$work/reports"
    /usr/bin/time -f "%e %M" -a -o "$work/report.times" \
        "$prokus" --db "$db" report --audience all --out "$work/reports" >"$work/report.out" 2>&1
    rm -rf "$work/alone" "$db.figures"
    /usr/bin/time -f "%e %M" -a -o "$work/alone.times" \
        "$prokus" --db "$db" report --audience all --out "$work/alone" >"$work/alone.out" 2>&1
    rm -f "$work/raw.duckdb" "$work/raw.duckdb.wal"
    /usr/bin/time -f "%e %M" -a -o "$work/read_csv.times" \
        "$baseline" "$work/raw.duckdb" "$data/incubators.csv" "$data/template-2022.csv" >/dev/null
    rm -rf "$work/pandas-reports"
    /usr/bin/time -f "%e %M" -a -o "$work/pandas.times" \
        "$python" scripts/alt-pandas-template.py "$data/template-2022.csv" "$data/incubators.csv" \
        "$work/pandas-reports" >"$work/pandas.out" 2>&1
    echo "run $i/$runs done" >&2
done
pdfs=$(find "$work/reports" -name '*.pdf' | wc -l)

echo
cat "$work/ingest.out"
echo
cat "$work/check.out"
echo
echo "findings by kind (from $work/findings.csv):"
python3 - "$work/findings.csv" <<'PY'
import csv, collections, sys
with open(sys.argv[1], newline="") as f:
    rows = csv.DictReader(f)
    kinds = collections.Counter(r["check"] for r in rows)
for kind, n in kinds.most_common():
    print(f"  {kind:<24} {n:>9}")
print(f"  {'total':<24} {sum(kinds.values()):>9}")
PY
for step in ingest check report alone read_csv pandas; do
    wall=$(cut -d' ' -f1 "$work/$step.times" | median)
    peak=$(cut -d' ' -f2 "$work/$step.times" | sort -n | tail -n 1)
    name="prokus $step"
    [ "$step" = alone ] && name="prokus report, alone"
    [ "$step" = read_csv ] && name="DuckDB read_csv"
    [ "$step" = pandas ] && name="pandas+matplotlib"
    awk -v s="$name" -v w="$wall" -v m="$peak" -v n="$runs" 'BEGIN {
        printf "%-22s median of %d runs: %7.2f s, peak RSS %6.0f MB\n", s, n, w, m / 1024 }'
done
echo "PDFs written: prokus $pdfs; pandas: $(tail -n 1 "$work/pandas.out")"
# Ingest + check + every PDF, per run, then the median; and the ratios. The
# check counts: the report run reads back the findings it kept.
end_to_end=$(paste -d' ' "$work/ingest.times" "$work/check.times" "$work/report.times" |
    awk '{ print $1 + $3 + $5 }' | median)
end_to_end_peak=$(cat "$work/ingest.times" "$work/check.times" "$work/report.times" | cut -d' ' -f2 | sort -n | tail -n 1)
# Ingest + every PDF, the report run checking the data itself.
ingest_pdfs=$(paste -d' ' "$work/ingest.times" "$work/alone.times" | awk '{ print $1 + $3 }' | median)
ingest_pdfs_peak=$(cat "$work/ingest.times" "$work/alone.times" | cut -d' ' -f2 | sort -n | tail -n 1)
ingest=$(cut -d' ' -f1 "$work/ingest.times" | median)
read_csv=$(cut -d' ' -f1 "$work/read_csv.times" | median)
pandas=$(cut -d' ' -f1 "$work/pandas.times" | median)
awk -v e="$end_to_end" -v m="$end_to_end_peak" -v p="$pandas" -v i="$ingest" -v r="$read_csv" \
    -v a="$ingest_pdfs" -v am="$ingest_pdfs_peak" 'BEGIN {
    printf "\ningest + check + every PDF: prokus %.2f s (peak %.0f MB), pandas %.2f s: prokus is %.2fx the speed of pandas\n", e, m / 1024, p, p / e
    printf "ingest + every PDF (the report run checking): prokus %.2f s (peak %.0f MB): %.2fx the speed of pandas\n", a, am / 1024, p / a
    printf "ingest: prokus %.2f s, DuckDB read_csv %.2f s: prokus is %.2fx the speed of read_csv\n", i, r, r / i
}'
