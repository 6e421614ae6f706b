// The browser (and bundler) entry: ES module. Call the default export once
// before using the API: `await init()`.
import wasmInit, {
  initSync as wasmInitSync,
  __setErrorClass,
  __setZones,
  JourneyModel,
  EventLog,
  Tracker,
} from './web/journey_wasm.js';
import { JourneyError, addXesGzip, refuseFreed, zones } from './common.js';

export { JourneyModel, EventLog, Tracker, version } from './web/journey_wasm.js';
export { JourneyError };

refuseFreed([JourneyModel, EventLog, Tracker]);
addXesGzip(EventLog);

let ready;

/** Loads the WebAssembly module (once; later calls return the same promise). */
export default function init(input) {
  ready ??= wasmInit(input).then((exports) => {
    __setErrorClass(JourneyError);
    __setZones(zones);
    return exports;
  });
  return ready;
}

/** Loads the WebAssembly module synchronously from its bytes or a compiled module. */
export function initSync(module) {
  const exports = wasmInitSync(module);
  __setErrorClass(JourneyError);
  __setZones(zones);
  return exports;
}
