#!/bin/sh
# loom's E4, LeNet-5 and E1 i train steps against PyTorch's, one thread each, in one run.
# PyTorch comes from PyPI into a virtual environment this script makes
# (bench/.venv, ignored by git); without it, only loom's figures are printed.
set -eu
cd "$(dirname "$0")/.."
BUILD=${LOOM_BUILD_DIR:-build}
"$BUILD/bench/bench_edge_step" > /tmp/loom_edge_step.txt
cat /tmp/loom_edge_step.txt
VENV=${LOOM_TORCH_VENV:-bench/.venv}
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import torch" 2>/dev/null; then
  echo "(installing PyTorch from PyPI into $VENV for the comparison)"
  if ! { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q torch; } >/dev/null 2>&1; then
    echo "PyTorch could not be installed: no comparison this time"
    exit 0
  fi
fi
OMP_NUM_THREADS=1 "$VENV/bin/python" -W ignore bench/torch_edge_step.py --threads 1 --steps 200 --nets cnn,mlp,lenet,convnet > /tmp/torch_edge_step.txt
cat /tmp/torch_edge_step.txt
for net in cnn mlp lenet convnet; do
  l=$(awk -v k="${net}_train_step_images_per_s" '$2 == k {print $3}' /tmp/loom_edge_step.txt)
  t=$(awk -v k="${net}_train_step_images_per_s" '$2 == k {print $3}' /tmp/torch_edge_step.txt)
  awk -v n="$net" -v l="$l" -v t="$t" 'BEGIN {printf "%s: loom / PyTorch images/s = %.2f\n", n, l / t}'
done
