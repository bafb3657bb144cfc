#!/bin/sh
# Builds the runtime, every model library, the examples and the tests with
# ASan + UBSan into build-sanitize/ (the compiler itself and the code LLVM
# generates are not instrumented: they are build tools and compiler output)
# and runs the unit, end-to-end and emulator tests there. Exit 0: clean.
#   sh scripts/sanitize.sh
set -eu
cd "$(dirname "$0")/.."
start=$(date +%s)
LOOM_BUILD_DIR=build-sanitize sh scripts/build.sh -DLOOM_SANITIZE=ON
cd build-sanitize
# halt_on_error: the first report fails the test; leaks are reported too.
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
ctest -j "${LOOM_JOBS:-2}" -R '^(unit|e2e|emu)/' --output-on-failure
echo "sanitize.sh: clean, $(( $(date +%s) - start )) s"
