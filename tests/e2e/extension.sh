#!/usr/bin/env bash
# The companion extension end to end: `helios extension install-host/uninstall-host`, the real
# `helios native-host` over Chrome's framing (good and malformed input), then the unpacked extension in
# Debian's Chromium, headless, driven by playwright-core (tests/e2e/extension.mjs).
source "$(dirname "$0")/lib.sh"

ext_dir="$HELIOS_SOURCE_DIR/apps/extension"
profile="$TEST_TMP/profile"
state="$TEST_TMP/state"
hosts="$profile/NativeMessagingHosts"
manifest="$hosts/io.helios.companion.json"
launcher="$hosts/io.helios.companion.sh"
ext_id=$("$ext_dir/tools/extension-id.sh")
origin="chrome-extension://$ext_id/"

# The quota the host serves, recorded through the real ledger: usage plus the rate-limit headers of a
# provider response (which give the limits), as an agent reports them.
record() {  # record PROVIDER USED LIMIT
  printf 'HTTP/1.1 200 OK\r\nx-ratelimit-limit-requests: %s\r\nx-ratelimit-remaining-requests: %s\r\nx-ratelimit-reset-requests: 5h0m0s\r\n\r\n{}\n' \
    "$3" "$(($3 - $2))" >"$TEST_TMP/response-$1.txt"
  "$HELIOS" --state "$state" quota record --provider "$1" "requests=$2" --signal "$TEST_TMP/response-$1.txt" >/dev/null 2>&1 \
    || fail "helios quota record --provider $1"
}
# Before anything is recorded the host answers an empty quota document and creates no ledger.
mkdir -p "$state"
{"stacks":[{"name":"hobby","status":"applied","workloads":[
  {"name":"web","kind":"compute","offering":"cloudflare/workers","region":"eu","status":"running"},
  {"name":"db","kind":"database","offering":"neon/postgres-free","region":"eu","status":"running"},
  {"name":"llm","kind":"ai","offering":"gemini/gemini-2.5-flash","region":"global","status":"pool"}]}]}
EOF

# --- install-host: bad input first; nothing may be written ---
run_helios --state "$state" extension install-host --browser firefox --user-data-dir "$profile" --json
expect_rc 2 "install-host --browser firefox"
expect_json '.error.code == "usage" and (.error.message | test("firefox|browser"))'
run_helios --state "$state" extension install-host --extension-id NOT-AN-ID --user-data-dir "$profile" --json
expect_rc 2 "install-host --extension-id NOT-AN-ID"
expect_json '.error.code == "invalid_extension_id" and (.error.hint | test("32 letters"))'
expect_schema error
[ ! -e "$profile" ] && pass || fail "bad install-host input wrote $(find "$profile")"

# --- install-host into the test profile ---
run_helios --state "$state" extension install-host --user-data-dir "$profile" --json
expect_rc 0 "install-host"
expect_schema extension
expect_json ".manifest == \"$manifest\" and .launcher == \"$launcher\" and .state == \"$state\""
expect_json ".allowed_origins == [\"$origin\"] and .extension_id == \"$ext_id\""
OUT=$(cat "$manifest")
expect_json ".name == \"io.helios.companion\" and .type == \"stdio\" and .path == \"$launcher\" and .allowed_origins == [\"$origin\"]"
[ -x "$launcher" ] && pass || fail "the launcher $launcher is not executable"

# Per-user location: ~/.config/google-chrome/NativeMessagingHosts for chrome.
run_helios extension install-host --browser chrome
expect_rc 0 "install-host --browser chrome"
[ -f "$HOME/.config/google-chrome/NativeMessagingHosts/io.helios.companion.json" ] && pass || fail "no per-user chrome manifest"
run_helios extension uninstall-host --browser chrome --json
expect_rc 0 "uninstall-host --browser chrome"
expect_schema extension
expect_json '.removed | length == 2'
[ -z "$(ls -A "$HOME/.config/google-chrome/NativeMessagingHosts")" ] && pass || fail "uninstall-host left files"

# --- the host over Chrome's framing, through the launcher as Chrome runs it ---
# host_session ORIGIN < frames: prints each reply on its own line, then "rc=N".
cat >"$TEST_TMP/host_session.py" <<'PY'
import struct, subprocess, sys
frames = sys.stdin.buffer.read()
p = subprocess.run([sys.argv[1], sys.argv[2]], input=frames, capture_output=True, timeout=60)
out, i = p.stdout, 0
while i + 4 <= len(out):
    n = struct.unpack('=I', out[i:i + 4])[0]
    assert n < 1024 * 1024, "reply over Chrome's 1 MiB limit"
    print(out[i + 4:i + 4 + n].decode())
    i += 4 + n
print("rc=%d" % p.returncode)
PY
host_session() { python3 "$TEST_TMP/host_session.py" "$launcher" "$1"; }
frame() { python3 -c 'import struct,sys; b=sys.argv[1].encode(); sys.stdout.buffer.write(struct.pack("=I",len(b))+b)' "$1"; }

replies=$( { frame '{"id":1,"type":"status"}'; frame '{"id":2,"type":"checkpoints"}'; } | host_session "$origin")
mapfile -t lines <<<"$replies"
OUT=${lines[0]}; expect_json '.ok and .data.stacks == []'; expect_schema native-host
OUT=${lines[1]}; expect_json '.ok and .data == []'
[ ! -e "$state/HEAD" ] && pass || fail "the host created a state repository"
replies=$(frame '{"id":1,"type":"quota"}' | host_session "$origin")
OUT=${replies%%$'\n'*}; expect_json '.ok and .data.quotas == [] and .data.rotations == []'; expect_schema native-host
OUT=$(jq .data <<<"${replies%%$'\n'*}"); expect_schema quota
[ ! -e "$state/ledger.db" ] && pass || fail "the host created a ledger"

record groq 850 1000
record cloudflare 96000 100000
record gemini 75 250
run_helios --state "$state" --json quota
quota_cli=$OUT

# A stack applied for real through the local provider, and an agent's checkpoint: what `status` and
# `checkpoints` show comes from `helios state show` and `helios checkpoint list`.
cat >hobby.yaml <<'YAML'
apiVersion: helios/v1
kind: Stack
metadata: { name: hobby }
spec:
  regions: [local]
  providers: { allow: [local] }
  workloads:
    - { name: db, kind: database, engine: sqlite, needs: { storage: 10Mi } }
    - { name: assets, kind: storage, needs: { storage: 10Mi } }
YAML
export HELIOS_LOCAL_ROOT="$TEST_TMP/local"
run_helios --state "$state" -f hobby.yaml apply
expect_rc 0 "apply of the local hobby stack"
cleanup_hooks+=("'$HELIOS' --state '$state' -f '$TEST_TMP/hobby.yaml' destroy >/dev/null 2>&1")
echo '{"step":1}' | "$HELIOS" --state "$state" checkpoint save --agent coder --task issue-42 - >/dev/null 2>&1 \
  && pass || fail "helios checkpoint save"

replies=$( { frame '{"id":1,"type":"hello"}'; frame '{"id":2,"type":"quota"}'; frame '{"id":3,"type":"rotations","limit":1}';
             frame '{"id":4,"type":"status"}'; frame '{"id":5,"type":"drop-tables"}'; frame 'not json'; } | host_session "$origin")
mapfile -t lines <<<"$replies"
OUT=${lines[0]}; expect_json ".ok and .id == 1 and .data.state == \"$state\" and .data.origin == \"$origin\""; expect_schema native-host
OUT=${lines[1]}; expect_json '.ok and .id == 2 and (.data.quotas | length) >= 3'; expect_schema native-host
# The same data as `helios quota --json` (less the time it was generated).
[ "$(jq -S 'del(.generated_at)' <<<"$quota_cli")" = "$(jq -S '.data | del(.generated_at)' <<<"$OUT")" ] && pass \
  || fail "the host's quota differs from helios quota --json"
OUT=${lines[2]}; expect_json ".ok and .data == $(jq -c '.rotations[:1]' <<<"$quota_cli")"
OUT=${lines[3]}; expect_json '.ok and .data.stacks[0].name == "hobby" and .data.stacks[0].status == "applied"'
expect_json '[.data.stacks[0].workloads[] | .name + "=" + .offering] | sort == ["assets=local/storage", "db=local/database"]'
expect_schema native-host
replies=$(frame '{"id":1,"type":"checkpoints"}' | host_session "$origin")
OUT=${replies%%$'\n'*}; expect_json '.ok and (.data | length) == 1 and .data[0].task == "issue-42"'; expect_schema native-host
OUT=${lines[4]}; expect_json '.ok == false and .id == 5 and .error.code == "unknown_request"'; expect_schema native-host
OUT=${lines[5]}; expect_json '.ok == false and .error.code == "invalid_json"'
expect_contains "${lines[6]}" "rc=0" "host exit after a clean end of input"

# The catalog entry of a provider, from `helios catalog list --provider`.
replies=$( { frame '{"id":1,"type":"catalog","provider":"groq"}'; frame '{"id":2,"type":"catalog","provider":"nosuchprovider"}'; } | host_session "$origin")
mapfile -t lines <<<"$replies"
OUT=${lines[0]}; expect_json '.ok and .data.provider == "groq" and (.data.offerings | length) > 0 and all(.data.offerings[]; .provider == "groq")'
expect_schema native-host
OUT=${lines[1]}; expect_json '.ok == false and (.error.message | test("nosuchprovider"))'

# An oversized length: an error reply and a clean exit, without waiting for 4 GB.
replies=$(printf '\xff\xff\xff\xff{}' | host_session "$origin")
expect_contains "$replies" '"frame_too_large"' "oversized frame"
expect_contains "$replies" "rc=2" "oversized frame exit"
# Input ending inside a frame.
replies=$(printf '\x20\x00\x00\x00{"type"' | host_session "$origin")
expect_contains "$replies" '"truncated_frame"' "truncated frame"
# Another extension's origin gets nothing but the refusal.
replies=$(frame '{"type":"quota"}' | host_session "chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/")
expect_contains "$replies" '"origin_not_allowed"' "foreign origin"
expect_contains "$replies" "rc=3" "foreign origin exit"
[[ "$replies" != *'"quotas"'* ]] && pass || fail "a foreign origin got data"
# Read-only: the host changed nothing in the state directory.
before=$(cd "$state" && find . -type f -exec sha256sum {} + | sort)
frame '{"type":"quota"}' | host_session "$origin" >/dev/null
after=$(cd "$state" && find . -type f -exec sha256sum {} + | sort)
[ "$before" = "$after" ] && pass || fail "the host changed the state directory"

# --- the browser ---
playwright="$HELIOS_SOURCE_DIR/node_modules/playwright-core"
if [ ! -x /usr/bin/chromium ] || [ ! -d "$playwright" ] || ! command -v node >/dev/null; then
  if [ -n "${CI:-}" ]; then
    fail "Chromium, node or playwright-core is missing: scripts/bootstrap installs them"
    finish
  fi
  echo "SKIP: the browser part needs /usr/bin/chromium, node and node_modules/playwright-core (scripts/bootstrap)" >&2
  finish
fi
screens="$HELIOS_BUILD_DIR/screenshots"
if HELIOS="$HELIOS" EXT_DIR="$ext_dir" PROFILE_DIR="$profile" STATE_DIR="$state" SCREENSHOT_DIR="$screens" \
   EXPECT_ID="$ext_id" PLAYWRIGHT="$playwright" node "$HELIOS_SOURCE_DIR/tests/e2e/extension.mjs"; then
  pass
else
  fail "the browser test failed (see above)"
fi
if [ -n "${HELIOS_UPDATE_SCREENSHOTS:-}" ] && [ -f "$screens/extension-popup.png" ]; then
  cp "$screens/extension-popup.png" "$screens/extension-popup-dark.png" "$screens/extension-popup-no-host.png" \
    "$HELIOS_SOURCE_DIR/docs/images/"
fi
finish
