import type { Finding, JourneyErrorCode } from './web/journey_wasm.js';

export type { JourneyErrorCode };


/** The error every failing call throws. */
export declare class JourneyError extends Error {
  readonly name: 'JourneyError';
  /** The stable code, the same as the Rust `Error::code()` and the C status. */
  readonly code: JourneyErrorCode;
  /** For `validation_error`: every problem found. */
  readonly problems?: Finding[];
}
