#!/bin/sh
# Builds everything and runs the main job: the homework reproductions, each
# printing its figures; reports (Markdown) and plots (SVG) go to out/, with
# out/report.md gathering them.
# Pass --full for the full-size runs (more epochs and training sizes; much longer).
set -eu
FULL=""
for arg in "$@"; do
  case "$arg" in
    --full) FULL=--full ;;
    *) echo "run.sh: unknown argument '$arg' (usage: sh scripts/run.sh [--full])" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
sh scripts/build.sh
BUILD=${LOOM_BUILD_DIR:-build}
OUT=${LOOM_OUT:-out}
mkdir -p "$OUT"
run() { # run NAME BINARY ARGS...: prints and keeps the output
  name=$1; shift
  echo "== $name"
  "$@" | tee "$OUT/$name.txt"
}
run mlp "$BUILD/examples/mlp/mlp"
run linreg "$BUILD/examples/linreg/linreg"
run e1_dropout "$BUILD/examples/dropout/dropout" --out "$OUT/dropout"
run e2_tikhonov "$BUILD/examples/dropout/dropout_tikhonov" --out "$OUT/dropout"
run e3_conv_gradients "$BUILD/examples/conv_gradients/conv_gradients" --out "$OUT/conv_gradients"
run e4_edge_detection "$BUILD/examples/edge_detection/edge_detection" --out "$OUT/edge_detection" $FULL
run e1i_cheat "$BUILD/examples/dropout/dropout_cheat" --out "$OUT/dropout" $FULL

{
  echo "# loom: homework reproductions"
  echo
  echo "Written by scripts/run.sh on $(date -u +%Y-%m-%d) with the binaries in $BUILD/."
  echo
  sed 's|(\([a-z_]*\.svg\))|(dropout/\1)|' "$OUT/dropout/report.md"
  echo
  cat "$OUT/dropout/tikhonov.md"
  echo
  cat "$OUT/dropout/cheat.md"
  echo
  sed 's|(\([a-z_]*\.svg\))|(conv_gradients/\1)|' "$OUT/conv_gradients/report.md"
  echo
  sed 's|(\([a-z0-9_]*\.svg\))|(edge_detection/\1)|' "$OUT/edge_detection/report.md"
} > "$OUT/report.md"
echo "== report: $OUT/report.md (plots in $OUT/dropout/); every IR stage of each model in $BUILD/examples/<name>/<name>.loom/stages/"
