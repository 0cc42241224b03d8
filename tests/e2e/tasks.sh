#!/usr/bin/env bash
# tasks/: the 20 task cards stay true to the code. Every path a card lists under "## Files" exists
# (globs match at least one file; entries marked "(new)" are files to create: their folder must exist;
# `<name>` placeholders: the folder before them exists), and a "## Done when" command that runs
# `build/helios CMD` names a real command of this helios.
source "$(dirname "$0")/lib.sh"

TASKS="$HELIOS_SOURCE_DIR/tasks"
cards=("$TASKS"/[0-9][0-9]-*.md)
[ "${#cards[@]}" -eq 20 ] && pass || fail "expected 20 task cards, found ${#cards[@]}"

run_helios --help
commands=$OUT$ERR

for card in "${cards[@]}"; do
  name=$(basename "$card")
  for section in "## Goal" "## Context" "## Files" "## Done when"; do
    grep -qx "$section" "$card" && pass || fail "$name has no '$section' section"
  done
  # The entries of "## Files": lines "- `path`" or "- `path (new)`" / "- `path (a note)`".
  entries=$(awk '/^## /{f = ($0 == "## Files")} f && /^- `/' "$card" | sed -E 's/^- `([^`]*)`.*$/\1/')
  [ -n "$entries" ] && pass || fail "$name lists no files"
  while IFS= read -r entry; do
    [ -n "$entry" ] || continue
    is_new=0
    [[ "$entry" == *"(new)"* ]] && is_new=1
    path=$(sed -E 's/ *\(.*\)$//' <<<"$entry")
    if [[ "$path" == *"<"* ]]; then
      # A placeholder: the part before it must exist.
      prefix=$(dirname "${path%%<*}x")
      [ -e "$HELIOS_SOURCE_DIR/$prefix" ] && pass || fail "$name: $entry: $prefix does not exist"
    elif [ "$is_new" -eq 1 ]; then
      dir=$(dirname "$path")
      [ -d "$HELIOS_SOURCE_DIR/$dir" ] && pass || fail "$name: the folder of new file $path does not exist"
    else
      # shellcheck disable=SC2086
      matches=$(cd "$HELIOS_SOURCE_DIR" && compgen -G "$path" | head -1)
      [ -n "$matches" ] && pass || fail "$name lists $path, which does not exist (mark new files '(new)')"
    fi
  done <<<"$entries"
  # The "Done when" command: build/helios SUBCOMMAND must be a command of this helios.
  done_cmd=$(awk '/^## /{f = ($0 == "## Done when")} f' "$card" | sed -n '/^```sh$/,/^```$/p' | grep -v '^```')
  [ -n "$done_cmd" ] && pass || fail "$name has no command in '## Done when'"
  for sub in $(grep -oE 'build/helios [a-z-]+' <<<"$done_cmd" | awk '{print $2}'); do
    grep -qE "^  $sub( |$)" <<<"$commands" && pass || fail "$name: 'helios $sub' is not a command of this helios"
  done
  # helios_unittest -sf='*a.cpp,*b*': each source-file filter matches a file of tests/unit/.
  for filter in $(grep -oE "\-sf='[^']*'" <<<"$done_cmd" | sed -E "s/^-sf='(.*)'$/\1/" | tr ',' ' '); do
    [[ "$filter" == *"<"* ]] && continue
    (cd "$HELIOS_SOURCE_DIR/tests/unit" && compgen -G "$filter" >/dev/null) && pass ||
      fail "$name: no file of tests/unit/ matches the filter $filter"
  done
done

finish
