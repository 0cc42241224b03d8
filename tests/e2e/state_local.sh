#!/usr/bin/env bash
# Plan and apply of examples/local.yaml through the real local provider: a process answering HTTP, a
# SQLite file and a directory; plan files, drift, targets, detailed exit codes, state commands, destroy.
source "$(dirname "$0")/lib.sh"

export HELIOS_LOCAL_ROOT="$TEST_TMP/local"
cp "$HELIOS_SOURCE_DIR/examples/local.yaml" stack.yaml
port=$(free_port)
sed -i "s/port: 8080/port: $port/" stack.yaml
state="$TEST_TMP/state"
H() { run_helios --state "$state" -f stack.yaml "$@"; }
cleanup_hooks+=("'$HELIOS' --state '$state' -f '$TEST_TMP/stack.yaml' destroy >/dev/null 2>&1")

# plan before any state: creates only, and writes nothing.
H plan --json --detailed-exitcode
expect_rc 2 "plan with changes"
expect_schema plan
expect_json '.format_version == "1.0" and .stack == "local" and .changes == true'
expect_json '[.actions[] | select(.action == "create")] | length == 3'
expect_json '(.actions | map(.address) | index("web")) > (.actions | map(.address) | index("db"))'
[ ! -e "$state" ] && pass || fail "plan created the state directory"

H plan -o plan.json
expect_rc 0 "plan -o"
expect_contains "$OUT" "3 to create"
expect_json_file() { jq -e "$1" plan.json >/dev/null && pass || fail "plan.json: $1"; }
expect_json_file '.state.commit == "" and (.manifest.digest | startswith("sha256:")) and (.actions[0].after.spec.name | startswith("helios-local-"))'

# apply the saved plan
H apply plan.json --json
expect_rc 0 "apply plan.json"
expect_schema apply
expect_json '.ok == true and .summary.done == 3 and .summary.failed == 0'
url=$(jq -r '.outputs.web.url' <<<"$OUT")
body=$(curl -sf "$url") && pass || fail "web service at $url does not answer"
[ -f "$HELIOS_LOCAL_ROOT/helios-local-db/db.sqlite" ] && pass || fail "no sqlite file"
[ "$(sqlite3 "$HELIOS_LOCAL_ROOT/helios-local-db/db.sqlite" "select value from helios_meta where key='created_by'")" = helios ] && pass || fail "sqlite not initialised"
[ -d "$HELIOS_LOCAL_ROOT/helios-local-files/data" ] && pass || fail "no storage directory"
git -C "$state" fsck --strict >/dev/null 2>&1 && pass || fail "git fsck"

# the same saved plan again: refused, state moved (exit 5)
H apply plan.json
expect_rc 5 "stale plan"
expect_contains "$ERR" "state changed underneath"

# no changes now
H plan --detailed-exitcode
expect_rc 0 "plan without changes"
expect_contains "$OUT" "No changes"
H plan --refresh=false --json
expect_json '.refreshed == false and .changes == false'

# drift: stop the web process outside helios → refresh reports it and plans a re-create
sup=$(cut -d' ' -f1 "$HELIOS_LOCAL_ROOT/helios-local-web/supervisor.pid")
kill "$sup"
# wait until the supervisor has stopped its process and exited (a zombie counts as gone)
for _ in $(seq 100); do { [ -e "/proc/$sup" ] && ! grep -q ') Z' "/proc/$sup/stat" 2>/dev/null; } || break; sleep 0.1; done
curl -sf "$url" >/dev/null 2>&1 && fail "web still answers after its supervisor was killed" || pass
H plan --json --detailed-exitcode
expect_rc 2 "plan after drift"
expect_json '.drift | length == 1 and .[0].address == "web" and .[0].change == "deleted"'
expect_json '.actions[] | select(.address == "web") | .action == "create"'
H plan --refresh=false --json --detailed-exitcode
expect_rc 0 "no refresh: drift not seen"

# --target / --exclude
H plan --json --target db
expect_json '[.actions[].address] == ["db"]'
H plan --json --exclude db
expect_json '[.actions[].address] | index("web") == null and index("db") == null'
H plan --target nosuch
expect_rc 2 "unknown target"
expect_contains "$ERR" "nosuch"

# update: a changed command is an update with its reason
sed -i 's/--bind 127.0.0.1"/--bind 127.0.0.1 --directory ."/' stack.yaml
commits_before=$(git -C "$state" rev-list --count main)
H apply --json
expect_rc 0 "apply update"
# one commit per mutating command: intents and results went to the journal, which is folded and gone
[ "$(git -C "$state" rev-list --count main)" -eq $((commits_before + 1)) ] && pass || fail "apply made more than one commit on main"
[ -z "$(git -C "$state" for-each-ref refs/helios/journal)" ] && pass || fail "a journal ref survived apply"
expect_json '[.actions[] | select(.address == "web")][0].action == "update" or [.actions[] | select(.address == "web")][0].action == "create"'
url=$(jq -r '.outputs.web.url' <<<"$OUT")
curl -sf "$url" >/dev/null && pass || fail "web after update"
H plan --json --detailed-exitcode
expect_rc 0 "converged after update"

# state commands
H state log --json
expect_rc 0 "state log"
expect_schema state
expect_json '.commits[0].command == "apply" and (.commits[0].actor | length > 0) and (.commits | length) == 3'  # init, then one commit per apply
git -C "$state" log -1 --format=%B main | grep -q '^Helios-Plan-Digest: sha256:' && pass || fail "no plan digest trailer"
git -C "$state" log -1 --format=%B main | grep -q '^Helios-Version: ' && pass || fail "no version trailer"
H state show --json
expect_rc 0 "state show"
expect_schema state
expect_json '.stacks.local.resources.web.resource.outputs.url | startswith("http://127.0.0.1:")'
H state show nosuchrev
expect_rc 2 "unknown revision"
H state locks --json
expect_json '.locks == []'
H state unlock deadbeef
expect_rc 2 "unlock unknown id"

# push / pull: fast-forward only, same lineage only
H state push "$TEST_TMP/remote.git" --json
expect_rc 0 "push to a new path"
expect_json '.outcome == "pushed"'
git -C "$TEST_TMP/remote.git" rev-parse main >/dev/null 2>&1 && pass || fail "remote has no main"
run_helios --state "$TEST_TMP/clone" state pull "$TEST_TMP/remote.git" --json
expect_rc 0 "pull into a fresh state"
expect_json '.outcome == "adopted"'
run_helios --state "$TEST_TMP/other" -f stack.yaml plan >/dev/null 2>&1
HELIOS_LOCAL_ROOT="$TEST_TMP/local-other" run_helios --state "$TEST_TMP/other" -f stack.yaml apply --target db
run_helios --state "$TEST_TMP/other" state push "$TEST_TMP/remote.git"
expect_rc 5 "push of another lineage"
expect_contains "$ERR" "lineage"
HELIOS_LOCAL_ROOT="$TEST_TMP/local-other" run_helios --state "$TEST_TMP/other" -f stack.yaml destroy

# rollback: restore the state of the first apply; plan then shows what apply would change back
first_apply=$(git -C "$state" log --reverse --format='%H %s' main | grep -m1 -E 'apply: local \(' | cut -d' ' -f1)
H state rollback "$first_apply" --json
expect_rc 0 "rollback"
expect_json '.files_changed > 0'
H plan --json --refresh=false
expect_json '.actions[] | select(.address == "web") | .action == "update"'

# destroy removes everything and the state records nothing
H destroy --json
expect_rc 0 "destroy"
expect_schema apply
curl -sf "$url" >/dev/null 2>&1 && fail "web still answers after destroy" || pass
[ -z "$(ls -A "$HELIOS_LOCAL_ROOT" 2>/dev/null)" ] && pass || fail "local resources left: $(ls "$HELIOS_LOCAL_ROOT")"
H state show --json
expect_json '.stacks == {}'
git -C "$state" fsck --strict >/dev/null 2>&1 && pass || fail "git fsck after destroy"

finish
