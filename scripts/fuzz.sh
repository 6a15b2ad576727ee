#!/usr/bin/env bash
# The property tests of the readers of user input (crates/prokus-ingest/tests/fuzz.rs)
# over many more cases than the test run tries: CASES per target (default
# 1,000,000; each target takes minutes at that count). Prints each target's
# result; a failure shows the smallest input that breaks it.
set -euo pipefail
cd "$(dirname "$0")/.."
cases="${1:-1000000}"
start=$(date +%s)
PROPTEST_CASES="$cases" cargo test --workspace --test fuzz -- --test-threads 2 2>&1 | grep -E "^test |test result"
echo "fuzz: $cases cases per target in $(( $(date +%s) - start )) s"
