#!/usr/bin/env bash
# Installs libjourney (shared and static), include/journey.h and journey.pc
# under PREFIX (default /usr/local):
#   bash scripts/install-c.sh [PREFIX]
# then: cc app.c $(pkg-config --cflags --libs journey)
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="${1:-/usr/local}"
cargo build --release --quiet -p journey-ffi
version="$(cargo pkgid -p journey-ffi | sed 's/.*[#@]//')"
mkdir -p "$prefix/lib/pkgconfig" "$prefix/include"
cp target/release/libjourney.so target/release/libjourney.a "$prefix/lib/"
cp include/journey.h "$prefix/include/"
sed -e "s|@PREFIX@|$prefix|" -e "s|@VERSION@|$version|" journey-ffi/journey.pc.in \
  > "$prefix/lib/pkgconfig/journey.pc"
echo "installed libjourney $version under $prefix"
