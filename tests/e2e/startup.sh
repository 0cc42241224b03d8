#!/usr/bin/env bash
# Start-up: the helios binary does not load libcurl, libgit2 or CBC when it starts (they load on first
# use through cli/lazy stubs), and the fast commands answer. Figures: build/bench/bench_startup.
source "$(dirname "$0")/lib.sh"

symbols=$(nm "$HELIOS" 2>/dev/null)
if ! grep -q helios_lazy_slots <<<"$symbols"; then
  echo "helios was built without lazy loading (HELIOS_LAZY_LOAD=OFF or not x86-64); skipping"
  exit 125
fi

needed=$(LC_ALL=C objdump -p "$HELIOS" | awk '$1 == "NEEDED" {print $2}')
for heavy in libcurl libgit2 libCbc libClp libCoinUtils liblapack libblas libgfortran libssl libcrypto; do
  if grep -q "^$heavy" <<<"$needed"; then
    fail "helios links $heavy at start-up: $(tr '\n' ' ' <<<"$needed")"
  else
    pass
  fi
done

run_helios --version
expect_rc 0 "--version"
run_helios catalog list --json
expect_rc 0 "catalog list --json"
expect_json '.count >= 45'

# A lazily loaded library really loads: LD_DEBUG shows libcurl/libgit2 only once a command calls them.
OUT=$(LD_DEBUG=files "$HELIOS" --version 2>&1)
if grep -qE "libcurl|libgit2|libCbc" <<<"$OUT"; then fail "--version loads a heavy library"; else pass; fi

finish
