#!/bin/sh
# Each binary given must run without libLLVM or libMLIR (decision 1 in DESIGN:
# the generator links the compiler, the model's binary only the runtime).
status=0
for bin in "$@"; do
  libs=$(ldd "$bin") || { echo "FAIL: ldd $bin failed"; status=1; continue; }
  if echo "$libs" | grep -Ei 'libLLVM|libMLIR'; then
    echo "FAIL: $bin links LLVM/MLIR"
    status=1
  else
    echo "ok: $bin needs only: $(echo "$libs" | awk '{print $1}' | tr '\n' ' ')"
  fi
done
exit $status
