#!/usr/bin/env bash
# helios qc: the policy gate (exit codes, every output format, SARIF/JSON schemas, locations at manifest
# lines), built-in checks, qc eval (opa eval's shape) and qc test on the starter policies.
source "$(dirname "$0")/lib.sh"

# SARIF output is checked against the published SARIF 2.1.0 JSON schema (sarif-2.1.0-rtm.5, the schema
# SchemaStore serves as sarif-2.1.0.json) as Microsoft's @microsoft/jest-sarif npm package ships it
# (installed by scripts/bootstrap from package.json), and against docs/schemas/sarif-2.1.0-github.schema.json
# for the fields GitHub code scanning requires.
SARIF_SCHEMA="$HELIOS_SOURCE_DIR/node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"
expect_sarif() {
  local msg
  expect_schema sarif-2.1.0-github
  if [ ! -f "$SARIF_SCHEMA" ]; then
    fail "$SARIF_SCHEMA is missing: run scripts/bootstrap (npm ci)"
    return
  fi
  if ! msg=$("$HELIOS_SCHEMA_CHECK" "$SARIF_SCHEMA" <<<"$OUT" 2>&1); then
    fail "output is not valid SARIF 2.1.0: $(head -c 600 <<<"$msg"); output: ${OUT:0:400}"
  else
    pass
  fi
}

cat > helios.yaml <<'YAML'
apiVersion: helios/v1
kind: Stack
metadata:
  name: shop
  environment: production
spec:
  budget: { monthly_usd: 0 }
  regions: [eu]
  providers: { deny: [fly] }
  accounts:
    cloudflare: { token_env: CLOUDFLARE_API_TOKEN }
  workloads:
    - name: web
      kind: compute
      critical: true
      replicas: 2
      spread: true
      needs: { cpu: 250m, memory: 512Mi }
      runtime: { image: nginx }
    - name: db
      kind: database
      needs: { storage: 1Gi }
YAML

cat > plan.json <<'JSON'
{"placement": {"cost_usd": 0, "assignments": [
  {"workload": "web", "replica": 0, "offering": "cloudflare/workers", "provider": "cloudflare", "region": "eu", "utilisation": {"requests": 0.5}, "monthly_cost_usd": 0},
  {"workload": "web", "replica": 1, "offering": "cloudflare/workers", "provider": "cloudflare", "region": "eu", "utilisation": {"requests": 0.5}, "monthly_cost_usd": 0},
  {"workload": "db", "replica": 0, "offering": "neon/postgres", "provider": "fly", "region": "us-east", "utilisation": {"storage": 0.95}, "monthly_cost_usd": 0}
]}}
JSON

# 1. a clean manifest without policies: built-in checks only, exit 0
run_helios qc -f helios.yaml
expect_rc 0 "qc on a clean manifest"
expect_contains "$OUT" "0 failures" "qc text summary"

# 2. starter policies over a plan that breaks residency, the deny list and spread: exit 3
run_helios qc -f helios.yaml --plan plan.json -p "$HELIOS_SOURCE_DIR/policies" --format json
expect_rc 3 "qc with failures"
expect_schema qc
expect_json '[.results[] | select(.rule_id == "main/deny_region")] | length == 1'
expect_json '[.results[] | select(.rule_id == "main/deny_provider")] | length == 1'
expect_json '[.results[] | select(.rule_id == "main/deny_spread")] | length == 1'
expect_json '.results[] | select(.rule_id == "main/deny_region") | .location.line == 20'
expect_json '[.results[] | select(.severity == "warning")] | length >= 1'

run_helios --json qc -f helios.yaml --plan plan.json -p "$HELIOS_SOURCE_DIR/policies"
expect_rc 3 "qc --json"
expect_schema qc

# 3. SARIF 2.1.0 with GitHub's required fields, stable across runs
run_helios qc -f helios.yaml --plan plan.json -p "$HELIOS_SOURCE_DIR/policies" --format sarif
expect_rc 3 "qc sarif"
expect_sarif
expect_json '.version == "2.1.0" and (.runs[0].results | length) >= 3'
expect_json '.runs[0].results[] | select(.ruleId == "main/deny_region") | .locations[0].physicalLocation.region.startLine == 20'
first="$OUT"
run_helios qc -f helios.yaml --plan plan.json -p "$HELIOS_SOURCE_DIR/policies" --format sarif
if [ "$OUT" = "$first" ]; then pass; else fail "SARIF differs between two runs"; fi

run_helios qc -f "$PWD/helios.yaml" --format sarif
expect_rc 0 "clean sarif"
expect_sarif
expect_json '(.runs[0].results | length) == 0 and (.runs[0].tool.driver.rules | length) >= 6'
mkdir -p "odd dir" && cp helios.yaml "odd dir/m#1.yaml"
run_helios qc -f "odd dir/m#1.yaml" --plan plan.json -p "$HELIOS_SOURCE_DIR/policies" --format sarif
expect_sarif
expect_json '.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri == "odd%20dir/m%231.yaml"'
run_helios qc -f "$PWD/helios.yaml" --plan plan.json -p "$HELIOS_SOURCE_DIR/policies" --format sarif
expect_sarif
expect_json '.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri | startswith("file:///")'

# a placement as `helios place --json` writes it (assignments at the top) is input.placement too
jq '.placement' plan.json > place.json
run_helios qc -f helios.yaml --plan place.json -p "$HELIOS_SOURCE_DIR/policies" --format json
expect_rc 3 "qc over a place --json document"
expect_json '[.results[] | select(.rule_id == "main/deny_region")] | length == 1'

# 4. JUnit, GitHub annotations, TAP
run_helios qc -f helios.yaml --plan plan.json -p "$HELIOS_SOURCE_DIR/policies" --format junit
expect_rc 3 "qc junit"
expect_contains "$OUT" '<testsuite name="helios qc"' "junit"
expect_contains "$OUT" '<failure message=' "junit"
if command -v xmllint >/dev/null; then
  if xmllint --noout - <<<"$OUT" 2>/dev/null; then pass; else fail "junit output is not well-formed XML"; fi
fi
run_helios qc -f helios.yaml --plan plan.json -p "$HELIOS_SOURCE_DIR/policies" --format github
expect_contains "$OUT" "::error file=helios.yaml,line=20,col=" "github annotations"
run_helios qc -f helios.yaml --plan plan.json -p "$HELIOS_SOURCE_DIR/policies" --format tap
expect_contains "$OUT" "not ok" "tap"
expect_contains "$OUT" "1.." "tap plan"

# 5. warnings only: exit 0, or 3 with --fail-on-warn
cat > warn-plan.json <<'JSON'
{"placement": {"cost_usd": 0, "assignments": [
  {"workload": "web", "offering": "cloudflare/workers", "provider": "cloudflare", "region": "eu", "utilisation": {"requests": 0.9}, "monthly_cost_usd": 0},
  {"workload": "web", "offering": "vercel/functions", "provider": "vercel", "region": "eu", "utilisation": {"requests": 0.1}, "monthly_cost_usd": 0}
]}}
JSON
run_helios qc -f helios.yaml --plan warn-plan.json -p "$HELIOS_SOURCE_DIR/policies"
expect_rc 0 "warnings only"
expect_contains "$OUT" "WARN" "warning lines"
run_helios qc -f helios.yaml --plan warn-plan.json -p "$HELIOS_SOURCE_DIR/policies" --fail-on-warn
expect_rc 3 "warnings with --fail-on-warn"

# 6. built-in checks: a secret literal and a budget overrun, located
cat > leaky.yaml <<'YAML'
apiVersion: helios/v1
kind: Stack
metadata:
  name: leaky
spec:
  accounts:
    github: { token_env: GH_TOKEN }
  workloads:
    - name: web
      kind: compute
      runtime: { env: { GH: ghp_R4nd0mLooking1234567890abcdefABCDEF } }
YAML
run_helios qc -f leaky.yaml --format json
expect_rc 3 "secret literal"
expect_json '.results[] | select(.rule_id == "helios/secret-literal") | .location.line == 11'
if [[ "$OUT" == *"R4nd0mLooking"* ]]; then fail "qc printed the secret"; else pass; fi
echo '{"placement": {"cost_usd": 12.5, "assignments": []}}' > costly.json
run_helios qc -f helios.yaml --plan costly.json --format json
expect_rc 3 "over budget"
expect_json '.results[] | select(.rule_id == "helios/budget") | .location.line == 7'

# 7. conftest namespaces and exceptions
mkdir -p pol
cat > pol/main.rego <<'REGO'
package main

deny_name contains "names must be short" if count(input.manifest.metadata.name) > 2

warn contains "just a warning" if true

exception contains ["name"] if input.manifest.metadata.name == "shop"
REGO
cat > pol/other.rego <<'REGO'
package other

deny contains {"msg": "db is not allowed", "workload": "db"} if {
  some w in input.manifest.spec.workloads
  w.name == "db"
}
REGO
run_helios qc -f helios.yaml -p pol --format json
expect_rc 0 "exception exempts deny_name"
expect_json '.summary.exceptions == 1 and .summary.warnings == 1'
run_helios qc -f helios.yaml -p pol --namespace other --format json
expect_rc 3 "--namespace other"
expect_json '.results[0].rule_id == "other/deny" and .results[0].location.line == 20'
run_helios qc -f helios.yaml -p pol --all-namespaces --format json
expect_json '.namespaces == ["main", "other"]'

# 8. bad policy: exit 2 naming file:line:column, nothing written
mkdir -p bad && printf 'package main\n\ndeny contains msg if {\n  msg := \n}\n' > bad/p.rego
before=$(ls -A | sort)
run_helios qc -f helios.yaml -p bad
expect_rc 2 "bad policy"
expect_contains "$ERR" "bad/p.rego:5:1" "parse error location"
after=$(ls -A | sort)
if [ "$before" = "$after" ]; then pass; else fail "qc wrote files on bad input"; fi
printf 'package main\n\ndeny contains msg if { msg := input.x with data.y as 1 }\n' > bad/p.rego
run_helios qc -f helios.yaml -p bad
expect_rc 2 "unsupported syntax"
expect_contains "$ERR" "unsupported: \`with\` on anything but input at bad/p.rego:3:44" "unsupported message"

# 9. qc eval: opa eval's JSON shape
echo '{"n": 3}' > input.json
run_helios qc eval -d pol -i input.json 'x := input.n + 1; data.main.warn'
expect_rc 0 "qc eval"
expect_schema qc-eval
expect_json '.result[0].bindings.x == 4 and .result[0].expressions[1].value == ["just a warning"]'
expect_json '.result[0].expressions[0].text == "x := input.n + 1"'
run_helios qc eval -i input.json 'input.missing'
expect_rc 0 "undefined query"
expect_json '. == {}'
run_helios qc eval 'x := 1 +'
expect_rc 2 "query parse error"
expect_schema qc-eval
expect_json '.errors[0].code == "rego_parse_error"'
run_helios qc eval --strict-builtin-errors 'x := count(1)'
expect_rc 1 "strict builtin error"
expect_json '.errors[0].code == "eval_type_error"'
run_helios qc eval 'x := count(1)'
expect_rc 0 "non-strict builtin error is undefined"
expect_json '. == {}'

# 10. qc test on the starter policies
run_helios qc test "$HELIOS_SOURCE_DIR/policies"
expect_rc 0 "starter policy tests"
expect_contains "$OUT" "PASS: " "qc test summary"
run_helios --json qc test "$HELIOS_SOURCE_DIR/policies"
expect_schema qc-test
expect_json '.summary.fail == 0 and .summary.error == 0 and .summary.total >= 20'
mkdir -p failing && printf 'package t\n\ntest_ok if true\n\ntest_bad if 1 == 2\n' > failing/t_test.rego
run_helios qc test failing
expect_rc 3 "a failing policy test"
expect_contains "$OUT" "FAIL: data.t.test_bad" "failing test line"

# 11. manifest validation is load_manifest's: every bad-manifest fixture gives the helios/manifest-invalid
#     failure with exactly the message, hint and file:line:column `helios validate` gives; nothing written
mkdir -p bm && cp "$HELIOS_SOURCE_DIR"/tests/fixtures/bad-manifests/*.yaml bm/
nbad=0
for f in bm/*.yaml; do
  run_helios --json validate -f "$f"
  [ "$RC" -eq 2 ] || { fail "validate $f: exit $RC"; continue; }
  want_where=$(jq -r '.error.where' <<<"$OUT")
  want_msg=$(jq -r 'if .error.hint == "" or .error.hint == null then .error.message else "\(.error.message) (hint: \(.error.hint))" end' <<<"$OUT")
  before=$(ls -A bm | sort)
  run_helios qc -f "$f" --format json
  expect_rc 3 "qc on the bad manifest $f"
  got=$(jq -r '[.results[] | select(.rule_id == "helios/manifest-invalid")] | if length == 1 then .[0] | "\(.location.file):\(.location.line):\(.location.column)\t\(.message)" else "\(length) findings" end' <<<"$OUT")
  if [ "$got" = "$want_where	$want_msg" ]; then pass; else fail "qc -f $f: got '$got', validate says '$want_where	$want_msg'"; fi
  [ "$(ls -A bm | sort)" = "$before" ] && pass || fail "qc wrote files for $f"
  run_helios qc -f "$f" --format sarif
  expect_sarif
  nbad=$((nbad + 1))
done
[ "$nbad" -ge 25 ] && pass || fail "only $nbad bad manifests checked"
run_helios qc -f bm/unknown-kind.yaml --format sarif
expect_rc 3 "sarif on a bad manifest"
expect_sarif
expect_json '.runs[0].results[0].ruleId == "helios/manifest-invalid" and .runs[0].results[0].locations[0].physicalLocation.region.startLine == 9 and .runs[0].results[0].locations[0].physicalLocation.region.startColumn == 13'
run_helios qc -f bm/unknown-kind.yaml
expect_contains "$OUT" "FAIL - bm/unknown-kind.yaml:9:13 - helios/manifest-invalid - spec.workloads[0].kind: unknown workload kind 'computer'" "text line"
# the loader's warnings are warnings
cat > warny.yaml <<'YAML'
apiVersion: helios/v1
kind: Stack
metadata:
  name: warny
spec:
  workloads:
    - name: web
      kind: compute
      spread: true
      runtime: { image: nginx }
YAML
run_helios qc -f warny.yaml --format json
expect_rc 0 "manifest warnings only"
expect_json '[.results[] | select(.rule_id == "helios/manifest-warning" and .severity == "warning")] | length >= 1'
expect_json '.results[] | select(.rule_id == "helios/manifest-warning") | .location.line == 9'

finish
