#!/bin/sh
# PyTorch -> loom: a state_dict that PyTorch saved loads into loom's ResNet-18 by
# name and gives PyTorch's logits. Uses the first Python with torch among
# $LOOM_TORCH_PYTHON, bench/.venv (bench/run.sh makes it) and python3; skipped
# (exit 77) when none has it.
#   check_torch_state_dict.sh SOURCE_DIR OUT_DIR RESNET_TEST
set -u
src=$1 out=$2 test=$3
for py in "${LOOM_TORCH_PYTHON:-}" "$src/bench/.venv/bin/python" python3; do
  [ -n "$py" ] && command -v "$py" >/dev/null 2>&1 || [ -x "$py" ] || continue
  "$py" -c "import torch" 2>/dev/null || continue
  "$py" "$src/tests/torch_state_dict.py" "$out" || exit 1
  LOOM_TORCH_DIR=$out exec "$test" --test-case="*PyTorch state_dict*"
done
echo "skipped: no Python with torch (set LOOM_TORCH_PYTHON, or run bench/run.sh once to make bench/.venv)"
exit 77
