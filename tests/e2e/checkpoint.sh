#!/usr/bin/env bash
# helios checkpoint: save/restore/list/show/prune, the chain of parents, identical content stored once,
# concurrent saves of different tasks all landing, a save killed with SIGKILL leaving the previous
# checkpoint intact, bad input writing nothing, and the JSON schemas.
source "$(dirname "$0")/lib.sh"

export HELIOS_STATE="$TEST_TMP/state"

# Bad input: exit 2 with the flag named, nothing written.
run_helios checkpoint save --agent 'bad/name' --task t1 - <<<"x"
expect_rc 2 "bad agent name"
expect_contains "$ERR" "--agent"
run_helios checkpoint save --agent a --task t1 --meta novalue - <<<"x"
expect_rc 2 "bad --meta"
expect_contains "$ERR" "KEY=VALUE"
run_helios checkpoint save --agent a --task t1 missing-file.json
expect_rc 2 "missing input file"
[ ! -e "$HELIOS_STATE" ] && pass || fail "bad input created the state directory"
run_helios checkpoint restore --agent a --task t1
expect_rc 2 "restore with nothing saved"

# Saves: steps default to previous + 1, each links to the task's previous checkpoint.
echo '{"step":0}' > s0.json
run_helios checkpoint save --agent a --task t1 --meta phase=plan s0.json --json
expect_rc 0 "first save"
expect_schema checkpoint
expect_json '.step == 0 and .parent == null and .meta.phase == "plan" and .size == 11'
first=$(jq -r .id <<<"$OUT") first_blob=$(jq -r .blob <<<"$OUT")
echo '{"step":1}' > s1.json
run_helios checkpoint save --agent a --task t1 s1.json --json
expect_json ".step == 1"
second=$(jq -r .id <<<"$OUT")
[ "$(jq -r .parent <<<"$OUT")" = "$first" ] && pass || fail "the second save does not link to the first"
# The same bytes again: the same blob, stored once.
HELIOS_OFFERING=groq/llama-3.3-70b run_helios checkpoint save --agent a --task t1 --step 7 s0.json --json
expect_json '.step == 7 and .provider == "groq/llama-3.3-70b"'
[ "$(jq -r .blob <<<"$OUT")" = "$first_blob" ] && pass || fail "identical content got another blob"
[ "$(git -C "$HELIOS_STATE" cat-file -t "$first_blob")" = blob ] && pass || fail "the data is not a git blob"

run_helios checkpoint restore --agent a --task t1
expect_rc 0 "restore latest to stdout"
[ "$OUT" = '{"step":0}' ] && pass || fail "restore gave '$OUT'"
run_helios checkpoint restore --id "$second" -o out.json --json
expect_rc 0 "restore by id"
expect_schema checkpoint
expect_json '.output == "out.json" and .step == 1'
cmp -s out.json s1.json && pass || fail "restored bytes differ"

run_helios checkpoint list --json
expect_rc 0 list
expect_schema checkpoint
expect_json '[.checkpoints[].step] == [7,1,0]'
run_helios checkpoint list
expect_contains "$OUT" "STEP"
run_helios checkpoint show "${second:0:22}" --json
expect_rc 0 "show by prefix"
expect_json '.step == 1'
run_helios checkpoint show nope --json
expect_rc 2 "show unknown"

# Concurrent saves of different tasks all land (compare-and-swap retries).
for i in $(seq 1 8); do
  (echo "task $i" | "$HELIOS" checkpoint save --agent many --task "t$i" - >/dev/null 2>"$TEST_TMP/c$i.err"; echo $? > "$TEST_TMP/c$i.rc") &
done
wait
for i in $(seq 1 8); do [ "$(cat "$TEST_TMP/c$i.rc")" = 0 ] || fail "concurrent save $i: $(cat "$TEST_TMP/c$i.err")"; done
run_helios checkpoint list --agent many --json
expect_json '(.checkpoints | length) == 8'

# A save killed with SIGKILL while it runs leaves the previous checkpoint intact.
mkfifo slow
"$HELIOS" checkpoint save --agent a --task t1 slow >/dev/null 2>&1 &
saver=$!
exec 7>slow; echo '{"partial":' >&7; sleep 0.3
kill -9 "$saver"; wait "$saver" 2>/dev/null; exec 7>&-
run_helios checkpoint restore --agent a --task t1
[ "$OUT" = '{"step":0}' ] && pass || fail "after a killed save, restore gave '$OUT'"
git -C "$HELIOS_STATE" fsck --no-dangling >/dev/null 2>&1 && pass || fail "git fsck after a killed save"

# SIGKILL at several moments of 1 MB saves: main always names a whole checkpoint, the old one or the new one.
head -c 1048576 /dev/urandom > big.0
"$HELIOS" checkpoint save --agent k --task big big.0 >/dev/null 2>&1 || fail "saving big.0"
previous=big.0
for i in 1 2 3 4 5 6; do
  { head -c 1048000 "$previous"; head -c 576 /dev/urandom; } > "big.$i"
  "$HELIOS" checkpoint save --agent k --task big "big.$i" >/dev/null 2>&1 &
  saver=$!
  sleep "0.0$((i * 3 / 2))"
  kill -9 "$saver" 2>/dev/null; wait "$saver" 2>/dev/null
  "$HELIOS" checkpoint restore --agent k --task big -o restored.bin 2>/dev/null || fail "restore after kill $i"
  if cmp -s restored.bin "big.$i"; then previous="big.$i"
  elif cmp -s restored.bin "$previous"; then :
  else fail "after kill $i the latest checkpoint is neither the previous nor the new state"; fi
done
git -C "$HELIOS_STATE" fsck --no-dangling >/dev/null 2>&1 && pass || fail "git fsck after killed 1 MB saves"
run_helios checkpoint list --agent k --task big --json
expect_json '[.checkpoints[] | .parent] | .[0:-1] | all(. != null)'

# Bad input against an existing state repository: the message names the flag, and nothing is committed.
tip=$(git -C "$HELIOS_STATE" rev-parse main)
run_helios checkpoint save --agent a --task t1 --step -3 s0.json
expect_rc 2 "negative --step"
expect_contains "$ERR" "--step"
run_helios checkpoint save --agent a --task '.hidden' s0.json --json
expect_rc 2 "task starting with a dot"
expect_schema error
expect_json '.error.code == "invalid_name" and .error.where == "--task" and (.error.hint | length) > 0'
run_helios checkpoint restore --agent a
expect_rc 2 "restore without --task"
expect_contains "$ERR" "--id ID, or --agent and --task"
run_helios checkpoint prune --keep -1
expect_rc 2 "negative --keep"
run_helios checkpoint restore --agent a --task t1 --json
expect_rc 2 "restore --json without -o"
expect_json '.error.code == "missing_output"'
[ "$(git -C "$HELIOS_STATE" rev-parse main)" = "$tip" ] && pass || fail "bad input moved main"

# prune keeps the newest N of each task.
run_helios checkpoint prune --keep 1 --agent a --json
expect_rc 0 prune
expect_schema checkpoint
expect_json '(.removed | length) == 2'
run_helios checkpoint list --agent a --json
expect_json '(.checkpoints | length) == 1 and .checkpoints[0].step == 7'
git -C "$HELIOS_STATE" log --format=%B -n 1 main | grep -q 'Helios-Command: checkpoint prune' && pass || fail "prune commit trailer"

finish
