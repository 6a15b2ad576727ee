#!/usr/bin/env bash
# Re-runs of `prokus report --audience all` over the nationwide sample
# (200,000 households, 618 PDFs), against rendering every PDF again
# (`--force`), in turn in the same run: a re-run with nothing new loaded, and
# one after an incubator's corrected feedback sheet (which changes its report,
# its province's and the national one). Prints medians of wall time and peak
# memory, and how many PDFs each wrote and kept.
#
#   scripts/bench-rerun.sh                  # RUNS=3 HOUSEHOLDS=200000
#   RUNS=5 HOUSEHOLDS=20000 scripts/bench-rerun.sh
#
# The sample and its database are those of bench-reports.sh (BENCH_DIR,
# default /tmp/prokus-bench-reports); the runs use a copy of the database.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-3}
# shellcheck source=scripts/bench-common.sh
. scripts/bench-common.sh

nationwide_db
copy="$work/rerun-$households.duckdb"
out="$work/rerun-reports"
rm -rf "$copy" "$copy.wal" "$copy.figures"
cp "$db" "$copy"
incubator=$(sed -n 2p "$data/incubators.csv" | cut -d, -f1)

# run NAME ARGS...: one timed report run; its time and memory appended to
# $work/rerun-NAME.times, its summary line to $work/rerun-NAME.said.
run() {
    local name=$1
    shift
    /usr/bin/time -f "%e %M" -a -o "$work/rerun-$name.times" \
        "$prokus" --db "$copy" report --audience all --out "$out" "$@" 2>/dev/null |
        tail -n 1 >>"$work/rerun-$name.said"
}
for name in force same corrected; do : >"$work/rerun-$name.times"; : >"$work/rerun-$name.said"; done
rm -rf "$out"
"$prokus" --db "$copy" report --audience all --out "$out" >"$work/rerun.out" 2>&1 ||
    { cat "$work/rerun.out" >&2; exit 1; }
for i in $(seq "$runs"); do
    run force --force
    run same
    # The incubator sends its quarter's feedback again, worded anew.
    sheet="$work/rerun-feedback-$i.csv"
    printf 'period,incubator_id,kind,actor,text\n2021-Q3,%s,obstacle,tksk,Koreksi %s: kunjungan TKSK belum terjadwal\n' \
        "$incubator" "$i" >"$sheet"
    "$prokus" --db "$copy" ingest "$sheet" >"$work/rerun.out" 2>&1 ||
        { cat "$work/rerun.out" >&2; exit 1; }
    run corrected
    echo "round $i/$runs done" >&2
done

echo
for name in force same corrected; do
    t=$(cut -d' ' -f1 "$work/rerun-$name.times" | median)
    m=$(cut -d' ' -f2 "$work/rerun-$name.times" | median)
    said=$(tail -n 1 "$work/rerun-$name.said")
    label="every PDF rendered again (--force)"
    [ "$name" = same ] && label="re-run, nothing new loaded"
    [ "$name" = corrected ] && label="re-run after one incubator's corrected feedback sheet"
    awk -v l="$label" -v t="$t" -v m="$m" -v r="$runs" -v s="$said" 'BEGIN {
        printf "%s, median of %d runs: %.2f s, %.0f MB\n  %s\n", l, r, t, m / 1024, s
    }'
done
