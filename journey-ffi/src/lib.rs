//! # libjourney
//!
//! The C interface of journey: load a journey document, validate it, analyze
//! its journeys and read the model through typed accessors.
//!
//! ## Conventions
//!
//! - Every fallible function returns a `JourneyStatus`; `JOURNEY_STATUS_OK`
//!   is 0. On failure, `journey_last_error_message()` tells the calling thread
//!   what went wrong. Out-pointers are written only on success.
//! - String inputs are `(const char *ptr, size_t len)`: UTF-8, not necessarily
//!   NUL-terminated. A NULL pointer is allowed only with `len == 0`.
//! - Strings returned through `char **out` are owned by the caller,
//!   NUL-terminated, and must be released with `journey_string_free()` — not
//!   `free()`. Their length (which counts any interior NUL) is written to
//!   `size_t *out_len` when that pointer is not NULL.
//! - Bytes returned through `uint8_t **out` (a PNG) are owned by the caller
//!   and released with `journey_bytes_free()`; their length is written to
//!   `size_t *out_len`.
//! - Handles are released with their own `_free` function; every `_free`
//!   accepts NULL.
//! - No panic crosses into C: every function runs inside `catch_unwind` and a
//!   panic becomes `JOURNEY_STATUS_INTERNAL`.

#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod analysis;
mod convert;
mod event_log;
mod model;
mod prelude;
mod render;
mod status;
mod tracker;

pub use analysis::*;
pub use convert::{journey_bytes_free, journey_string_free};
pub use event_log::*;
pub use model::*;
pub use render::*;
pub use status::*;
pub use tracker::*;

/// The version of the C ABI. It changes only when an existing function or
/// type changes incompatibly; additions keep it.
pub const JOURNEY_ABI_VERSION: u32 = 2;
