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
  # A registry that fails once (a dropped connection, a time-out) is asked
  # again, up to three times; the log keeps npm's errors (not --silent, which
  # hides them too) and is printed when the last attempt fails.
  ok=
  for attempt in 1 2 3; do
    if (cd "$tools" && npm ci --loglevel=error --no-audit --no-fund >> npm-ci.log 2>&1); then
      ok=1
      break
    fi
    echo "npm ci of the JavaScript tools: attempt $attempt failed" >&2
    rm -rf "$tools/node_modules"
    sleep $((attempt * 5))
  done
  if [ -z "$ok" ]; then
    echo "npm ci of the JavaScript tools failed:" >&2
    cat "$tools/npm-ci.log" >&2
    rm -rf "$tools"
    exit 1
  fi
fi
echo "$tools"
