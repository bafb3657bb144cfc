#!/bin/sh
# check_ptx.sh PTXAS FILE...: every model's PTX assembles for sm_80 (A100) and
# sm_90 (H100), and has no approximate square root or division (the CPU rounds
# both exactly; see -loom-gpu-precise-sqrt; libdevice's exp, tanh etc. keep
# their documented few-ulp errors); exit 77 (skip) when there is no ptxas.
ptxas=$1
shift
if [ -z "$ptxas" ] || [ ! -x "$ptxas" ]; then
  echo "SKIP: no ptxas (CUDA toolkit) to check the PTX with"
  exit 77
fi
status=0
for f in "$@"; do
  for arch in sm_80 sm_90; do
    if "$ptxas" -arch=$arch "$f" -o /dev/null; then
      echo "ok   $arch $(basename "$f") ($(grep -c '^\.visible \.entry' "$f") kernels)"
    else
      echo "FAIL $arch $f"
      status=1
    fi
  done
  if grep -qE '(sqrt|div)\.approx' "$f"; then
    echo "FAIL $f has approximate arithmetic: $(grep -oE '(sqrt|div)\.approx[.a-z0-9]*' "$f" | sort -u | tr '\n' ' ')"
    status=1
  fi
done
exit $status
