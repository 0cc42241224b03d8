#!/usr/bin/env bash
# helios quota: record, the table, --json (schema), --format prometheus, signals feeding cooldowns, and bad
# input that writes nothing.
source "$(dirname "$0")/lib.sh"

S="$TEST_TMP/state"

run_helios quota --state "$S" --json
expect_rc 0 "quota on an empty ledger"
expect_json '.quotas == [] and .cooldowns == [] and .rotations == []'
expect_schema quota

# Bad input: exit 2, the message names the argument, and the ledger is not created.
rm -rf "$S"
run_helios quota --state "$S" record --provider groq tokens=lots
expect_rc 2 "bad amount"
expect_contains "$ERR" "argument 1:1:8"
[ ! -e "$S/ledger.db" ] && pass || fail "a bad record wrote the ledger"
echo 'not a response' > bad-signal.txt
run_helios quota --state "$S" record --provider groq --signal bad-signal.txt
expect_rc 2 "bad signal"
expect_contains "$ERR" "bad-signal.txt:1:1"
[ ! -e "$S/ledger.db" ] && pass || fail "a bad signal wrote the ledger"
run_helios quota --state "$S" record tokens=5
expect_rc 2 "record without an owner"

run_helios quota --state "$S" record --provider groq tokens=800 requests=1
expect_rc 0 "record"
run_helios quota --state "$S" record --provider groq tokens=200 requests=1 --json
expect_rc 0 "record --json"
expect_schema quota
expect_json '.action == "record" and ([.quotas[] | select(.dimension == "tokens" and .window == "day") | .used] == [1000])'

# A Groq daily 429 saved with curl -si: a daily cooldown and the limit the headers state.
printf 'HTTP/1.1 429 Too Many Requests\r\nretry-after: 30\r\nx-ratelimit-limit-requests: 1000\r\nx-ratelimit-remaining-requests: 0\r\nx-ratelimit-reset-requests: 2h0m0s\r\n\r\n{"error":{"message":"Rate limit reached on requests per day (RPD)","code":"rate_limit_exceeded"}}' > groq-429.txt
run_helios quota --state "$S" record --provider groq --signal groq-429.txt --json
expect_rc 0 "record --signal"
expect_schema quota
expect_json '.cooldowns[0].kind == "daily" and .cooldowns[0].provider == "groq"'
expect_json '[.quotas[] | select(.dimension == "requests" and .window == "day")][0] | .limit == 1000 and .source == "headers" and .observed.remaining == 0'

run_helios quota --state "$S"
expect_rc 0 "table"
expect_contains "$OUT" "PROVIDER"
expect_contains "$OUT" "groq"
expect_contains "$OUT" "COOLING"

run_helios quota --state "$S" --format prometheus
expect_rc 0 "prometheus"
expect_contains "$OUT" "# HELP helios_quota_used"
expect_contains "$OUT" "# TYPE helios_quota_used gauge"
expect_contains "$OUT" 'helios_quota_used{provider="groq",account="default",pool="groq",dimension="tokens",window="day"} 1000'
expect_contains "$OUT" 'helios_quota_limit{provider="groq",account="default",pool="groq",dimension="requests",window="day"} 1000'
expect_contains "$OUT" 'helios_cooldown_until_timestamp_seconds{provider="groq"'
# Every sample line is name{labels} value.
if grep -v '^#' <<<"$OUT" | grep -vqE '^[a-z_]+\{[^}]*\} [0-9.e+-]+$'; then fail "malformed prometheus line"; else pass; fi

# refresh reports providers without an adapter instead of failing.
run_helios quota --state "$S" refresh --json
expect_rc 0 "refresh"
expect_schema quota
expect_json '.action == "refresh" and (.refreshed | length) >= 1'

# sync commits the ledger as ledger/snapshot.json into the state repository created beside it.
run_helios quota --state "$TEST_TMP/none" sync
expect_rc 2 "sync without a ledger"
expect_contains "$ERR" "no ledger"
[ ! -e "$TEST_TMP/none" ] && pass || fail "sync without a ledger created the directory"
run_helios quota --state "$S" sync -m $'two\nlines'
expect_rc 2 "sync with a two-line message"
[ ! -e "$S/HEAD" ] && pass || fail "a refused sync created the state repository"
run_helios quota --state "$S" sync -m "nightly" --json
expect_rc 0 "sync"
expect_schema quota
expect_json '.action == "sync" and (.commit | test("^[0-9a-f]{40}$"))'
commit=$(jq -r .commit <<<"$OUT")
[ "$(git -C "$S" rev-parse main)" = "$commit" ] && pass || fail "main is not the sync commit"
git -C "$S" show main:ledger/snapshot.json > snapshot.json
OUT=$(cat snapshot.json); expect_json '[.quotas[] | select(.provider == "groq" and .dimension == "tokens" and .window == "day") | .used] == [1000]'
git -C "$S" log -1 --format=%B main | grep -q 'Helios-Command: quota sync' && pass || fail "sync trailer"
git -C "$S" log -1 --format=%B main | grep -q 'nightly' && pass || fail "sync message"

finish
