#!/usr/bin/env bash
# The C library: header current, C tests and the hostile-caller program
# under ASan+UBSan and valgrind (and ThreadSanitizer with nightly Rust), the
# header as C++17, the example against the static and the shared library, and
# an install found through pkg-config.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --quiet -p journey-ffi
lib=target/release
# Programs linked with -ljourney load libjourney.so.N, its SONAME (N the C
# ABI version); an install makes that name, here it is made in place.
abi="$(sed -n 's/^pub const JOURNEY_ABI_VERSION: u32 = \([0-9]*\);/\1/p' journey-ffi/src/lib.rs)"
ln -sf libjourney.so "$lib/libjourney.so.$abi"
out=target/c
mkdir -p "$out"
CFLAGS=(-std=c11 -Wall -Wextra -Werror -pedantic -Iinclude)
STATIC_LIBS=("$lib/libjourney.a" -lpthread -ldl -lm)

echo "-- header is current"
cargo test --quiet -p journey-ffi --test header

echo "-- C tests, ASan + UBSan, static library"
cc "${CFLAGS[@]}" -g -fsanitize=address,undefined -fno-sanitize-recover=undefined \
  tests/c/test_journey.c "${STATIC_LIBS[@]}" -o "$out/test_journey_asan"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 "$out/test_journey_asan" examples/data "$out"

echo "-- the SVG map, its PNG and the Mermaid text from C equal Rust's, byte for byte"
cargo build --quiet -p journey-examples --example map --features png
target/debug/examples/map examples/data/gym.json gym --png=2 | cmp - "$out/gym.png"
target/debug/examples/map examples/data/gym.json gym | cmp - "$out/gym.svg"
target/debug/examples/map examples/data/gym.json gym "--options=$(cat "$out/gym-options.json")" | cmp - "$out/gym-options.svg"
target/debug/examples/map examples/data/gym.json gym --flow | cmp - "$out/gym-flow.svg"
target/debug/examples/map examples/data/gym.json gym --mermaid | cmp - "$out/gym.mmd"

echo "-- the bundled XES logs: C discovers what Rust does, byte for byte"
cargo build --quiet -p journey-examples --example discover
for log in examples/data/xes/*.xes*; do
  c="$out/discovery-$(basename "$log").json"
  [ "$(target/debug/examples/discover "$log")" = "$(cat "$c")" ] || { echo "$c differs from Rust's" >&2; exit 1; }
done

echo "-- C tests, valgrind, shared library"
cc "${CFLAGS[@]}" -g tests/c/test_journey.c -L"$lib" -ljourney -lpthread -lm -o "$out/test_journey_shared"
# (The suppressions: the standard library's record of a thread that started
# one, kept for its life, as reading a gzipped XES log does; and the zones
# jiff has read from the tz database, cached for the process's life; and a
# partly initialised copy in resvg's text layout, see the file.)
LD_LIBRARY_PATH="$lib" valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
  --suppressions=tests/c/valgrind.supp --error-exitcode=1 "$out/test_journey_shared" examples/data

echo "-- hostile callers (every NULL, invalid UTF-8, interior NULs, limits, 8 threads): ASan + UBSan, valgrind"
cc "${CFLAGS[@]}" -g -fsanitize=address,undefined -fno-sanitize-recover=undefined \
  tests/c/hostile.c "${STATIC_LIBS[@]}" -o "$out/hostile_asan"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 "$out/hostile_asan" examples/data
cc "${CFLAGS[@]}" -g tests/c/hostile.c -L"$lib" -ljourney -lpthread -lm -o "$out/hostile_shared"
LD_LIBRARY_PATH="$lib" valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
  --suppressions=tests/c/valgrind.supp --error-exitcode=1 "$out/hostile_shared" examples/data

echo "-- hostile callers under ThreadSanitizer (the library and Rust's std instrumented too)"
# A data race is only seen when every side of it is instrumented: the
# library is built with -Zsanitizer=thread and its standard library rebuilt
# (nightly Rust with rust-src), linked with Rust's own TSan runtime.
tsan_rt="$(ls "$(rustc +nightly --print sysroot 2> /dev/null)"/lib/rustlib/x86_64-unknown-linux-gnu/lib/librustc-nightly_rt.tsan.a 2> /dev/null || true)"
if [ -n "$tsan_rt" ] && [ "$(uname -m)" = x86_64 ] &&
  [ -d "$(rustc +nightly --print sysroot)/lib/rustlib/src/rust/library" ]; then
  # No LTO, many codegen units and light optimisation: std is rebuilt
  # too, and this build is for finding races, not for speed.
  RUSTFLAGS="-Zsanitizer=thread" CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    CARGO_PROFILE_RELEASE_OPT_LEVEL=1 \
    cargo +nightly build --quiet -Zbuild-std --target x86_64-unknown-linux-gnu \
    -p journey-ffi --no-default-features --release --target-dir target/tsan
  cc "${CFLAGS[@]}" -g -fsanitize=thread -c tests/c/hostile.c -o "$out/hostile_tsan.o"
  cc "$out/hostile_tsan.o" target/tsan/x86_64-unknown-linux-gnu/release/libjourney.a \
    -Wl,--whole-archive "$tsan_rt" -Wl,--no-whole-archive -lpthread -ldl -lm -lstdc++ -o "$out/hostile_tsan"
  TSAN_OPTIONS=halt_on_error=1 "$out/hostile_tsan" examples/data
else
  echo "no nightly Rust with rust-src on this machine (rustup component add --toolchain nightly rust-src): skipped"
fi

echo "-- header compiles as C++17"
c++ -std=c++17 -Wall -Wextra -Werror -pedantic -Iinclude tests/c/header.cpp -L"$lib" -ljourney -o "$out/header_cpp"
LD_LIBRARY_PATH="$lib" "$out/header_cpp" > /dev/null

echo "-- example, static and shared"
cc "${CFLAGS[@]}" examples/c/helpdesk.c "${STATIC_LIBS[@]}" -o "$out/helpdesk_static"
cc "${CFLAGS[@]}" examples/c/helpdesk.c -L"$lib" -ljourney -o "$out/helpdesk_shared"
"$out/helpdesk_static" examples/data/gym.json > "$out/helpdesk_static.out"
LD_LIBRARY_PATH="$lib" "$out/helpdesk_shared" examples/data/gym.json > "$out/helpdesk_shared.out"
cmp "$out/helpdesk_static.out" "$out/helpdesk_shared.out"
grep -q "1. trial_ending_email" "$out/helpdesk_static.out"

echo "-- live-tracking example: a stream of views and tickets"
cc "${CFLAGS[@]}" examples/c/tickets.c "${STATIC_LIBS[@]}" -o "$out/tickets"
"$out/tickets" examples/data/gym.json examples/data/helpdesk-stream.csv > "$out/tickets.out"
grep -q "already saw free_trial_popup 1 time(s), last at minute 3" "$out/tickets.out"
grep -q "last steps: renewal_offer trial_ending_email trainer_consults" "$out/tickets.out"
grep -q "tracked 3 customers, 9 events placed" "$out/tickets.out"

echo "-- the shared library's SONAME is its ABI version"
readelf -d "$lib/libjourney.so" | grep -q "Library soname: \[libjourney.so.$abi\]"

echo "-- install and pkg-config, as the README says (no cargo needed when the build is current)"
prefix="$(pwd)/$out/prefix"
rm -rf "$prefix"
PATH="/usr/local/bin:/usr/bin:/bin" bash scripts/install-c.sh "$prefix" > /dev/null
[ "$(readlink "$prefix/lib/libjourney.so")" = "libjourney.so.$abi" ]
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
cc examples/c/helpdesk.c $(pkg-config --cflags --libs journey) -Wl,-rpath,"$prefix/lib" -o "$out/helpdesk_pc"
unset PKG_CONFIG_PATH
"$out/helpdesk_pc" examples/data/gym.json | cmp - "$out/helpdesk_static.out"
echo "C library: all checks passed"
