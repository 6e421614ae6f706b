export * from './node/journey_wasm.js';
export { JourneyError, JourneyErrorCode } from './errors.js';
/** Nothing to load in Node: resolves at once (the browser build loads its WebAssembly here). */
export default function init(input?: unknown): Promise<void>;
/** Nothing to load in Node. */
export function initSync(module?: unknown): void;
