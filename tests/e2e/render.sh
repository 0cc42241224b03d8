#!/usr/bin/env bash
# helios render: Mermaid from the real placement, ledger and state history; SVG through mermaid-cli
# and Debian's Chromium; every diagram of docs/diagrams renders (a broken diagram fails the build).
source "$(dirname "$0")/lib.sh"
SRC="$HELIOS_SOURCE_DIR"

# Mermaid text of the example stack's placement, on stdout.
run_helios render -f "$SRC/examples/hobby.yaml" --state "$TEST_TMP/state" --what placement
expect_rc 0 "render placement as mermaid"
expect_contains "$OUT" "flowchart LR"
expect_contains "$OUT" "subgraph"
for w in web db assets; do expect_contains "$OUT" "$w" "placement diagram"; done
[ ! -e "$TEST_TMP/state" ] && pass || fail "render wrote a state directory"

run_helios render -f "$SRC/examples/hobby.yaml" --state "$TEST_TMP/state" --json
expect_rc 0 "render --json"
expect_schema render
expect_json '[.diagrams[].name] == ["placement","quota","history"]'

# Names with quotes, brackets and Unicode must not break the diagram (manifest names are DNS-like, so
# they come through a saved plan here, as any plan file may carry them).
cat > odd-plan.json <<'JSON'
{"placement": {"stack": "hobby", "cost_usd": 0, "assignments": [
  {"workload": "wéb \"ünï\" [x] <y> #1 & {z}", "replica": 0, "offering": "cloud/[workers]", "provider": "cloud \"flare\"",
   "region": "eu", "weight": 1, "utilisation": {"requests": 0.5}, "monthly_cost_usd": 0},
  {"workload": "数据库", "replica": 0, "offering": "neon/free", "provider": "neon", "region": "eu", "weight": 1,
   "utilisation": {}, "monthly_cost_usd": 0}]}}
JSON
run_helios render -f "$SRC/examples/hobby.yaml" --state "$TEST_TMP/state2" --plan odd-plan.json --what placement
expect_rc 0 "render odd names as mermaid"
expect_contains "$OUT" "wéb #quot;ünï#quot; [x] #lt;y#gt; #35;1 #amp; {z}"
# SVG of every generated diagram of the examples; names are in the picture.
run_helios render -f "$SRC/examples/hobby.yaml" --state "$TEST_TMP/state" --format svg,mermaid -o "$TEST_TMP/example"
expect_rc 0 "render the example to SVG"
for d in placement quota history; do
  [ -s "$TEST_TMP/example/$d.svg" ] && pass || fail "$d.svg missing"
  [ -s "$TEST_TMP/example/$d.mmd" ] && pass || fail "$d.mmd missing"
done
svg=$(cat "$TEST_TMP/example/placement.svg" 2>/dev/null)
expect_contains "$svg" "<svg" "placement.svg"
for w in web db assets; do expect_contains "$svg" "$w" "placement.svg"; done
provider=$(jq -r '.assignments[0].provider' <<<"$("$HELIOS" place -f "$SRC/examples/hobby.yaml" --state "$TEST_TMP/state" --json)")
expect_contains "$svg" "$provider" "placement.svg"

run_helios render -f "$SRC/examples/hobby.yaml" --state "$TEST_TMP/state2" --plan odd-plan.json --what placement --format svg -o "$TEST_TMP/odd"
expect_rc 0 "render odd names to SVG"
odd_svg=$(cat "$TEST_TMP/odd/placement.svg" 2>/dev/null)
expect_contains "$odd_svg" "ünï" "odd placement.svg"
expect_contains "$odd_svg" "数据库" "odd placement.svg"

# Every diagram of docs/diagrams, to SVG.
run_helios render "$SRC/docs/diagrams" --format svg -o "$TEST_TMP/docs"
expect_rc 0 "render docs/diagrams"
want=$(ls "$SRC"/docs/diagrams/*.mmd | wc -l)
got=$(ls "$TEST_TMP"/docs/svg/*.svg 2>/dev/null | wc -l)
[ "$want" -ge 15 ] && [ "$got" -eq "$want" ] && pass || fail "rendered $got of $want diagrams"

# A broken diagram fails, naming its file.
mkdir broken && printf 'flowchart LR\n  a[["x"]-->\n' > broken/bad.mmd && printf 'flowchart LR\n  a-->b\n' > broken/good.mmd
run_helios render broken --format svg -o "$TEST_TMP/broken-out"
expect_rc 1 "render a broken diagram"
expect_contains "$ERR" "bad.svg"

# Without Chromium: a clear error saying how to install; Mermaid output still works.
HELIOS_CHROMIUM=/nonexistent/chromium run_helios render -f "$SRC/examples/hobby.yaml" --state "$TEST_TMP/state" --format svg -o "$TEST_TMP/nochrome"
expect_rc 1 "render without Chromium"
expect_contains "$ERR" "Chromium was not found"
expect_contains "$ERR" "scripts/bootstrap"
HELIOS_MMDC=/nonexistent/mmdc run_helios render -f "$SRC/examples/hobby.yaml" --state "$TEST_TMP/state" --format svg -o "$TEST_TMP/nommdc" --json
expect_rc 1 "render without mermaid-cli"
expect_json '.error.code == "mermaid_cli_missing"'
HELIOS_MMDC=/nonexistent/mmdc run_helios render -f "$SRC/examples/hobby.yaml" --state "$TEST_TMP/state" --what placement
expect_rc 0 "mermaid output without mermaid-cli"

# Bad flags: exit 2.
run_helios render -f "$SRC/examples/hobby.yaml" --format gif
expect_rc 2 "unknown format"
run_helios render "$TEST_TMP/no-such-dir" --format svg
expect_rc 2 "missing directory"

finish
