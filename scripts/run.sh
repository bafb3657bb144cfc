#!/bin/sh
# Builds everything and runs the main job: every example (the homework
# reproductions as they land), each printing its figures; outputs go to out/.
set -eu
cd "$(dirname "$0")/.."
sh scripts/build.sh
BUILD=${LOOM_BUILD_DIR:-build}
OUT=${LOOM_OUT:-out}
mkdir -p "$OUT"
for example in mlp linreg; do
  echo "== examples/$example"
  "$BUILD/examples/$example/$example" | tee "$OUT/$example.txt"
done
echo "== outputs in $OUT/; every IR stage of each model in $BUILD/examples/<name>/<name>.loom/stages/"
