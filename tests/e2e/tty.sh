#!/usr/bin/env bash
# Human output on a terminal: apply shows progress with a bar and colour on a TTY (a pseudo-terminal from
# script(1)); piped, the same progress lines come without bar or escape codes; NO_COLOR turns colour off.
source "$(dirname "$0")/lib.sh"

export HELIOS_LOCAL_ROOT="$TEST_TMP/local"
cp "$HELIOS_SOURCE_DIR/examples/local.yaml" stack.yaml
port=$(free_port)
sed -i "s/port: 8080/port: $port/" stack.yaml
state="$TEST_TMP/state"
cleanup_hooks+=("'$HELIOS' --state '$state' -f '$TEST_TMP/stack.yaml' destroy >/dev/null 2>&1")
esc=$'\e['
# script(1) needs a pseudo-terminal (/dev/pts); a chroot or container without one cannot run this test.
if ! script -qec true /dev/null >/dev/null 2>&1; then
  echo "SKIP: script(1) cannot create a pseudo-terminal here ($(script -qec true /dev/null 2>&1 | head -n 1))"
  exit 125
fi

# On a TTY: a progress line per finished action, with a bar, and colour.
script -qec "'$HELIOS' --state '$state' -f stack.yaml apply" /dev/null > tty.out 2>&1
rc=$?
[ $rc -eq 0 ] && pass || fail "apply on a tty exited $rc: $(cat tty.out)"
grep -q "\[3/3\]" tty.out && pass || fail "no [3/3] progress line on the tty: $(cat tty.out)"
grep -q "█" tty.out && pass || fail "no progress bar on the tty"
grep -qF "$esc" tty.out && pass || fail "no colour on the tty"
grep -q "apply: 3 done, 0 failed, 0 not started" tty.out && pass || fail "no summary on the tty"

# Piped: the same progress, plain.
run_helios --state "$state" -f stack.yaml destroy
expect_rc 0 "destroy, piped"
expect_contains "$ERR" "[3/3]"
[[ "$OUT$ERR" != *"$esc"* ]] && pass || fail "escape codes in piped output"
[[ "$ERR" != *"█"* ]] && pass || fail "a progress bar in piped output"

# NO_COLOR on a TTY: progress and bar stay, colour goes.
script -qec "NO_COLOR=1 '$HELIOS' --state '$state' -f stack.yaml apply" /dev/null > nocolor.out 2>&1
grep -q "\[3/3\]" nocolor.out && pass || fail "no progress with NO_COLOR"
grep -qF "$esc" nocolor.out && fail "colour despite NO_COLOR: $(cat -v nocolor.out)" || pass

# --json on a TTY: exactly one JSON document on stdout, no progress, no colour in it.
script -qec "'$HELIOS' --state '$state' -f stack.yaml destroy --json 2>/dev/null" /dev/null > json.out
tr -d '\r' < json.out | jq -e '.command == "destroy" and .ok == true' >/dev/null && pass || fail "destroy --json on a tty: $(cat -v json.out)"
grep -qF "$esc" json.out && fail "colour in --json output" || pass
finish
