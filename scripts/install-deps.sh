#!/bin/sh
# Installs the Debian 12 packages loom needs (as root). Quick when they are there.
set -eu
PACKAGES="cmake ninja-build python3 clang-19 lld-19 libstdc++-12-dev llvm-19-dev llvm-19-tools
libmlir-19-dev mlir-19-tools libboost-dev libfmt-dev doctest-dev nlohmann-json3-dev
zlib1g-dev libzstd-dev libz3-dev dataset-fashion-mnist libclang-rt-19-dev g++-12 libopenmpi-dev openmpi-bin"
missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "loom: missing Debian packages:$missing" >&2
  echo "loom: run this script as root (or: sudo apt-get install$missing)" >&2
  exit 1
fi
echo "loom: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
