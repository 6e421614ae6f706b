#!/usr/bin/env bash
# The npm package: build it (within the size budget), run the Node tests,
# install the packed tarball into a fresh project (ESM, CommonJS and a strict
# TypeScript check), and drive the web example in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
npm_dir="$root/target/npm"

echo "-- build the package"
bash scripts/build-wasm.sh --pack
tools="$root/$(bash scripts/js-tools.sh)"
version="$(cargo pkgid -p journey-wasm | sed 's/.*[#@]//')"

echo "-- Node tests (node --test)"
mkdir -p "$npm_dir/expected"
cargo build --quiet --example analyze --example replay --example dot --example map --example discover
# What Rust discovers in the bundled XES logs, for tests/node/formats.test.mjs.
mkdir -p "$npm_dir/expected/discovery"
for log in examples/data/xes/*.xes*; do
  target/debug/examples/discover "$log" > "$npm_dir/expected/discovery/$(basename "$log").json"
done
target/debug/examples/replay --json > "$npm_dir/expected/replay.json"
target/debug/examples/dot examples/data/gym.json gym > "$npm_dir/expected/gym.dot"
target/debug/examples/map examples/data/gym.json gym > "$npm_dir/expected/gym.svg"
target/debug/examples/map examples/data/gym.json gym --flow > "$npm_dir/expected/gym-flow.svg"
target/debug/examples/map examples/data/gym.json gym --mermaid > "$npm_dir/expected/gym.mmd"
for journey in gym shoe; do
  target/debug/examples/analyze "examples/data/$journey.json" "$journey" > "$npm_dir/expected/$journey.json"
done
# Generated journeys of several sizes, with what the Rust crate makes of
# them, for tests/node/generated.test.mjs to compare byte for byte.
mkdir -p "$npm_dir/expected/generated"
for size_seed in 2:1 7:2 19:3 40:4 90:5 250:6; do
  size="${size_seed%:*}" seed="${size_seed#*:}"
  doc="$npm_dir/expected/generated/synthetic_${size}_$seed"
  target/debug/examples/analyze --synthetic "$size" --seed "$seed" > "$doc.json"
  target/debug/examples/analyze "$doc.json" "synthetic_${size}_$seed" > "$doc.analysis"
  target/debug/examples/map "$doc.json" --analysis > "$doc.svg"
  target/debug/examples/dot "$doc.json" "synthetic_${size}_$seed" > "$doc.dot"
  target/debug/examples/map "$doc.json" --mermaid > "$doc.mmd"
done
JOURNEY_WASM_PKG="$npm_dir/journey-wasm" JOURNEY_ROOT="$root" JOURNEY_EXPECTED="$npm_dir/expected" \
  node --test tests/node/

echo "-- a panic surfaces as a JourneyError (test-only build with __testPanic)"
bash scripts/build-wasm.sh --test-panic
JOURNEY_WASM_PANIC_PKG="$npm_dir/test-panic/journey-wasm" node --test tests/node/panic/panic.mjs

echo "-- Mermaid's own parser reads our Mermaid as our import does"
target/debug/examples/map --synthetic 100 --mermaid > "$npm_dir/expected/synthetic-100.mmd"
MERMAID_TOOLS="$tools" JOURNEY_WASM_PKG="$npm_dir/journey-wasm" JOURNEY_ROOT="$root" \
  SYNTHETIC_MERMAID="$npm_dir/expected/synthetic-100.mmd" node tests/node/mermaid/check.mjs

echo "-- the packed tarball in a fresh project: ESM, CommonJS, TypeScript"
consumer="$(mktemp -d)"
trap 'rm -rf "$consumer"' EXIT
cp tests/node/package/* "$consumer/"
(
  cd "$consumer"
  echo '{ "name": "consumer", "private": true }' > package.json
  npm install --silent --no-audit --no-fund "$npm_dir/journey-wasm-$version.tgz"
  node esm.mjs "$root/examples/data/gym.json"
  node cjs.cjs "$root/examples/data/gym.json"
  "$tools/node_modules/.bin/tsc" -p tsconfig.json
  echo "tsc: the public types check"
)

echo "-- the web example in headless Chromium"
cargo run --quiet --example gym > /dev/null # writes target/gym.svg
PLAYWRIGHT="$tools/node_modules/playwright-core" ARTIFACTS="$root/artifacts" GYM_SVG="$root/target/gym.svg" \
  node tests/browser/run.mjs

echo "-- the journey map in headless Chromium: text boxes, axe-core, keyboard"
PLAYWRIGHT="$tools/node_modules/playwright-core" AXE="$tools/node_modules/axe-core/axe.min.js" \
  ARTIFACTS="$root/artifacts" node tests/browser/map.mjs
