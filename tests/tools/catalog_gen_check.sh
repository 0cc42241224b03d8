#!/usr/bin/env bash
# An invalid built-in catalog fails the build: helios_catalog_gen exits 2 with located errors and writes
# nothing; a valid one produces the generated header.
set -uo pipefail
gen=${1:?helios_catalog_gen}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
check() { if eval "$1"; then :; else echo "FAIL: $2" >&2; failures=$((failures + 1)); fi; }

mkdir -p "$tmp/providers/acme" "$tmp/providers/other"
cat >"$tmp/providers/acme/catalog.yaml" <<'YAML'
apiVersion: helios/v1
kind: Catalog
offerings:
  - id: acme/web
    provider: acme
    product: web
    kind: compute
    regoins: [eu]
    source: https://acme.example/pricing
    as_of: 2026-01-01
    confidence: confirmed
YAML
cat >"$tmp/providers/other/catalog.yaml" <<'YAML'
apiVersion: helios/v1
kind: Catalog
offerings:
  - { id: acme/db, provider: acme, product: db, kind: database, regions: [eu], source: "https://a.example", as_of: 2026-01-01, confidence: confirmed }
YAML
out=$("$gen" "$tmp" "$tmp/out.hpp" "$tmp/providers/acme/catalog.yaml" "$tmp/providers/other/catalog.yaml" 2>&1)
rc=$?
check '[ "$rc" -eq 2 ]' "exit $rc, expected 2: $out"
check '[[ "$out" == *"providers/acme/catalog.yaml:8:5: error: unknown key '"'"'regoins'"'"'"* ]]' "no located unknown key: $out"
check '[[ "$out" == *"did you mean '"'"'regions'"'"'?"* ]]' "no did-you-mean: $out"
check '[[ "$out" == *"providers/other/catalog.yaml:4:5: error: offering '"'"'acme/db'"'"' has provider '"'"'acme'"'"' but lives in providers/other/"* ]]' "no folder check: $out"
check '[ ! -e "$tmp/out.hpp" ] && [ ! -e "$tmp/out.hpp.tmp" ]' "something was written"

sed -i 's/regoins/regions/' "$tmp/providers/acme/catalog.yaml"
out=$("$gen" "$tmp" "$tmp/out.hpp" "$tmp/providers/acme/catalog.yaml" 2>&1)
rc=$?
check '[ "$rc" -eq 0 ]' "valid catalog: exit $rc: $out"
check 'grep -q "o.id = \"acme/web\";" "$tmp/out.hpp"' "the generated header lacks acme/web"

[ "$failures" -eq 0 ] && echo "catalog_gen_check: ok"
exit $((failures > 0))
