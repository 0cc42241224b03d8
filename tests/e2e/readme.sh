#!/usr/bin/env bash
# .ci/run calls the README's test command word for word.
source "$(dirname "$0")/lib.sh"
readme_cmd=$(grep -A4 "^Run the tests" "$HELIOS_SOURCE_DIR/README.md" | grep -m1 '^scripts/bootstrap' || true)
ci_cmd=$(grep -m1 '^scripts/bootstrap' "$HELIOS_SOURCE_DIR/.ci/run" || true)
if [ -z "$readme_cmd" ] || [ "$readme_cmd" != "$ci_cmd" ]; then
  fail "README test command '$readme_cmd' differs from .ci/run's '$ci_cmd'"
else
  pass
fi
finish
