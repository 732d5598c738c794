#!/usr/bin/env bash
# CI for the C side of w2v (include/w2v.h, examples-c/), from the repository
# root: builds the library and checks its SONAME (libw2v.so.<major>), then
# builds the C and C++ examples against the static and the shared library
# and runs them (with the C API test test_ffi: every function, huge k, the
# status and SIMD level names, NUL and control bytes in words), runs them
# under valgrind, and checks `make install`: the versioned file names and
# links, and pkg-config both ways (shared: ldd shows libw2v.so.0; --static:
# runs with every libw2v.so* of the prefix deleted). Installs gcc, g++, make,
# valgrind, pkg-config and binutils (readelf) if one is missing. Fails
# (non-zero) on any failure. (The header-regeneration check is done
# elsewhere: .ci/run.)
#
#   bash scripts/ci_c.sh
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for tool in gcc g++ make valgrind pkg-config readelf; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing gcc g++ make valgrind pkg-config binutils (missing: ${missing[*]})"
  sudo=""
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo=sudo; fi
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc g++ make valgrind pkg-config binutils
fi

step() {
  local name=$1
  shift
  echo
  echo "== $name"
  local t0=$SECONDS
  "$@"
  echo "== $name: OK ($((SECONDS - t0)) s)"
}

step "cargo build --release" cargo build --release
step "make -C examples-c soname-check" make -C examples-c soname-check
step "make -C examples-c run" make -C examples-c run
step "make -C examples-c valgrind" make -C examples-c valgrind
step "make -C examples-c install-check" make -C examples-c install-check
echo
echo "== C side: all OK"
