#!/usr/bin/env bash
# `helios rotate --workload web --plan`: a live web service on Render (a fake server) close to its free
# hours is moved to Koyeb (another fake). The stack is applied for real; usage near the quota is recorded
# in the ledger; the move plan is written in the format of `helios plan -o` and `helios apply` carries it
# out (create at Koyeb, health check, cut over, delete at Render): state and both fakes' inventories show
# the move, a second apply of the same plan is refused (state moved), a refreshed plan is converged.
# Nothing to move (under the threshold): exit 0 and no file. No alternative: exit 4 naming why. Bad
# inputs (unknown workload, ai workload with --plan, no state, flags without --plan, a bad threshold):
# exit 2 with the message checked and nothing written.
source "$(dirname "$0")/lib.sh"

command -v jq >/dev/null && command -v curl >/dev/null || { echo "needs jq and curl"; exit 125; }

start_fake render render --token rnd-secret-key
start_fake koyeb koyeb --token koy-secret-key
RENDER="http://127.0.0.1:$(cat render.port)" KOYEB="http://127.0.0.1:$(cat koyeb.port)"
export HELIOS_RENDER_API_URL="$RENDER/v1" HELIOS_KOYEB_API_URL="$KOYEB"
export RENDER_API_KEY=rnd-secret-key KOYEB_API_TOKEN=koy-secret-key
export HELIOS_HTTP_BACKOFF_MS=50 HELIOS_HTTP_MAX_ATTEMPTS=3
state="$TEST_TMP/state"

# web needs 100 h a month of instance hours: Render's free 750 h (shared by the workspace) has room,
# and the placement prefers it (Koyeb's one free instance would be used up); the ai workload is served by
# rotate's pool and never deployed.
cat > helios.yaml <<'YAML'
apiVersion: helios/v1
kind: Stack
metadata:
  name: shop
spec:
  regions: [us]
  workloads:
    - name: web
      kind: compute
      needs: { memory: 256Mi, instance_hours: 100h/month }
      providers: { allow: [render, koyeb] }
      runtime: { image: "docker.io/library/nginx:1.27", port: 8080, health: / }
    - name: llm
      kind: ai
      models: [llama-3.1-8b-instant]
      needs: { requests: 100/day }
      providers: { allow: [groq] }
YAML
H() { run_helios --state "$state" "$@"; }
inventory() { curl -s "$1/_fake/inventory"; }
no_secret() {
  if grep -q -e rnd-secret-key -e koy-secret-key <<<"$OUT$ERR"; then fail "$1: a token reached the output"; else pass; fi
}
snapshot_dir() { { find "$state" -type f -printf '%p %s %T@\n' | sort; ls "$TEST_TMP"/*.json 2>/dev/null; } | md5sum; }

# Bad input before anything exists: no state. Exit 2, nothing written (no state directory, no plan).
H rotate --workload web --plan -o p.json
expect_rc 2 "rotate --plan without state"
expect_contains "$ERR" "no state repository at $state: workload web of stack shop was never applied" "no-state message"
[ ! -e "$state" ] && [ ! -e p.json ] && [ ! -e plan.json ] && pass || fail "rotate --plan without state wrote something"

# 1. Apply: web on Render.
H apply --json
expect_rc 0 "apply"
expect_json '.ok and .summary.done == 1'
run_helios --state "$state" state show --json
expect_json '.stacks.shop.resources.web.provider == "render"' 
render_inv=$(inventory "$RENDER")
expect_contains "$render_inv" '"helios-shop-web"' "render inventory after apply"
jq -e '.count == 0' <<<"$(inventory "$KOYEB")" >/dev/null && pass || fail "koyeb inventory not empty: $(inventory "$KOYEB")"
web_commit=$(git -C "$state" rev-parse main)

# 2. Bad inputs with state: unknown workload (did-you-mean), an ai workload, flags that need --plan, a
#    bad threshold, --plan with an ai-only flag. Exit 2, the message checked, nothing written.
before=$(snapshot_dir)
H rotate --workload wbe --plan -o p.json
expect_rc 2 "unknown workload"
expect_contains "$ERR" "'wbe' names no workload of stack shop" "unknown workload message"
expect_contains "$ERR" "did you mean 'web'?" "unknown workload suggestion"
H rotate --workload llm --plan -o p.json --json
expect_rc 2 "ai workload with --plan"
expect_json '.error.code == "ai_workload" and (.error.message | contains("workload llm is an ai workload"))'
expect_schema error
H rotate --workload web -o p.json
expect_rc 2 "-o without --plan"
expect_contains "$ERR" "--out needs --plan" "-o without --plan message"
H rotate --workload web --plan --threshold 250% -o p.json
expect_rc 2 "bad threshold"
expect_contains "$ERR" "--threshold '250%' is not a share of a quota between 0 and 100%" "bad threshold message"
H rotate --workload web --plan --env -o p.json
expect_rc 2 "--plan with --env"
expect_contains "$ERR" "--env cannot be combined with --plan" "--plan --env message"
[ "$(snapshot_dir)" = "$before" ] && [ ! -e p.json ] && pass || fail "a refused rotate --plan wrote something"
[ "$(git -C "$state" rev-parse main)" = "$web_commit" ] && pass || fail "a refused rotate --plan committed"

# 3. Nothing to move: no ledger yet (0 %), then 40 % of Render's free hours. Exit 0, no plan file.
H rotate --workload web --plan -o p.json --json
expect_rc 0 "nothing recorded"
expect_schema rotate
expect_json '.move == false and .plan == null and .current[0].provider == "render"'
[ ! -e p.json ] && [ ! -e "$state/ledger.db" ] && pass || fail "nothing to move, yet something was written"
H quota record --provider render --pool render/free-hours instance_hours=300
expect_rc 0 "record 300 h"
H rotate --workload web --plan -o p.json
expect_rc 0 "40 % of the hours"
expect_contains "$OUT" "Nothing to move" "nothing to move"
expect_contains "$OUT" "instance_hours 300h of 750h per month used (40%) is under the threshold of 90%" "40 % message"
[ ! -e p.json ] && pass || fail "a plan was written with nothing to move"
#    The threshold is the user's: at 30 % the same usage moves it (the plan is not kept).
H rotate --workload web --plan --threshold 30% -o low.json --json
expect_rc 0 "threshold 30 %"
expect_json '.move == true and .threshold == 0.3 and .to[0].provider == "koyeb"'
[ -s low.json ] && pass || fail "no plan with --threshold 30%"

# 4. 95 %: the move plan, in the same format as `helios plan -o`, targets web only.
H quota record --provider render --pool render/free-hours instance_hours=413
expect_rc 0 "record 413 h more"
H rotate --workload web --plan -o p.json --json
expect_rc 0 "rotate --plan at 95 %"
expect_schema rotate
no_secret "rotate --plan"
expect_json '.move == true and .workload == "web" and .threshold == 0.9'
expect_json '.current[0] | .provider == "render" and .offering == "render/web-free" and .quotas[0].dimension == "instance_hours" and .quotas[0].used == 713 and .quotas[0].limit == 750'
expect_json '.to == [{"address":"web","action":"move","provider":"koyeb","offering":"koyeb/free-instance","account":"default","region":"us"}]'
expect_json '[.excluded[] | .offering] | index("render/web-free") != null'
expect_json '.plan.file == "p.json" and .plan.summary.move == 1'
OUT=$(cat p.json)
expect_schema plan
expect_json '.format_version == "1.0" and .stack == "shop" and (.manifest.digest | startswith("sha256:"))'
expect_json '[.actions[] | select(.action != "no-op")] | length == 1'
expect_json '.actions[0] | .action == "move" and .address == "web" and .before.provider == "render" and .after.provider == "koyeb" and .after.offering == "koyeb/free-instance"'
expect_json '.actions[0].reason | contains("close to its quota") and contains("95%")'
[ "$(jq -r .state.commit p.json)" = "$web_commit" ] && pass || fail "the plan names state $(jq -r .state.commit p.json), not $web_commit"
[ "$(git -C "$state" rev-parse main)" = "$web_commit" ] && pass || fail "rotate --plan committed to the state"
cp p.json p-again.json

# 5. helios apply p.json: create at Koyeb, health check, cut over, delete at Render.
H apply p.json --json
expect_rc 0 "apply the move plan"
expect_json '.ok and .summary.done == 1 and .actions[0].action == "move"'
no_secret "apply p.json"
run_helios --state "$state" state show --json
expect_json '.stacks.shop.resources.web | .provider == "koyeb" and .offering == "koyeb/free-instance" and .deposed == null'
koyeb_inv=$(inventory "$KOYEB")
expect_contains "$koyeb_inv" '"helios-shop-web"' "koyeb inventory after the move"
render_inv=$(inventory "$RENDER")
jq -e '[.resources[][]?] | length == 0' <<<"$render_inv" >/dev/null && pass || fail "render still holds the old service: $render_inv"

# 6. The same plan again: the state moved since it was computed, so it is refused (exit 5).
H apply p-again.json
expect_rc 5 "a stale move plan"
# A refreshed plan agrees: Render's 37 h left cannot take web's 100 h; nothing to do.
H plan --detailed-exitcode
expect_rc 0 "converged after the move"
# And rotate finds nothing to move on Koyeb.
H rotate --workload web --plan -o p2.json
expect_rc 0 "on koyeb"
[ ! -e p2.json ] && pass || fail "a second move plan was written"

# 7. No alternative: Koyeb near its quota too (540 of 550 compute hours); web can only go back to
#    Render, which is at 95 %. Exit 4 naming why; nothing written.
H quota record --provider koyeb --pool koyeb/free-instance compute_hours=540
expect_rc 0 "record koyeb hours"
H rotate --workload web --plan -o p3.json --json
expect_rc 4 "no alternative"
expect_json '.error.code == "no_alternative"'
expect_json '.error.message | contains("workload web has nowhere to move") and contains("koyeb/free-instance") and contains("render/web-free")'
[ ! -e p3.json ] && pass || fail "a plan was written with no alternative"

# Clean up the fakes' resources through helios.
H destroy
expect_rc 0 "destroy"
finish
