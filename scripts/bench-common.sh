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

cargo build --workspace --bins --examples --quiet
prokus="$target/debug/prokus"

# The median of the numbers on standard input, one per line.
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
