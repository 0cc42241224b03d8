#!/usr/bin/env bash
# The companion extension's pure logic (levels, formatting, threshold crossings), with node's test runner.
source "$(dirname "$0")/lib.sh"
if ! command -v node >/dev/null; then
  [ -n "${CI:-}" ] && fail "node is missing: scripts/bootstrap installs it"
  finish
fi
if node --test "$HELIOS_SOURCE_DIR/tests/js/" >"$TEST_TMP/node.out" 2>&1; then
  pass
else
  cat "$TEST_TMP/node.out" >&2
  fail "node --test tests/js failed"
fi
grep -E '^# (pass|fail)' "$TEST_TMP/node.out"
finish
