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
//! - Handles are released with their own `_free` function; every `_free`
//!   accepts NULL.
//! - No panic crosses into C: every function runs inside `catch_unwind` and a
//!   panic becomes `JOURNEY_STATUS_INTERNAL`.

#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cell::RefCell;
use std::ffi::{CStr, CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

use journey_core::analysis::{Analysis, Options};
use journey_core::attribution::AttributionOptions;
use journey_core::events::{EventLog, Mapping};
use journey_core::fit::FitOptions;
use journey_core::tracker::Observed;
use journey_core::{Document, Error, ErrorKind, Journey, Touchpoint};

/// The version of the C ABI. It changes only when an existing function or
/// type changes incompatibly; additions keep it.
pub const JOURNEY_ABI_VERSION: u32 = 2;

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
        match self {
            JourneyStatus::Ok => None,
            JourneyStatus::InvalidArgument => Some(ErrorKind::InvalidArgument),
            JourneyStatus::ParseError => Some(ErrorKind::ParseError),
            JourneyStatus::ValidationError => Some(ErrorKind::ValidationError),
            JourneyStatus::NotFound => Some(ErrorKind::NotFound),
            JourneyStatus::LimitExceeded => Some(ErrorKind::LimitExceeded),
            JourneyStatus::UnsupportedSchema => Some(ErrorKind::UnsupportedSchema),
            JourneyStatus::Internal => Some(ErrorKind::Internal),
            JourneyStatus::CsvError => Some(ErrorKind::CsvError),
            JourneyStatus::NonFiniteNumber => Some(ErrorKind::NonFiniteNumber),
            JourneyStatus::InvalidOption => Some(ErrorKind::InvalidOption),
            JourneyStatus::InvalidSnapshot => Some(ErrorKind::InvalidSnapshot),
        }
    }
}

/// A loaded journey document: personas, measure definitions and journeys.
///
/// Immutable once loaded: it may be shared and read from any number of
/// threads at once. Strings returned from it are copies, independent of the
/// model's lifetime. Release with `journey_model_free()`.
pub struct JourneyModel(Document);

/// The analysis of one journey, as computed by `journey_model_analyze()`.
///
/// Immutable: it may be shared and read from any number of threads at once.
/// It does not borrow from the model it came from. Release with
/// `journey_analysis_free()`.
pub struct JourneyAnalysis(Analysis);

struct Failure(JourneyStatus, String);

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure(error.kind().into(), error.to_string())
    }
}

fn invalid(message: impl Into<String>) -> Failure {
    Failure(JourneyStatus::InvalidArgument, message.into())
}

fn not_found(kind: &str, id: &str) -> Failure {
    Failure(JourneyStatus::NotFound, format!("no {kind} with id {id:?}"))
}

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

fn set_last_error(message: &str) {
    let clean = CString::new(message.replace('\0', "\u{FFFD}")).unwrap_or_default();
    LAST_ERROR.with(|slot| *slot.borrow_mut() = clean);
}

/// Runs an exported function's body: catches panics, records failures.
fn guard(body: impl FnOnce() -> Result<(), Failure>) -> JourneyStatus {
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

/// Reads a `(ptr, len)` UTF-8 string argument.
///
/// # Safety
/// `ptr` must be NULL with `len == 0`, or point to `len` readable bytes.
unsafe fn text<'a>(ptr: *const c_char, len: usize, what: &str) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return if len == 0 {
            Ok("")
        } else {
            Err(invalid(format!("{what} is NULL")))
        };
    }
    // SAFETY: the caller guarantees `len` readable bytes at `ptr`.
    let bytes = unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) };
    std::str::from_utf8(bytes).map_err(|e| {
        invalid(format!(
            "{what} is not valid UTF-8 (at byte {})",
            e.valid_up_to()
        ))
    })
}

/// A shared reference from a handle pointer.
///
/// # Safety
/// `ptr` must be NULL or a live handle from this library.
unsafe fn handle<'a, T>(ptr: *const T, what: &str) -> Result<&'a T, Failure> {
    // SAFETY: the caller guarantees a live handle or NULL.
    unsafe { ptr.as_ref() }.ok_or_else(|| invalid(format!("{what} is NULL")))
}

/// Writes `value` through an out-pointer.
///
/// # Safety
/// `out` must be NULL or valid for a write of `T`.
unsafe fn put<T>(out: *mut T, value: T, what: &str) -> Result<(), Failure> {
    if out.is_null() {
        return Err(invalid(format!("{what} is NULL")));
    }
    // SAFETY: checked non-NULL; the caller guarantees it is writable.
    unsafe { out.write(value) };
    Ok(())
}

/// Checks out-pointers before any work, so a failure leaves nothing allocated.
fn require<T>(out: *mut T, what: &str) -> Result<(), Failure> {
    if out.is_null() {
        Err(invalid(format!("{what} is NULL")))
    } else {
        Ok(())
    }
}

/// Allocates a caller-owned, NUL-terminated copy of `value`. A hidden length
/// header in front of the bytes lets `journey_string_free()` release it even
/// when the text has interior NULs.
fn owned_string(value: &str) -> *mut c_char {
    const HEADER: usize = std::mem::size_of::<usize>();
    let mut buffer = Vec::with_capacity(HEADER + value.len() + 1);
    buffer.extend_from_slice(&value.len().to_ne_bytes());
    buffer.extend_from_slice(value.as_bytes());
    buffer.push(0);
    let raw = Box::into_raw(buffer.into_boxed_slice()).cast::<u8>();
    // SAFETY: the allocation is HEADER + len + 1 bytes long.
    unsafe { raw.add(HEADER) }.cast::<c_char>()
}

/// Writes a caller-owned string and its length.
///
/// # Safety
/// `out` must be valid for a write (checked non-NULL); `out_len` NULL or writable.
unsafe fn put_string(
    out: *mut *mut c_char,
    out_len: *mut usize,
    value: &str,
) -> Result<(), Failure> {
    require(out, "out")?;
    // SAFETY: `out` checked; `out_len` is NULL or writable by contract.
    unsafe {
        out.write(owned_string(value));
        if !out_len.is_null() {
            out_len.write(value.len());
        }
    }
    Ok(())
}

/// The journey named by a `(ptr, len)` id in a model handle.
///
/// # Safety
/// `model` must be NULL or live; `journey` as in the conventions.
unsafe fn journey_arg<'a>(
    model: *const JourneyModel,
    journey: *const c_char,
    journey_len: usize,
) -> Result<&'a Journey, Failure> {
    // SAFETY: forwarded caller guarantees.
    let (model, id) = unsafe {
        (
            handle(model, "model")?,
            text(journey, journey_len, "journey")?,
        )
    };
    find_journey(model, id)
}

/// Writes an item's id and name as two caller-owned strings, or neither.
///
/// # Safety
/// `out_id` and `out_name` must be NULL (refused) or writable.
unsafe fn put_id_and_name(
    out_id: *mut *mut c_char,
    out_name: *mut *mut c_char,
    id: &str,
    name: &str,
) -> Result<(), Failure> {
    require(out_id, "out_id")?;
    require(out_name, "out_name")?;
    // SAFETY: both checked non-NULL; the caller guarantees writability.
    unsafe {
        put_string(out_id, std::ptr::null_mut(), id)?;
        put_string(out_name, std::ptr::null_mut(), name)
    }
}

fn find_journey<'a>(model: &'a JourneyModel, id: &str) -> Result<&'a Journey, Failure> {
    model.0.journey(id).ok_or_else(|| not_found("journey", id))
}

fn find_touchpoint<'a>(journey: &'a Journey, id: &str) -> Result<&'a Touchpoint, Failure> {
    journey
        .touchpoint(id)
        .ok_or_else(|| not_found("touchpoint", id))
}

fn at<'a, T>(items: &'a [T], index: usize, what: &str) -> Result<&'a T, Failure> {
    items.get(index).ok_or_else(|| {
        invalid(format!(
            "{what} index {index} is out of range (there are {})",
            items.len()
        ))
    })
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

/// Releases a string returned by this library. NULL is ignored.
///
/// # Safety
/// `string` must be NULL or a string returned by this library through a
/// `char **out` parameter, not yet released. Never pass it to `free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_string_free(string: *mut c_char) {
    if string.is_null() {
        return;
    }
    let _ = catch_unwind(AssertUnwindSafe(|| {
        const HEADER: usize = std::mem::size_of::<usize>();
        // SAFETY: `string` came from `owned_string`, HEADER bytes after the
        // start of a boxed slice of HEADER + len + 1 bytes.
        unsafe {
            let start = string.cast::<u8>().sub(HEADER);
            let len = usize::from_ne_bytes(std::ptr::read_unaligned(start.cast::<[u8; HEADER]>()));
            let slice = std::ptr::slice_from_raw_parts_mut(start, HEADER + len + 1);
            drop(Box::from_raw(slice));
        }
    }));
}

/// Loads a journey document from JSON text.
///
/// Fails with `JOURNEY_STATUS_PARSE_ERROR` (malformed JSON, with line and
/// column in the message), `JOURNEY_STATUS_UNSUPPORTED_SCHEMA` or
/// `JOURNEY_STATUS_LIMIT_EXCEEDED`. A document with validation errors loads;
/// see `journey_model_validate()`.
///
/// # Safety
/// `json` must point to `len` readable bytes (or be NULL with `len == 0`);
/// `out` must be valid for a write. On success `*out` holds a new model to
/// release with `journey_model_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_model_from_json(
    json: *const c_char,
    len: usize,
    out: *mut *mut JourneyModel,
) -> JourneyStatus {
    guard(|| {
        require(out, "out")?;
        // SAFETY: forwarded caller guarantees.
        let text = unsafe { text(json, len, "json") }?;
        let document = Document::from_json(text)?;
        let model = Box::into_raw(Box::new(JourneyModel(document)));
        // SAFETY: `out` checked non-NULL above.
        unsafe { put(out, model, "out") }
    })
}

/// Releases a model. NULL is ignored.
///
/// # Safety
/// `model` must be NULL or a model from `journey_model_from_json()`, not yet
/// released, and no other thread may be using it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_model_free(model: *mut JourneyModel) {
    if !model.is_null() {
        // SAFETY: the caller passes ownership of a live model.
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(model) })));
    }
}

/// Writes the model as JSON (deterministic: the same model gives the same bytes).
///
/// # Safety
/// `model` must be a live model; `out` writable; `out_len` NULL or writable.
/// Release `*out` with `journey_string_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_model_to_json(
    model: *const JourneyModel,
    out: *mut *mut c_char,
    out_len: *mut usize,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let model = unsafe { handle(model, "model") }?;
        require(out, "out")?;
        let json = model.0.to_json()?;
        // SAFETY: forwarded caller guarantees.
        unsafe { put_string(out, out_len, &json) }
    })
}

/// Validates the model: counts its errors and warnings and, when
/// `out_report` is not NULL, writes the full report as JSON (the same JSON
/// as the Rust `Report`). Findings are not failures: this returns
/// `JOURNEY_STATUS_OK` whenever validation ran.
///
/// # Safety
/// `model` must be a live model; `out_errors` and `out_warnings` writable;
/// `out_report` and `out_len` NULL or writable. Release `*out_report` with
/// `journey_string_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_model_validate(
    model: *const JourneyModel,
    out_errors: *mut usize,
    out_warnings: *mut usize,
    out_report: *mut *mut c_char,
    out_len: *mut usize,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let model = unsafe { handle(model, "model") }?;
        require(out_errors, "out_errors")?;
        require(out_warnings, "out_warnings")?;
        let report = model.0.validate();
        let json = if out_report.is_null() {
            None
        } else {
            Some(
                serde_json::to_string(&report)
                    .map_err(|e| Failure(JourneyStatus::Internal, e.to_string()))?,
            )
        };
        // SAFETY: checked non-NULL above; caller guarantees writability.
        unsafe {
            put(out_errors, report.errors().count(), "out_errors")?;
            put(out_warnings, report.warnings().count(), "out_warnings")?;
            if let Some(json) = json {
                put_string(out_report, out_len, &json)?;
            }
        }
        Ok(())
    })
}

/// Compares two journeys of the model (current against future state, or two
/// personas' journeys), structurally and by their analyses, with the model's
/// measure catalog. Writes the comparison as JSON (the same as Rust's and
/// JavaScript's) to a caller-owned string.
///
/// `options_json` is as for `journey_model_analyze()`. Fails with
/// `JOURNEY_STATUS_NOT_FOUND` for an unknown journey and
/// `JOURNEY_STATUS_VALIDATION_ERROR` when either has validation errors.
///
/// # Safety
/// `model` must be live; strings as in the conventions; `out` writable and
/// `out_len` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_model_compare(
    model: *const JourneyModel,
    before: *const c_char,
    before_len: usize,
    after: *const c_char,
    after_len: usize,
    options_json: *const c_char,
    options_len: usize,
    out: *mut *mut c_char,
    out_len: *mut usize,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let (model, before, after, options) = unsafe {
            (
                handle(model, "model")?,
                text(before, before_len, "before")?,
                text(after, after_len, "after")?,
                json_options::<Options>(options_json, options_len, "options")?,
            )
        };
        require(out, "out")?;
        let comparison = model.0.compare(before, after, &options)?;
        // SAFETY: `out` checked; `out_len` NULL or writable by contract.
        unsafe { put_string(out, out_len, &json(&comparison)?) }
    })
}

/// Analyzes one journey of the model with the model's measure catalog.
///
/// `options_json` may be NULL (with `options_len == 0`) for the defaults, or
/// JSON such as `{"top": 3, "max_path_expansions": 10000, "rapid_drop": 1.5}`.
/// Fails with `JOURNEY_STATUS_NOT_FOUND` for an unknown journey and
/// `JOURNEY_STATUS_VALIDATION_ERROR` when the journey has validation errors.
///
/// # Safety
/// `model` must be a live model; string arguments as in the conventions;
/// `out` writable. Release `*out` with `journey_analysis_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_model_analyze(
    model: *const JourneyModel,
    journey: *const c_char,
    journey_len: usize,
    options_json: *const c_char,
    options_len: usize,
    out: *mut *mut JourneyAnalysis,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let (model, journey, options) = unsafe {
            (
                handle(model, "model")?,
                text(journey, journey_len, "journey")?,
                json_options::<Options>(options_json, options_len, "options")?,
            )
        };
        require(out, "out")?;
        let analysis = model.0.analyze(journey, &options)?;
        let boxed = Box::into_raw(Box::new(JourneyAnalysis(analysis)));
        // SAFETY: checked non-NULL above.
        unsafe { put(out, boxed, "out") }
    })
}

/// Releases an analysis. NULL is ignored.
///
/// # Safety
/// `analysis` must be NULL or an analysis from `journey_model_analyze()`, not
/// yet released, and no other thread may be using it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_analysis_free(analysis: *mut JourneyAnalysis) {
    if !analysis.is_null() {
        // SAFETY: the caller passes ownership of a live analysis.
        let _ = catch_unwind(AssertUnwindSafe(|| {
            drop(unsafe { Box::from_raw(analysis) })
        }));
    }
}

/// Writes the whole analysis as JSON, byte for byte the serialization of the
/// Rust `Analysis` (and of the JS one).
///
/// # Safety
/// `analysis` must be live; `out` writable; `out_len` NULL or writable.
/// Release `*out` with `journey_string_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_analysis_to_json(
    analysis: *const JourneyAnalysis,
    out: *mut *mut c_char,
    out_len: *mut usize,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let analysis = unsafe { handle(analysis, "analysis") }?;
        require(out, "out")?;
        let json = serde_json::to_string(&analysis.0)
            .map_err(|e| Failure(JourneyStatus::Internal, e.to_string()))?;
        // SAFETY: forwarded caller guarantees.
        unsafe { put_string(out, out_len, &json) }
    })
}

/// The probability that a customer reaches any goal.
///
/// # Safety
/// `analysis` must be live; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_analysis_goal_probability(
    analysis: *const JourneyAnalysis,
    out: *mut f64,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let analysis = unsafe { handle(analysis, "analysis") }?;
        // SAFETY: forwarded caller guarantees.
        unsafe { put(out, analysis.0.goal_probability, "out") }
    })
}

/// The funnel reach of a stage: the probability of ever reaching that stage
/// or a later one.
///
/// # Safety
/// `analysis` must be live; `stage` as in the conventions; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_analysis_stage_reach(
    analysis: *const JourneyAnalysis,
    stage: *const c_char,
    stage_len: usize,
    out: *mut f64,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let (analysis, stage) = unsafe {
            (
                handle(analysis, "analysis")?,
                text(stage, stage_len, "stage")?,
            )
        };
        require(out, "out")?;
        let found = analysis
            .0
            .funnel
            .iter()
            .find(|s| s.stage == stage)
            .ok_or_else(|| not_found("stage", stage))?;
        // SAFETY: checked above.
        unsafe { put(out, found.reach, "out") }
    })
}

/// A touchpoint's reach (probability of being visited at least once) and
/// removal effect (relative loss of goal probability without it).
///
/// # Safety
/// `analysis` must be live; `touchpoint` as in the conventions; `out_reach`
/// writable; `out_removal_effect` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_analysis_touchpoint_reach(
    analysis: *const JourneyAnalysis,
    touchpoint: *const c_char,
    touchpoint_len: usize,
    out_reach: *mut f64,
    out_removal_effect: *mut f64,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let (analysis, touchpoint) = unsafe {
            (
                handle(analysis, "analysis")?,
                text(touchpoint, touchpoint_len, "touchpoint")?,
            )
        };
        require(out_reach, "out_reach")?;
        let found = analysis
            .0
            .touchpoints
            .iter()
            .find(|t| t.touchpoint == touchpoint)
            .ok_or_else(|| not_found("touchpoint", touchpoint))?;
        // SAFETY: checked above; the optional pointer is checked here.
        unsafe {
            put(out_reach, found.reach, "out_reach")?;
            if !out_removal_effect.is_null() {
                out_removal_effect.write(found.removal_effect);
            }
        }
        Ok(())
    })
}

/// The number of pain points, ranked by impact.
///
/// # Safety
/// `analysis` must be live; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_analysis_pain_point_count(
    analysis: *const JourneyAnalysis,
    out: *mut usize,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let analysis = unsafe { handle(analysis, "analysis") }?;
        // SAFETY: forwarded caller guarantees.
        unsafe { put(out, analysis.0.pain_points.len(), "out") }
    })
}

/// The pain point at `index` (0 is the highest impact): its touchpoint id and
/// its impact (reach × severity × importance).
///
/// # Safety
/// `analysis` must be live; `out_touchpoint` and `out_impact` writable;
/// `out_len` NULL or writable. Release `*out_touchpoint` with
/// `journey_string_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_analysis_pain_point(
    analysis: *const JourneyAnalysis,
    index: usize,
    out_touchpoint: *mut *mut c_char,
    out_len: *mut usize,
    out_impact: *mut f64,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let analysis = unsafe { handle(analysis, "analysis") }?;
        require(out_touchpoint, "out_touchpoint")?;
        require(out_impact, "out_impact")?;
        let pain = at(&analysis.0.pain_points, index, "pain point")?;
        // SAFETY: checked above.
        unsafe {
            put(out_impact, pain.impact, "out_impact")?;
            put_string(out_touchpoint, out_len, &pain.touchpoint)
        }
    })
}

/// The number of journeys in the model.
///
/// # Safety
/// `model` must be live; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_model_journey_count(
    model: *const JourneyModel,
    out: *mut usize,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let model = unsafe { handle(model, "model") }?;
        // SAFETY: forwarded caller guarantees.
        unsafe { put(out, model.0.journeys.len(), "out") }
    })
}

/// The id and name of the journey at `index` (document order).
///
/// # Safety
/// `model` must be live; `out_id` and `out_name` writable. Release both
/// strings with `journey_string_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_model_journey_at(
    model: *const JourneyModel,
    index: usize,
    out_id: *mut *mut c_char,
    out_name: *mut *mut c_char,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let model = unsafe { handle(model, "model") }?;
        let journey = at(&model.0.journeys, index, "journey")?;
        // SAFETY: forwarded caller guarantees.
        unsafe { put_id_and_name(out_id, out_name, &journey.id, &journey.name) }
    })
}

/// The number of stages of a journey.
///
/// # Safety
/// `model` must be live; `journey` as in the conventions; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_model_stage_count(
    model: *const JourneyModel,
    journey: *const c_char,
    journey_len: usize,
    out: *mut usize,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let journey = unsafe { journey_arg(model, journey, journey_len) }?;
        require(out, "out")?;
        // SAFETY: checked above.
        unsafe { put(out, journey.stages.len(), "out") }
    })
}

/// The id and name of a journey's stage at `index` (stage order).
///
/// # Safety
/// `model` must be live; `journey` as in the conventions; `out_id` and
/// `out_name` writable. Release both strings with `journey_string_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_model_stage_at(
    model: *const JourneyModel,
    journey: *const c_char,
    journey_len: usize,
    index: usize,
    out_id: *mut *mut c_char,
    out_name: *mut *mut c_char,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let journey = unsafe { journey_arg(model, journey, journey_len) }?;
        let stage = at(&journey.stages, index, "stage")?;
        // SAFETY: forwarded caller guarantees.
        unsafe { put_id_and_name(out_id, out_name, &stage.id, &stage.name) }
    })
}

/// The number of touchpoints of a journey (present and missing).
///
/// # Safety
/// `model` must be live; `journey` as in the conventions; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_model_touchpoint_count(
    model: *const JourneyModel,
    journey: *const c_char,
    journey_len: usize,
    out: *mut usize,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let journey = unsafe { journey_arg(model, journey, journey_len) }?;
        require(out, "out")?;
        // SAFETY: checked above.
        unsafe { put(out, journey.touchpoints.len(), "out") }
    })
}

/// The id and name of a journey's touchpoint at `index` (document order).
///
/// # Safety
/// `model` must be live; `journey` as in the conventions; `out_id` and
/// `out_name` writable. Release both strings with `journey_string_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_model_touchpoint_at(
    model: *const JourneyModel,
    journey: *const c_char,
    journey_len: usize,
    index: usize,
    out_id: *mut *mut c_char,
    out_name: *mut *mut c_char,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let journey = unsafe { journey_arg(model, journey, journey_len) }?;
        let touchpoint = at(&journey.touchpoints, index, "touchpoint")?;
        // SAFETY: forwarded caller guarantees.
        unsafe { put_id_and_name(out_id, out_name, &touchpoint.id, &touchpoint.name) }
    })
}

/// Looks up a touchpoint for the accessors below.
///
/// # Safety
/// As for the accessors.
unsafe fn touchpoint_of<'a>(
    model: *const JourneyModel,
    journey: *const c_char,
    journey_len: usize,
    touchpoint: *const c_char,
    touchpoint_len: usize,
) -> Result<&'a Touchpoint, Failure> {
    // SAFETY: forwarded caller guarantees.
    let (journey, touchpoint) = unsafe {
        (
            journey_arg(model, journey, journey_len)?,
            text(touchpoint, touchpoint_len, "touchpoint")?,
        )
    };
    find_touchpoint(journey, touchpoint)
}

/// A touchpoint's stage id and channel name (`"web"`, `"in_person"`, or a
/// custom channel as written).
///
/// # Safety
/// `model` must be live; string arguments as in the conventions;
/// `out_stage` and `out_channel` writable. Release both strings with
/// `journey_string_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_model_touchpoint_info(
    model: *const JourneyModel,
    journey: *const c_char,
    journey_len: usize,
    touchpoint: *const c_char,
    touchpoint_len: usize,
    out_stage: *mut *mut c_char,
    out_channel: *mut *mut c_char,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let found =
            unsafe { touchpoint_of(model, journey, journey_len, touchpoint, touchpoint_len) }?;
        require(out_stage, "out_stage")?;
        require(out_channel, "out_channel")?;
        // SAFETY: checked above.
        unsafe {
            put_string(out_stage, std::ptr::null_mut(), &found.stage)?;
            put_string(out_channel, std::ptr::null_mut(), found.channel.as_str())
        }
    })
}

/// A touchpoint's emotion on the −2..+2 scale. `*out_has_emotion` is false
/// (and `*out_emotion` untouched) when the map gives none.
///
/// # Safety
/// `model` must be live; string arguments as in the conventions;
/// `out_has_emotion` and `out_emotion` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_model_touchpoint_emotion(
    model: *const JourneyModel,
    journey: *const c_char,
    journey_len: usize,
    touchpoint: *const c_char,
    touchpoint_len: usize,
    out_has_emotion: *mut bool,
    out_emotion: *mut f64,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let found =
            unsafe { touchpoint_of(model, journey, journey_len, touchpoint, touchpoint_len) }?;
        require(out_has_emotion, "out_has_emotion")?;
        require(out_emotion, "out_emotion")?;
        // SAFETY: checked above.
        unsafe {
            put(out_has_emotion, found.emotion.is_some(), "out_has_emotion")?;
            if let Some(emotion) = found.emotion {
                put(out_emotion, emotion, "out_emotion")?;
            }
        }
        Ok(())
    })
}

/// A touchpoint's value of one experience measure (e.g. `"csat"`) and its
/// sample size (0 when not given). `JOURNEY_STATUS_NOT_FOUND` when the
/// touchpoint has no value for that measure.
///
/// # Safety
/// `model` must be live; string arguments as in the conventions;
/// `out_value` writable; `out_sample_size` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_model_touchpoint_measure(
    model: *const JourneyModel,
    journey: *const c_char,
    journey_len: usize,
    touchpoint: *const c_char,
    touchpoint_len: usize,
    measure: *const c_char,
    measure_len: usize,
    out_value: *mut f64,
    out_sample_size: *mut u64,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let (found, key) = unsafe {
            (
                touchpoint_of(model, journey, journey_len, touchpoint, touchpoint_len)?,
                text(measure, measure_len, "measure")?,
            )
        };
        require(out_value, "out_value")?;
        let value = found.measures.get(key).ok_or_else(|| {
            Failure(
                JourneyStatus::NotFound,
                format!("touchpoint {:?} has no value for measure {key:?}", found.id),
            )
        })?;
        // SAFETY: checked above; the optional pointer is checked here.
        unsafe {
            put(out_value, value.value, "out_value")?;
            if !out_sample_size.is_null() {
                out_sample_size.write(value.sample_size.unwrap_or(0));
            }
        }
        Ok(())
    })
}

/// An event log: customers' events from a website, a product or a helpdesk.
///
/// Pushing and reading mutate it: use one thread at a time for those; the
/// read-only functions may run on several threads at once when nothing
/// mutates it. Release with `journey_event_log_free()`.
pub struct JourneyEventLog(journey_core::events::EventLog);

/// Reads optional JSON options (NULL or empty text: the defaults).
///
/// # Safety
/// As for `text()`.
unsafe fn json_options<T: serde::de::DeserializeOwned + Default>(
    ptr: *const c_char,
    len: usize,
    what: &str,
) -> Result<T, Failure> {
    // SAFETY: forwarded caller guarantees.
    let text = unsafe { text(ptr, len, what) }?;
    Ok(journey_core::options::from_json(text)?)
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, Failure> {
    serde_json::to_string(value).map_err(|e| Failure(JourneyStatus::Internal, e.to_string()))
}

/// Creates an empty event log.
///
/// # Safety
/// `out` must be writable. Release `*out` with `journey_event_log_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_event_log_new(out: *mut *mut JourneyEventLog) -> JourneyStatus {
    guard(|| {
        require(out, "out")?;
        let log = Box::into_raw(Box::new(JourneyEventLog(
            journey_core::events::EventLog::new(),
        )));
        // SAFETY: checked above.
        unsafe { put(out, log, "out") }
    })
}

/// Releases an event log. NULL is ignored.
///
/// # Safety
/// `log` must be NULL or a log from `journey_event_log_new()`, not yet
/// released, and no other thread may be using it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_event_log_free(log: *mut JourneyEventLog) {
    if !log.is_null() {
        // SAFETY: the caller passes ownership of a live log.
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(log) })));
    }
}

/// Appends an event: customer key, time in epoch milliseconds, event name,
/// and an optional channel (NULL with length 0 for none).
///
/// # Safety
/// `log` must be a live log used by no other thread; strings as in the
/// conventions.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_event_log_push(
    log: *mut JourneyEventLog,
    customer: *const c_char,
    customer_len: usize,
    timestamp_ms: i64,
    name: *const c_char,
    name_len: usize,
    channel: *const c_char,
    channel_len: usize,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let (customer, name, channel) = unsafe {
            (
                text(customer, customer_len, "customer")?,
                text(name, name_len, "name")?,
                text(channel, channel_len, "channel")?,
            )
        };
        // SAFETY: the caller guarantees a live log used by this thread only.
        let log = unsafe { log.as_mut() }.ok_or_else(|| invalid("log is NULL"))?;
        let channel = (!channel.is_empty()).then_some(channel);
        log.0
            .push_parts(customer, timestamp_ms, name, channel, &[])?;
        Ok(())
    })
}

/// Appends an event given as JSON, e.g.
/// `{"customer":"c1","timestamp":1767225600000,"name":"checkout","measures":{"csat":4}}`.
///
/// # Safety
/// `log` must be a live log used by no other thread; `json` as in the conventions.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_event_log_push_json(
    log: *mut JourneyEventLog,
    json: *const c_char,
    len: usize,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let text = unsafe { text(json, len, "json") }?;
        let event: journey_core::events::Event = serde_json::from_str(text).map_err(|e| {
            Failure(
                JourneyStatus::ParseError,
                format!("the event is not valid: {e}"),
            )
        })?;
        // SAFETY: the caller guarantees a live log used by this thread only.
        let log = unsafe { log.as_mut() }.ok_or_else(|| invalid("log is NULL"))?;
        log.0.push(&event)?;
        Ok(())
    })
}

/// The shared part of the two CSV readers.
///
/// # Safety
/// As for `journey_event_log_read_csv()`.
unsafe fn read_into(
    log: *mut JourneyEventLog,
    input: impl std::io::Read,
    options_json: *const c_char,
    options_len: usize,
    out_report: *mut *mut c_char,
    out_len: *mut usize,
) -> Result<(), Failure> {
    // SAFETY: forwarded caller guarantees.
    let options = unsafe {
        json_options::<journey_core::events::CsvOptions>(options_json, options_len, "options")
    }?;
    // SAFETY: the caller guarantees a live log used by this thread only.
    let log = unsafe { log.as_mut() }.ok_or_else(|| invalid("log is NULL"))?;
    let report = log.0.read_csv(input, &options)?;
    if !out_report.is_null() {
        // SAFETY: checked non-NULL; the caller guarantees writability.
        unsafe { put_string(out_report, out_len, &json(&report)?) }?;
    }
    Ok(())
}

/// Reads CSV text (with a header row) into the log. `options_json` maps the
/// columns (`{"customer":"user_id","measures":["csat"],"on_error":"fail"}`;
/// NULL for the defaults). On success `*out_report` (when not NULL) holds
/// the read report as JSON: rows read, used, skipped, and every bad row.
/// With `"on_error":"fail"` a bad row fails with `JOURNEY_STATUS_PARSE_ERROR`.
///
/// # Safety
/// `log` must be a live log used by no other thread; strings as in the
/// conventions; `out_report` and `out_len` NULL or writable. Release
/// `*out_report` with `journey_string_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_event_log_read_csv(
    log: *mut JourneyEventLog,
    csv: *const c_char,
    csv_len: usize,
    options_json: *const c_char,
    options_len: usize,
    out_report: *mut *mut c_char,
    out_len: *mut usize,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let csv = unsafe { text(csv, csv_len, "csv") }?;
        // SAFETY: forwarded caller guarantees.
        unsafe {
            read_into(
                log,
                csv.as_bytes(),
                options_json,
                options_len,
                out_report,
                out_len,
            )
        }
    })
}

/// Like `journey_event_log_read_csv()`, reading the file at `path`.
///
/// # Safety
/// As for `journey_event_log_read_csv()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_event_log_read_csv_file(
    log: *mut JourneyEventLog,
    path: *const c_char,
    path_len: usize,
    options_json: *const c_char,
    options_len: usize,
    out_report: *mut *mut c_char,
    out_len: *mut usize,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let path = unsafe { text(path, path_len, "path") }?;
        let file = std::fs::File::open(path)
            .map_err(|e| Failure(JourneyStatus::NotFound, format!("{path}: {e}")))?;
        let input = std::io::BufReader::new(file);
        // SAFETY: forwarded caller guarantees.
        unsafe { read_into(log, input, options_json, options_len, out_report, out_len) }
    })
}

/// The number of events in the log.
///
/// # Safety
/// `log` must be live; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_event_log_len(
    log: *const JourneyEventLog,
    out: *mut usize,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let log = unsafe { handle(log, "log") }?;
        // SAFETY: forwarded caller guarantees.
        unsafe { put(out, log.0.len(), "out") }
    })
}

/// Discovery on the log's traces as JSON: the directly-follows graph with
/// durations, start and end counts, frequencies, the `top` variants and
/// measure aggregates. `mapping_json` (NULL for identity) maps event names
/// and sets a session gap.
///
/// # Safety
/// `log` must be live; strings as in the conventions; `out` writable;
/// `out_len` NULL or writable. Release `*out` with `journey_string_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_event_log_discover(
    log: *const JourneyEventLog,
    mapping_json: *const c_char,
    mapping_len: usize,
    top: usize,
    out: *mut *mut c_char,
    out_len: *mut usize,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let (log, mapping) = unsafe {
            (
                handle(log, "log")?,
                json_options::<journey_core::events::Mapping>(
                    mapping_json,
                    mapping_len,
                    "mapping",
                )?,
            )
        };
        require(out, "out")?;
        let report =
            journey_core::discovery::Discovery::from_log(&log.0, None, &mapping).report(top);
        // SAFETY: checked above.
        unsafe { put_string(out, out_len, &json(&report)?) }
    })
}

/// The arguments every log composition takes: a model, a journey id, a log
/// and a mapping.
///
/// # Safety
/// As for `journey_model_conformance()`.
unsafe fn model_and_log<'a>(
    model: *const JourneyModel,
    journey: *const c_char,
    journey_len: usize,
    log: *const JourneyEventLog,
    mapping_json: *const c_char,
    mapping_len: usize,
) -> Result<(&'a Document, &'a str, &'a EventLog, Mapping), Failure> {
    // SAFETY: forwarded caller guarantees.
    let (model, id, log, mapping) = unsafe {
        (
            handle(model, "model")?,
            text(journey, journey_len, "journey")?,
            handle(log, "log")?,
            json_options::<Mapping>(mapping_json, mapping_len, "mapping")?,
        )
    };
    Ok((&model.0, id, &log.0, mapping))
}

/// Conformance of the log's traces to a journey, as JSON: overall and
/// per-trace fitness and the `top` most frequent deviations (Rust and
/// JavaScript list 10 when the caller does not say).
///
/// # Safety
/// `model` and `log` must be live; strings as in the conventions; `out`
/// writable; `out_len` NULL or writable. Release `*out` with
/// `journey_string_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_model_conformance(
    model: *const JourneyModel,
    journey: *const c_char,
    journey_len: usize,
    log: *const JourneyEventLog,
    mapping_json: *const c_char,
    mapping_len: usize,
    top: usize,
    out: *mut *mut c_char,
    out_len: *mut usize,
) -> JourneyStatus {
    guard(|| {
        require(out, "out")?;
        // SAFETY: forwarded caller guarantees.
        let (model, journey, log, mapping) =
            unsafe { model_and_log(model, journey, journey_len, log, mapping_json, mapping_len) }?;
        let result = model.conformance(journey, log, &mapping, Some(top))?;
        // SAFETY: checked above.
        unsafe { put_string(out, out_len, &json(&result)?) }
    })
}

/// The stage funnel measured on the log's traces, as a JSON array.
///
/// # Safety
/// As for `journey_model_conformance()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_model_data_funnel(
    model: *const JourneyModel,
    journey: *const c_char,
    journey_len: usize,
    log: *const JourneyEventLog,
    mapping_json: *const c_char,
    mapping_len: usize,
    out: *mut *mut c_char,
    out_len: *mut usize,
) -> JourneyStatus {
    guard(|| {
        require(out, "out")?;
        // SAFETY: forwarded caller guarantees.
        let (model, journey, log, mapping) =
            unsafe { model_and_log(model, journey, journey_len, log, mapping_json, mapping_len) }?;
        let funnel = model.data_funnel(journey, log, &mapping)?;
        // SAFETY: checked above.
        unsafe { put_string(out, out_len, &json(&funnel)?) }
    })
}

/// A new model in which the journey is fitted to the log (probabilities,
/// counts, durations, entry weights, measure values). `options_json`:
/// `{"add_unmapped": true}` also adds observed touchpoints and transitions
/// the map lacks; `{"context_order": 3}` also learns higher-order context
/// (what came next after the last three touchpoints), which a tracker of the
/// fitted journey uses for its next steps; NULL for the defaults.
///
/// # Safety
/// `model` and `log` must be live; strings as in the conventions; `out`
/// writable. Release `*out` with `journey_model_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_model_fit(
    model: *const JourneyModel,
    journey: *const c_char,
    journey_len: usize,
    log: *const JourneyEventLog,
    mapping_json: *const c_char,
    mapping_len: usize,
    options_json: *const c_char,
    options_len: usize,
    out: *mut *mut JourneyModel,
) -> JourneyStatus {
    guard(|| {
        require(out, "out")?;
        // SAFETY: forwarded caller guarantees.
        let (model, journey, log, mapping, options) = unsafe {
            let (model, journey, log, mapping) =
                model_and_log(model, journey, journey_len, log, mapping_json, mapping_len)?;
            let options = json_options::<FitOptions>(options_json, options_len, "options")?;
            (model, journey, log, mapping, options)
        };
        let fitted = model.fit(journey, log, &mapping, &options)?;
        let boxed = Box::into_raw(Box::new(JourneyModel(fitted)));
        // SAFETY: checked above.
        unsafe { put(out, boxed, "out") }
    })
}

/// Attribution of the log's conversions (traces reaching one of the
/// journey's goals) as JSON. `options_json`: `{"orders":[1,3]}` for the
/// Markov orders (1 to 4); NULL for order 1.
///
/// # Safety
/// As for `journey_model_conformance()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_model_attribution(
    model: *const JourneyModel,
    journey: *const c_char,
    journey_len: usize,
    log: *const JourneyEventLog,
    mapping_json: *const c_char,
    mapping_len: usize,
    options_json: *const c_char,
    options_len: usize,
    out: *mut *mut c_char,
    out_len: *mut usize,
) -> JourneyStatus {
    guard(|| {
        require(out, "out")?;
        // SAFETY: forwarded caller guarantees.
        let (model, journey, log, mapping, options) = unsafe {
            let (model, journey, log, mapping) =
                model_and_log(model, journey, journey_len, log, mapping_json, mapping_len)?;
            let options = json_options::<AttributionOptions>(options_json, options_len, "options")?;
            (model, journey, log, mapping, options)
        };
        let result = model.attribution(journey, log, &mapping, &options)?;
        // SAFETY: checked above.
        unsafe { put_string(out, out_len, &json(&result)?) }
    })
}

/// Attribution from path data in CSV (`path,total_conversions,
/// total_conversion_value,total_null`, paths like `a > b > c`), as JSON.
/// `csv_options_json` renames the columns or the separator; `options_json`
/// chooses the Markov orders; NULL for the defaults.
///
/// # Safety
/// Strings as in the conventions; `out` writable; `out_len` NULL or
/// writable. Release `*out` with `journey_string_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_paths_attribution(
    csv: *const c_char,
    csv_len: usize,
    csv_options_json: *const c_char,
    csv_options_len: usize,
    options_json: *const c_char,
    options_len: usize,
    out: *mut *mut c_char,
    out_len: *mut usize,
) -> JourneyStatus {
    guard(|| {
        require(out, "out")?;
        // SAFETY: forwarded caller guarantees.
        let (csv, csv_options, options) = unsafe {
            (
                text(csv, csv_len, "csv")?,
                json_options::<journey_core::attribution::PathCsvOptions>(
                    csv_options_json,
                    csv_options_len,
                    "csv_options",
                )?,
                json_options::<journey_core::attribution::AttributionOptions>(
                    options_json,
                    options_len,
                    "options",
                )?,
            )
        };
        let (paths, _) =
            journey_core::attribution::PathTable::read_csv(csv.as_bytes(), &csv_options)?;
        let result = journey_core::attribution::attribute_table(&paths, &options)?;
        // SAFETY: checked above.
        unsafe { put_string(out, out_len, &json(&result)?) }
    })
}

// ---------------------------------------------------------------------------
// Live tracking

/// Live state of many customers on one journey: where each is, what it saw,
/// what comes next.
///
/// Thread-safe: every function below may be called on one tracker from any
/// number of threads at once (customers are spread over locked shards).
/// Strings the tracker returns inside `JourneyNextStep`, `JourneyVisit`
/// and `JourneyPosition` point into the tracker: valid until
/// `journey_tracker_free()`, not NUL-terminated, never to be freed.
pub struct JourneyTracker(journey_core::tracker::Tracker);

/// What `journey_tracker_observe()` did with an event.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JourneyObserved {
    /// Placed in the customer's history.
    Placed = 0,
    /// Older than the reorder window allows: counted, not used.
    Late = 1,
    /// The name is no touchpoint of the journey: counted, not used.
    Unknown = 2,
}

/// A likely next touchpoint.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct JourneyNextStep {
    /// The touchpoint id (owned by the tracker).
    pub touchpoint: *const c_char,
    /// Its length in bytes.
    pub touchpoint_len: usize,
    /// The probability of going there next.
    pub probability: f64,
}

/// One visit of a customer's history.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct JourneyVisit {
    /// The touchpoint id (owned by the tracker).
    pub touchpoint: *const c_char,
    /// Its length in bytes.
    pub touchpoint_len: usize,
    /// When, in epoch milliseconds.
    pub timestamp_ms: i64,
}

/// Where a customer is.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct JourneyPosition {
    /// The current touchpoint id (owned by the tracker).
    pub touchpoint: *const c_char,
    /// Its length in bytes.
    pub touchpoint_len: usize,
    /// The current stage id (owned by the tracker).
    pub stage: *const c_char,
    /// Its length in bytes.
    pub stage_len: usize,
    /// Since when at this touchpoint (epoch ms).
    pub touchpoint_since_ms: i64,
    /// Since when in this stage (epoch ms).
    pub stage_since_ms: i64,
    /// Time of the latest event (epoch ms).
    pub last_seen_ms: i64,
    /// `last_seen_ms - stage_since_ms`.
    pub time_in_stage_ms: i64,
}

/// Whether and when a customer saw a touchpoint. Whether is exact while the
/// customer is tracked; count and times cover the kept history.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct JourneySeen {
    /// Whether at all (the other fields are 0 when not).
    pub seen: bool,
    /// Whether a visit is still in the kept history (`first_ms` and
    /// `last_ms` are 0 when not).
    pub in_history: bool,
    /// Visits within the kept history.
    pub count: u32,
    /// Earliest visit within the kept history (epoch ms).
    pub first_ms: i64,
    /// Latest visit within the kept history (epoch ms).
    pub last_ms: i64,
}

/// A customer's priority for routing.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct JourneyPriority {
    /// 0 low, 1 normal, 2 high, 3 urgent.
    pub level: u32,
    /// `risk * importance`.
    pub score: f64,
    /// Probability of leaving without reaching a goal from here.
    pub risk: f64,
    /// The current touchpoint's importance.
    pub importance: f64,
}

/// A tracker's counters.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct JourneyTrackerStats {
    /// Customers tracked now.
    pub customers: u64,
    /// Events placed.
    pub placed: u64,
    /// Events older than the reorder window allows.
    pub late: u64,
    /// Events naming no touchpoint.
    pub unknown: u64,
    /// Customers evicted (capacity or idle).
    pub evicted: u64,
}

fn c_str(text: &str) -> (*const c_char, usize) {
    (text.as_ptr().cast(), text.len())
}

/// Creates a tracker of one journey of a model. `options_json` (NULL for
/// the defaults) sets the history ring, capacity, idle TTL, reorder window,
/// event-name mapping, stay limits and priority thresholds, e.g.
/// `{"history":16,"max_customers":100000,"stage_limits":{"retention":2592000000}}`.
///
/// # Safety
/// `model` must be live; strings as in the conventions; `out` writable.
/// Release `*out` with `journey_tracker_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_tracker_new(
    model: *const JourneyModel,
    journey: *const c_char,
    journey_len: usize,
    options_json: *const c_char,
    options_len: usize,
    out: *mut *mut JourneyTracker,
) -> JourneyStatus {
    guard(|| {
        require(out, "out")?;
        // SAFETY: forwarded caller guarantees.
        let (journey, options) = unsafe {
            (
                journey_arg(model, journey, journey_len)?,
                json_options::<journey_core::tracker::TrackerOptions>(
                    options_json,
                    options_len,
                    "options",
                )?,
            )
        };
        let tracker = journey_core::tracker::Tracker::new(journey, options)?;
        // SAFETY: checked above.
        unsafe { put(out, Box::into_raw(Box::new(JourneyTracker(tracker))), "out") }
    })
}

/// Releases a tracker (NULL is ignored).
///
/// # Safety
/// `tracker` must be NULL or a live tracker no other thread is using; it is
/// invalid afterwards, and so are the strings it returned.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_tracker_free(tracker: *mut JourneyTracker) {
    if !tracker.is_null() {
        // SAFETY: the caller passes a live tracker from journey_tracker_new.
        drop(unsafe { Box::from_raw(tracker) });
    }
}

/// Records that a customer met a touchpoint (or an event name mapped to
/// one) at `unix_ms`. Events up to the reorder window older than the
/// customer's latest are placed in time order; later-arriving older ones and
/// unknown names are counted (see `journey_tracker_stats()`), not used.
/// What became of the event is written to `*out_observed` when it is not
/// NULL.
///
/// # Safety
/// `tracker` must be live; strings as in the conventions; `out_observed`
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_tracker_observe(
    tracker: *const JourneyTracker,
    customer: *const c_char,
    customer_len: usize,
    touchpoint: *const c_char,
    touchpoint_len: usize,
    unix_ms: i64,
    out_observed: *mut JourneyObserved,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let (tracker, customer, touchpoint) = unsafe {
            (
                handle(tracker, "tracker")?,
                text(customer, customer_len, "customer")?,
                text(touchpoint, touchpoint_len, "touchpoint")?,
            )
        };
        let observed = match tracker.0.observe(customer, touchpoint, unix_ms)? {
            Observed::Placed => JourneyObserved::Placed,
            Observed::Late => JourneyObserved::Late,
            Observed::Unknown => JourneyObserved::Unknown,
        };
        if !out_observed.is_null() {
            // SAFETY: non-NULL, and writable by the caller's contract.
            unsafe { out_observed.write(observed) };
        }
        Ok(())
    })
}

/// Forgets everything the tracker holds of one customer (a customer's right
/// to erasure): their history, what they saw, their position. Writes whether
/// the customer was tracked to `*out_forgotten` when it is not NULL.
///
/// # Safety
/// `tracker` must be live; `customer` as in the conventions;
/// `out_forgotten` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_tracker_forget(
    tracker: *const JourneyTracker,
    customer: *const c_char,
    customer_len: usize,
    out_forgotten: *mut bool,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let (tracker, customer) = unsafe {
            (
                handle(tracker, "tracker")?,
                text(customer, customer_len, "customer")?,
            )
        };
        let forgotten = tracker.0.forget(customer);
        if !out_forgotten.is_null() {
            // SAFETY: non-NULL, and writable by the caller's contract.
            unsafe { out_forgotten.write(forgotten) };
        }
        Ok(())
    })
}

/// The tracker and customer arguments shared by the queries.
///
/// # Safety
/// `tracker` NULL or live; `customer` as in the conventions.
unsafe fn tracker_customer<'a>(
    tracker: *const JourneyTracker,
    customer: *const c_char,
    customer_len: usize,
) -> Result<(&'a journey_core::tracker::Tracker, &'a str), Failure> {
    // SAFETY: forwarded caller guarantees.
    unsafe {
        Ok((
            &handle(tracker, "tracker")?.0,
            text(customer, customer_len, "customer")?,
        ))
    }
}

/// Writes up to `cap` items into a caller's array and their number.
///
/// # Safety
/// `out` must be valid for `cap` writes (NULL only with `cap == 0`);
/// `written` writable.
unsafe fn put_array<T>(
    items: impl Iterator<Item = T>,
    out: *mut T,
    cap: usize,
    written: *mut usize,
) -> Result<(), Failure> {
    require(written, "written")?;
    if out.is_null() && cap > 0 {
        return Err(invalid("out is NULL"));
    }
    let mut count = 0;
    for item in items.take(cap) {
        // SAFETY: count < cap, and the caller guarantees cap writable slots.
        unsafe { out.add(count).write(item) };
        count += 1;
    }
    // SAFETY: checked non-NULL.
    unsafe { written.write(count) };
    Ok(())
}

/// The `cap` most likely next touchpoints of a customer, most likely first;
/// `*written` is how many were written (0 for a customer not tracked).
///
/// # Safety
/// `tracker` must be live; `customer` as in the conventions; `out` valid
/// for `cap` writes; `written` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_tracker_next(
    tracker: *const JourneyTracker,
    customer: *const c_char,
    customer_len: usize,
    out: *mut JourneyNextStep,
    cap: usize,
    written: *mut usize,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let (tracker, customer) = unsafe { tracker_customer(tracker, customer, customer_len)? };
        let mut next = Vec::with_capacity(cap.min(64));
        tracker.next_into(customer, cap, &mut next);
        let items = next.iter().map(|likely| {
            let (touchpoint, touchpoint_len) = c_str(likely.touchpoint);
            JourneyNextStep {
                touchpoint,
                touchpoint_len,
                probability: likely.probability,
            }
        });
        // SAFETY: forwarded caller guarantees.
        unsafe { put_array(items, out, cap, written) }
    })
}

/// The last `cap` visits of a customer, latest first, optionally only those
/// on a channel (`channel`, NULL for any), in a stage (`stage`, NULL for any)
/// or of a kind (`kind`: -1 any, 0 communication point, 1 action).
///
/// # Safety
/// `tracker` must be live; strings as in the conventions; `out` valid for
/// `cap` writes; `written` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_tracker_history(
    tracker: *const JourneyTracker,
    customer: *const c_char,
    customer_len: usize,
    channel: *const c_char,
    channel_len: usize,
    stage: *const c_char,
    stage_len: usize,
    kind: i32,
    out: *mut JourneyVisit,
    cap: usize,
    written: *mut usize,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let (tracker, customer, channel, stage) = unsafe {
            let (tracker, customer) = tracker_customer(tracker, customer, customer_len)?;
            (
                tracker,
                customer,
                text(channel, channel_len, "channel")?,
                text(stage, stage_len, "stage")?,
            )
        };
        let kind = match kind {
            -1 => None,
            0 => Some(journey_core::TouchpointKind::CommunicationPoint),
            1 => Some(journey_core::TouchpointKind::Action),
            other => return Err(invalid(format!("kind {other} is not -1, 0 or 1"))),
        };
        let filter = journey_core::tracker::HistoryFilter {
            channel: (!channel.is_empty()).then(|| channel.to_owned()),
            kind,
            stage: (!stage.is_empty()).then(|| stage.to_owned()),
        };
        let history = tracker.history(customer, cap, &filter);
        let items = history.iter().map(|visit| {
            let (touchpoint, touchpoint_len) = c_str(visit.touchpoint);
            JourneyVisit {
                touchpoint,
                touchpoint_len,
                timestamp_ms: visit.timestamp,
            }
        });
        // SAFETY: forwarded caller guarantees.
        unsafe { put_array(items, out, cap, written) }
    })
}

/// Whether and when a customer saw a touchpoint (`out->seen` false when
/// never, or for a customer not tracked).
///
/// # Safety
/// `tracker` must be live; strings as in the conventions; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_tracker_seen(
    tracker: *const JourneyTracker,
    customer: *const c_char,
    customer_len: usize,
    touchpoint: *const c_char,
    touchpoint_len: usize,
    out: *mut JourneySeen,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let (tracker, customer, touchpoint) = unsafe {
            let (tracker, customer) = tracker_customer(tracker, customer, customer_len)?;
            (
                tracker,
                customer,
                text(touchpoint, touchpoint_len, "touchpoint")?,
            )
        };
        let seen = tracker
            .seen(customer, touchpoint)
            .map_or(JourneySeen::default(), |s| JourneySeen {
                seen: true,
                in_history: s.last.is_some(),
                count: s.count,
                first_ms: s.first.unwrap_or(0),
                last_ms: s.last.unwrap_or(0),
            });
        // SAFETY: forwarded caller guarantees.
        unsafe { put(out, seen, "out") }
    })
}

/// Where a customer is; `*tracked` is false (and `out` untouched) for a
/// customer not tracked.
///
/// # Safety
/// `tracker` must be live; `customer` as in the conventions; `tracked` and
/// `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_tracker_position(
    tracker: *const JourneyTracker,
    customer: *const c_char,
    customer_len: usize,
    tracked: *mut bool,
    out: *mut JourneyPosition,
) -> JourneyStatus {
    guard(|| {
        require(out, "out")?;
        // SAFETY: forwarded caller guarantees.
        let (tracker, customer) = unsafe { tracker_customer(tracker, customer, customer_len)? };
        let position = tracker.position(customer);
        // SAFETY: forwarded caller guarantees.
        unsafe { put(tracked, position.is_some(), "tracked")? };
        if let Some(p) = position {
            let (touchpoint, touchpoint_len) = c_str(p.touchpoint);
            let (stage, stage_len) = c_str(p.stage);
            let value = JourneyPosition {
                touchpoint,
                touchpoint_len,
                stage,
                stage_len,
                touchpoint_since_ms: p.touchpoint_since,
                stage_since_ms: p.stage_since,
                last_seen_ms: p.last_seen,
                time_in_stage_ms: p.time_in_stage_ms,
            };
            // SAFETY: checked non-NULL above.
            unsafe { put(out, value, "out")? };
        }
        Ok(())
    })
}

/// The probability that a customer reaches a goal from where they are;
/// `*tracked` false for a customer not tracked.
///
/// # Safety
/// `tracker` must be live; `customer` as in the conventions; `tracked` and
/// `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_tracker_goal_probability(
    tracker: *const JourneyTracker,
    customer: *const c_char,
    customer_len: usize,
    tracked: *mut bool,
    out: *mut f64,
) -> JourneyStatus {
    guard(|| {
        require(out, "out")?;
        // SAFETY: forwarded caller guarantees.
        let (tracker, customer) = unsafe { tracker_customer(tracker, customer, customer_len)? };
        let probability = tracker.goal_probability(customer);
        // SAFETY: forwarded caller guarantees.
        unsafe {
            put(tracked, probability.is_some(), "tracked")?;
            put(out, probability.unwrap_or(0.0), "out")
        }
    })
}

/// A customer's priority (level from risk × importance against the
/// tracker's thresholds); `*tracked` false for a customer not tracked.
///
/// # Safety
/// `tracker` must be live; `customer` as in the conventions; `tracked` and
/// `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_tracker_priority(
    tracker: *const JourneyTracker,
    customer: *const c_char,
    customer_len: usize,
    tracked: *mut bool,
    out: *mut JourneyPriority,
) -> JourneyStatus {
    guard(|| {
        require(out, "out")?;
        // SAFETY: forwarded caller guarantees.
        let (tracker, customer) = unsafe { tracker_customer(tracker, customer, customer_len)? };
        let priority = tracker.priority(customer);
        let value = priority.map_or(JourneyPriority::default(), |p| JourneyPriority {
            level: p.level as u32,
            score: p.score,
            risk: p.risk,
            importance: p.importance,
        });
        // SAFETY: forwarded caller guarantees.
        unsafe {
            put(tracked, priority.is_some(), "tracked")?;
            put(out, value, "out")
        }
    })
}

/// Customers whose stay at their touchpoint or in their stage exceeds its
/// limit at `now_ms`, as a JSON array, most overdue first.
///
/// # Safety
/// `tracker` must be live; `out` writable; `out_len` NULL or writable.
/// Release `*out` with `journey_string_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_tracker_due(
    tracker: *const JourneyTracker,
    now_ms: i64,
    out: *mut *mut c_char,
    out_len: *mut usize,
) -> JourneyStatus {
    guard(|| {
        require(out, "out")?;
        // SAFETY: forwarded caller guarantees.
        let tracker = unsafe { handle(tracker, "tracker")? };
        let due = tracker.0.due(now_ms);
        // SAFETY: checked above.
        unsafe { put_string(out, out_len, &json(&due)?) }
    })
}

/// Evicts customers idle for longer than the tracker's `idle_ttl_ms` at
/// `now_ms`; `*evicted` is how many.
///
/// # Safety
/// `tracker` must be live; `evicted` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_tracker_expire(
    tracker: *const JourneyTracker,
    now_ms: i64,
    evicted: *mut usize,
) -> JourneyStatus {
    guard(|| {
        require(evicted, "evicted")?;
        // SAFETY: forwarded caller guarantees.
        let tracker = unsafe { handle(tracker, "tracker")? };
        let count = tracker.0.expire(now_ms);
        // SAFETY: checked above.
        unsafe { put(evicted, count, "evicted") }
    })
}

/// The tracker's counters.
///
/// # Safety
/// `tracker` must be live; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_tracker_stats(
    tracker: *const JourneyTracker,
    out: *mut JourneyTrackerStats,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let tracker = unsafe { handle(tracker, "tracker")? };
        let s = tracker.0.stats();
        let value = JourneyTrackerStats {
            customers: s.customers,
            placed: s.placed,
            late: s.late,
            unknown: s.unknown,
            evicted: s.evicted,
        };
        // SAFETY: forwarded caller guarantees.
        unsafe { put(out, value, "out") }
    })
}

/// The whole state as bytes (versioned JSON text) to persist; restore it
/// with `journey_tracker_restore()`.
///
/// # Safety
/// `tracker` must be live; `out` writable; `out_len` NULL or writable.
/// Release `*out` with `journey_string_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_tracker_snapshot(
    tracker: *const JourneyTracker,
    out: *mut *mut c_char,
    out_len: *mut usize,
) -> JourneyStatus {
    guard(|| {
        require(out, "out")?;
        // SAFETY: forwarded caller guarantees.
        let tracker = unsafe { handle(tracker, "tracker")? };
        let bytes = tracker.0.snapshot()?;
        let text = String::from_utf8(bytes)
            .map_err(|e| Failure(JourneyStatus::Internal, e.to_string()))?;
        // SAFETY: checked above.
        unsafe { put_string(out, out_len, &text) }
    })
}

/// A tracker of one journey of a model in the state a snapshot saved.
///
/// # Safety
/// `model` must be live; strings as in the conventions; `snapshot` valid for
/// `snapshot_len` bytes; `out` writable. Release `*out` with
/// `journey_tracker_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_tracker_restore(
    model: *const JourneyModel,
    journey: *const c_char,
    journey_len: usize,
    snapshot: *const c_char,
    snapshot_len: usize,
    out: *mut *mut JourneyTracker,
) -> JourneyStatus {
    guard(|| {
        require(out, "out")?;
        // SAFETY: forwarded caller guarantees.
        let (journey, bytes) = unsafe {
            (
                journey_arg(model, journey, journey_len)?,
                text(snapshot, snapshot_len, "snapshot")?,
            )
        };
        let tracker = journey_core::tracker::Tracker::restore(journey, bytes.as_bytes())?;
        // SAFETY: checked above.
        unsafe { put(out, Box::into_raw(Box::new(JourneyTracker(tracker))), "out") }
    })
}

// ---------------------------------------------------------------------------
// Rendering

/// A journey's touchpoint graph as Graphviz DOT text: a cluster per stage,
/// missing touchpoints dashed, goals double-bordered, edges labelled with
/// probabilities. `options_json` (NULL for the defaults), e.g.
/// `{"labels":"count","vertical":true}`.
///
/// # Safety
/// `model` must be live; strings as in the conventions; `out` writable;
/// `out_len` NULL or writable. Release `*out` with `journey_string_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_model_to_dot(
    model: *const JourneyModel,
    journey: *const c_char,
    journey_len: usize,
    options_json: *const c_char,
    options_len: usize,
    out: *mut *mut c_char,
    out_len: *mut usize,
) -> JourneyStatus {
    guard(|| {
        require(out, "out")?;
        // SAFETY: forwarded caller guarantees.
        let (journey, options) = unsafe {
            (
                journey_arg(model, journey, journey_len)?,
                json_options::<journey_core::render::DotOptions>(
                    options_json,
                    options_len,
                    "options",
                )?,
            )
        };
        let dot = journey_core::render::to_dot(journey, &options);
        // SAFETY: checked above.
        unsafe { put_string(out, out_len, &dot) }
    })
}

/// A journey map as an SVG document: stages as columns, touchpoints as cards
/// (missing ones dashed, pain points marked), the emotion curve, a legend.
/// `options_json` (NULL for the defaults), e.g.
/// `{"analysis":true,"lanes":"order","compact":true,"compare":["gym_future"],"counts":{"contact_form":120}}`.
/// Deterministic: the same model and options give the same bytes.
///
/// Fails with `JOURNEY_STATUS_NOT_FOUND` for an unknown journey (or compared
/// journey), `JOURNEY_STATUS_INVALID_ARGUMENT` for bad options, and
/// `JOURNEY_STATUS_VALIDATION_ERROR` when the analysis overlay is asked of an
/// invalid journey.
///
/// # Safety
/// `model` must be live; strings as in the conventions; `out` writable;
/// `out_len` NULL or writable. Release `*out` with `journey_string_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_model_render_svg(
    model: *const JourneyModel,
    journey: *const c_char,
    journey_len: usize,
    options_json: *const c_char,
    options_len: usize,
    out: *mut *mut c_char,
    out_len: *mut usize,
) -> JourneyStatus {
    guard(|| {
        require(out, "out")?;
        // SAFETY: forwarded caller guarantees.
        let (model, journey, options) = unsafe {
            (
                handle(model, "model")?,
                text(journey, journey_len, "journey")?,
                json_options::<journey_core::render::SvgOptions>(
                    options_json,
                    options_len,
                    "options",
                )?,
            )
        };
        let svg = journey_core::render::render_svg(&model.0, journey, &options)?;
        // SAFETY: checked above.
        unsafe { put_string(out, out_len, &svg) }
    })
}

/// A journey as a Mermaid `journey` diagram: the title, a section per stage,
/// a task per present touchpoint with its emotion as a 1–5 score and its
/// personas as actors. Fields Mermaid cannot express are left out (see the
/// Rust `mermaid` module for the list).
///
/// # Safety
/// `model` must be live; strings as in the conventions; `out` writable;
/// `out_len` NULL or writable. Release `*out` with `journey_string_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_model_to_mermaid(
    model: *const JourneyModel,
    journey: *const c_char,
    journey_len: usize,
    out: *mut *mut c_char,
    out_len: *mut usize,
) -> JourneyStatus {
    guard(|| {
        require(out, "out")?;
        // SAFETY: forwarded caller guarantees.
        let (model, journey) = unsafe {
            (
                handle(model, "model")?,
                text(journey, journey_len, "journey")?,
            )
        };
        let text = journey_core::mermaid::to_mermaid(&model.0, journey)?;
        // SAFETY: checked above.
        unsafe { put_string(out, out_len, &text) }
    })
}

/// Reads a Mermaid `journey` diagram into a new model: its actors become
/// personas, its sections stages, its tasks touchpoints (score − 3 is the
/// emotion), joined in written order.
///
/// Fails with `JOURNEY_STATUS_PARSE_ERROR`, the line in the message.
///
/// # Safety
/// `text` must point to `len` readable bytes (or be NULL with `len == 0`);
/// `out` must be valid for a write. On success `*out` holds a new model to
/// release with `journey_model_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_model_from_mermaid(
    text: *const c_char,
    len: usize,
    out: *mut *mut JourneyModel,
) -> JourneyStatus {
    guard(|| {
        require(out, "out")?;
        // SAFETY: forwarded caller guarantees.
        let source = unsafe { self::text(text, len, "text") }?;
        let document = journey_core::mermaid::from_mermaid(source)?;
        let model = Box::into_raw(Box::new(JourneyModel(document)));
        // SAFETY: `out` checked non-NULL above.
        unsafe { put(out, model, "out") }
    })
}
