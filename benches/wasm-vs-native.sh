#!/usr/bin/env bash
# analyze on the generated 1,000-touchpoint journey: native (release) and the
# npm package's Node build (WebAssembly), on the same document, in one run.
#   bash benches/wasm-vs-native.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-50}"
bash scripts/build-wasm.sh > /dev/null
cargo build --quiet --release -p journey-examples --example analyze
doc="$(mktemp)"
target/release/examples/analyze --synthetic 1000 > "$doc"
native="$(target/release/examples/analyze --synthetic 1000 --time "$rounds")"
wasm="$(node --input-type=module -e "
import { readFileSync } from 'node:fs';
const { JourneyModel } = await import('$(pwd)/target/npm/journey-wasm/node.mjs');
const model = JourneyModel.fromJson(readFileSync('$doc', 'utf8'));
const id = model.journeys()[0].id;
for (let i = 0; i < 3; i++) model.analyze(id);
const start = performance.now();
for (let i = 0; i < $rounds; i++) model.analyze(id);
console.log(((performance.now() - start) / $rounds).toFixed(3));
")"
rm -f "$doc"
echo "analyze, 1,000 touchpoints, mean of $rounds rounds"
echo "native: ${native} ms"
echo "wasm (Node $(node --version)): ${wasm} ms"
awk -v n="$native" -v w="$wasm" 'BEGIN { printf "ratio wasm/native: %.2f\n", w / n }'
