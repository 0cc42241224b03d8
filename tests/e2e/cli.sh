#!/usr/bin/env bash
# The CLI conventions: --version, help, per-command help with an example, exit 2 on usage errors,
# and exactly one JSON document on stdout with --json.
source "$(dirname "$0")/lib.sh"

run_helios --version
expect_rc 0 --version
expect_contains "$OUT" "helios 0."

run_helios --version --json
expect_rc 0 "--version --json"
expect_json '.version | test("^[0-9]+\\.[0-9]+\\.[0-9]+")'
expect_schema version

run_helios help
expect_rc 0 help
expect_contains "$OUT" "Exit codes"

run_helios no-such-command
expect_rc 2 "unknown command"
expect_contains "$ERR" "helios: error:"

run_helios no-such-command --json
expect_rc 2 "unknown command --json"
expect_json '.error.code == "usage" and (.error.message | length > 0) and .error.exit_code == 2'
expect_schema error

run_helios help no-such-command
expect_rc 2 "help of an unknown command"

# Every command's help carries an example.
for cmd in $("$HELIOS" help | awk '/^Subcommands:/{on=1; next} on && !NF {exit} on {print $1}'); do
  run_helios "$cmd" --help
  expect_rc 0 "$cmd --help"
  expect_contains "$OUT" "Example" "$cmd --help"
done

finish
