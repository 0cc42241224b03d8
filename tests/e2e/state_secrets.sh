#!/usr/bin/env bash
# No secret reaches the state repository: with tokens in the environment and in a 0600 credentials
# file, after plans, applies (one failing at a remote provider), rollback and destroy, no object of the
# state repository — every blob, tree and commit, reachable or not — contains a token value.
# (The refusal of a group-readable credentials file is tested in tests/unit/test_credentials.cpp.)
source "$(dirname "$0")/lib.sh"

export HELIOS_LOCAL_ROOT="$TEST_TMP/local"
state="$TEST_TMP/state"
tok1="hlstok-env-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
tok2="hlstok-file-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
export CLOUDFLARE_API_TOKEN="$tok1" NEON_API_KEY="$tok1" HELIOS_TEST_TOKEN="$tok1"
mkdir -p "$HOME/.config/helios"
printf '[cloudflare]\ntoken = %s\naccount_id = acc-%s\n[neon]\ntoken = %s\n' "$tok2" "$tok2" "$tok2" > "$HOME/.config/helios/credentials"
chmod 600 "$HOME/.config/helios/credentials"
port=$(free_port)
cat > stack.yaml <<YAML
apiVersion: helios/v1
kind: Stack
metadata:
  name: secrets
spec:
  regions: [local]
  providers: { allow: [local] }
  workloads:
    - name: web
      kind: compute
      needs: { cpu: 50m, memory: 32Mi }
      depends_on: [db]
      runtime: { command: "python3 -m http.server \$PORT --bind 127.0.0.1", port: $port, health: / }
    - { name: db, kind: database, engine: sqlite, needs: { storage: 10Mi } }
YAML
cleanup_hooks+=("'$HELIOS' --state '$state' -f '$TEST_TMP/stack.yaml' destroy >/dev/null 2>&1")

run_helios --state "$state" -f stack.yaml plan -o plan.json
run_helios --state "$state" -f stack.yaml apply plan.json --json
expect_rc 0 apply
all_out="$OUT$ERR"
run_helios --state "$state" -f stack.yaml plan --json
all_out+="$OUT$ERR"
run_helios --state "$state" state rollback main~1
run_helios --state "$state" -f stack.yaml apply
all_out+="$OUT$ERR"
run_helios --state "$state" -f stack.yaml destroy --json
all_out+="$OUT$ERR"

# Every object in the repository (including unreachable ones), decompressed.
objects=$(git -C "$state" cat-file --batch-all-objects --batch 2>/dev/null)
[ -n "$objects" ] && pass || fail "no objects read"
for t in "$tok1" "$tok2"; do
  [[ "$objects" != *"$t"* ]] && pass || fail "a state object contains a token value"
  [[ "$all_out" != *"$t"* ]] && pass || fail "helios output contains a token value"
  ! grep -q "$t" plan.json && pass || fail "plan.json contains a token value"
  ! grep -rqs "$t" "$state" && pass || fail "a file in the state directory contains a token value"
done

finish
