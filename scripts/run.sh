#!/bin/sh
# Builds everything and runs the main job: the homework reproductions, each
# printing its figures; reports (Markdown) and plots (SVG) go to out/, with
# out/report.md gathering them.
# Pass --full for E4's longer run (300 epochs where the default has 100; E1 i
# runs at the homework's size either way) and E5's sweep on every Fashion-MNIST
# image for 10 epochs, --device cuda to run the models on an NVIDIA GPU
# (docs/cuda.md; E5's models are CPU-only for now).
set -eu
FULL=""
DEVICE=cpu
while [ $# -gt 0 ]; do
  case "$1" in
    --full) FULL=--full ;;
    --device) DEVICE=${2:?--device needs cpu or cuda}; shift ;;
    --device=*) DEVICE=${1#--device=} ;;
    *) echo "run.sh: unknown argument '$1' (usage: sh scripts/run.sh [--full] [--device cpu|cuda])" >&2; exit 2 ;;
  esac
  shift
done
cd "$(dirname "$0")/.."
sh scripts/build.sh
BUILD=${LOOM_BUILD_DIR:-build}
OUT=${LOOM_OUT:-out}
mkdir -p "$OUT"
# Asking for a device that is not there stops here, with the reason.
"$BUILD/examples/linreg/linreg" --device "$DEVICE" >/dev/null
run() { # run NAME BINARY ARGS...: prints and keeps the output
  name=$1; shift
  echo "== $name"
  "$@" --device "$DEVICE" | tee "$OUT/$name.txt"
}
run mlp "$BUILD/examples/mlp/mlp"
run linreg "$BUILD/examples/linreg/linreg"
run e1_dropout "$BUILD/examples/dropout/dropout" --out "$OUT/dropout"
run e2_tikhonov "$BUILD/examples/dropout/dropout_tikhonov" --out "$OUT/dropout"
run e3_conv_gradients "$BUILD/examples/conv_gradients/conv_gradients" --out "$OUT/conv_gradients"
run e4_edge_detection "$BUILD/examples/edge_detection/edge_detection" --out "$OUT/edge_detection" $FULL
run e1i_cheat "$BUILD/examples/dropout/dropout_cheat" --out "$OUT/dropout" # the homework's size by default
run e5_resnet "$BUILD/examples/resnet/resnet_e5" --out "$OUT/resnet" $FULL # scaled down on the CPU (its report says how)

{
  echo "# loom: homework reproductions"
  echo
  echo "Written by scripts/run.sh on $(date -u +%Y-%m-%d) with the binaries in $BUILD/, models on the $DEVICE."
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
  echo
  sed 's|(\([a-z0-9_]*\.svg\))|(resnet/\1)|' "$OUT/resnet/report.md"
} > "$OUT/report.md"
echo "== report: $OUT/report.md (plots in $OUT/dropout/); every IR stage of each model in $BUILD/examples/<name>/<name>.loom/stages/"
