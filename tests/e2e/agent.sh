#!/usr/bin/env bash
# The example agent end to end: two fake OpenAI-compatible providers (tests/fakes helios_fake). The first
# answers 429 from step 3 (two faulted calls) and is exhausted at step 5 (insufficient_quota after two
# served requests); the agent rotates through `helios rotate --exec`, checkpoints every step, is killed
# with SIGKILL at step 6, restarts, resumes from its checkpoint and finishes. The ledger then equals
# what the fakes counted, exactly: requests served and tokens, per provider.
source "$(dirname "$0")/lib.sh"

command -v jq >/dev/null && command -v curl >/dev/null || { echo "needs jq and curl"; exit 125; }

start_fake one openai --token key-one --options '{"quota":2,"models":["fake-a"]}' \
  --fault '{"kind":"status","status":429,"retry_after":"1","path":"/v1/chat/completions","skip":2,"count":2}'
start_fake two openai --token key-two --latency-ms 1100 --options '{"models":["fake-b"]}'
P1=$(cat "$TEST_TMP/one.port") P2=$(cat "$TEST_TMP/two.port")

cat > catalog.yaml <<YAML
apiVersion: helios/v1
kind: Catalog
offerings:
  - id: fakeone/model-a
    provider: fakeone
    product: model-a
    kind: ai
    regions: [global]
    api: openai-compatible
    model: fake-a
    base_url: http://127.0.0.1:$P1/v1
    credential_env: FAKEONE_KEY
    free:
      - { dimension: requests, amount: 1000, period: day, scope: organization, reset: "00:00 UTC" }
      - { dimension: tokens, amount: 1M, period: day, scope: organization, reset: "00:00 UTC" }
    overage: hard_cap
    source: https://example.com/fakeone
    as_of: 2026-11-26
    confidence: confirmed
  - id: faketwo/model-b
    provider: faketwo
    product: model-b
    kind: ai
    regions: [global]
    api: openai-compatible
    model: fake-b
    base_url: http://127.0.0.1:$P2/v1
    credential_env: FAKETWO_KEY
    free:
      - { dimension: requests, amount: 100, period: day, scope: organization, reset: "00:00 UTC" }
      - { dimension: tokens, amount: 1M, period: day, scope: organization, reset: "00:00 UTC" }
    overage: hard_cap
    source: https://example.com/faketwo
    as_of: 2026-11-26
    confidence: confirmed
YAML
cat > helios.yaml <<'YAML'
apiVersion: helios/v1
kind: Stack
metadata:
  name: agents
spec:
  workloads:
    - name: llm
      kind: ai
      split: true
      models: [model-a, model-b]
      needs: { requests: 100/day }
YAML

export HELIOS_STATE="$TEST_TMP/state" HELIOS_MANIFEST="$TEST_TMP/helios.yaml" HELIOS_CATALOG_PATH="$TEST_TMP/catalog.yaml"
export FAKEONE_KEY=key-one FAKETWO_KEY=key-two
AGENT="$HELIOS_SOURCE_DIR/examples/agent/agent.sh"

# First run: paused (then killed) after step 6's call, before its checkpoint.
AGENT_PAUSE_AT_STEP=6 AGENT_PAUSE_FILE="$TEST_TMP/paused" setsid bash "$AGENT" --task story --steps 8 \
  >"$TEST_TMP/run1.out" 2>"$TEST_TMP/run1.err" &
agent_pid=$!
cleanup_hooks+=("kill -9 -- -$agent_pid 2>/dev/null")
for _ in $(seq 600); do [ -e "$TEST_TMP/paused" ] && break; sleep 0.1; done
[ -e "$TEST_TMP/paused" ] && pass || { fail "the agent never reached step 6: $(cat "$TEST_TMP/run1.err")"; finish; }
kill -9 -- "-$agent_pid"
wait "$agent_pid" 2>/dev/null

run_helios checkpoint list --agent example-agent --task story --json
expect_rc 0 "checkpoint list after the kill"
expect_json '(.checkpoints | length) == 5 and .checkpoints[0].step == 5'
expect_schema checkpoint

# Second run: resumes at step 6 and finishes.
bash "$AGENT" --task story --steps 8 >"$TEST_TMP/run2.out" 2>"$TEST_TMP/run2.err"
expect_rc_value=$?
[ "$expect_rc_value" -eq 0 ] && pass || fail "the resumed agent failed ($expect_rc_value): $(cat "$TEST_TMP/run2.err")"
expect_contains "$(cat "$TEST_TMP/run2.err")" "resuming story at step 6"
OUT=$(cat "$TEST_TMP/run2.out")
expect_json '.steps == 8 and (.providers | length) == 8'
expect_json '.providers[0:2] == ["fakeone/model-a","fakeone/model-a"] and (.providers[2:] | all(. == "faketwo/model-b"))'

# The first provider saw two served requests, two 429s and the exhausted answer.
U1=$(curl -s "http://127.0.0.1:$P1/_fake/usage") U2=$(curl -s "http://127.0.0.1:$P2/_fake/usage")
OUT=$U1; expect_json '.keys["key-one"].requests == 2 and .keys["key-one"].rejected >= 1'
R1=$(curl -s "http://127.0.0.1:$P1/_fake/requests")
OUT=$R1; expect_json '.faults_applied == 2'

# The ledger equals what the fakes counted, exactly.
run_helios quota --json
expect_rc 0 "quota"
expect_schema quota
ledger() { jq -r --arg pool "$1" --arg dim "$2" '[.quotas[] | select(.pool == $pool and .dimension == $dim and .window == "day") | .used][0]' <<<"$OUT"; }
want_r1=$(jq '.keys["key-one"].requests' <<<"$U1") want_t1=$(jq '.keys["key-one"].total_tokens' <<<"$U1")
want_r2=$(jq '.keys["key-two"].requests' <<<"$U2") want_t2=$(jq '.keys["key-two"].total_tokens' <<<"$U2")
[ "$(ledger fakeone/model-a requests)" = "$want_r1" ] && pass || fail "fakeone requests: ledger $(ledger fakeone/model-a requests) vs fake $want_r1"
[ "$(ledger fakeone/model-a tokens)" = "$want_t1" ] && pass || fail "fakeone tokens: ledger $(ledger fakeone/model-a tokens) vs fake $want_t1"
[ "$(ledger faketwo/model-b requests)" = "$want_r2" ] && pass || fail "faketwo requests: ledger $(ledger faketwo/model-b requests) vs fake $want_r2"
[ "$(ledger faketwo/model-b tokens)" = "$want_t2" ] && pass || fail "faketwo tokens: ledger $(ledger faketwo/model-b tokens) vs fake $want_t2"
[ "$want_r2" -eq 7 ] && pass || fail "faketwo served $want_r2 requests, expected 7 (steps 3-8, step 6 twice)"
# The exhausted provider is cooling until its quota period ends; the rotations are recorded.
expect_json '[.cooldowns[] | select(.provider == "fakeone")][0].kind == "exhausted"'
# 429 at steps 3 and 4 (transient, retry-after 1 s), exhausted at step 5: three rotations, oldest first.
expect_json '[.rotations[] | select(.from == "fakeone/model-a" and .to == "faketwo/model-b") | .reason] | reverse == ["transient","transient","exhausted"]'

# The checkpoints chain: each links to the task's previous one, and the last holds the ledger snapshot.
run_helios checkpoint list --agent example-agent --task story --json
expect_json '(.checkpoints | length) == 8 and ([.checkpoints[].step] == [8,7,6,5,4,3,2,1])'
expect_json '[.checkpoints[0:7][] | .parent] == [.checkpoints[1:8][] | .id]'
# Steps 3-5 took two calls each (the first provider refused), the others one.
expect_json '[.checkpoints | reverse | .[] | .meta.tries] == ["1","1","2","2","2","1","1","1"]'
last=$(jq -r '.checkpoints[0].id' <<<"$OUT")
run_helios checkpoint show "$last" --json
expect_json '.provider == "faketwo/model-b" and (.ledger.quotas | length) > 0'

finish
