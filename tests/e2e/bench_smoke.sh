#!/usr/bin/env bash
# Smoke version of bench/rotate: small, and checked for exactness, not for time.
source "$(dirname "$0")/lib.sh"

B="$HELIOS_BUILD_DIR/bench"
[ -x "$B/bench_rotate" ] || { echo "bench_rotate not built"; exit 1; }
OUT=$("$B/bench_rotate" "$HELIOS" --agents 4 --calls 15 --quota 40 --runs 3 2>&1); RC=$?
expect_rc 0 "bench_rotate smoke"
expect_contains "$OUT" "ledger rows: 100"
expect_contains "$OUT" "granted 40, exit 4 20, other errors 0, ledger 40"
finish
