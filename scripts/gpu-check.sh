#!/bin/sh
# scripts/gpu-check.sh [--no-build] [--bundle FILE]
#
# The CUDA target on a machine with an NVIDIA GPU: builds loom with CUDA (unless
# --no-build), runs the GPU tests (every end-to-end test with its models on the
# GPU, and every example's model GPU against CPU), a benchmark of one training
# step on both devices (bench_gpu_step), then the examples on both devices, and
# prints a pass/fail summary with GPU and CPU times per example.
# Logs go to $LOOM_GPU_LOGS (default out/gpu-check); LOOM_GPU_TESTS and
# LOOM_GPU_EXAMPLES (space-separated names, as below) narrow what runs;
# LOOM_GPU_TIMEOUT (seconds, default 450) stops any one test or example that
# runs longer (it counts as failed, and its log says how far it got).
#
# A GPU machine without loom's toolchain (LLVM 19, MLIR) runs a bundle built
# here: `sh scripts/gpu-check.sh --bundle gpu.tar.gz` builds and packs the
# binaries it needs; there, `tar xf gpu.tar.gz && sh scripts/gpu-check.sh --no-build`.
set -u
cd "$(dirname "$0")/.."
BUILD=${LOOM_BUILD_DIR:-build}
LOGS=${LOOM_GPU_LOGS:-out/gpu-check}
LIMIT=${LOOM_GPU_TIMEOUT:-450}
TESTS=${LOOM_GPU_TESTS:-"cuda_runtime_test ops_test grad_test cnn_test train_test examples_test dropout_test tikhonov_test conv_gradients_test edge_detection_test gpu_parity_test"}
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
if [ ! -x "$BUILD/tests/gpu_parity_test" ]; then # built only with the cuda target
  echo "gpu-check.sh: $BUILD has no CUDA models (no CUDA toolkit at build time: see cmake/LoomCuda.cmake)" >&2
  exit 1
fi

if [ -n "$bundle" ]; then
  files=
  for t in $TESTS; do files="$files $BUILD/tests/$t"; done
  files="$files $BUILD/bench/bench_gpu_step bench/torch_edge_step.py"
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
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >>"$LOGS/gpu.txt" 2>&1
echo "GPU: $(head -1 "$LOGS/gpu.txt"); driver $(tail -1 "$LOGS/gpu.txt" | cut -d, -f2)"

pass=0 fail=0
: >"$LOGS/summary.txt"
note() { echo "$1" | tee -a "$LOGS/summary.txt"; } # as it goes: a run cut short still shows what it did
verdict() { # verdict NAME...: PASS if every NAME.rc is 0, TIMEOUT if one ran past $LIMIT s, else FAIL
  r=PASS
  for verdict_name in "$@"; do # not n: the callers' loops use it (sh has no locals)
    case $(cat "$LOGS/$verdict_name.rc") in 0) ;; 124) r=TIMEOUT ;; *) [ $r = PASS ] && r=FAIL ;; esac
  done
  if [ $r = PASS ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
}

out_arg() { # the examples that write reports get their own --out per device (and E1 i its data and a small budget)
  case $1 in
    mlp/*|linreg/*) ;;
    */dropout_cheat) echo "--out $LOGS/$(basename "$1")-$2 --images 12000 --epochs 4" # the homework's size takes too long on the CPU
      [ ! -d /usr/share/datasets/fashion-mnist ] && [ -d .gpu-data/fashion-mnist ] && echo "--data .gpu-data/fashion-mnist" ;;
    *) echo "--out $LOGS/$(basename "$1")-$2" ;;
  esac
}
# The examples' CPU runs go in the background, in parallel (each is one
# thread), while the GPU runs one thing at a time.
timed() { # timed NAME CMD...: runs CMD (at most $LIMIT s), writes its seconds to $LOGS/NAME.time and exit code to NAME.rc
  timed_name=$1 timed_start=$(date +%s.%N) # sh has no locals: names of their own
  shift
  timeout "$LIMIT" "$@" >"$LOGS/$timed_name.log" 2>&1
  echo $? >"$LOGS/$timed_name.rc"
  awk -v a="$(date +%s.%N)" -v b="$timed_start" 'BEGIN { printf "%.3f\n", a - b }' >"$LOGS/$timed_name.time"
}
for e in $EXAMPLES; do
  timed "$(basename "$e")-cpu" "$BUILD/examples/$e" --device cpu $(out_arg "$e" cpu) &
done

# 1. The tests, with every model on the GPU.
for t in $TESTS; do
  timed "gpu-$t" env -C "$LOGS" LOOM_DEVICE=cuda "$BUILD/tests/$t"
  verdict "gpu-$t"
  note "$(printf '%-7s gpu/%-28s %6.1f s' $r "$t" "$(cat "$LOGS/gpu-$t.time")")"
done

# 2. One training step, GPU against CPU in one process.
timed bench_gpu_step "$BUILD/bench/bench_gpu_step"
verdict bench_gpu_step
note "$r bench/bench_gpu_step ($LOGS/bench_gpu_step.log)"
figures=$(grep -E 'first cuda call|train step|device memory' "$LOGS/bench_gpu_step.log" | sed 's/^/        /')
[ -n "$figures" ] && note "$figures"
# ... and against PyTorch on the same GPU, where python3 has it (not needed otherwise).
if python3 -c "import torch; assert torch.cuda.is_available()" >/dev/null 2>&1; then
  timed torch_gpu_step python3 -W ignore bench/torch_edge_step.py --device cuda --nets cnn,mlp,convnet
  for net in cnn mlp convnet; do
    l=$(awk -v k="${net}_train_step_images_per_s" '$1 == "loom_cuda" && $2 == k {print $3}' "$LOGS/bench_gpu_step.log")
    t=$(awk -v k="${net}_train_step_images_per_s" '$1 == "torch" && $2 == k {print $3}' "$LOGS/torch_gpu_step.log")
    [ -n "$l" ] && [ -n "$t" ] &&
      note "$(awk -v n="$net" -v l="$l" -v t="$t" 'BEGIN {printf "        %s: PyTorch on the GPU %.0f images/s; loom / PyTorch %.2f\n", n, t, l / t}')"
  done
else
  note "        (no PyTorch with CUDA here: no comparison with it)"
fi

# 3. The examples on the GPU; then each against its CPU run.
for e in $EXAMPLES; do
  n=$(basename "$e")
  timed "$n-cuda" "$BUILD/examples/$e" --device cuda $(out_arg "$e" cuda)
  note "$(printf '        %s on cuda: %.1f s, exit %s' "$n" "$(cat "$LOGS/$n-cuda.time")" "$(cat "$LOGS/$n-cuda.rc")")"
done
wait
note ""
note "example (both devices)       cpu s    cuda s   cpu/cuda"
for e in $EXAMPLES; do
  n=$(basename "$e")
  verdict "$n-cpu" "$n-cuda"
  c=$(cat "$LOGS/$n-cpu.time") g=$(cat "$LOGS/$n-cuda.time")
  note "$(printf '%-7s %-20s %7.1f  %7.1f   %6.2f' $r "$n" "$c" "$g" "$(awk -v c="$c" -v g="$g" 'BEGIN { print (g > 0 ? c / g : 0) }')")"
done

note ""
note "$pass passed, $fail failed (logs in $LOGS)"
[ $fail = 0 ]
