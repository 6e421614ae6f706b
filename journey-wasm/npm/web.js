// The browser (and bundler) entry: ES module. Call the default export once
// before using the API: `await init()`.
import wasmInit, { initSync as wasmInitSync, __setErrorClass } from './web/journey_wasm.js';

export { JourneyModel, EventLog, Tracker, attributePaths, version, __testPanic } from './web/journey_wasm.js';

/** The error every failing call throws; `code` tells what kind of failure. */
export class JourneyError extends Error {
  constructor(message, code, problems) {
    super(message);
    this.name = 'JourneyError';
    this.code = code;
    if (problems !== undefined) this.problems = problems;
  }
}

let ready;

/** Loads the WebAssembly module (once; later calls return the same promise). */
export default function init(input) {
  ready ??= wasmInit(input).then((exports) => {
    __setErrorClass(JourneyError);
    return exports;
  });
  return ready;
}

/** Loads the WebAssembly module synchronously from its bytes or a compiled module. */
export function initSync(module) {
  const exports = wasmInitSync(module);
  __setErrorClass(JourneyError);
  return exports;
}
