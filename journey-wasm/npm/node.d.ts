export * from './node/journey_wasm.js';
export { JourneyError, JourneyErrorCode } from './errors.js';
