// A panic surfaces as a JourneyError with code "internal", never as
// `RuntimeError: unreachable`. Run on the test-only build that exports
// __testPanic (scripts/build-wasm.sh --test-panic): the package has no such
// export. JOURNEY_WASM_PANIC_PKG=<its directory> node --test tests/node/panic/panic.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const journey = require(join(process.env.JOURNEY_WASM_PANIC_PKG, 'node.cjs'));

test('a panic surfaces as a JourneyError, not RuntimeError: unreachable', () => {
  assert.throws(() => journey.__testPanic(), (error) => {
    assert.ok(error instanceof journey.JourneyError, `not a JourneyError: ${error}`);
    assert.equal(error.code, 'internal');
    assert.match(error.message, /deliberate panic/);
    return true;
  });
});
