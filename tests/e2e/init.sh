#!/usr/bin/env bash
# helios init [DIR]: writes a commented starter manifest that validates; refuses to overwrite it without
# --force; bad input (an invalid --name) writes nothing.
source "$(dirname "$0")/lib.sh"

run_helios init my-app --json
expect_rc 0 "init my-app --json"
expect_schema init
expect_json '.manifest == "my-app/helios.yaml" and .stack == "my-app"'
[ -f my-app/helios.yaml ] && pass || fail "init did not write my-app/helios.yaml"
grep -q '^#' my-app/helios.yaml && pass || fail "the starter manifest has no comments"

run_helios validate -f my-app/helios.yaml --json
expect_rc 0 "validate the starter manifest"
expect_json '.valid == true and .warnings == []'

# No overwrite without --force, and the file stays as it was.
echo "# my edits" >>my-app/helios.yaml
before=$(sha256sum my-app/helios.yaml)
run_helios init my-app
expect_rc 2 "init over an existing manifest"
expect_contains "$ERR" "--force"
run_helios init my-app --json
expect_rc 2 "init over an existing manifest --json"
expect_schema error
expect_json '.error.code == "file_exists"'
[ "$before" == "$(sha256sum my-app/helios.yaml)" ] && pass || fail "init changed an existing manifest"
ls my-app | grep -q tmp && fail "init left a temporary file: $(ls my-app)" || pass

run_helios init my-app --force --name other
expect_rc 0 "init --force"
grep -q 'name: other' my-app/helios.yaml && pass || fail "--force did not overwrite"

# The current directory by default, with -f naming the file.
mkdir here && cd here || exit 1
run_helios init
expect_rc 0 "init in the current directory"
[ -f helios.yaml ] && pass || fail "init did not write ./helios.yaml"
grep -q 'name: here' helios.yaml && pass || fail "the stack is not named after the directory"
run_helios init -f custom.yaml
expect_rc 0 "init -f custom.yaml"
[ -f custom.yaml ] && pass || fail "init -f did not write custom.yaml"
cd .. || exit 1

# An invalid name: exit 2, nothing written.
run_helios init fresh --name "Bad Name"
expect_rc 2 "init --name 'Bad Name'"
[ ! -e fresh ] && pass || fail "init with a bad name wrote something"

finish
