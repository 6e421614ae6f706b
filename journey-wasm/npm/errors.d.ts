import type { Finding } from './web/journey_wasm.js';

/** What kind of failure a JourneyError is. */
export type JourneyErrorCode =
  | 'parse_error'
  | 'unsupported_schema'
  | 'limit_exceeded'
  | 'non_finite_number'
  | 'validation_error'
  | 'not_found'
  | 'csv_error'
  | 'invalid_option'
  | 'invalid_argument'
  | 'internal';

/** The error every failing call throws. */
export declare class JourneyError extends Error {
  readonly name: 'JourneyError';
  /** The stable code, the same as the Rust `Error::code()` and the C status. */
  readonly code: JourneyErrorCode;
  /** For `validation_error`: every problem found. */
  readonly problems?: Finding[];
}
