//! Outcomes: `JourneyStatus` (one per kind of error core knows, matched
//! exhaustively), the calling thread's last error message, the panic guard
//! every exported body runs in, and the library's version.

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

use crate::prelude::*;

/// The outcome of a call. Codes are never reused.
///
/// Besides `JOURNEY_STATUS_OK`, there is one status for each kind of error
/// the library knows, with the same name as the `code` of a JavaScript
/// `JourneyError` (`JOURNEY_STATUS_NOT_FOUND` is `"not_found"`; see
/// `journey_status_code()`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JourneyStatus {
    /// Success.
    Ok = 0,
    /// A NULL pointer, invalid UTF-8, an index out of range, an empty
    /// customer key, or another unusable argument that is not an option.
    InvalidArgument = 1,
    /// Malformed JSON or Mermaid text (the message gives line and column).
    ParseError = 2,
    /// The model has validation errors (the message gives the first).
    ValidationError = 3,
    /// No journey, stage, touchpoint or measure with that id.
    NotFound = 4,
    /// The input is larger than the library's limits.
    LimitExceeded = 5,
    /// The document declares no schema, or one this version cannot read.
    UnsupportedSchema = 6,
    /// A bug in the library (a caught panic). Please report it.
    Internal = 7,
    /// A CSV file or row that cannot be read (a missing column, a bad row).
    CsvError = 8,
    /// NaN or an infinity where the model needs a finite number.
    NonFiniteNumber = 9,
    /// An option that is unknown, of the wrong type or out of its range
    /// (the message names it).
    InvalidOption = 10,
    /// Tracker snapshot bytes that cannot be restored (of another journey,
    /// or inconsistent with themselves).
    InvalidSnapshot = 11,
}

impl From<ErrorKind> for JourneyStatus {
    fn from(kind: ErrorKind) -> Self {
        // Exhaustive on purpose: a new kind in core fails to build here.
        match kind {
            ErrorKind::InvalidArgument => JourneyStatus::InvalidArgument,
            ErrorKind::ParseError => JourneyStatus::ParseError,
            ErrorKind::ValidationError => JourneyStatus::ValidationError,
            ErrorKind::NotFound => JourneyStatus::NotFound,
            ErrorKind::LimitExceeded => JourneyStatus::LimitExceeded,
            ErrorKind::UnsupportedSchema => JourneyStatus::UnsupportedSchema,
            ErrorKind::Internal => JourneyStatus::Internal,
            ErrorKind::CsvError => JourneyStatus::CsvError,
            ErrorKind::NonFiniteNumber => JourneyStatus::NonFiniteNumber,
            ErrorKind::InvalidOption => JourneyStatus::InvalidOption,
            ErrorKind::InvalidSnapshot => JourneyStatus::InvalidSnapshot,
        }
    }
}

impl JourneyStatus {
    /// The kind of error this status reports; `None` for `Ok`.
    pub fn kind(self) -> Option<ErrorKind> {
        ErrorKind::ALL
            .into_iter()
            .find(|&kind| JourneyStatus::from(kind) == self)
    }
}

pub(crate) struct Failure(pub(crate) JourneyStatus, pub(crate) String);

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure(error.kind().into(), error.to_string())
    }
}

pub(crate) fn invalid(message: impl Into<String>) -> Failure {
    Failure(JourneyStatus::InvalidArgument, message.into())
}

pub(crate) fn not_found(kind: &str, id: &str) -> Failure {
    Failure(JourneyStatus::NotFound, format!("no {kind} with id {id:?}"))
}

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

pub(crate) fn set_last_error(message: &str) {
    let clean = CString::new(message.replace('\0', "\u{FFFD}")).unwrap_or_default();
    LAST_ERROR.with(|slot| *slot.borrow_mut() = clean);
}

/// Runs an exported function's body: catches panics, records failures.
pub(crate) fn guard(body: impl FnOnce() -> Result<(), Failure>) -> JourneyStatus {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => JourneyStatus::Ok,
        Ok(Err(Failure(status, message))) => {
            set_last_error(&message);
            status
        }
        Err(_) => {
            set_last_error("internal error: the library panicked; please report this");
            JourneyStatus::Internal
        }
    }
}

/// The stable name of a status, e.g. `"not_found"` for
/// `JOURNEY_STATUS_NOT_FOUND` and `"ok"` for `JOURNEY_STATUS_OK`: the same
/// name a JavaScript `JourneyError` carries as its `code`. A static
/// NUL-terminated string (do not free); NULL for a value that is no status.
#[unsafe(no_mangle)]
pub extern "C" fn journey_status_code(status: i32) -> *const c_char {
    static CODES: OnceLock<Vec<(i32, CString)>> = OnceLock::new();
    let codes = CODES.get_or_init(|| {
        let ok = (JourneyStatus::Ok as i32, CString::from(c"ok"));
        let kinds = ErrorKind::ALL.into_iter().filter_map(|kind| {
            let name = CString::new(kind.code()).ok()?;
            Some((JourneyStatus::from(kind) as i32, name))
        });
        std::iter::once(ok).chain(kinds).collect()
    });
    codes
        .iter()
        .find(|(code, _)| *code == status)
        .map_or(std::ptr::null(), |(_, name)| name.as_ptr())
}

/// The library's version, e.g. `"0.1.0"`: a static NUL-terminated string
/// (do not free).
#[unsafe(no_mangle)]
pub extern "C" fn journey_version() -> *const c_char {
    static VERSION: &CStr =
        match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
            Ok(version) => version,
            Err(_) => c"unknown",
        };
    VERSION.as_ptr()
}

/// The ABI version of the loaded library; compare with `JOURNEY_ABI_VERSION`
/// from the header the program was compiled against.
#[unsafe(no_mangle)]
pub extern "C" fn journey_abi_version() -> u32 {
    JOURNEY_ABI_VERSION
}

/// The message of the calling thread's last failure, or an empty string.
///
/// The pointer is owned by the library (do not free) and stays valid until
/// the next failing call on the same thread.
#[unsafe(no_mangle)]
pub extern "C" fn journey_last_error_message() -> *const c_char {
    LAST_ERROR.with(|slot| slot.borrow().as_ptr())
}
