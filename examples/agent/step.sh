#!/usr/bin/env bash
# One chat call, run by `helios rotate --exec` with OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_MODEL,
# HELIOS_OFFERING and HELIOS_RESERVATION set. Settles the reservation with what the provider reports
# (the request and its tokens, or nothing when it refused), and writes the answer.
#   step.sh PROMPT_FILE RESPONSE_FILE ANSWER_FILE   exit 0: answered; 75: refused (RESPONSE_FILE is the signal)
set -uo pipefail
prompt_file=$1 response=$2 answer=$3
HELIOS=${HELIOS:-helios}

body=$(jq -n --arg model "$OPENAI_MODEL" --rawfile prompt "$prompt_file" \
  '{model: $model, max_tokens: 16, messages: [{role: "user", content: $prompt}]}')
if ! curl -sS -i --max-time 60 -X POST "${OPENAI_BASE_URL%/}/chat/completions" \
  -H "Authorization: Bearer $OPENAI_API_KEY" -H 'Content-Type: application/json' -d "$body" > "$response"; then
  printf 'HTTP/1.1 503 Service Unavailable\r\n\r\n{"error":{"message":"connection failed"}}' > "$response"
fi
status=$(head -n1 "$response" | awk '{print $2}')
payload=$(sed '1,/^\r\{0,1\}$/d' "$response")
jq -n --arg offering "$HELIOS_OFFERING" '{offering: $offering}' > "$answer"
if [ "$status" = 200 ] && jq -e '.choices[0].message.content and (.error | not)' >/dev/null 2>&1 <<<"$payload"; then
  tokens=$(jq -r '.usage.total_tokens // 0' <<<"$payload")
  "$HELIOS" quota record --reservation "$HELIOS_RESERVATION" "tokens=$tokens" >/dev/null || exit 1
  jq -n --arg offering "$HELIOS_OFFERING" --arg answer "$(jq -r '.choices[0].message.content' <<<"$payload")" \
    '{offering: $offering, answer: $answer}' > "$answer"
  exit 0
fi
# Refused or failed: nothing was served, so the reservation is given back.
"$HELIOS" quota record --reservation "$HELIOS_RESERVATION" requests=0 tokens=0 >/dev/null || exit 1
exit 75
