#!/usr/bin/env bash
# helios place: the table, --json against its schema, byte-identical output, --explain, the solvers,
# exit 4 on an infeasible stack (naming the binding constraint) and exit 2 on bad flags, writing nothing.
source "$(dirname "$0")/lib.sh"

cp "$HELIOS_SOURCE_DIR/examples/hobby.yaml" hobby.yaml

run_helios place -f hobby.yaml
expect_rc 0 "place hobby"
expect_contains "$OUT" "WORKLOAD" "place table"
expect_contains "$OUT" "monthly cost" "place summary"
expect_contains "$OUT" "llm" "place table"

run_helios place -f hobby.yaml --json
expect_rc 0 "place --json"
expect_schema place
expect_json '.assignments | map(.workload) | unique | length == 5'
expect_json '.cost_usd == 0 and .optimal == true'
expect_json '[.assignments[] | select(.workload == "llm") | .weight] | add > 0.999999'
first="$OUT"
run_helios place -f hobby.yaml --json
if [ "$OUT" != "$first" ]; then fail "place --json is not byte-identical across runs"; else pass; fi

for solver in fast exact auto; do
  run_helios place -f hobby.yaml --solver "$solver" --time-limit 5 --json
  expect_rc 0 "place --solver $solver"
  expect_schema place
  expect_json '.cost_usd == 0'
done

run_helios place -f hobby.yaml --explain
expect_rc 0 "place --explain"
expect_contains "$OUT" "Rejected candidates" "place --explain"
run_helios place -f hobby.yaml --explain --json
expect_rc 0 "place --explain --json"
expect_schema place
expect_json '.rejected | length > 0 and all(.reason | length > 0)'

# An infeasible stack: more free database storage than any offering in eu has, and no budget.
cat > big.yaml <<'YAML'
apiVersion: helios/v1
kind: Stack
metadata:
  name: big
spec:
  regions: [eu]
  workloads:
    - name: db
      kind: database
      engine: postgres
      needs: { storage: 500GB }
YAML
run_helios place -f big.yaml
expect_rc 4 "place infeasible"
expect_contains "$ERR" "no offering in region eu has 500GB of free database storage left" "infeasible message"
run_helios place -f big.yaml --json
expect_rc 4 "place infeasible --json"
expect_schema error
expect_json '.error.code == "infeasible" and .error.exit_code == 4'

# Bad flags: exit 2, nothing written.
before=$(ls -A)
run_helios place -f hobby.yaml --solver bogus
expect_rc 2 "place --solver bogus"
run_helios place -f hobby.yaml --time-limit -3
expect_rc 2 "place --time-limit -3"
run_helios place -f missing.yaml
expect_rc 2 "place missing manifest"
after=$(ls -A)
if [ "$before" != "$after" ]; then fail "place wrote files: $before → $after"; else pass; fi

finish
