#!/bin/sh
# scripts/gpu-check.sh [--no-build] [--bundle FILE]
#
# The CUDA target on a machine with an NVIDIA GPU: builds loom with CUDA (unless
# --no-build), runs the GPU tests (every end-to-end test with its models on the
# GPU, and every example's model GPU against CPU), a benchmark of one training
# step on both devices (bench_gpu_step), then the examples on both devices, and
# prints a pass/fail summary with GPU and CPU times per example.
# Logs go to $LOOM_GPU_LOGS (default out/gpu-check); LOOM_GPU_TESTS and
# LOOM_GPU_EXAMPLES (space-separated names, as below) narrow what runs.
#
# A GPU machine without loom's toolchain (LLVM 19, MLIR) runs a bundle built
# here: `sh scripts/gpu-check.sh --bundle gpu.tar.gz` builds and packs the
# binaries it needs; there, `tar xf gpu.tar.gz && sh scripts/gpu-check.sh --no-build`.
set -u
cd "$(dirname "$0")/.."
BUILD=${LOOM_BUILD_DIR:-build}
LOGS=${LOOM_GPU_LOGS:-out/gpu-check}
TESTS=${LOOM_GPU_TESTS:-"ops_test grad_test cnn_test train_test examples_test dropout_test tikhonov_test conv_gradients_test edge_detection_test gpu_parity_test"}
# example binaries under $BUILD/examples
EXAMPLES=${LOOM_GPU_EXAMPLES:-"mlp/mlp linreg/linreg conv_gradients/conv_gradients dropout/dropout_tikhonov dropout/dropout edge_detection/edge_detection dropout/dropout_cheat"}

build=1
bundle=
while [ $# -gt 0 ]; do
  case $1 in
    --no-build) build=0 ;;
    --bundle) bundle=${2:?--bundle needs a file name}; shift ;;
    *) echo "gpu-check.sh: unknown argument '$1' (--no-build, --bundle FILE)" >&2; exit 2 ;;
  esac
  shift
done

if [ $build = 1 ]; then
  sh scripts/build.sh || { echo "gpu-check.sh: the build failed" >&2; exit 1; }
fi
if ! ls "$BUILD"/examples/*/*.loom/*.ptx >/dev/null 2>&1; then
  echo "gpu-check.sh: $BUILD has no CUDA models (no CUDA toolkit at build time: see cmake/LoomCuda.cmake)" >&2
  exit 1
fi

if [ -n "$bundle" ]; then
  files=
  for t in $TESTS; do files="$files $BUILD/tests/$t"; done
  files="$files $BUILD/bench/bench_gpu_step"
  for e in $EXAMPLES; do files="$files $BUILD/examples/$e"; done
  # Fashion-MNIST (E1 i) goes along: the GPU machine has no Debian packages.
  fm=/usr/share/datasets/fashion-mnist
  if [ -d $fm ]; then
    tar czf "$bundle" $files scripts/gpu-check.sh -C $(dirname $fm) --transform="s,^fashion-mnist,.gpu-data/fashion-mnist," fashion-mnist
  else
    tar czf "$bundle" $files scripts/gpu-check.sh
  fi && echo "wrote $bundle ($(du -h "$bundle" | cut -f1))"
  exit $?
fi

mkdir -p "$LOGS"
BUILD=$(cd "$BUILD" && pwd) LOGS=$(cd "$LOGS" && pwd) # tests run inside $LOGS (they write checkpoints)
if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >"$LOGS/gpu.txt" 2>&1; then
  echo "gpu-check.sh: no NVIDIA GPU here (nvidia-smi finds none): nothing to check" >&2
  exit 77
fi
echo "GPU: $(head -1 "$LOGS/gpu.txt")"

pass=0 fail=0 summary=
note() { summary="$summary$1
"; }

out_arg() { # the examples that write reports get their own --out per device (and E1 i its data)
  case $1 in
    mlp/*|linreg/*) ;;
    */dropout_cheat) echo "--out $LOGS/$(basename "$1")-$2"
      [ ! -d /usr/share/datasets/fashion-mnist ] && [ -d .gpu-data/fashion-mnist ] && echo "--data .gpu-data/fashion-mnist" ;;
    *) echo "--out $LOGS/$(basename "$1")-$2" ;;
  esac
}
# The examples' CPU runs go in the background, in parallel (each is one
# thread), while the GPU runs one thing at a time.
timed() { # timed NAME CMD...: runs CMD, writes its seconds to $LOGS/NAME.time and exit code to NAME.rc
  n=$1; shift
  s=$(date +%s.%N)
  "$@" >"$LOGS/$n.log" 2>&1
  echo $? >"$LOGS/$n.rc"
  awk -v a="$(date +%s.%N)" -v b="$s" 'BEGIN { printf "%.3f\n", a - b }' >"$LOGS/$n.time"
}
for e in $EXAMPLES; do
  timed "$(basename "$e")-cpu" "$BUILD/examples/$e" --device cpu $(out_arg "$e" cpu) &
done

# 1. The tests, with every model on the GPU.
for t in $TESTS; do
  timed "gpu-$t" env -C "$LOGS" LOOM_DEVICE=cuda "$BUILD/tests/$t"
  if [ "$(cat "$LOGS/gpu-$t.rc")" = 0 ]; then pass=$((pass + 1)); r=PASS; else fail=$((fail + 1)); r=FAIL; fi
  note "$(printf '%s  gpu/%-28s %6.1f s' $r "$t" "$(cat "$LOGS/gpu-$t.time")")"
done

# 2. One training step, GPU against CPU in one process.
timed bench_gpu_step "$BUILD/bench/bench_gpu_step"
if [ "$(cat "$LOGS/bench_gpu_step.rc")" = 0 ]; then pass=$((pass + 1)); note "PASS  bench/bench_gpu_step:"
else fail=$((fail + 1)); note "FAIL  bench/bench_gpu_step ($LOGS/bench_gpu_step.log)"; fi
figures=$(grep -E 'train step|device memory' "$LOGS/bench_gpu_step.log" | sed 's/^/        /')
[ -n "$figures" ] && note "$figures"

# 3. The examples on the GPU; then each against its CPU run.
for e in $EXAMPLES; do
  timed "$(basename "$e")-cuda" "$BUILD/examples/$e" --device cuda $(out_arg "$e" cuda)
done
wait
note ""
note "example                 cpu s    cuda s   cpu/cuda"
for e in $EXAMPLES; do
  n=$(basename "$e")
  if [ "$(cat "$LOGS/$n-cpu.rc")" = 0 ] && [ "$(cat "$LOGS/$n-cuda.rc")" = 0 ]; then pass=$((pass + 1)); r=PASS
  else fail=$((fail + 1)); r=FAIL; fi
  c=$(cat "$LOGS/$n-cpu.time") g=$(cat "$LOGS/$n-cuda.time")
  note "$(printf '%s  %-20s %7.1f  %7.1f   %6.2f' $r "$n" "$c" "$g" "$(awk -v c="$c" -v g="$g" 'BEGIN { print (g > 0 ? c / g : 0) }')")"
done

echo
printf '%s' "$summary" | tee "$LOGS/summary.txt"
echo "$pass passed, $fail failed (logs in $LOGS)"
[ $fail = 0 ]
