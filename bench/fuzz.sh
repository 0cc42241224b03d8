#!/usr/bin/env bash
# bench/fuzz.sh [SECONDS]: builds the Rego engine's libFuzzer target with clang (address and undefined
# behaviour sanitizers) and fuzzes it for SECONDS (default 600: the 10-minute run of issue 7), starting
# from tests/fuzz/corpus. Prints libFuzzer's final stats; exits non-zero on a crash, hang (timeout) or
# leak. Needs clang and libfuzzer-14-dev (Debian, in scripts/bootstrap); exits 125 without clang.
# HELIOS_FUZZ_DIR chooses where the binary and the grown corpus go (default build-fuzz/ in the source tree;
# the rego/fuzz-short test uses its own under the build directory).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-600}
out=${HELIOS_FUZZ_DIR:-$src/build-fuzz}
if ! command -v clang++ >/dev/null; then
  echo "bench/fuzz: clang++ not found: apt-get install clang libfuzzer-14-dev" >&2
  exit 125
fi
mkdir -p "$out/corpus"
# Objects are compiled one by one, two at a time, through ccache when it is there: a rebuild after a
# change recompiles only what changed, and a fresh build directory reuses earlier compilations.
sources=("$src"/core/policy/{value,lexer,parser,compiler,evaluator,builtins}.cpp "$src/core/error.cpp" "$src/tests/fuzz/rego_fuzz.cpp")
cxx=(clang++)
command -v ccache >/dev/null && cxx=(ccache clang++)
flags=(-std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I"$src")
mkdir -p "$out/obj"
echo "bench/fuzz: building $out/rego_fuzz with clang (-fsanitize=fuzzer,address,undefined)" >&2
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$src}"
printf '%s\n' "${sources[@]}" | xargs -P 2 -I{} sh -c \
  'f="$1"; shift; exec "$@" -c "$f" -o "'"$out"'/obj/$(basename "$f" .cpp).o"' _ {} "${cxx[@]}" "${flags[@]}"
objects=()
for f in "${sources[@]}"; do objects+=("$out/obj/$(basename "$f" .cpp).o"); done
clang++ "${flags[@]}" "${objects[@]}" -lfmt -o "$out/rego_fuzz"
cp -n "$src"/tests/fuzz/corpus/* "$out/corpus/" 2>/dev/null || true
echo "bench/fuzz: fuzzing for ${secs}s (corpus $out/corpus)" >&2
start=$(date +%s)
# crash, leak and timeout inputs are written to $out (crash-*, leak-*, timeout-*); the whole log to $out/last-run.log
rc=0
(cd "$out" && ./rego_fuzz -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 \
  -detect_leaks=1 corpus) >"$out/last-run.log" 2>&1 || rc=$?
tail -25 "$out/last-run.log"
echo "bench/fuzz: last coverage line: $(grep -E '^#[0-9]+.*cov:' "$out/last-run.log" | tail -1)"
echo "bench/fuzz: ran $(( $(date +%s) - start ))s, exit $rc (0: no crash, hang or leak)"
exit "$rc"
