# Shared by the bench-*.sh scripts (sourced, from the project's root): builds
# the binaries, installs GNU time if missing, and sets `target`, `prokus` and
# the `median` function.

# Wherever cargo builds (CARGO_TARGET_DIR, a config's target-dir, or target/).
target=$(cargo metadata --format-version 1 --no-deps | sed -E 's/.*"target_directory":"([^"]*)".*/\1/')

if [ ! -x /usr/bin/time ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq time >/dev/null
fi

# The binary as `cargo build` makes it, then the examples (read_csv_baseline)
# apart: built together, the examples' dev-dependencies (proptest) would turn
# on features of shared crates (tempfile, getrandom) for the binary too, and
# the benchmarks would time another binary than the one users build.
cargo build --workspace --bins --quiet
cargo build --workspace --examples --quiet
prokus="$target/debug/prokus"

# The median of the numbers on standard input, one per line.
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# sample_db DATA DB [SAMPLE-FLAGS...]: a sample written into DATA (once; the
# flags go to `prokus sample`, e.g. --households N --nationwide) and DB, a
# database of its incubators, register and biggest export (the cumulative one),
# built once under a temporary name so an interrupted build is not reused.
sample_db() {
    local data=$1 db=$2
    shift 2
    [ -f "$db" ] && return
    mkdir -p "$(dirname "$db")"
    if [ ! -f "$data/kpm_register.csv" ]; then
        echo "writing a sample ($*) into $data ..." >&2
        "$prokus" sample "$@" --out "$data" >/dev/null
    fi
    local export_csv
    export_csv=$(ls -S "$data"/prokus_monitoring_*.csv | sed -n 1p)
    rm -f "$db.tmp" "$db.tmp.wal"
    "$prokus" ingest --db "$db.tmp" "$data/incubators.csv" "$data/kpm_register.csv" "$export_csv" >&2
    mv "$db.tmp" "$db"
}

# template_data DIR HOUSEHOLDS: the outside canonical template of HOUSEHOLDS
# households (its incubator list and template-2022.csv, written by Python:
# scripts/template-fixture.py) in DIR, written the first time.
template_data() {
    local dir=$1 households=$2
    [ -f "$dir/template-2022.csv" ] && return
    echo "writing the template ($households households) into $dir ..." >&2
    python3 scripts/template-fixture.py "$dir" "$households"
}

# kobo_data DIR HOUSEHOLDS BASE: the own sample of HOUSEHOLDS households in
# DIR (written the first time), `export_csv` set to its biggest Kobo CSV
# export (the cumulative one, after the endline), and BASE a new database
# holding its incubators and register, into a copy of which the export is
# ingested (bench-ingest.sh, `ONLY=kobo` bench-ab.sh).
kobo_data() {
    local dir=$1 households=$2 base=$3
    if [ ! -f "$dir/kpm_register.csv" ]; then
        echo "writing a sample of $households households into $dir ..." >&2
        "$prokus" sample --households "$households" --out "$dir" >/dev/null
    fi
    export_csv=$(ls -S "$dir"/prokus_monitoring_*.csv | sed -n 1p)
    rm -f "$base" "$base.wal"
    "$prokus" ingest --db "$base" "$dir/incubators.csv" "$dir/kpm_register.csv" >/dev/null
}

# nationwide_db: the nationwide sample that bench-reports.sh, bench-rerun.sh
# and bench-duckdb.sh share, HOUSEHOLDS households (200,000 unless set) under
# BENCH_DIR (/tmp/prokus-bench-reports unless set), written the first time;
# sets `households`, `work`, `data` and `db`.
nationwide_db() {
    households=${HOUSEHOLDS:-200000}
    work=${BENCH_DIR:-/tmp/prokus-bench-reports}
    data="$work/data-$households"
    db="$work/db-$households.duckdb"
    sample_db "$data" "$db" --nationwide --households "$households"
}
