#!/usr/bin/env bash
# Installs libjourney (shared and static), include/journey.h and journey.pc
# under PREFIX (default /usr/local):
#   bash scripts/install-c.sh [PREFIX]
# The shared library is installed as libjourney.so.N (its SONAME, N the C ABI
# version) with libjourney.so linking to it. It builds the release library
# only when it is missing or older than the sources.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="${1:-/usr/local}"
lib=target/release/libjourney.so
if [ ! -f "$lib" ] || [ ! -f target/release/libjourney.a ] ||
  [ -n "$(find Cargo.toml Cargo.lock journey-core journey-ffi -newer "$lib" -type f \
    \( -name '*.rs' -o -name '*.toml' -o -name '*.lock' \) -print -quit)" ]; then
  cargo build --release --quiet -p journey-ffi
fi
version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
abi="$(sed -n 's/^pub const JOURNEY_ABI_VERSION: u32 = \([0-9]*\);/\1/p' journey-ffi/src/lib.rs)"
mkdir -p "$prefix/lib/pkgconfig" "$prefix/include"
cp "$lib" "$prefix/lib/libjourney.so.$abi"
ln -sf "libjourney.so.$abi" "$prefix/lib/libjourney.so"
cp target/release/libjourney.a "$prefix/lib/"
cp include/journey.h "$prefix/include/"
sed -e "s|@PREFIX@|$prefix|" -e "s|@VERSION@|$version|" journey-ffi/journey.pc.in \
  > "$prefix/lib/pkgconfig/journey.pc"
echo "installed libjourney $version (libjourney.so.$abi) under $prefix"
