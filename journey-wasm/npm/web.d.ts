export * from './web/journey_wasm.js';
export { default } from './web/journey_wasm.js';
export { JourneyError, JourneyErrorCode } from './errors.js';
