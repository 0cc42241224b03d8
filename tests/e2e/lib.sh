# Shared helpers for the end-to-end tests. Each test sources this file; it runs in a fresh temporary
# directory that is removed afterwards (kept when HELIOS_KEEP_TMP is set).
set -uo pipefail

: "${HELIOS:?the helios binary (set by CTest)}"
: "${HELIOS_SOURCE_DIR:?the source tree (set by CTest)}"
HELIOS_BUILD_DIR="${HELIOS_BUILD_DIR:-$(dirname "$HELIOS")}"

TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/helios-e2e.XXXXXX")
cleanup_hooks=()
# Every test, when it ends: no token value it had in its environment (any variable named *TOKEN*,
# *API_KEY*, *SECRET*, and the fakes' accepted token) is in any object — reachable or not — of any state
# repository it made. Together the tests scan every state repository the suite creates.
scan_state_repositories() {
  local values=() name repo objects v
  for name in $(compgen -e); do
    case "$name" in *TOKEN*|*API_KEY*|*SECRET*) [ ${#name} -gt 0 ] && [ -n "${!name}" ] && values+=("${!name}") ;; esac
  done
  values+=("test-token")
  while IFS= read -r repo; do
    repo=$(dirname "$repo")
    [ -d "$repo/objects" ] && [ -d "$repo/refs" ] || continue
    objects=$(git -C "$repo" cat-file --batch-all-objects --batch 2>/dev/null | tr -d '\0') || continue
    for v in "${values[@]}"; do
      [ ${#v} -ge 8 ] || continue
      if [[ "$objects" == *"$v"* ]]; then
        echo "FAIL: the state repository $repo holds a token value (from the test's environment)" >&2
        return 1
      fi
    done
  done < <(find "$TEST_TMP" -name HEAD -path '*/HEAD' -not -path '*/node_modules/*' 2>/dev/null)
  return 0
}

on_exit() {
  local rc=$? hook
  for hook in "${cleanup_hooks[@]}"; do eval "$hook" || true; done
  scan_state_repositories || rc=1
  [ -n "${HELIOS_KEEP_TMP:-}" ] || rm -rf "$TEST_TMP"
  exit "$rc"
}
trap on_exit EXIT
cd "$TEST_TMP" || exit 1
export HOME="$TEST_TMP/home"
mkdir -p "$HOME"
unset HELIOS_STATE HELIOS_CATALOG_PATH

failures=0
checks=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

pass() {
  checks=$((checks + 1))
}

# run_helios ARGS…: runs helios, capturing stdout in $OUT, stderr in $ERR and the exit code in $RC.
run_helios() {
  OUT=$("$HELIOS" "$@" 2>"$TEST_TMP/.stderr")
  RC=$?
  ERR=$(cat "$TEST_TMP/.stderr")
}

expect_rc() {
  local want=$1; shift
  if [ "$RC" -ne "$want" ]; then
    fail "$* : exit $RC, expected $want; stdout: ${OUT:0:400}; stderr: ${ERR:0:400}"
  else
    pass
  fi
}

expect_contains() {
  local haystack=$1 needle=$2 what=${3:-output}
  if [[ "$haystack" != *"$needle"* ]]; then
    fail "$what does not contain '$needle': ${haystack:0:600}"
  else
    pass
  fi
}

expect_json() {
  # expect_json FILTER: the jq FILTER must be true on $OUT
  if ! jq -e "$1" >/dev/null 2>&1 <<<"$OUT"; then
    fail "jq '$1' is not true on: ${OUT:0:600}"
  else
    pass
  fi
}

# A free TCP port on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

finish() {
  echo "$checks checks, $failures failures"
  [ "$failures" -eq 0 ]
  exit $?
}

# expect_schema NAME: $OUT is valid against docs/schemas/NAME.schema.json.
expect_schema() {
  local schema="$HELIOS_SOURCE_DIR/docs/schemas/$1.schema.json" msg
  if ! msg=$("$HELIOS_SCHEMA_CHECK" "$schema" <<<"$OUT" 2>&1); then
    fail "output does not match $1.schema.json: $msg; output: ${OUT:0:400}"
  else
    pass
  fi
}

# start_fake NAME FAMILY ARGS… : starts a fake provider server (tests/fakes helios_fake) of FAMILY
# (cloudflare, neon, render, koyeb, turso, openai, …) on a free port, written to $TEST_TMP/NAME.port;
# stopped when the test ends. Fails the test if it does not start.
start_fake() {
  local name=$1 family=$2 fake="$HELIOS_BUILD_DIR/tests/fakes/helios_fake"; shift 2
  [ -x "$fake" ] || { fail "helios_fake not built"; finish; }
  "$fake" --family "$family" --port 0 --port-file "$TEST_TMP/$name.port" "$@" >"$TEST_TMP/$name.log" 2>&1 &
  local pid=$!
  cleanup_hooks+=("kill $pid")
  for _ in $(seq 200); do [ -s "$TEST_TMP/$name.port" ] && break; sleep 0.05; done
  [ -s "$TEST_TMP/$name.port" ] || { fail "$name did not start: $(cat "$TEST_TMP/$name.log")"; finish; }
}
