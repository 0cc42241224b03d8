#!/usr/bin/env bash
# helios catalog list | show | check: the embedded built-in catalog, user catalogs that add or override
# offerings (--catalog, HELIOS_CATALOG_PATH), and bad user catalogs (exit 2, located, nothing written).
source "$(dirname "$0")/lib.sh"

# --- list ---------------------------------------------------------------------------------------------
run_helios catalog list
expect_rc 0 "catalog list"
expect_contains "$OUT" "cloudflare/workers"
expect_contains "$OUT" "CONFIDENCE"

run_helios catalog list --json
expect_rc 0 "catalog list --json"
expect_schema catalog-list
expect_json '.count >= 45 and .providers >= 20 and (.offerings | length) == .count'
expect_json '[.offerings[].kind] | unique == ["ai","compute","database","hosting","storage"]'
expect_json '[.offerings[] | .free[] | select(.source == "" or .as_of == "")] | length == 0'
expect_json '[.offerings[] | select(.origin != "builtin")] | length == 0'
expect_json '.offerings[] | select(.id == "local/process") | .free[] | select(.dimension == "cpu") | .measured and .amount >= 1'

run_helios catalog list --kind ai --json
expect_rc 0 "catalog list --kind ai"
expect_json '(.offerings | length) >= 10 and ([.offerings[].kind] | unique) == ["ai"]'

run_helios catalog list --provider groq --json
expect_rc 0 "catalog list --provider groq"
expect_json '([.offerings[].provider] | unique) == ["groq"]'

run_helios catalog list --kind vm
expect_rc 2 "catalog list --kind vm"
expect_contains "$ERR" "--kind 'vm' is not compute"

run_helios catalog list --provider nosuch --json
expect_rc 2 "catalog list --provider nosuch"
expect_schema error
expect_json '.error.hint | contains("cloudflare")'

# --- show ---------------------------------------------------------------------------------------------
run_helios catalog show groq/llama-3.3-70b
expect_rc 0 "catalog show"
expect_contains "$OUT" "https://github.com/cheahjs/free-llm-api-resources"
expect_contains "$OUT" "2026-07-18"
expect_contains "$OUT" "unconfirmed"
expect_contains "$OUT" "00:00 UTC"

run_helios catalog show cloudflare/r2 --json
expect_rc 0 "catalog show --json"
expect_schema catalog-show
expect_json '.offering.id == "cloudflare/r2" and (.offering.overage | length) == 3 and .offering.hard_cap == false'
expect_json '.offering.free[0].source | startswith("https://")'

run_helios catalog show groq --json
expect_rc 2 "catalog show of a provider name"
expect_schema error
expect_json '.error.code == "unknown_offering" and (.error.hint | contains("groq/llama-3.3-70b"))'

# --- a good user catalog: check, then override a built-in offering -------------------------------------
cat >override.yaml <<'YAML'
apiVersion: helios/v1
kind: Catalog
offerings:
  - id: groq/llama-3.3-70b
    provider: groq
    product: llama-3.3-70b
    kind: ai
    regions: [global]
    api: openai-compatible
    model: llama-3.3-70b-versatile
    base_url: https://api.groq.com/openai/v1
    free:
      - { dimension: requests, amount: 123, period: day, scope: organization, reset: "00:00 UTC" }
    overage: hard_cap
    source: https://console.groq.com/docs/rate-limits
    as_of: 2026-11-20
    confidence: confirmed
  - id: examplecloud/pg-small
    provider: examplecloud
    product: pg-small
    kind: database
    regions: [eu]
    engines: [postgres]
    free:
      - { dimension: storage, amount: 500Mi, period: static, scope: project }
    free_instances: 1
    overage:
      - { dimension: storage, usd: 0.35, per: 1Gi, period: month }
    source: https://example.com/pricing
    as_of: 2026-11-01
    confidence: confirmed
YAML

run_helios catalog check override.yaml
expect_rc 0 "catalog check (valid)"
expect_contains "$OUT" "valid, 2 offerings"

run_helios catalog check override.yaml --json
expect_rc 0 "catalog check --json (valid)"
expect_schema catalog-check
expect_json '.valid and .count == 2 and .overrides == ["groq/llama-3.3-70b"]'

run_helios --catalog override.yaml catalog show groq/llama-3.3-70b --json
expect_rc 0 "--catalog override"
expect_json '.offering.free == [.offering.free[0]] and .offering.free[0].amount == 123 and .offering.origin == "override.yaml"'

run_helios catalog list --json --catalog override.yaml --kind database
expect_rc 0 "--catalog adds an offering"
expect_schema catalog-list
expect_json '[.offerings[].id] | index("examplecloud/pg-small") != null'
expect_json '.user_catalogs == ["override.yaml"]'

sed 's/amount: 123/amount: 456/' override.yaml >env.yaml
OUT=$(HELIOS_CATALOG_PATH="$TEST_TMP/env.yaml" "$HELIOS" catalog show groq/llama-3.3-70b --json 2>"$TEST_TMP/.stderr"); RC=$?
expect_rc 0 "HELIOS_CATALOG_PATH override"
expect_json '.offering.free[0].amount == 456'

# --catalog files come after HELIOS_CATALOG_PATH entries: the flag wins.
OUT=$(HELIOS_CATALOG_PATH="$TEST_TMP/env.yaml" "$HELIOS" --catalog override.yaml catalog show groq/llama-3.3-70b --json 2>"$TEST_TMP/.stderr"); RC=$?
expect_rc 0 "--catalog over HELIOS_CATALOG_PATH"
expect_json '.offering.free[0].amount == 123'

# --- bad user catalogs: exit 2, file:line:column, value, expectation, hint; nothing written -----------
snapshot() { find "$TEST_TMP" -path "$TEST_TMP/.stderr" -prune -o -print | sort; }

bad() {
  # bad NAME EXPECTED_WHERE EXPECTED_TEXT < file content
  local name=$1 where=$2 text=$3
  cat >"$name"
  local before; before=$(snapshot)
  run_helios catalog check "$name"
  expect_rc 2 "catalog check $name"
  expect_contains "$ERR" "$where" "stderr of check $name"
  expect_contains "$ERR" "$text" "stderr of check $name"
  expect_contains "$ERR" "hint:" "stderr of check $name"
  run_helios catalog check "$name" --json
  expect_rc 2 "catalog check $name --json"
  expect_schema error
  expect_json '.error.code | test("invalid_catalog|catalog_not_found|invalid_yaml")'
  expect_json ".error.where | startswith(\"$name\")"
  run_helios --catalog "$name" catalog list --json
  expect_rc 2 "--catalog $name catalog list"
  expect_schema error
  [ "$(snapshot)" = "$before" ] && pass || fail "something was written for $name"
}

bad typo.yaml "typo.yaml:9:5" "did you mean 'regions'?" <<'YAML'
apiVersion: helios/v1
kind: Catalog
offerings:
  - id: acme/web
    provider: acme
    product: web
    kind: compute
    source: https://acme.example/pricing
    regoins: [eu]
    as_of: 2026-01-01
    confidence: confirmed
YAML

bad unit.yaml "unit.yaml:8:42" "'5 parsecs' has an unknown unit" <<'YAML'
apiVersion: helios/v1
kind: Catalog
offerings:
  - id: acme/files
    provider: acme
    product: files
    kind: storage
    free: [{ dimension: storage, amount: 5 parsecs }]
    regions: [eu]
    source: https://acme.example/pricing
    as_of: 2026-01-01
    confidence: confirmed
YAML

bad version.yaml "version.yaml:1:13" "apiVersion 'helios/v2' is not helios/v1" <<'YAML'
apiVersion: helios/v2
kind: Catalog
offerings: []
YAML

bad manifest.yaml "manifest.yaml:2:7" "this is a manifest" <<'YAML'
apiVersion: helios/v1
kind: Stack
metadata: { name: hobby }
YAML

bad empty.yaml "empty.yaml" "empty" </dev/null

printf 'apiVersion: helios/v1\n\x00\x01\x02\xff garbage' | bad binary.yaml "binary.yaml" "binary"

bad syntax.yaml "syntax.yaml:4:1" "invalid YAML" <<'YAML'
apiVersion: helios/v1
kind: Catalog
offerings: [ { id: a/b,
YAML

bad nosource.yaml "nosource.yaml:4:5" "has no source" <<'YAML'
apiVersion: helios/v1
kind: Catalog
offerings:
  - { id: acme/web, provider: acme, product: web, kind: compute, regions: [eu], as_of: 2026-01-01, confidence: confirmed }
YAML

bad confidence.yaml "confidence.yaml:4:141" "did you mean 'confirmed'?" <<'YAML'
apiVersion: helios/v1
kind: Catalog
offerings:
  - { id: acme/web, provider: acme, product: web, kind: compute, regions: [eu], source: "https://a.example", as_of: 2026-01-01, confidence: confimed }
YAML

bad duplicate.yaml "duplicate.yaml:5:5" "defined twice" <<'YAML'
apiVersion: helios/v1
kind: Catalog
offerings:
  - { id: acme/web, provider: acme, product: web, kind: compute, regions: [eu], source: "https://a.example", as_of: 2026-01-01, confidence: confirmed }
  - { id: acme/web, provider: acme, product: web, kind: compute, regions: [us], source: "https://a.example", as_of: 2026-01-01, confidence: confirmed }
YAML

bad date.yaml "date.yaml:4:117" "as_of '2026-13-45' is not a date" <<'YAML'
apiVersion: helios/v1
kind: Catalog
offerings:
  - { id: acme/web, provider: acme, product: web, kind: compute, regions: [eu], source: "https://a.example", as_of: 2026-13-45, confidence: confirmed }
YAML

bad dimension.yaml "dimension.yaml:5:25" "did you mean 'tokens'?" <<'YAML'
apiVersion: helios/v1
kind: Catalog
offerings:
  - id: acme/llm
    free: [{ dimension: tokenz, amount: 1000, period: minute }]
    provider: acme
    product: llm
    model: acme-1
    kind: ai
    regions: [global]
    source: https://a.example
    as_of: 2026-01-01
    confidence: confirmed
YAML

# Several problems in one file are all listed by `catalog check`.
cat >many.yaml <<'YAML'
apiVersion: helios/v1
kind: Catalog
offerings:
  - { id: acme/web, provider: acme, product: web, kind: vm, regions: [eu], source: "ftp://a", as_of: soon, confidence: confirmed }
YAML
run_helios catalog check many.yaml
expect_rc 2 "catalog check many.yaml"
expect_contains "$ERR" "kind 'vm' is not compute"
expect_contains "$ERR" "source 'ftp://a' is not an http(s) URL"
expect_contains "$ERR" "as_of 'soon' is not a date"
expect_contains "$ERR" "3 problems in many.yaml"
run_helios catalog check many.yaml --json
expect_json '(.error.details.errors | length) == 3 and (.error.message | contains("2 more problems"))'

run_helios catalog check missing.yaml
expect_rc 2 "catalog check of a missing file"
expect_contains "$ERR" "cannot read the catalog file 'missing.yaml'"

OUT=$(HELIOS_CATALOG_PATH="$TEST_TMP/typo.yaml" "$HELIOS" catalog list --json 2>"$TEST_TMP/.stderr"); RC=$?
expect_rc 2 "a bad catalog in HELIOS_CATALOG_PATH"
expect_json '.error.where | contains("typo.yaml:9:5")'

finish
