#!/usr/bin/env bash
# The README's main command, after its set-up and build part, runs as written: the placement of
# examples/hobby.yaml, then plan + apply of examples/local.yaml ending with a request that the web service
# answers. It runs on a copy of examples/ with the web port moved to a free one (tests run in parallel).
source "$(dirname "$0")/lib.sh"

line=$(grep -A3 "^On a fresh Debian 12 machine" "$HELIOS_SOURCE_DIR/README.md" | grep -m1 '^scripts/bootstrap' || true)
[ -n "$line" ] && pass || fail "no main command in the README"
tail_cmd=${line#*cmake --build build -j2 && }
[ "$tail_cmd" != "$line" ] && pass || fail "the main command does not build with 'cmake --build build -j2 && '"
expect_contains "$tail_cmd" "place -f examples/hobby.yaml" "main command places the example"
expect_contains "$tail_cmd" "apply -f examples/local.yaml" "main command applies the local example"

cp -r "$HELIOS_SOURCE_DIR/examples" examples
rm -rf examples/.helios
port=$(free_port)
grep -q 'port: 8080' examples/local.yaml && pass || fail "examples/local.yaml no longer uses port 8080"
sed -i "s/port: 8080/port: $port/" examples/local.yaml
mkdir -p build && ln -s "$HELIOS" build/helios
export HELIOS_LOCAL_ROOT="$TEST_TMP/local"
cleanup_hooks+=("'$HELIOS' -f '$TEST_TMP/examples/local.yaml' destroy >/dev/null 2>&1")

OUT=$(bash -c "${tail_cmd//8080/$port}" 2>"$TEST_TMP/err"); RC=$?; ERR=$(cat "$TEST_TMP/err")
expect_rc 0 "the README's main command"
expect_contains "$OUT" "monthly cost \$0" "placement at \$0"
expect_contains "$OUT" "3 to create" "the plan"
expect_contains "$OUT" "apply: 3 done, 0 failed, 0 not started" "the apply"
expect_contains "$OUT" "<html" "the web service answered"
[ -d examples/.helios ] && pass || fail "no state beside the manifest"

run_helios -f examples/local.yaml destroy
expect_rc 0 "destroy after the quick start"
[ -z "$(ls -A "$HELIOS_LOCAL_ROOT")" ] && pass || fail "left behind: $(ls "$HELIOS_LOCAL_ROOT")"
finish
