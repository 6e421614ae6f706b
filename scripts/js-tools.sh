#!/usr/bin/env bash
# Installs the JavaScript tools the build and the tests use (wasm-opt from
# binaryen, mermaid, jsdom, playwright-core, typescript) into
# target/npm/tools, exactly as scripts/tools/package-lock.json pins them
# (npm ci). Skipped when that install is current. Prints the folder.
set -euo pipefail
cd "$(dirname "$0")/.."

tools=target/npm/tools
if ! cmp -s scripts/tools/package-lock.json "$tools/package-lock.json" || [ ! -d "$tools/node_modules" ]; then
  rm -rf "$tools"
  mkdir -p "$tools"
  cp scripts/tools/package.json scripts/tools/package-lock.json "$tools/"
  if ! (cd "$tools" && npm ci --silent --no-audit --no-fund > npm-ci.log 2>&1); then
    echo "npm ci of the JavaScript tools failed:" >&2
    cat "$tools/npm-ci.log" >&2
    rm -rf "$tools"
    exit 1
  fi
fi
echo "$tools"
