#!/usr/bin/env bash
# helios validate: exit 0 and a schema-valid result for valid manifests (the examples, the starter),
# exit 2 and the error object for invalid ones.
source "$(dirname "$0")/lib.sh"

for example in "$HELIOS_SOURCE_DIR"/examples/*.yaml; do
  run_helios validate -f "$example"
  expect_rc 0 "validate $(basename "$example")"
  expect_contains "$OUT" "valid"

  run_helios validate -f "$example" --json
  expect_rc 0 "validate $(basename "$example") --json"
  expect_schema validate
  expect_json '.valid == true and (.workloads | length) >= 1'
done

run_helios validate -f "$HELIOS_SOURCE_DIR/examples/hobby.yaml" --json
expect_json '.stack == "hobby" and (.workloads | map(.kind) | sort) == ["ai","compute","database","hosting","storage"]'
expect_json '.warnings == [] and (.digest | length) == 64'
expect_json '(.workloads[] | select(.name == "llm") | .needs.requests) == "1.5k/day"'
[ "$(jq -r .digest <<<"$OUT")" == "$(sha256sum "$HELIOS_SOURCE_DIR/examples/hobby.yaml" | cut -d' ' -f1)" ] && pass ||
  fail "the digest is not the SHA-256 of the file"

# The default manifest is helios.yaml in the working directory; a positional argument works too.
cp "$HELIOS_SOURCE_DIR/examples/hobby.yaml" helios.yaml
run_helios validate
expect_rc 0 "validate (default helios.yaml)"
run_helios validate helios.yaml --json
expect_rc 0 "validate FILE"
expect_schema validate

# Warnings do not fail validation.
sed 's/      near: db/      near: db\n      spread: true/' helios.yaml >warn.yaml
run_helios validate -f warn.yaml --json
expect_rc 0 "validate with a warning"
expect_schema validate
expect_json '.warnings | length == 1 and (.[0].message | test("spread")) and (.[0].where | test("^warn.yaml:[0-9]+:[0-9]+$"))'
run_helios validate -f warn.yaml
expect_contains "$ERR" "warning:"

# Providers and models the catalog does not know: warnings with did-you-mean, not errors.
sed 's/deny: \[fly\]/deny: [flyy]/; s/gpt-oss-120b/gpt-oss-12b/' helios.yaml >unknown.yaml
run_helios validate -f unknown.yaml --json
expect_rc 0 "validate with unknown provider and model names"
expect_schema validate
expect_json '[.warnings[].message] | any(test("no provider named .flyy.*did you mean .fly.\\?"))'
expect_json '[.warnings[].message] | any(test("serves .gpt-oss-12b.*did you mean .gpt-oss-120b.\\?"))'

# Exit 2 on invalid input, with the error object.
sed 's/kind: compute/kind: computer/' helios.yaml >bad.yaml
run_helios validate -f bad.yaml
expect_rc 2 "validate an invalid manifest"
expect_contains "$ERR" "bad.yaml:"
expect_contains "$ERR" "did you mean 'compute'?"
run_helios validate -f bad.yaml --json
expect_rc 2 "validate an invalid manifest --json"
expect_schema error
expect_json '.error.code == "invalid_manifest" and (.error.where | test("^bad.yaml:[0-9]+:[0-9]+$"))'

run_helios validate -f missing.yaml
expect_rc 2 "validate a missing file"
expect_contains "$ERR" "helios init"

finish
