#!/bin/sh
# Fuzzes loom's readers of untrusted files (IDX, CIFAR-10, safetensors,
# checkpoints) with libFuzzer under ASan + UBSan, SECONDS each (default 600),
# from the project's seed corpora; the corpora grow across runs in
# build/fuzz-corpus. Prints executions and crashes per fuzzer; a crash's
# input is kept as build/fuzz-corpus/crash-NAME-* and the exit status is 1.
#   sh scripts/fuzz.sh [SECONDS]
set -eu
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-600}
case "$SECONDS_EACH" in ''|*[!0-9]*) echo "fuzz.sh: SECONDS must be a whole number, got '$SECONDS_EACH'" >&2; exit 2;; esac
sh scripts/build.sh >/dev/null
BUILD=${LOOM_BUILD_DIR:-build}
[ -x "$BUILD/tests/fuzz/idx_fuzz" ] || { echo "fuzz.sh: no fuzzers in $BUILD (clang's libFuzzer missing? apt-get install libclang-rt-19-dev)" >&2; exit 1; }
"$BUILD/tests/fuzz/fuzz_seeds" "$BUILD/fuzz-seeds" >/dev/null
status=0
printf '%-12s %14s %8s %8s\n' fuzzer executions crashes seconds
for f in idx cifar safetensors checkpoint; do
  corpus="$BUILD/fuzz-corpus/$f"
  mkdir -p "$corpus"
  log="$BUILD/fuzz-corpus/$f.log"
  start=$(date +%s)
  if "$BUILD/tests/fuzz/${f}_fuzz" -max_total_time="$SECONDS_EACH" -print_final_stats=1 \
       -artifact_prefix="$BUILD/fuzz-corpus/crash-$f-" "$corpus" "$BUILD/fuzz-seeds/$f" >"$log" 2>&1; then
    crashes=0
  else
    crashes=1 status=1
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  printf '%-12s %14s %8s %8s\n' "$f" "${execs:-?}" "$crashes" "$(( $(date +%s) - start ))"
done
[ $status = 0 ] || echo "fuzz.sh: a fuzzer crashed: see $BUILD/fuzz-corpus/*.log and crash-* inputs" >&2
exit $status
