#!/usr/bin/env bash
# A small real agent: works through a multi-step task against OpenAI-compatible chat endpoints, asking
# `helios rotate --exec` for the provider to use at every call and `helios checkpoint` to save its
# progress after every step. Killed at any point, it resumes from its last checkpoint.
#
#   agent.sh --task NAME [--workload llm] [--steps 8] [--agent NAME]
#
# Environment: HELIOS (the binary, default: helios on PATH), HELIOS_STATE (state directory), HELIOS_MANIFEST
# (the stack manifest naming the ai workload; default helios.yaml), HELIOS_CATALOG_PATH (user catalogs),
# the credential variables the pool names. AGENT_PAUSE_AT_STEP=N makes it stop after step N's call and
# before its checkpoint (touching $AGENT_PAUSE_FILE), so tests can kill it there.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
HELIOS=${HELIOS:-helios}
MANIFEST=${HELIOS_MANIFEST:-helios.yaml}
task="" workload=llm steps=8 agent=example-agent
while [ $# -gt 0 ]; do
  case $1 in
    --task) task=$2; shift 2 ;;
    --workload) workload=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --agent) agent=$2; shift 2 ;;
    *) echo "agent: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$task" ] || { echo "agent: --task NAME is required" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/helios-agent.XXXXXX")
trap 'rm -rf "$work"' EXIT
state="$work/state.json"

# Resume from the last checkpoint, or start the task.
if "$HELIOS" checkpoint restore --agent "$agent" --task "$task" -o "$state" 2>/dev/null; then
  start=$(( $(jq -r '.step' "$state") + 1 ))
  echo "agent: resuming $task at step $start (checkpoint of step $((start - 1)))" >&2
else
  jq -n --arg task "$task" '{task: $task, step: 0, notes: []}' > "$state"
  start=1
  echo "agent: starting $task" >&2
fi

for ((step = start; step <= steps; step++)); do
  # The prompt carries the work so far: each step builds on the previous answers.
  jq -r --argjson step "$step" '"Task \(.task), step \($step): continue from: " + ((.notes | map(.answer) | join(" | ")) // "")' \
    "$state" > "$work/prompt.txt"
  from=()
  tries=0
  while :; do
    tries=$((tries + 1))
    if [ "$tries" -gt 40 ]; then
      echo "agent: step $step failed after $tries attempts" >&2
      exit 1
    fi
    # helios picks the member and reserves one request; step.sh makes the call with OPENAI_* set.
    "$HELIOS" rotate -f "$MANIFEST" --workload "$workload" --reserve requests=1,tokens=64 "${from[@]}" \
      --exec -- "$here/step.sh" "$work/prompt.txt" "$work/response.txt" "$work/answer.json"
    rc=$?
    case $rc in
      0) break ;;
      75) # the provider said no: leave it, with its response as the signal
          from=(--from "$(jq -r '.offering' "$work/answer.json")" --signal "$work/response.txt") ;;
      4) # nothing has quota now: wait a little (rotate printed next_available_at)
          from=(); sleep 1 ;;
      *) echo "agent: helios rotate failed (exit $rc)" >&2; exit "$rc" ;;
    esac
  done
  jq --argjson step "$step" --slurpfile a "$work/answer.json" \
    '.step = $step | .notes += [{step: $step, provider: $a[0].offering, answer: $a[0].answer}]' "$state" > "$work/next.json" &&
    mv "$work/next.json" "$state"
  if [ "${AGENT_PAUSE_AT_STEP:-0}" = "$step" ]; then
    touch "${AGENT_PAUSE_FILE:-$work/paused}"
    sleep 600
  fi
  HELIOS_OFFERING=$(jq -r '.offering' "$work/answer.json") \
    "$HELIOS" checkpoint save --agent "$agent" --task "$task" --step "$step" --meta "tries=$tries" "$state" >/dev/null ||
    { echo "agent: checkpoint of step $step failed" >&2; exit 1; }
  echo "agent: step $step done on $(jq -r '.offering' "$work/answer.json")" >&2
done
jq -c '{task, steps: .step, providers: [.notes[].provider]}' "$state"
