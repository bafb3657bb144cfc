#!/bin/sh
# Configures (once) and builds everything into build/ with clang-19, lld and 2 jobs.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
BUILD=${LOOM_BUILD_DIR:-build}
if [ ! -f "$BUILD/build.ninja" ]; then
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
    -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld -DCMAKE_SHARED_LINKER_FLAGS=-fuse-ld=lld "$@"
fi
cmake --build "$BUILD" -j "${LOOM_JOBS:-2}"
