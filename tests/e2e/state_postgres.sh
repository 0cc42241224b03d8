#!/usr/bin/env bash
# The local provider's `engine: postgres`: a real PostgreSQL cluster (initdb, pg_ctl) on a free port,
# its connection string kept as a secret reference (a file outside the state repository), a query
# through it, a converged plan, and destroy stopping the server and removing the cluster.
source "$(dirname "$0")/lib.sh"

if [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
  fail "PostgreSQL 15 is not installed (scripts/bootstrap installs postgresql-15)"
  finish
fi
export HELIOS_LOCAL_ROOT="$TEST_TMP/local"
state="$TEST_TMP/state"
cat > stack.yaml <<'YAML'
apiVersion: helios/v1
kind: Stack
metadata: { name: pg }
spec:
  regions: [local]
  providers: { allow: [local] }
  workloads:
    - { name: db, kind: database, engine: postgres, needs: { storage: 50Mi } }
YAML
H() { run_helios --state "$state" -f stack.yaml "$@"; }
cleanup_hooks+=("'$HELIOS' --state '$state' -f '$TEST_TMP/stack.yaml' destroy >/dev/null 2>&1")

H apply --json
expect_rc 0 "apply of a postgres database"
expect_json '.outputs.db.engine == "postgres" and (.outputs.db.port | tonumber) > 0'
dir="$HELIOS_LOCAL_ROOT/helios-pg-db"
url=$(cat "$dir/database_url" 2>/dev/null)
[[ "$url" == postgresql://helios:*@127.0.0.1:*/postgres ]] && pass || fail "database_url is not a connection string"
[ "$(stat -c %a "$dir/database_url")" = 600 ] && pass || fail "database_url is not mode 0600"
[ "$(psql "$url" -tAc 'select 40 + 2' 2>&1)" = 42 ] && pass || fail "no answer from the database"
# The password is a secret: only its reference is recorded.
password=${url#postgresql://helios:}; password=${password%%@*}
[ -n "$password" ] && pass || fail "no password in the connection string"
! git -C "$state" cat-file --batch-all-objects --batch 2>/dev/null | grep -qF "$password" && pass || fail "the password is in the state repository"
H state show --json
expect_json '.stacks.pg.resources.db.resource.secret_refs.database_url | startswith("local:")'

H plan --detailed-exitcode
expect_rc 0 "converged"

H destroy
expect_rc 0 "destroy"
[ ! -e "$dir" ] && pass || fail "the cluster directory is left"
! psql "$url" -tAc 'select 1' >/dev/null 2>&1 && pass || fail "the server still answers after destroy"
finish
