#!/usr/bin/env bash
# DuckDB build benchmark: the statistics query of `prokus indicators` (the
# heaviest query of the report runs' kind) over bench-reports.sh's
# nationwide sample, through the DuckDB this project compiles
# (libduckdb-sys, bundled, built by `cc`) and through DuckDB's own Python
# wheel of the same version, in turn, RUNS times each, on the same copy of
# the database and the same SQL text. Prints each side's median query time
# and the CPU-seconds of each side's whole process (the KPM values' setup
# and every run), and their ratio.
#
# The SQL is the query prokus itself ran, taken from its trace log
# (PROKUS_LOG=prokus_metrics=trace); the setup is queries/metrics/kpm_value.sql
# and an empty winsor_cut table (no winsorising), as prokus runs them.
# Both sides write the result into a temporary table, so neither converts
# rows for its caller. The wheel (duckdb on PyPI, of the version this
# project's DuckDB reports) is installed into a virtual environment under
# BENCH_DIR if python3 (or PYTHON) lacks it.
#
#   scripts/bench-duckdb.sh                  # 200,000 households, 3 runs
#   HOUSEHOLDS=20000 RUNS=5 scripts/bench-duckdb.sh
#   PYTHON=/path/to/venv/bin/python scripts/bench-duckdb.sh
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-3}
# shellcheck source=scripts/bench-common.sh
. scripts/bench-common.sh

nationwide_db

duckdb_version=$("$target/debug/examples/query_timing" --version)
python=${PYTHON:-python3}
if [ "$("$python" -c 'import duckdb; print(duckdb.__version__)' 2>/dev/null)" != "$duckdb_version" ]; then
    if [ ! -x "$work/venv-duckdb/bin/python" ]; then
        echo "installing duckdb into $work/venv-duckdb ..." >&2
        python3 -m venv "$work/venv-duckdb"
        "$work/venv-duckdb/bin/pip" install -q "duckdb==$duckdb_version"
    fi
    python="$work/venv-duckdb/bin/python"
fi

copy="$work/duckdb-bench.duckdb"
# Without figures kept from an earlier run, the indicators are computed and
# their query is logged.
rm -rf "$copy" "$copy.wal" "$copy.figures"
cp "$db" "$copy"
# The query as prokus runs it: its trace line, to the next log line.
PROKUS_LOG=prokus_metrics=trace "$prokus" --db "$copy" indicators --format csv \
    --output "$work/duckdb-bench.csv" 2>"$work/duckdb-bench.log" >/dev/null
awk '/indicator statistics query sql=/ { sub(/.*indicator statistics query sql=/, ""); on = 1 }
     on && /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T/ { exit }
     on { print }' "$work/duckdb-bench.log" >"$work/duckdb-bench-query.sql"
[ -s "$work/duckdb-bench-query.sql" ] || { echo "no statistics query in $work/duckdb-bench.log" >&2; exit 1; }
{
    cat queries/metrics/kpm_value.sql
    echo ';'
    echo 'CREATE OR REPLACE TEMP TABLE winsor_cut (variable VARCHAR, period VARCHAR, lo DOUBLE, hi DOUBLE);'
} >"$work/duckdb-bench-setup.sql"

: >"$work/duckdb-bench-rust.ms"
: >"$work/duckdb-bench-python.ms"
: >"$work/duckdb-bench.cpu"
for i in $(seq "$runs"); do
    /usr/bin/time -f "rust %U %S" -a -o "$work/duckdb-bench.cpu" \
        "$target/debug/examples/query_timing" "$copy" "$work/duckdb-bench-setup.sql" \
        "$work/duckdb-bench-query.sql" 1 >>"$work/duckdb-bench-rust.ms"
    /usr/bin/time -f "python %U %S" -a -o "$work/duckdb-bench.cpu" \
        "$python" - "$copy" "$work/duckdb-bench-setup.sql" "$work/duckdb-bench-query.sql" \
        >>"$work/duckdb-bench-python.ms" <<'PY'
import sys, time, duckdb
db, setup, query = sys.argv[1:4]
c = duckdb.connect(db)
c.execute("SET threads = 2")
c.execute("SET memory_limit = '1GB'")
c.execute(open(setup).read())
sql = "CREATE OR REPLACE TEMP TABLE timed AS " + open(query).read()
started = time.perf_counter()
c.execute(sql)
print(round((time.perf_counter() - started) * 1000))
PY
    echo "run $i/$runs done" >&2
done

rust_ms=$(median <"$work/duckdb-bench-rust.ms")
python_ms=$(median <"$work/duckdb-bench-python.ms")
rust_cpu=$(awk '$1 == "rust" { print $2 + $3 }' "$work/duckdb-bench.cpu" | median)
python_cpu=$(awk '$1 == "python" { print $2 + $3 }' "$work/duckdb-bench.cpu" | median)
echo
echo "database: $db (a copy); query: $work/duckdb-bench-query.sql ($(wc -c <"$work/duckdb-bench-query.sql") bytes)"
echo "DuckDB $duckdb_version, median of $runs runs each, in turn:"
printf '%-34s %8s ms  %6.2f CPU-s (whole process)\n' "this project's build (cc)" "$rust_ms" "$rust_cpu"
printf '%-34s %8s ms  %6.2f CPU-s (whole process)\n' "DuckDB's Python wheel" "$python_ms" "$python_cpu"
awk -v r="$rust_ms" -v p="$python_ms" 'BEGIN { printf "query time, this build / the wheel: %.2f\n", r / p }'
