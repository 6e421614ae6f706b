#!/usr/bin/env bash
# Builds the npm package into target/npm/journey-wasm (and its tarball with
# --pack). Installs what it needs when missing: the wasm32 target, the pinned
# wasm-bindgen-cli, and binaryen's wasm-opt.
set -euo pipefail
cd "$(dirname "$0")/.."

pinned="$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' journey-wasm/Cargo.toml)"
rustup target add wasm32-unknown-unknown > /dev/null 2>&1
if [ "$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$pinned" ]; then
  cargo install wasm-bindgen-cli --version "$pinned" --quiet
fi
# binaryen from npm: Debian's release is too old for the externref tables
# wasm-bindgen emits.
binaryen=132.0.0
tools=target/npm/tools
wasm_opt="$tools/node_modules/.bin/wasm-opt"
if [ "$("$wasm_opt" --version 2>/dev/null | grep -o '[0-9]*' | head -1)" != "${binaryen%%.*}" ]; then
  mkdir -p "$tools"
  [ -f "$tools/package.json" ] || echo '{ "private": true }' > "$tools/package.json"
  (cd "$tools" && npm install --silent --no-audit --no-fund "binaryen@$binaryen")
fi

cargo build --quiet -p journey-wasm --target wasm32-unknown-unknown --profile wasm-release
wasm=target/wasm32-unknown-unknown/wasm-release/journey_wasm.wasm
pkg=target/npm/journey-wasm
rm -rf "$pkg"
mkdir -p "$pkg"
wasm-bindgen --target web --out-dir "$pkg/web" "$wasm"
wasm-bindgen --target nodejs --out-dir "$pkg/node" "$wasm"
for dir in web node; do
  "$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$pkg/$dir/journey_wasm_bg.wasm" -o "$pkg/$dir/journey_wasm_bg.wasm"
done
echo '{ "type": "commonjs" }' > "$pkg/node/package.json"
cp journey-wasm/npm/*.js journey-wasm/npm/*.cjs journey-wasm/npm/*.mjs journey-wasm/npm/*.d.ts "$pkg/"
cp journey-wasm/README.md "$pkg/README.md"

version="$(cargo pkgid -p journey-wasm | sed 's/.*[#@]//')"
cat > "$pkg/package.json" <<JSON
{
  "name": "journey-wasm",
  "version": "$version",
  "description": "Customer-journey modelling and exact journey analytics (funnels, drop-off, likely paths, pain points) for the browser and Node, in WebAssembly.",
  "license": "MIT OR Apache-2.0",
  "keywords": ["customer-journey", "journey-map", "cx", "funnel", "analytics", "wasm"],
  "type": "module",
  "main": "./node.cjs",
  "module": "./web.js",
  "types": "./web.d.ts",
  "exports": {
    ".": {
      "node": {
        "types": "./node.d.ts",
        "import": "./node.mjs",
        "require": "./node.cjs"
      },
      "default": {
        "types": "./web.d.ts",
        "default": "./web.js"
      }
    },
    "./journey_wasm_bg.wasm": "./web/journey_wasm_bg.wasm",
    "./package.json": "./package.json"
  },
  "files": ["web/", "node/", "web.js", "web.d.ts", "node.cjs", "node.mjs", "node.d.ts", "errors.d.ts", "README.md"],
  "sideEffects": false,
  "engines": { "node": ">=18" }
}
JSON

raw=$(wc -c < "$pkg/web/journey_wasm_bg.wasm")
gz=$(gzip -9 -c "$pkg/web/journey_wasm_bg.wasm" | wc -c)
echo "journey-wasm $version: journey_wasm_bg.wasm $raw bytes, $gz bytes gzipped"
# 250 KB covered the model and analytics (187 KB); event logs, discovery and
# attribution added 93 KB, the live tracker and the columnar log 42 KB, the
# SVG journey map and Mermaid import/export 29 KB. See BENCHMARKS.md.
budget=$((370 * 1024))
if [ "$gz" -gt "$budget" ]; then
  echo "the gzipped .wasm ($gz bytes) is over the budget of $budget bytes" >&2
  exit 1
fi
if [ "${1:-}" = "--pack" ]; then
  (cd "$pkg" && npm pack --silent --pack-destination ..) > /dev/null
  echo "packed target/npm/journey-wasm-$version.tgz"
fi
