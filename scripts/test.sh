#!/usr/bin/env bash
# Runs every test of the workspace. The end-to-end test reads the PDFs it makes
# with poppler's pdftotext and checks them with qpdf: this installs both from
# Debian's packages when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v pdftotext >/dev/null 2>&1 || ! command -v qpdf >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "installing poppler-utils and qpdf (used by the end-to-end test)..." >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq poppler-utils qpdf >/dev/null
fi

# Formatting is checked first: it takes a second and CI would reject it anyway.
cargo fmt --all -- --check

# The lints and the documentation, as the README asks of every change: any
# warning fails the run. They share the build of the dependencies with the
# tests below (clippy and rustdoc only check, they do not compile DuckDB again).
cargo clippy --workspace --all-targets --quiet -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet

# Every test target of every crate (the crates have no doc tests), then one
# closing line that adds up all the test binaries' results.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace --all-targets "$@" 2>&1 | tee "$log"
awk '/^test result:/ { for (i = 1; i < NF; i++) { if ($(i + 1) ~ /^passed/) p += $i; if ($(i + 1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
