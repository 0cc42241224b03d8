#!/usr/bin/env bash
# Crash safety: SIGKILL `helios apply` / `helios destroy` at random points, 50+ times. After every kill
# the state repository passes `git fsck`; periodically and at the end a re-apply converges, a plan then
# shows no changes, and what exists at the local provider equals what state records (no duplicate, no
# orphan). Runs in well under two minutes.
source "$(dirname "$0")/lib.sh"

export HELIOS_LOCAL_ROOT="$TEST_TMP/local"
state="$TEST_TMP/state"
port=$(free_port)
cat > stack.yaml <<YAML
apiVersion: helios/v1
kind: Stack
metadata:
  name: crash
spec:
  regions: [local]
  providers: { allow: [local] }
  workloads:
    - name: web
      kind: compute
      needs: { cpu: 50m, memory: 32Mi }
      depends_on: [db1]
      runtime: { command: "python3 -m http.server \$PORT --bind 127.0.0.1", port: $port, health: / }
    - { name: db1, kind: database, engine: sqlite, needs: { storage: 10Mi } }
    - { name: db2, kind: database, engine: sqlite, needs: { storage: 10Mi } }
    - { name: db3, kind: database, engine: sqlite, needs: { storage: 10Mi } }
    - { name: files1, kind: storage, needs: { storage: 10Mi } }
    - { name: files2, kind: storage, needs: { storage: 10Mi } }
    - { name: files3, kind: storage, needs: { storage: 10Mi } }
YAML
cleanup_hooks+=("'$HELIOS' --state '$state' -f '$TEST_TMP/stack.yaml' destroy >/dev/null 2>&1; for f in '$HELIOS_LOCAL_ROOT'/*/supervisor.pid; do [ -f \"\$f\" ] && kill \$(cut -d' ' -f1 \"\$f\") 2>/dev/null; done")

# What exists (local resources with their resource.json) vs what state records, as sorted name lists.
existing() { for d in "$HELIOS_LOCAL_ROOT"/*/; do [ -f "$d/resource.json" ] && basename "$d"; done 2>/dev/null | sort; }
recorded() {
  "$HELIOS" --state "$state" state show --json 2>/dev/null |
    jq -r '.stacks[]?.resources[]? | [.resource.name, .deposed.name] | .[] | select(. != null)' | sort
}
supervisors() { for f in "$HELIOS_LOCAL_ROOT"/*/supervisor.pid; do [ -f "$f" ] && cut -d' ' -f1 "$f"; done 2>/dev/null; }

check_converged() {
  local what=$1
  run_helios --state "$state" -f stack.yaml apply --json
  expect_rc 0 "$what: re-apply converges"
  run_helios --state "$state" -f stack.yaml plan --detailed-exitcode
  expect_rc 0 "$what: no changes after re-apply"
  local e r
  e=$(existing); r=$(recorded)
  [ "$e" = "$r" ] && pass || fail "$what: exists [$e] != recorded [$r]"
  # exactly one web server: no duplicate process from an interrupted create
  local here=0 p
  for p in $(pgrep -f "http.server $port " ); do here=$((here + 1)); done
  [ "$here" -le 1 ] && pass || fail "$what: $here web processes on port $port (duplicates)"
}

# How long an uninterrupted apply and destroy take here (the shorter of two rounds: the first one also
# creates the state repository): the kills land at random points inside them.
ms() { date +%s%3N; }
apply_ms=999999; destroy_ms=999999
for round in 1 2; do
  t0=$(ms); run_helios --state "$state" -f stack.yaml apply; expect_rc 0 "apply, round $round"
  t1=$(ms); run_helios --state "$state" -f stack.yaml destroy; expect_rc 0 "destroy, round $round"
  t2=$(ms)
  [ $((t1 - t0)) -lt "$apply_ms" ] && apply_ms=$((t1 - t0))
  [ $((t2 - t1)) -lt "$destroy_ms" ] && destroy_ms=$((t2 - t1))
done
echo "an uninterrupted apply takes ${apply_ms} ms, a destroy ${destroy_ms} ms"

# Runs go on until $trials kills have landed mid-flight (a run that ends before its kill point does not
# count: their length varies with the machine's load), with a cap of three times as many runs.
trials=${HELIOS_CRASH_TRIALS:-50}
killed=0
i=0
while [ "$killed" -lt "$trials" ] && [ "$i" -lt $((3 * trials)) ]; do
  i=$((i + 1))
  # Mostly alternate, so that each run has work to do; sometimes repeat a command over its own debris.
  if [ $((RANDOM % 5)) -eq 0 ]; then cmd=${cmd:-apply}; elif [ "${cmd:-destroy}" = apply ]; then cmd=destroy; else cmd=apply; fi
  if [ "$cmd" = apply ]; then span=$apply_ms; else span=$destroy_ms; fi
  "$HELIOS" --state "$state" -f stack.yaml "$cmd" --parallelism $((1 + RANDOM % 4)) >/dev/null 2>&1 &
  pid=$!
  at=$((RANDOM % (span * 4 / 5 + 1)))
  sleep "$((at / 1000)).$(printf '%03d' $((at % 1000)))"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  [ $? -eq 137 ] && killed=$((killed + 1))  # died of the SIGKILL, not finished before it
  if [ -d "$state" ]; then
    out=$(git -C "$state" fsck --strict 2>&1) && pass || fail "trial $i ($cmd): git fsck: $out"
    [ -z "$(find "$state" -name '*.lock' 2>/dev/null)" ] || true
  fi
  if [ $((i % 10)) -eq 0 ]; then check_converged "trial $i"; fi
done
echo "killed $killed of $i runs mid-flight"
[ "$killed" -ge "$trials" ] && pass || fail "only $killed of $i runs were killed mid-flight (wanted $trials)"
check_converged "final"

# And a destroy after all that leaves nothing behind.
run_helios --state "$state" -f stack.yaml destroy
expect_rc 0 "final destroy"
[ -z "$(existing)" ] && pass || fail "left after destroy: $(existing)"
[ -z "$(recorded)" ] && pass || fail "still recorded after destroy: $(recorded)"
# and no process of the web workload survives (a supervisor orphaned by a kill would keep one)
for _ in $(seq 50); do pgrep -f "http.server $port " >/dev/null || break; sleep 0.1; done
! pgrep -f "http.server $port " >/dev/null && pass || fail "web processes left after destroy: $(pgrep -af "http.server $port ")"
git -C "$state" fsck --strict >/dev/null 2>&1 && pass || fail "final fsck"
finish
