// The Node entry (ES module), sharing one instance with the CommonJS entry.
// The default export is a no-op `init`, so `import init, { … } from
// 'journey-wasm'` works in Node, Vitest and the browser alike.
import journey from './node.cjs';

export const { JourneyModel, EventLog, Tracker, JourneyError, version, init, initSync } = journey;
export default init;
