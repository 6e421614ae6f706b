#!/usr/bin/env bash
# Runs every test of the project: formatting, lints, Rust unit, integration,
# property and doc tests, and the docs build. Later parts (C, Node, browser)
# are added here as their crates arrive. Safe to run again and again.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step with the seconds the run has taken so far.
step() { printf '\n==> %s (at %ds)\n' "$*" "$SECONDS"; }

# Debian packages the tests need, installed once (quietly) when missing.
apt_updated=""
# Runs a command quietly; when it fails, prints why (its output) and stops.
quietly() {
  local what="$1" log
  shift
  log="$(mktemp)"
  if ! "$@" > "$log" 2>&1; then
    echo "$what failed:" >&2
    cat "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
}
need() {
  local command="$1" package="$2"
  command -v "$command" > /dev/null || [ -e "$command" ] && return 0
  if [ -z "$apt_updated" ]; then
    quietly "apt-get update (needed for $package)" apt-get update -qq
    apt_updated=1
  fi
  quietly "apt-get install $package" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package"
}
need valgrind valgrind
need pkg-config pkg-config
need cc gcc
need c++ g++
need node nodejs
need chromium chromium
need dot graphviz
need /usr/share/zoneinfo/Europe/Paris tzdata # time-zone names (the tests read some)

# Nightly Rust's tools, for Miri, ThreadSanitizer and fuzzing, when the
# machine has a nightly toolchain (the steps that need them say when they
# are skipped). A failed install says why and the run goes on without it.
cargo_fuzz_version=0.13.2
or_say() {
  local what="$1" log
  shift
  log="$(mktemp)"
  "$@" > "$log" 2>&1 || { echo "$what failed (the steps needing it are skipped):" >&2; tail -5 "$log" >&2; }
  rm -f "$log"
}
if cargo +nightly --version > /dev/null 2>&1; then
  if ! cargo +nightly miri --version > /dev/null 2>&1 ||
    [ ! -d "$(rustc +nightly --print sysroot)/lib/rustlib/src/rust/library" ]; then
    or_say "rustup component add miri rust-src" rustup component add --toolchain nightly miri rust-src
  fi
  if [ "$(cargo fuzz --version 2> /dev/null)" != "cargo-fuzz $cargo_fuzz_version" ]; then
    or_say "cargo install cargo-fuzz" cargo install cargo-fuzz --version "$cargo_fuzz_version" --quiet
  fi
fi

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets --features journey-wasm/full --quiet -- -D warnings

step "cargo test (unit, integration, property, doc)"
cargo test --workspace --quiet 2>&1 | tee target/rust-tests.log
# The runners' summary lines, added up, so one line tells the whole story.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed;?$/) p += $(i-1); if ($i ~ /^failed;?$/) f += $(i-1) } }
     END { printf "rust: %d passed, %d failed\n", p, f }' target/rust-tests.log

step "core tests in release with overflow checks (no wrapping can hide)"
# The same answers or the same errors as the debug build: optimised code
# with overflow checks on (no LTO here, to keep the build short; the doc
# examples, each its own program to build, ran in the debug build above).
if ! CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=true CARGO_PROFILE_RELEASE_LTO=false \
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
  cargo test --release --quiet -p journey-core --lib --tests --target-dir target/overflow-checks \
  > target/overflow-tests.log 2>&1; then
  grep -E "FAILED|panicked|^error" -A5 target/overflow-tests.log | head -60
  exit 1
fi
awk '/^test result:/ { for (i = 1; i <= NF; i++) if ($i ~ /^passed;?$/) p += $(i-1) } END { printf "release + overflow checks: %d passed\n", p }' target/overflow-tests.log

step "Miri: the tracker's block storage, the crate's only unsafe code"
if cargo +nightly miri --version > /dev/null 2>&1; then
  cargo +nightly miri test --quiet -p journey-core --lib tracker::blocks
else
  echo "Miri is not on this machine's toolchain (rustup component add --toolchain nightly miri): skipped"
fi

step "fuzzing: a short run of each target (fuzz/README.md)"
# The targets' bodies already ran on the fixtures and the kept regressions
# (tests/core/fuzz_corpus.rs); libFuzzer needs nightly Rust and cargo-fuzz.
if cargo +nightly --version > /dev/null 2>&1 && cargo fuzz --version > /dev/null 2>&1; then
  corpus=target/fuzz-corpus
  # The seeds are the corpus tests' own: one list, written out by them.
  JOURNEY_FUZZ_CORPUS="$PWD/$corpus" cargo test --quiet -p journey-core --test fuzz_corpus > /dev/null
  JOURNEY_FUZZ_CORPUS="$PWD/$corpus" cargo test --quiet -p journey-ffi --test fuzz_corpus > /dev/null
  # Built once, unoptimised (--dev: half the build time of the default
  # optimised build, which is a fifth of the whole test command on two
  # cores), with ASan and debug assertions; each target then runs a while.
  cargo +nightly fuzz build --dev --fuzz-dir fuzz > target/fuzz-build.log 2>&1 ||
    { tail -40 target/fuzz-build.log; exit 1; }
  for target in document mermaid events_csv xes paths_csv options snapshot c_api; do
    cargo +nightly fuzz run --dev --fuzz-dir fuzz "$target" "$corpus/$target" -- \
      -max_total_time="${FUZZ_SECONDS:-20}" -max_len=65536 -rss_limit_mb=2048 > "target/fuzz-$target.log" 2>&1 ||
      { tail -40 "target/fuzz-$target.log"; echo "fuzz target $target found a failure: see fuzz/artifacts/$target" >&2; exit 1; }
    echo "fuzz $target: $(grep -o 'Done [0-9]* runs' "target/fuzz-$target.log" | tail -1)"
  done
else
  echo "no nightly Rust with cargo-fuzz on this machine (rustup toolchain install nightly): the fuzz runs are skipped; their bodies ran on the corpus above"
fi

step "cargo doc (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet

step "C library (journey-ffi)"
bash scripts/test-c.sh

step "npm package (journey-wasm): Node, packed tarball, TypeScript, Chromium"
bash scripts/test-wasm.sh

step "main example"
cargo run --quiet --example gym > target/example.out
grep -q "Missing touchpoints (5)" target/example.out
grep -q "Journey map: target/gym.svg" target/example.out
cargo run --quiet --example replay > target/replay.out
grep -q "Conformance: 89.7% of 1050 observed transitions" target/replay.out

step "Graphviz accepts the DOT export"
cargo run --quiet --example dot -- examples/data/gym.json gym > target/gym.dot
dot -Tsvg target/gym.dot > target/gym-graph.svg
grep -q "<svg" target/gym-graph.svg
grep -q ">Awareness<" target/gym-graph.svg
grep -q ">Loyalty and advocacy<" target/gym-graph.svg

echo
echo "all tests passed in ${SECONDS}s"
