#!/usr/bin/env bash
# A/B benchmark of two prokus binaries on the same machine, run in turn so
# that both see the same noise: `prokus demo` (the README's first command,
# 1,000 households) and `prokus report --audience all` over a nationwide
# sample (every regency: 618 PDFs). Prints the median wall time and peak
# memory of each, and the ratio new/old.
#
#   git worktree add /tmp/old-tree <commit>      # then, from that tree:
#   CARGO_TARGET_DIR=<same target dir> cargo build --workspace --bins
#   cp <target>/debug/prokus /tmp/prokus-old
#   git worktree remove /tmp/old-tree
#   find crates tests -name '*.rs' -exec touch {} +   # in this tree: see below
#   scripts/bench-ab.sh /tmp/prokus-old          # new = this tree's build
#
# The touch matters: cargo gives the project's crates of both trees the same
# build, and judges it fresh by the files' times, so a crate whose files
# here are older than the old tree's checkout would keep the old code.
#
#   RUNS=5 HOUSEHOLDS=20000 scripts/bench-ab.sh /tmp/prokus-old
#   ONLY=demo RUNS=9 scripts/bench-ab.sh /tmp/prokus-old   # or ONLY=batch
#
# ONLY=template times instead the ingest of bench-template.sh's outside
# template (its incubator list and its 200,000 households, written by
# scripts/template-fixture.py into that script's BENCH_DIR the first time)
# into a new database, old and new in turn, and DuckDB's read_csv of the
# same two files (examples/read_csv_baseline.rs) after each pair:
#
#   ONLY=template RUNS=9 scripts/bench-ab.sh /tmp/prokus-old
#
# ONLY=kobo does the same for bench-ingest.sh's Kobo CSV export (its
# INGEST_HOUSEHOLDS, 250,000 by default, written into that script's
# BENCH_DIR, /tmp/prokus-bench-ingest, the first time): the export ingested
# alone into a copy of a database holding its incubators and register, as
# that script does, old and new in turn, then read_csv of the export.
#
#   ONLY=kobo RUNS=5 scripts/bench-ab.sh /tmp/prokus-old
#
# The sample and its database are written once into BENCH_DIR (default
# /tmp/prokus-bench-reports, shared with bench-reports.sh) and reused.
set -euo pipefail
cd "$(dirname "$0")/.."

old=${1:?usage: scripts/bench-ab.sh OLD-PROKUS [NEW-PROKUS]}
households=${HOUSEHOLDS:-200000}
only=${ONLY:-}
runs=${RUNS:-3}
work=${BENCH_DIR:-/tmp/prokus-bench-reports}
# shellcheck source=scripts/bench-common.sh
. scripts/bench-common.sh
new=${2:-$prokus}

data="$work/data-$households"
db="$work/db-$households.duckdb"
mkdir -p "$work"
if [ "$only" = template ]; then
    template_dir=${TEMPLATE_DIR:-/tmp/prokus-bench-template}/data-$households
    template_data "$template_dir" "$households"
elif [ "$only" = kobo ]; then
    kobo_households=${INGEST_HOUSEHOLDS:-250000}
    kobo_data "${INGEST_DIR:-/tmp/prokus-bench-ingest}/data-$kobo_households" "$kobo_households" \
        "$work/ab-kobo-base.duckdb"
else
    sample_db "$data" "$db" --nationwide --households "$households"
fi

# run NAME BINARY ARGS...: one timed run appended to $work/ab-NAME.times.
run() {
    local name=$1 bin=$2
    shift 2
    /usr/bin/time -f "%e %M" -a -o "$work/ab-$name.times" "$bin" "$@" >/dev/null 2>&1
}
for name in demo-old demo-new batch-old batch-new template-old template-new template-read_csv \
    kobo-old kobo-new kobo-read_csv; do
    : >"$work/ab-$name.times"
done
for i in $(seq "$runs"); do
    if [ "$only" = template ]; then
        for side in old new; do
            bin=$old
            [ "$side" = new ] && bin=$new
            rm -f "$work/ab-template.duckdb" "$work/ab-template.duckdb.wal"
            run "template-$side" "$bin" --db "$work/ab-template.duckdb" ingest \
                "$template_dir/incubators.csv" "$template_dir/template-2022.csv"
        done
        rm -f "$work/ab-raw.duckdb" "$work/ab-raw.duckdb.wal"
        run template-read_csv "$target/debug/examples/read_csv_baseline" "$work/ab-raw.duckdb" \
            "$template_dir/incubators.csv" "$template_dir/template-2022.csv"
        echo "round $i/$runs done" >&2
        continue
    fi
    if [ "$only" = kobo ]; then
        for side in old new; do
            bin=$old
            [ "$side" = new ] && bin=$new
            cp "$work/ab-kobo-base.duckdb" "$work/ab-kobo.duckdb"
            rm -f "$work/ab-kobo.duckdb.wal"
            run "kobo-$side" "$bin" --db "$work/ab-kobo.duckdb" ingest "$export_csv"
        done
        rm -f "$work/ab-raw.duckdb" "$work/ab-raw.duckdb.wal"
        run kobo-read_csv "$target/debug/examples/read_csv_baseline" "$work/ab-raw.duckdb" "$export_csv"
        echo "round $i/$runs done" >&2
        continue
    fi
    for side in old new; do
        bin=$old
        [ "$side" = new ] && bin=$new
        if [ "$only" != batch ]; then
            rm -rf "$work/ab-demo"
            (cd "$work" && run "demo-$side" "$bin" demo --out "$work/ab-demo")
        fi
        if [ "$only" != demo ]; then
            # A first run: no PDFs and no figures kept from the last.
            rm -rf "$work/ab-reports" "$db.figures"
            run "batch-$side" "$bin" --db "$db" report --audience all --out "$work/ab-reports"
        fi
    done
    echo "round $i/$runs done" >&2
done
if [ "$only" = template ] || [ "$only" = kobo ]; then
    echo
    o=$(cut -d' ' -f1 "$work/ab-$only-old.times" | median)
    n=$(cut -d' ' -f1 "$work/ab-$only-new.times" | median)
    r=$(cut -d' ' -f1 "$work/ab-$only-read_csv.times" | median)
    what="the outside template ($households households)"
    [ "$only" = kobo ] && what="the Kobo export $(basename "$export_csv") ($kobo_households households)"
    awk -v o="$o" -v n="$n" -v r="$r" -v runs="$runs" -v w="$what" 'BEGIN {
        printf "ingest of %s, medians of %d runs each, in turn:\n", w, runs
        printf "  old %.2f s   new %.2f s   new/old %.3f\n", o, n, n / o
        printf "  DuckDB read_csv %.2f s: old %.3fx, new %.3fx its speed\n", r, r / o, r / n
    }'
    exit 0
fi
# No reports folder with ONLY=demo: find fails, which must not end the script.
pdfs=$(find "$work/ab-reports" -name '*.pdf' 2>/dev/null | wc -l || true)

echo
for what in demo batch; do
    [ -s "$work/ab-$what-old.times" ] || continue
    o=$(cut -d' ' -f1 "$work/ab-$what-old.times" | median)
    n=$(cut -d' ' -f1 "$work/ab-$what-new.times" | median)
    om=$(cut -d' ' -f2 "$work/ab-$what-old.times" | median)
    nm=$(cut -d' ' -f2 "$work/ab-$what-new.times" | median)
    label="prokus demo (1,000 households)"
    [ "$what" = batch ] && label="report --audience all, $households households, $pdfs PDFs"
    awk -v l="$label" -v o="$o" -v n="$n" -v om="$om" -v nm="$nm" -v r="$runs" 'BEGIN {
        printf "%s, medians of %d runs each, in turn:\n  old %.2f s, %.0f MB   new %.2f s, %.0f MB   new/old %.2f\n", l, r, o, om / 1024, n, nm / 1024, n / o
    }'
done
