#!/usr/bin/env bash
# Builds the npm package into target/npm/journey-wasm (and its tarball with
# --pack). Installs what it needs when missing: the wasm32 target, the pinned
# wasm-bindgen-cli, and binaryen's wasm-opt.
# --test-panic builds, instead, a copy with the test-only __testPanic export
# into target/npm/test-panic/journey-wasm (never packed).
set -euo pipefail
cd "$(dirname "$0")/.."

pinned="$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' journey-wasm/Cargo.toml)"
rustup target add wasm32-unknown-unknown > /dev/null 2>&1
if [ "$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$pinned" ]; then
  cargo install wasm-bindgen-cli --version "$pinned" --quiet
fi
# binaryen from npm (scripts/tools): Debian's release is too old for the
# externref tables wasm-bindgen emits.
wasm_opt="$(bash scripts/js-tools.sh)/node_modules/.bin/wasm-opt"

copy_entries() {
  local pkg="$1"
  echo '{ "type": "commonjs" }' > "$pkg/node/package.json"
  cp journey-wasm/npm/*.js journey-wasm/npm/*.cjs journey-wasm/npm/*.mjs journey-wasm/npm/*.d.ts "$pkg/"
  # One source for the shared pieces; its CommonJS copy for node.cjs.
  { sed 's/^export //' journey-wasm/npm/common.js
    echo 'module.exports = { JourneyError, refuseFreed, zones, addXesGzip };'
  } > "$pkg/common.cjs"
}

if [ "${1:-}" = "--test-panic" ]; then
  # The package's own profile: every dependency is already built for it
  # (a debug build would compile them all again), only journey-wasm and
  # the link are redone; unpacked and not size-checked.
  cargo build --quiet -p journey-wasm --target wasm32-unknown-unknown --profile wasm-release --features test-panic
  pkg=target/npm/test-panic/journey-wasm
  rm -rf "$pkg"
  mkdir -p "$pkg"
  wasm-bindgen --target nodejs --out-dir "$pkg/node" target/wasm32-unknown-unknown/wasm-release/journey_wasm.wasm
  copy_entries "$pkg"
  echo "built $pkg (test-only)"
  exit 0
fi

# The default build and the `full` one (also XES and JSON event payloads,
# at journey-wasm/full), each bound for the web and for Node and shrunk.
bind() {
  local features="$1" pkg="$2"
  cargo build --quiet -p journey-wasm --target wasm32-unknown-unknown --profile wasm-release $features
  local wasm=target/wasm32-unknown-unknown/wasm-release/journey_wasm.wasm
  mkdir -p "$pkg"
  wasm-bindgen --target web --out-dir "$pkg/web" "$wasm"
  wasm-bindgen --target nodejs --out-dir "$pkg/node" "$wasm"
  # --flatten --rereloop before -Oz: binaryen rebuilds the control flow
  # from scratch, which shrinks the module by about 2 KB gzipped (tried:
  # --converge, 1 KB for 30 s more per build; -Oz twice, nothing).
  for dir in web node; do
    "$wasm_opt" --flatten --rereloop -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals --enable-reference-types --enable-multivalue \
      "$pkg/$dir/journey_wasm_bg.wasm" -o "$pkg/$dir/journey_wasm_bg.wasm"
  done
  copy_entries "$pkg"
  # The full build's EventLog also has readXesGzip (added in common.js),
  # and the full build has attribution from path data: its ES module entries
  # export it (node.cjs passes it on when the module has it).
  if [ "$features" = "--features full" ]; then
    for entry in web node; do
      sed "s|MODULE|$entry/journey_wasm.js|" journey-wasm/npm/gzip.d.ts.in >> "$pkg/$entry.d.ts"
    done
    echo "export { attributePaths } from './web/journey_wasm.js';" >> "$pkg/web.js"
    echo "export const { attributePaths } = journey;" >> "$pkg/node.mjs"
  fi
}
pkg=target/npm/journey-wasm
rm -rf "$pkg"
bind "" "$pkg"
bind "--features full" "$pkg/full"
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
    "./map": { "types": "./map.d.ts", "default": "./map.js" },
    "./element": { "types": "./element.d.ts", "default": "./element.js" },
    "./full": {
      "node": {
        "types": "./full/node.d.ts",
        "import": "./full/node.mjs",
        "require": "./full/node.cjs"
      },
      "default": {
        "types": "./full/web.d.ts",
        "default": "./full/web.js"
      }
    },
    "./full/journey_wasm_bg.wasm": "./full/web/journey_wasm_bg.wasm",
    "./package.json": "./package.json"
  },
  "files": ["web/", "node/", "full/", "web.js", "web.d.ts", "common.js", "common.cjs", "node.cjs", "node.mjs", "node.d.ts", "errors.d.ts", "map.js", "map.d.ts", "element.js", "element.d.ts", "README.md"],
  "sideEffects": ["./element.js", "./full/element.js"],
  "engines": { "node": ">=18" }
}
JSON

# The goal is 300 KB (see BENCHMARKS.md for where the bytes go); the
# budget only goes down: 370 KB, then 329 KB once values crossed as JSON
# text (one serializer) and sorting and ordered maps shared one copy; 325
# KiB once the SVG's channel labels stopped pulling in Unicode's case tables;
# 317 KiB once node sets and validation's lookups stopped instantiating trees;
# 300 KB (the goal) once map types were folded, the csv crate's writer and
# core's second float parser left and binaryen rebuilt the control flow.
# The full build has a budget of its own.
check_size() {
  local name="$1" file="$2" budget="$3"
  local raw gz
  raw=$(wc -c < "$file")
  gz=$(gzip -9 -c "$file" | wc -c)
  echo "journey-wasm $version$name: journey_wasm_bg.wasm $raw bytes, $gz bytes gzipped"
  if [ "$gz" -gt "$budget" ]; then
    echo "the gzipped .wasm of journey-wasm$name ($gz bytes) is over the budget of $budget bytes" >&2
    exit 1
  fi
}
check_size "" "$pkg/web/journey_wasm_bg.wasm" 300000
check_size "/full" "$pkg/full/web/journey_wasm_bg.wasm" $((370 * 1024))
if [ "${1:-}" = "--pack" ]; then
  (cd "$pkg" && npm pack --silent --pack-destination ..) > /dev/null
  echo "packed target/npm/journey-wasm-$version.tgz"
fi
