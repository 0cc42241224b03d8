#!/usr/bin/env bash
# A stack spread over Cloudflare + Neon + Render + an AI pool (Groq and Cerebras), each provider a fake
# server (tests/fakes helios_fake): plan, apply (outputs, each fake's inventory holds the deterministic
# names helios-<stack>-<workload>), a converged second plan (--detailed-exitcode 0, refreshed from the
# fakes), a 429 with Retry-After that apply rides out, a 500 that apply retries and a persistent 500 it
# reports (provider, operation, HTTP status; the state matches the inventory), `helios rotate` handing
# out the AI fake's base URL, then destroy leaving every fake's inventory empty and the state empty.
source "$(dirname "$0")/lib.sh"

command -v jq >/dev/null && command -v curl >/dev/null || { echo "needs jq and curl"; exit 125; }

start_fake cloudflare cloudflare --token cf-secret-token --account acc123
start_fake neon neon --token neon-secret-key
start_fake render render --token rnd-secret-key
start_fake groq openai --token gsk-secret-key --options '{"models":["llama-3.1-8b-instant"],"style":"groq"}'
start_fake cerebras openai --token csk-secret-key --options '{"models":["llama3.1-8b"],"style":"cerebras"}'
CF="http://127.0.0.1:$(cat cloudflare.port)" NEON="http://127.0.0.1:$(cat neon.port)"
RENDER="http://127.0.0.1:$(cat render.port)" GROQ="http://127.0.0.1:$(cat groq.port)"
CEREBRAS="http://127.0.0.1:$(cat cerebras.port)"

export HELIOS_CLOUDFLARE_API_URL="$CF/client/v4" HELIOS_NEON_API_URL="$NEON/api/v2"
export HELIOS_RENDER_API_URL="$RENDER/v1" HELIOS_GROQ_API_URL="$GROQ/openai/v1" HELIOS_CEREBRAS_API_URL="$CEREBRAS/v1"
export CF_TOKEN=cf-secret-token CF_ACCOUNT=acc123 NEON_API_KEY=neon-secret-key RENDER_API_KEY=rnd-secret-key
export GROQ_API_KEY=gsk-secret-key CEREBRAS_API_KEY=csk-secret-key
export HELIOS_STATE="$TEST_TMP/state"
# Retries stay quick in a test; the bound is still the adapters' (HELIOS_HTTP_MAX_ATTEMPTS).
export HELIOS_HTTP_BACKOFF_MS=50 HELIOS_HTTP_MAX_ATTEMPTS=3

cat > helios.yaml <<'YAML'
apiVersion: helios/v1
kind: Stack
metadata:
  name: shop
spec:
  regions: [eu]
  providers: { allow: [cloudflare, neon, render, groq, cerebras] }
  accounts:
    cloudflare: { token_env: CF_TOKEN, account_id_env: CF_ACCOUNT }
  workloads:
    - name: db
      kind: database
      engine: postgres
      needs: { storage: 200Mi }
      providers: { allow: [neon] }
    - name: web
      kind: compute
      depends_on: [db]
      needs: { memory: 256Mi }
      providers: { allow: [render] }
      runtime: { image: "docker.io/library/nginx:1.27", port: 8080, health: / }
    - name: edge
      kind: compute
      needs: { requests: 10k/day }
      providers: { allow: [cloudflare] }
      runtime: { command: "worker.js" }
    - name: files
      kind: storage
      needs: { storage: 1GB }
      providers: { allow: [cloudflare] }
    - name: llm
      kind: ai
      split: true
      models: [llama-3.1-8b-instant, llama3.1-8b]
      needs: { requests: 100/day }
      providers: { allow: [groq, cerebras] }
YAML

inventory() { curl -s "$1/_fake/inventory"; }
names() { inventory "$1" | jq -c '[.. | objects | (.name? // .service?.name? // .project?.name? // .id?) | strings] | unique'; }
no_secret() {
  if grep -q -e cf-secret-token -e neon-secret-key -e rnd-secret-key -e gsk-secret-key -e csk-secret-key <<<"$OUT$ERR"; then
    fail "$1: a token reached the output"
  else pass; fi
}

# 1. Plan: four resources, one per provider placement; the AI workload is served by rotate, not created.
run_helios plan --json
expect_rc 0 "plan"
expect_json '[.actions[] | select(.action == "create") | .address] | sort == ["db","edge","files","web"]'
expect_json '[.actions[] | .after.provider] | sort == ["cloudflare","cloudflare","neon","render"]'
no_secret plan

# 2. Apply.
run_helios apply --json
expect_rc 0 "apply"
expect_json '.ok and .summary == {"done":4,"failed":0,"not_started":0}'
expect_json '.outputs | has("db") and has("web") and has("edge") and has("files")'
no_secret apply
echo "$OUT" > apply1.json
cf=$(inventory "$CF"); neon=$(inventory "$NEON"); render=$(inventory "$RENDER")
expect_contains "$cf" '"helios-shop-edge"' "cloudflare inventory"
expect_contains "$cf" '"helios-shop-files"' "cloudflare inventory"
expect_contains "$neon" '"helios-shop-db"' "neon inventory"
expect_contains "$render" '"helios-shop-web"' "render inventory"
jq -e '.count == 2' <<<"$cf" >/dev/null && pass || fail "cloudflare inventory: $cf"
jq -e '.count == 1' <<<"$neon" >/dev/null && pass || fail "neon inventory: $neon"
jq -e '.count == 1' <<<"$render" >/dev/null && pass || fail "render inventory: $render"

# 3. Converged: a refreshed plan (reads every fake) finds nothing to do.
run_helios plan --detailed-exitcode
expect_rc 0 "second plan --detailed-exitcode"

# 4. Faults. Delete the Render service behind helios's back (drift), so that apply must read and
#    recreate it; Render answers the next read 429 with Retry-After: 1 and the one after that 500: apply
#    waits the second the server named, retries both (bounded) and converges.
web_id() { inventory "$RENDER" | jq -r '.resources.service[] | select(.name == "helios-shop-web") | .id'; }
drop_web() { curl -s -X DELETE -H "Authorization: Bearer $RENDER_API_KEY" "$RENDER/v1/services/$(web_id)" >/dev/null; }
fault() { curl -s -X POST "$1/_fake/faults" -d "$2" >/dev/null; }
drop_web
fault "$RENDER" '{"kind":"status","status":429,"retry_after":"1","method":"GET","path":"/v1/services","count":1}'
fault "$RENDER" '{"kind":"status","status":500,"method":"GET","path":"/v1/services","count":1}'
start=$(date +%s%N)
run_helios apply
expect_rc 0 "apply through a 429 and a 500"
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
[ "$elapsed_ms" -ge 1000 ] && pass || fail "apply did not wait for Retry-After (took ${elapsed_ms} ms)"
[ -n "$(web_id)" ] && pass || fail "render service not recreated: $(inventory "$RENDER")"
reqs=$(curl -s "$RENDER/_fake/requests")
jq -e '.faults_applied == 2 and .faults_pending == 0' <<<"$reqs" >/dev/null && pass || fail "faults not applied: $reqs"
run_helios plan --detailed-exitcode
expect_rc 0 "converged after the retried faults"

#    A 500 to every create (POST): not retried blindly (the create may have happened), the adapter looks
#    for the service by name, finds none and apply stops with exit 1 naming provider, operation and
#    status. The state records exactly what exists at the fakes.
drop_web
fault "$RENDER" '{"kind":"status","status":500,"method":"POST","path":"/v1/services","count":-1}'
run_helios apply --json
expect_rc 1 "apply against a persistent 500"
expect_json '(.ok | not) and .summary == {"done":0,"failed":1,"not_started":0}'
expect_json '[.actions[] | select(.status == "failed") | .error][0] | test("^render create: HTTP 500")'
no_secret "failed apply"
curl -s -X DELETE "$RENDER/_fake/faults" >/dev/null
run_helios state show --json
expect_rc 0 "state show after the failure"
# Every resource the state records exists at its fake, and nothing else exists there.
recorded=$(jq -c '[.stacks.shop.resources[] | .resource? | objects | .id] | sort' <<<"$OUT")
existing=$( (inventory "$CF"; inventory "$NEON"; inventory "$RENDER") | jq -s -c '[.[].resources[][] | (.id // .uuid // .script_name // .name)] | sort')
[ "$recorded" = "$existing" ] && pass || fail "state after the failure ($recorded) differs from the fakes' inventory ($existing)"
run_helios apply
expect_rc 0 "apply converges once the fault is gone"
run_helios plan --detailed-exitcode
expect_rc 0 "converged again"

# 5. The AI pool (Groq and Cerebras, split): rotate hands out a member's fake base URL (the adapters'
#    HELIOS_<PROVIDER>_API_URL), its model and credential variable, never the key in --json; the key it
#    names is accepted at that URL. A 429 from the member in use rotates to the other.
run_helios rotate --workload llm --json
expect_rc 0 "rotate"
expect_json ".granted and ((.offering == \"groq/llama-3.1-8b\" and .base_url == \"$GROQ/openai/v1\" and .credential_env == \"GROQ_API_KEY\") or (.offering == \"cerebras/llama-3.1-8b\" and .base_url == \"$CEREBRAS/v1\" and .credential_env == \"CEREBRAS_API_KEY\"))"
no_secret rotate
first=$(jq -r .offering <<<"$OUT")
run_helios rotate --workload llm --env
eval "$OUT"
models=$(curl -s -H "Authorization: Bearer $OPENAI_API_KEY" "$OPENAI_BASE_URL/models")
expect_contains "$models" "\"$OPENAI_MODEL\"" "GET /models at the rotated base URL"
resp=$(curl -s -D rate.headers -o rate.body -w '%{http_code}' -X POST -H "Authorization: Bearer $OPENAI_API_KEY" \
  -H 'Content-Type: application/json' "$OPENAI_BASE_URL/chat/completions" \
  -d "{\"model\":\"$OPENAI_MODEL\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
[ "$resp" = 200 ] && pass || fail "chat completion at the rotated base URL answered $resp"
run_helios rotate --workload llm --from "$first" --reason transient --json
expect_rc 0 "rotate away after a 429"
expect_json ".granted and .offering != \"$first\""

# 6. Destroy: every fake's inventory is empty and the state records nothing for the stack.
run_helios destroy -f helios.yaml --json
expect_rc 0 "destroy"
for url in "$CF" "$NEON" "$RENDER"; do
  inv=$(inventory "$url")
  jq -e '.count == 0' <<<"$inv" >/dev/null && pass || fail "inventory at $url not empty after destroy: $inv"
done
run_helios state show --json
expect_rc 0 "state show after destroy"
expect_json '[.stacks[]?.resources | length] | add // 0 | . == 0'
run_helios plan --detailed-exitcode
[ "$RC" -eq 2 ] && pass || fail "plan after destroy should propose creates (exit 2), got $RC"

finish
