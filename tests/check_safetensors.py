"""The checkpoint train_test wrote, read by the safetensors library (PyTorch's
format) when it is installed; skipped (exit 77) when it is not."""
import sys

try:
    from safetensors import safe_open
except ImportError:
    print("skipped: the Python package safetensors is not installed (pip install safetensors numpy)")
    sys.exit(77)

path = sys.argv[1]
with safe_open(path, "np") as f:
    keys = set(f.keys())
    assert "fc.weight" in keys and "adam.fc.weight.exp_avg_sq" in keys, keys
    w = f.get_tensor("fc.weight")
    assert w.shape == (4, 3) and str(w.dtype) == "float32", (w.shape, w.dtype)
    assert f.metadata()["loom.steps.adam"] == "3", f.metadata()
print(f"ok: safetensors read {len(keys)} tensors from {path}")
