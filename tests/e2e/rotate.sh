#!/usr/bin/env bash
# helios rotate: the pick and its reservation, --json (schema, no secret), --env, --exec, a 429 signal
# rotating at once, exhaustion → exit 4 with next_available_at, the recorded rotations, bad input.
source "$(dirname "$0")/lib.sh"

cat > catalog.yaml <<'YAML'
apiVersion: helios/v1
kind: Catalog
offerings:
  - id: alpha/model-a
    provider: alpha
    product: model-a
    kind: ai
    regions: [global]
    api: openai-compatible
    model: alpha-model
    base_url: http://127.0.0.1:9/alpha/v1
    credential_env: ALPHA_KEY
    free:
      - { dimension: requests, amount: 10, period: day, scope: organization, reset: "00:00 UTC" }
    overage: hard_cap
    source: https://example.com/alpha
    as_of: 2026-11-26
    confidence: confirmed
  - id: beta/model-b
    provider: beta
    product: model-b
    kind: ai
    regions: [global]
    api: openai-compatible
    model: beta-model
    base_url: http://127.0.0.1:9/beta/v1
    credential_env: BETA_KEY
    free:
      - { dimension: requests, amount: 2, period: day, scope: organization, reset: "00:00 America/Los_Angeles" }
    overage: hard_cap
    source: https://example.com/beta
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
export HELIOS_CATALOG_PATH="$TEST_TMP/catalog.yaml" HELIOS_STATE="$TEST_TMP/state"
export ALPHA_KEY=sk-alpha-secret BETA_KEY=sk-beta-secret

# Bad input first: exit 2, nothing written.
run_helios rotate --workload llm --reserve requests=one
expect_rc 2 "bad --reserve"
expect_contains "$ERR" "--reserve:1:"
run_helios rotate --workload llm --from alpha --reason sleepy
expect_rc 2 "bad --reason"
run_helios rotate --workload llm --from alpha --signal missing.txt
expect_rc 2 "missing signal file"
[ ! -e "$HELIOS_STATE" ] && pass || fail "bad input created the state directory"
run_helios rotate --workload nope
expect_rc 2 "unknown workload"

run_helios rotate --workload llm --json
expect_rc 0 "first pick"
expect_schema rotate
expect_json '.granted and .offering == "alpha/model-a" and .model == "alpha-model" and .credential_env == "ALPHA_KEY" and .reservation.items.requests == 1'
if grep -q "sk-alpha-secret" <<<"$OUT$ERR"; then fail "the secret reached the output"; else pass; fi

run_helios rotate --workload llm --env
expect_rc 0 "--env"
expect_contains "$OUT" "export OPENAI_BASE_URL='http://127.0.0.1:9/alpha/v1'"
expect_contains "$OUT" "export OPENAI_API_KEY='sk-alpha-secret'"
expect_contains "$OUT" "export OPENAI_MODEL='alpha-model'"
expect_contains "$OUT" "export HELIOS_PROVIDER='alpha'"

run_helios rotate --workload llm --exec -- sh -c 'echo "$HELIOS_OFFERING $OPENAI_MODEL $HELIOS_RESERVATION"'
expect_rc 0 "--exec"
expect_contains "$OUT" "alpha/model-a alpha-model"

# alpha answered a 429 with retry-after: rotate at once to beta, cooling alpha.
printf 'HTTP/1.1 429 Too Many Requests\r\nretry-after: 30\r\n\r\n{"error":{"message":"Rate limit reached","code":"rate_limit_exceeded"}}' > r429.txt
run_helios rotate --workload llm --from alpha --signal r429.txt --json
expect_rc 0 "rotate on 429"
expect_schema rotate
expect_json '.offering == "beta/model-b" and .signal.kind == "transient" and .left.offerings == "alpha/model-a"'
run_helios rotate --workload llm --json
expect_json '.offering == "beta/model-b"'
# beta's two requests are gone and alpha is cooling: exit 4 with next_available_at and why.
run_helios rotate --workload llm --json
expect_rc 4 "nothing left"
expect_schema error
expect_json '.error.code == "no_quota" and (.error.details.next_available_at | type) == "string" and (.error.details.skipped | length) == 2'
expect_contains "$ERR" "next available at"

run_helios quota --json
expect_json '[.rotations[] | select(.from == "alpha" and .to == "beta/model-b")] | length == 1'
expect_json '[.rotations[] | select(.granted == false)] | length == 1'
expect_json '[.quotas[] | select(.pool == "beta/model-b" and .dimension == "requests")][0] | .used == 2 and .reset_rule == "pacific-midnight"'
expect_json '.cooldowns[0].provider == "alpha" and .cooldowns[0].kind == "transient"'

# The manifest changes: the cached pool is recomputed.
sed -i 's/models: \[model-a, model-b\]/models: [model-b]/' helios.yaml
run_helios rotate --workload llm --json
expect_rc 4 "only beta, exhausted"

# With a feasible placement, its assignments lead the pool with their weights (a split workload's shares):
# 3,500 requests/day need both (alpha 1,000 + beta 3,000), so beta takes 6/7 and is picked first even
# though alpha's model is listed first.
sed -i 's/amount: 10, period: day/amount: 1000, period: day/; s/amount: 2, period: day/amount: 3000, period: day/' catalog.yaml
cat > placed.yaml <<'YAML'
apiVersion: helios/v1
kind: Stack
metadata:
  name: placed
spec:
  workloads:
    - name: llm
      kind: ai
      split: true
      models: [alpha-model, beta-model]
      needs: { requests: 3500/day }
YAML
run_helios place -f placed.yaml --state "$TEST_TMP/placed-state" --json
expect_rc 0 "place the split workload"
beta_weight=$(jq '[.assignments[] | select(.offering == "beta/model-b") | .weight][0]' <<<"$OUT")
run_helios rotate -f placed.yaml --state "$TEST_TMP/placed-state" --workload llm --json
expect_rc 0 "rotate with a placement"
expect_json ".offering == \"beta/model-b\" and (.weight - $beta_weight | fabs) < 1e-6"
run_helios rotate -f placed.yaml --state "$TEST_TMP/placed-state" --workload llm --from beta --reason daily --json
expect_json '.offering == "alpha/model-a" and (.weight - 1/7 | fabs) < 1e-6'

finish
