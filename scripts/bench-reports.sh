#!/usr/bin/env bash
# Report batch benchmark: `prokus report --audience all` (national report,
# dashboard, every province, regency and incubator) over a nationwide sample,
# RUNS times; prints the median wall time of the whole command, the time
# until its first PDF is written (the earliest PDF's modification time after
# the start), the number of PDFs and the peak memory (RSS). Then the incubator reports once more, one
# at a time (RAYON_NUM_THREADS=1: no other report shares the processors), for
# the median time per incubator PDF (from `--timings`).
#
#   scripts/bench-reports.sh               # 200,000 households, every regency
#   HOUSEHOLDS=20000 RUNS=1 scripts/bench-reports.sh
#
# The sample and its database are written once into BENCH_DIR (default
# /tmp/prokus-bench-reports) and reused by later runs.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-3}
# shellcheck source=scripts/bench-common.sh
. scripts/bench-common.sh

nationwide_db

: >"$work/report.times"
: >"$work/pdf.ms"
: >"$work/first.s"
for i in $(seq "$runs"); do
    # A first run: no PDFs and no figures kept from the last.
    rm -rf "$work/reports" "$db.figures"
    started=$(date +%s.%N)
    /usr/bin/time -f "%e %M" -a -o "$work/report.times" \
        "$prokus" --db "$db" report --audience all --out "$work/reports" \
        --timings "$work/timings.csv" >"$work/report.out" 2>&1 ||
        { cat "$work/report.out" >&2; exit 1; }
    awk -F, 'NR > 1 { print $3 }' "$work/timings.csv" >>"$work/pdf.ms"
    # awk reads to the end: `head` would leave sort writing into a closed
    # pipe, which pipefail turns into the script's failure (exit 141).
    find "$work/reports" -name '*.pdf' -printf '%T@\n' | sort -n |
        awk -v s="$started" 'NR == 1 { printf "%.2f\n", $1 - s }' >>"$work/first.s"
    echo "run $i/$runs done" >&2
done
pdfs=$(find "$work/reports" -name '*.pdf' | wc -l)
rm -rf "$work/incubators" "$db.figures"
RAYON_NUM_THREADS=1 "$prokus" --db "$db" report --audience incubator --out "$work/incubators" \
    --timings "$work/incubator-timings.csv" >"$work/report.out" 2>&1 ||
    { cat "$work/report.out" >&2; exit 1; }
awk -F, 'NR > 1 { print $3 }' "$work/incubator-timings.csv" >"$work/incubator.ms"

wall=$(cut -d' ' -f1 "$work/report.times" | median)
peak=$(cut -d' ' -f2 "$work/report.times" | sort -n | tail -n 1)
incubator=$(median <"$work/incubator.ms")
first=$(median <"$work/first.s")
per_pdf=$(median <"$work/pdf.ms")
echo
echo "database: $db"
echo "all runs (s KB): $(tr '\n' ';' <"$work/report.times")"
awk -v w="$wall" -v m="$peak" -v n="$runs" -v p="$pdfs" -v inc="$incubator" -v all="$per_pdf" -v f="$first" 'BEGIN {
    printf "prokus report --audience all, median of %d runs: %.2f s for %d PDFs, peak RSS %.0f MB; the first PDF after %.2f s\n", n, w, p, m / 1024, f
    printf "median time per PDF: incubator %.0f ms one at a time; all PDFs %.0f ms each on its worker in the batch (two at once)\n", inc, all
}'
