# lit configuration for loom's IR tests. Paths come as --param from ctest
# (tests/CMakeLists.txt registers each test file as its own ctest test).
import os
import lit.formats

config.name = "loom"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
params = lit_config.params
config.test_exec_root = params.get("exec_root", os.path.join(config.test_source_root, "Output"))

for name in ["loom_opt", "mlp_gen", "linreg_gen", "loom_tblgen", "loom_include", "mlir_include"]:
    if name in params:
        config.substitutions.append(("%" + name.replace("_", "-"), params[name]))
config.environment["PATH"] = os.pathsep.join([params.get("llvm_bin", "/usr/lib/llvm-19/bin"),
                                              config.environment.get("PATH", os.environ["PATH"])])
# The CUDA target's tests need the toolkit's libdevice (and ptxas), not a GPU.
if params.get("cuda_toolkit"):
    config.available_features.add("cuda-toolkit")
    config.substitutions.append(("%cuda-toolkit", params["cuda_toolkit"]))
