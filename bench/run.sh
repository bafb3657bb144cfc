#!/bin/sh
# loom against PyTorch (eager, and torch.compile for ResNet-18) in one run, at
# 1 thread and at all cores: ResNet-18 (CIFAR, batch 64) train step and
# forward, each distinct convolution of it (forward, filter and input
# gradient), batch norm + ReLU alone (forward and backward) at its four
# activation shapes, square matmuls (512, 1024, 2048), E4's CNN and MLP,
# LeNet-5's and E1 i's ConvNet's train steps (batch 64), E1's regression step
# (batch 1024), the training processes' peak RSS, and the generator's
# time and memory for ResNet-18, -50 and -152. Every figure is quoted against this machine's FP32 FMA peak,
# measured here.
#
#   sh bench/run.sh [--no-compile] [--repeat N]
#     --no-compile: skip torch.compile (minutes on 2 cores)
#     --repeat N: N passes (default 2), loom's and PyTorch's taking turns at
#     each thread count; each row is the best of its passes, so that a slow
#     spell of a shared VM (a quarter of the speed, for minutes, seen here)
#     does not fall on one side only.
#
# Writes out/bench/summary.tsv (name, threads, loom_ms, pytorch_ms: the best
# of the passes; ratio = pytorch_ms / loom_ms, so > 1 means loom is faster; rows NAME@compile hold
# torch.compile's time; rows compile_s/MODEL the generator's seconds in loom_ms;
# the row resnet18_peak_rss_mb the training processes' peak RSS in MB).
# PyTorch comes from PyPI into bench/.venv (ignored by git) and runs in its own
# process (two OpenMP runtimes in one process clash). loom runs with
# LOOM_NUM_THREADS set to the same count.
set -eu
cd "$(dirname "$0")/.."
COMPILE=1
REPEAT=2
while [ $# -gt 0 ]; do
  case "$1" in
  --no-compile) COMPILE=0 ;;
  --repeat)
    REPEAT=${2:-}
    shift
    case "$REPEAT" in '' | *[!0-9]* | 0) echo "bench/run.sh: --repeat '$REPEAT': expected a count of passes >= 1" >&2; exit 2 ;; esac
    ;;
  -h | --help) awk 'NR > 1 && /^#/ {sub(/^# ?/, ""); print; next} NR > 1 {exit}' "$0"; exit 0 ;;
  *) echo "bench/run.sh: unknown option '$1' (--no-compile, --repeat N, --help)" >&2; exit 2 ;;
  esac
  shift
done
BUILD=${LOOM_BUILD_DIR:-build}
OUT=out/bench
mkdir -p "$OUT"
for b in bench_fma_peak bench_resnet_step bench_resnet_convs bench_bn_relu bench_matmul bench_edge_step bench_e1_step resnet18_generator resnet50_generator resnet152_generator; do
  if [ ! -x "$BUILD/bench/$b" ]; then
    echo "bench/run.sh: $BUILD/bench/$b is missing: build first (sh scripts/build.sh)" >&2
    exit 2
  fi
done
ALL=$(nproc)

VENV=${LOOM_TORCH_VENV:-bench/.venv}
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import torch" 2>/dev/null; then
  echo "(installing PyTorch from PyPI into $VENV for the comparison)"
  if ! { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q torch; } >/dev/null 2>&1; then
    echo "bench/run.sh: PyTorch could not be installed from PyPI: no baseline, no benchmark" >&2
    exit 1
  fi
fi

PEAK=$("$BUILD/bench/bench_fma_peak" | awk '{print $2}')
echo "== FP32 FMA peak of one core: $PEAK GFLOP/s ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $ALL cores)"

"$BUILD/bench/bench_resnet_convs" --list > "$OUT/convs.txt"
: > "$OUT/compile.txt"
for d in 18 50 152; do
  /usr/bin/time -f "compile_s/resnet$d %e %M" -o "$OUT/time.txt" "$BUILD/bench/resnet${d}_generator" --emit=obj -o "$OUT/resnet$d.o"
  cat "$OUT/time.txt" >> "$OUT/compile.txt"
  rm -f "$OUT/resnet$d.o"
done
awk '{printf "generator %s: %.1f s, peak %.0f MB\n", $1, $2, $3 / 1024}' "$OUT/compile.txt"

printf 'name\tthreads\tloom_ms\tpytorch_ms\tratio\n' > "$OUT/summary.tsv"
THREADS=1
[ "$ALL" -gt 1 ] && THREADS="1 $ALL"
for T in $THREADS; do
  : > "$OUT/loom_ms_$T.txt"
  : > "$OUT/torch_ms_$T.txt"
  for R in $(seq "$REPEAT"); do
  echo "== loom, $T thread(s), pass $R of $REPEAT"
  export LOOM_NUM_THREADS=$T
  "$BUILD/bench/bench_resnet_step" 3 | tee "$OUT/loom_resnet_$T.txt"
  "$BUILD/bench/bench_resnet_convs" > "$OUT/loom_convs_$T.txt"
  "$BUILD/bench/bench_bn_relu" >> "$OUT/loom_convs_$T.txt"
  "$BUILD/bench/bench_matmul" >> "$OUT/loom_convs_$T.txt"
  "$BUILD/bench/bench_edge_step" 200 | tee "$OUT/loom_edge_$T.txt"
  "$BUILD/bench/bench_e1_step" 20000 | tee -a "$OUT/loom_resnet_$T.txt"
  unset LOOM_NUM_THREADS
  {
    awk '$1 == "loom" && $2 ~ /_ms$/ {n = $2; sub(/_ms$/, "", n); print n, $3}
         $1 == "loom" && $2 ~ /_mb$/ {print $2, $3}' "$OUT/loom_resnet_$T.txt"
    awk '$1 == "loom" {print $2, $3}' "$OUT/loom_convs_$T.txt"
    awk '$1 == "loom" {n = $2; sub(/_images_per_s$/, "", n); print n, 64000 / $3}' "$OUT/loom_edge_$T.txt"
  } >> "$OUT/loom_ms_$T.txt"
  echo "== PyTorch, $T thread(s), pass $R of $REPEAT"
  flag=""
  [ "$COMPILE" = 1 ] && flag="--compile"
  OMP_NUM_THREADS=$T "$VENV/bin/python" -W ignore bench/torch_resnet.py --threads "$T" --convs "$OUT/convs.txt" --matmuls 512,1024,2048 \
    --bn-relu 64x32,128x16,256x8,512x4 $flag \
    > "$OUT/torch_$T.txt"
  OMP_NUM_THREADS=$T "$VENV/bin/python" -W ignore bench/torch_edge_step.py --threads "$T" --steps 200 --nets cnn,mlp,lenet,convnet --e1-steps 2000 \
    >> "$OUT/torch_$T.txt"
  awk '$1 == "torch" && $2 ~ /_images_per_s$/ {n = $2; sub(/_images_per_s$/, "", n); print n, 64000 / $3; next}
       $1 == "torch" && $2 ~ /_ms$/ {n = $2; sub(/_ms$/, "", n); print n, $3; next}
       $1 == "torch" {print $2, $3} $1 == "torch_compile" {print $2 "@compile", $3}' "$OUT/torch_$T.txt" >> "$OUT/torch_ms_$T.txt"
  done
  # Each row's best over the passes, in the order of the first.
  for f in loom_ms torch_ms; do
    awk '!($1 in b) {order[++n] = $1} !($1 in b) || $2 < b[$1] {b[$1] = $2} END {for (i = 1; i <= n; ++i) print order[i], b[order[i]]}' \
      "$OUT/${f}_$T.txt" > "$OUT/${f}_$T.best" && mv "$OUT/${f}_$T.best" "$OUT/${f}_$T.txt"
  done
  # Join on the name (an @compile row compares with loom's row of the same base name).
  awk -v T="$T" 'NR == FNR {loom[$1] = $2; next}
       {base = $1; sub(/@compile$/, "", base); if (base in loom) printf "%s\t%s\t%.3f\t%.3f\t%.2f\n", $1, T, loom[base], $2, $2 / loom[base]}' \
    "$OUT/loom_ms_$T.txt" "$OUT/torch_ms_$T.txt" >> "$OUT/summary.tsv"
done
awk '{printf "%s\t-\t%.0f\t-\t-\n", $1, $2 * 1000}' "$OUT/compile.txt" >> "$OUT/summary.tsv"

# The table, with GFLOP/s and the fraction of peak where the FLOPs are known:
# each convolution's, and ResNet-18's convolutions per step (forward 1x, train
# about 3x: forward, filter and input gradient), so its fraction is a lower
# bound; the fraction is of the peak of as many cores as threads.
echo "== loom against PyTorch (ratio = PyTorch time / loom time; > 1: loom faster)"
awk -v peak="$PEAK" -F'\t' '
  NR == FNR {split($0, f, " "); if (f[1] == "loom") gf[f[2]] = f[4]; next}
  FNR == 1 {printf "%-34s %7s %11s %11s %6s %9s %6s\n", "name", "threads", "loom ms", "PyTorch ms", "ratio", "GFLOP/s", "peak"; next}
  {
    base = $1; sub(/@compile$/, "", base)
    g = ""
    if (base in gf) g = gf[base]
    else if (base == "resnet18_forward" || base == "resnet18_train") {
      # how often each distinct convolution occurs: 4 times in layer1, 3 times for the 3x3 s1 of later stages
      s = 0; for (k in gf) if (k ~ /_fwd$/) s += gf[k] * (k ~ /conv_64_64_32_k3s1/ ? 4 : k ~ /conv_(128_128_16|256_256_8|512_512_4)_k3s1/ ? 3 : 1)
      g = base == "resnet18_train" ? 3 * s : s
    }
    if (g != "" && $3 != "-") printf "%-34s %7s %11s %11s %6s %9.1f %5.0f%%\n", $1, $2, $3, $4, $5, g / $3 * 1000, 100 * g / $3 * 1000 / (peak * $2);
    else printf "%-34s %7s %11s %11s %6s %9s %6s\n", $1, $2, $3, $4, $5, "-", "-"
  }' "$OUT/loom_convs_1.txt" "$OUT/summary.tsv"
echo "(written to $OUT/summary.tsv)"
