#!/usr/bin/env bash
# Two applies of one stack at once: exactly one proceeds, the other exits 5 naming the lock holder; no
# update is lost (the winner's resources are all recorded, the state converges). Also: a stale lock
# of a dead process is taken over, and `state locks` / `state unlock` show and clear a live one.
source "$(dirname "$0")/lib.sh"

export HELIOS_LOCAL_ROOT="$TEST_TMP/local"
state="$TEST_TMP/state"
port=$(free_port)
cat > stack.yaml <<YAML
apiVersion: helios/v1
kind: Stack
metadata:
  name: race
spec:
  regions: [local]
  providers: { allow: [local] }
  workloads:
    - name: web
      kind: compute
      needs: { cpu: 50m, memory: 32Mi }
      runtime: { command: "sleep 1.5; exec python3 -m http.server \$PORT --bind 127.0.0.1", port: $port, health: / }
    - { name: db, kind: database, engine: sqlite, needs: { storage: 10Mi } }
YAML
cleanup_hooks+=("'$HELIOS' --state '$state' -f '$TEST_TMP/stack.yaml' destroy >/dev/null 2>&1")

for round in 1 2 3; do
  "$HELIOS" --state "$state" -f stack.yaml apply >a.out 2>a.err & a=$!
  "$HELIOS" --state "$state" -f stack.yaml apply >b.out 2>b.err & b=$!
  wait $a; rc_a=$?
  wait $b; rc_b=$?
  if [ "$round" -eq 1 ]; then
    if [ $rc_a -eq 0 ] && [ $rc_b -eq 5 ]; then loser=b; winner=$a; elif [ $rc_a -eq 5 ] && [ $rc_b -eq 0 ]; then loser=a; winner=$b; else
      fail "round $round: exits $rc_a and $rc_b, expected one 0 and one 5; a: $(cat a.err | tail -3) b: $(cat b.err | tail -3)"; loser=; fi
    if [ -n "$loser" ]; then
      pass
      expect_contains "$(cat $loser.err)" "locked by" "loser's message"
      expect_contains "$(cat $loser.err)" "pid $winner" "loser names the holder's pid"
      expect_contains "$(cat $loser.err)" "state unlock" "loser's hint"
    fi
  else
    # Later rounds have nothing to change; both may finish (quickly) or one may see the lock: never anything else.
    for rc in $rc_a $rc_b; do { [ $rc -eq 0 ] || [ $rc -eq 5 ]; } && pass || fail "round $round: exit $rc"; done
  fi
done
run_helios --state "$state" -f stack.yaml plan --detailed-exitcode --json
expect_rc 0 "converged: no changes"
run_helios --state "$state" state show --json
expect_json '(.stacks.race.resources | keys) == ["db", "web"] and ([.stacks.race.resources[] | .status] | all(. == "ready"))'
git -C "$state" fsck --strict >/dev/null 2>&1 && pass || fail "fsck"

# A lock held by a live process: listed, refused to others (exit 5), cleared by `state unlock`.
sleep 30 &
holder=$!
cleanup_hooks+=("kill $holder 2>/dev/null")
record=$(printf '{"id":"aaaaaaaa-1111-4222-8333-444444444444","scope":"race","who":"ops@%s","host":"%s","pid":%d,"process_start":"","operation":"apply","started":"2026-01-01T00:00:00Z","expires":"2100-01-01T00:00:00Z","expires_unix":4102444800}' \
  "$(hostname)" "$(hostname)" "$holder" | git -C "$state" hash-object -w --stdin)
tree=$(printf '100644 blob %s\tlock.json\n' "$record" | git -C "$state" mktree)
commit=$(GIT_AUTHOR_NAME=ops GIT_AUTHOR_EMAIL=ops@example.invalid GIT_COMMITTER_NAME=ops GIT_COMMITTER_EMAIL=ops@example.invalid \
  git -C "$state" commit-tree -m lock "$tree")
[ -n "$commit" ] && pass || fail "could not write the lock record with git"
git -C "$state" update-ref refs/helios/locks/race "$commit"
run_helios --state "$state" state locks --json
expect_json '.locks | length == 1 and .[0].id == "aaaaaaaa-1111-4222-8333-444444444444" and .[0].holder_alive == true'
run_helios --state "$state" -f stack.yaml apply
expect_rc 5 "apply while a live process holds the lock"
expect_contains "$ERR" "aaaaaaaa-1111-4222-8333-444444444444"
run_helios --state "$state" state unlock aaaaaaaa
expect_rc 0 "unlock"
run_helios --state "$state" -f stack.yaml apply
expect_rc 0 "apply after unlock"

# The same lock from a dead process is taken over.
kill $holder; wait $holder 2>/dev/null
git -C "$state" update-ref refs/helios/locks/race "$commit"
run_helios --state "$state" -f stack.yaml apply --json
expect_rc 0 "apply takes over a dead holder's lock"
expect_json '.took_over_lock == "aaaaaaaa-1111-4222-8333-444444444444"'
run_helios --state "$state" state locks --json
expect_json '.locks == []'
finish
