#!/usr/bin/env bash
# End-to-end benchmark on data prokus did not write: a canonical template of
# HOUSEHOLDS households (2022 cohort, five waves, ~1M rows at 200,000) filled
# with only the template's own columns (scripts/template-fixture.py), loaded
# into a database without targets or a calendar, as a new user would.
# Times `prokus ingest`, `prokus check` and `prokus report --audience all`
# (median of RUNS each, with peak RSS) and counts the findings by kind.
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
if [ ! -f "$data/template-2022.csv" ]; then
    echo "writing the template ($households households) into $data ..." >&2
    python3 scripts/template-fixture.py "$data" "$households"
fi
db="$work/db.duckdb"
: >"$work/ingest.times"
: >"$work/check.times"
: >"$work/report.times"
for i in $(seq "$runs"); do
    rm -f "$db" "$db.wal"
    /usr/bin/time -f "%e %M" -a -o "$work/ingest.times" \
        "$prokus" --db "$db" ingest "$data/incubators.csv" "$data/template-2022.csv" >"$work/ingest.out" 2>&1
    /usr/bin/time -f "%e %M" -a -o "$work/check.times" \
        "$prokus" --db "$db" check --output "$work/findings.csv" >"$work/check.out" 2>&1
    rm -rf "$work/reports"
    /usr/bin/time -f "%e %M" -a -o "$work/report.times" \
        "$prokus" --db "$db" report --audience all --out "$work/reports" >"$work/report.out" 2>&1
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
for step in ingest check report; do
    wall=$(cut -d' ' -f1 "$work/$step.times" | median)
    peak=$(cut -d' ' -f2 "$work/$step.times" | sort -n | tail -n 1)
    awk -v s="$step" -v w="$wall" -v m="$peak" -v n="$runs" 'BEGIN {
        printf "prokus %-7s median of %d runs: %7.2f s, peak RSS %6.0f MB\n", s, n, w, m / 1024 }'
done
echo "PDFs written: $pdfs"
