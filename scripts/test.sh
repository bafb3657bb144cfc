#!/bin/sh
# Builds everything and runs every test (ctest prints the summary).
set -eu
cd "$(dirname "$0")/.."
sh scripts/build.sh
cd "${LOOM_BUILD_DIR:-build}"
ctest --output-on-failure -j "${LOOM_JOBS:-2}"
