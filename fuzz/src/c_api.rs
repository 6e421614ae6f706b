//! The C API driven by arbitrary bytes, as a host program would call it:
//! the input is cut at each 0xFF byte (never part of UTF-8 text) into a
//! document (JSON, else Mermaid), an options text, an event text (CSV for
//! the log and the path data; `customer,time,touchpoint` lines for the
//! tracker) and a snapshot. What must hold whatever the bytes are: no
//! status is `JOURNEY_STATUS_INTERNAL` (a caught panic or a failed write),
//! every failure leaves a message, every returned string is NUL-terminated
//! at the length given, and a tracker's snapshot restores to a tracker that
//! snapshots to the same bytes.
//!
//! Not a module of `lib.rs`: journey-core's corpus test includes that file
//! and does not link the C library. `journey-ffi/tests/fuzz_corpus.rs` runs
//! this body on its seeds in the ordinary test suite.

use journey::*;
use std::ffi::CStr;
use std::os::raw::c_char;
use std::ptr;

/// Events, options and customers looked at per input: enough to reach
/// every path, few enough to keep an input fast.
const MOST_LINES: usize = 64;

/// Runs the C API on one input.
pub fn c_api(data: &[u8]) {
    let mut parts = data.split(|&b| b == 0xFF);
    let document = parts.next().unwrap_or_default();
    let options = parts.next().unwrap_or_default();
    let events = parts.next().unwrap_or_default();
    let snapshot = parts.next().unwrap_or_default();

    let mut model: *mut JourneyModel = ptr::null_mut();
    let mut status = unsafe { journey_model_from_json(text(document), document.len(), &mut model) };
    if status != JourneyStatus::Ok {
        check(status);
        status = unsafe { journey_model_from_mermaid(text(document), document.len(), &mut model) };
    }
    check(status);

    let log = read_log(events, options);
    let mut paths_out = ptr::null_mut();
    let mut paths_len = 0;
    let status = unsafe {
        journey_paths_attribution(
            text(events),
            events.len(),
            text(options),
            options.len(),
            ptr::null(),
            0,
            &mut paths_out,
            &mut paths_len,
        )
    };
    take(status, paths_out, paths_len);

    if !model.is_null() {
        model_calls(model, options, events, snapshot, log);
    }
    unsafe {
        journey_event_log_free(log);
        journey_model_free(model);
    }
}

/// The bytes as the C API's `(ptr, len)`: NULL for none, as a host may pass.
fn text(bytes: &[u8]) -> *const c_char {
    if bytes.is_empty() {
        ptr::null()
    } else {
        bytes.as_ptr().cast()
    }
}

/// A status is one the API documents, never a caught panic, and a failure
/// leaves its message.
fn check(status: JourneyStatus) {
    assert_ne!(
        status,
        JourneyStatus::Internal,
        "internal error: {}",
        last_error()
    );
    if status != JourneyStatus::Ok {
        assert!(!last_error().is_empty(), "a failure says what went wrong");
    }
}

fn last_error() -> String {
    let message = journey_last_error_message();
    if message.is_null() {
        return String::new();
    }
    unsafe { CStr::from_ptr(message) }
        .to_string_lossy()
        .into_owned()
}

/// Checks a returned string (NUL-terminated at its length, UTF-8) and
/// releases it; returns its bytes when the call succeeded.
fn take(status: JourneyStatus, out: *mut c_char, len: usize) -> Option<Vec<u8>> {
    check(status);
    if status != JourneyStatus::Ok {
        return None;
    }
    assert!(!out.is_null(), "a success writes its string");
    let bytes = unsafe { std::slice::from_raw_parts(out.cast::<u8>(), len + 1) }.to_vec();
    unsafe { journey_string_free(out) };
    assert_eq!(bytes[len], 0, "the string ends with NUL at its length");
    Some(bytes[..len].to_vec())
}

fn read_log(events: &[u8], options: &[u8]) -> *mut JourneyEventLog {
    let mut log = ptr::null_mut();
    check(unsafe { journey_event_log_new(&mut log) });
    let (mut report, mut len) = (ptr::null_mut(), 0);
    let status = unsafe {
        journey_event_log_read_csv(
            log,
            text(events),
            events.len(),
            text(options),
            options.len(),
            &mut report,
            &mut len,
        )
    };
    if let Some(report) = take(status, report, len) {
        assert!(std::str::from_utf8(&report).is_ok(), "the report is UTF-8");
    }
    let mut count = 0;
    check(unsafe { journey_event_log_len(log, &mut count) });
    let (mut out, mut len) = (ptr::null_mut(), 0);
    let status = unsafe {
        journey_event_log_discover(log, text(options), options.len(), 5, &mut out, &mut len)
    };
    take(status, out, len);
    log
}

fn model_calls(
    model: *mut JourneyModel,
    options: &[u8],
    events: &[u8],
    snapshot: &[u8],
    log: *mut JourneyEventLog,
) {
    let (mut errors, mut warnings, mut report, mut len) = (0, 0, ptr::null_mut(), 0);
    let status =
        unsafe { journey_model_validate(model, &mut errors, &mut warnings, &mut report, &mut len) };
    take(status, report, len);
    let (mut json, mut len) = (ptr::null_mut(), 0);
    let status = unsafe { journey_model_to_json(model, &mut json, &mut len) };
    if let Some(json) = take(status, json, len) {
        let mut again = ptr::null_mut();
        let status = unsafe { journey_model_from_json(text(&json), json.len(), &mut again) };
        assert_eq!(
            status,
            JourneyStatus::Ok,
            "a written model reads: {}",
            last_error()
        );
        unsafe { journey_model_free(again) };
    }
    let mut journeys = 0;
    check(unsafe { journey_model_journey_count(model, &mut journeys) });
    for index in 0..journeys.min(2) {
        let (mut id, mut name) = (ptr::null_mut(), ptr::null_mut());
        check(unsafe { journey_model_journey_at(model, index, &mut id, &mut name) });
        let journey = unsafe { CStr::from_ptr(id) }.to_bytes().to_vec();
        unsafe {
            journey_string_free(id);
            journey_string_free(name);
        }
        journey_calls(model, &journey, options, events, snapshot, log);
    }
}

/// Every call taking one journey, each with no options and with the input's.
fn journey_calls(
    model: *mut JourneyModel,
    journey: &[u8],
    options: &[u8],
    events: &[u8],
    snapshot: &[u8],
    log: *mut JourneyEventLog,
) {
    let (j, jl) = (text(journey), journey.len());
    for options in [&[][..], options] {
        let (o, ol) = (text(options), options.len());
        let mut analysis = ptr::null_mut();
        check(unsafe { journey_model_analyze(model, j, jl, o, ol, &mut analysis) });
        if !analysis.is_null() {
            let (mut out, mut len) = (ptr::null_mut(), 0);
            let status = unsafe { journey_analysis_to_json(analysis, &mut out, &mut len) };
            take(status, out, len);
            unsafe { journey_analysis_free(analysis) };
        }
        type Render = unsafe extern "C" fn(
            *const JourneyModel,
            *const c_char,
            usize,
            *const c_char,
            usize,
            *mut *mut c_char,
            *mut usize,
        ) -> JourneyStatus;
        for render in [journey_model_render_svg as Render, journey_model_to_dot] {
            let (mut out, mut len) = (ptr::null_mut(), 0);
            let status = unsafe { render(model, j, jl, o, ol, &mut out, &mut len) };
            take(status, out, len);
        }
        let (mut out, mut len) = (ptr::null_mut(), 0);
        let status =
            unsafe { journey_model_compare(model, j, jl, j, jl, o, ol, &mut out, &mut len) };
        take(status, out, len);
        log_calls(model, journey, options, log);
    }
    let (mut out, mut len) = (ptr::null_mut(), 0);
    let status = unsafe { journey_model_to_mermaid(model, j, jl, &mut out, &mut len) };
    if let Some(text_out) = take(status, out, len) {
        let mut again = ptr::null_mut();
        let status =
            unsafe { journey_model_from_mermaid(text(&text_out), text_out.len(), &mut again) };
        assert_eq!(
            status,
            JourneyStatus::Ok,
            "written Mermaid reads: {}",
            last_error()
        );
        unsafe { journey_model_free(again) };
    }
    tracker_calls(model, journey, options, events, snapshot);
}

fn log_calls(model: *mut JourneyModel, journey: &[u8], options: &[u8], log: *mut JourneyEventLog) {
    let (j, jl, o, ol) = (text(journey), journey.len(), text(options), options.len());
    let (mut out, mut len) = (ptr::null_mut(), 0);
    let status =
        unsafe { journey_model_conformance(model, j, jl, log, o, ol, 3, &mut out, &mut len) };
    take(status, out, len);
    let (mut out, mut len) = (ptr::null_mut(), 0);
    let status = unsafe { journey_model_data_funnel(model, j, jl, log, o, ol, &mut out, &mut len) };
    take(status, out, len);
    let (mut out, mut len) = (ptr::null_mut(), 0);
    let status = unsafe {
        journey_model_attribution(model, j, jl, log, ptr::null(), 0, o, ol, &mut out, &mut len)
    };
    take(status, out, len);
    let mut fitted = ptr::null_mut();
    check(unsafe { journey_model_fit(model, j, jl, log, ptr::null(), 0, o, ol, &mut fitted) });
    unsafe { journey_model_free(fitted) };
}

fn tracker_calls(
    model: *mut JourneyModel,
    journey: &[u8],
    options: &[u8],
    events: &[u8],
    snapshot: &[u8],
) {
    let (j, jl) = (text(journey), journey.len());
    let mut tracker = ptr::null_mut();
    let status =
        unsafe { journey_tracker_new(model, j, jl, text(options), options.len(), &mut tracker) };
    check(status);
    if tracker.is_null() {
        check(unsafe { journey_tracker_new(model, j, jl, ptr::null(), 0, &mut tracker) });
    }
    if !tracker.is_null() {
        let lines = events.split(|&b| b == b'\n').take(MOST_LINES);
        for (index, line) in lines.enumerate() {
            let mut fields = line.split(|&b| b == b',');
            let customer = fields.next().unwrap_or_default();
            let when = fields
                .next()
                .and_then(|t| std::str::from_utf8(t).ok()?.trim().parse().ok())
                .unwrap_or(index as i64 * 1000);
            let touchpoint = fields.next().unwrap_or_default();
            let mut observed = JourneyObserved::Placed;
            check(unsafe {
                journey_tracker_observe(
                    tracker,
                    text(customer),
                    customer.len(),
                    text(touchpoint),
                    touchpoint.len(),
                    when,
                    &mut observed,
                )
            });
            customer_calls(tracker, customer);
        }
        let mut stats = JourneyTrackerStats::default();
        check(unsafe { journey_tracker_stats(tracker, &mut stats) });
        round_trip(model, journey, tracker);
        let mut evicted = 0;
        check(unsafe { journey_tracker_expire(tracker, i64::MAX, &mut evicted) });
        let mut after = JourneyTrackerStats::default();
        check(unsafe { journey_tracker_stats(tracker, &mut after) });
        assert_eq!(
            after.customers + evicted as u64,
            stats.customers,
            "expire counts whom it evicts"
        );
        assert_eq!(after.evicted, stats.evicted + evicted as u64);
        unsafe { journey_tracker_free(tracker) };
    }
    let mut restored = ptr::null_mut();
    let status = unsafe {
        journey_tracker_restore(model, j, jl, text(snapshot), snapshot.len(), &mut restored)
    };
    check(status);
    if !restored.is_null() {
        let (mut out, mut len) = (ptr::null_mut(), 0);
        let status = unsafe { journey_tracker_snapshot(restored, &mut out, &mut len) };
        let again = take_bytes(status, out, len);
        assert_eq!(again, snapshot, "a restored snapshot gives back its bytes");
        unsafe { journey_tracker_free(restored) };
    }
}

fn customer_calls(tracker: *mut JourneyTracker, customer: &[u8]) {
    let (c, cl) = (text(customer), customer.len());
    let mut next = [JourneyNextStep {
        touchpoint: ptr::null(),
        touchpoint_len: 0,
        probability: 0.0,
    }; 4];
    let mut written = 0;
    check(unsafe {
        journey_tracker_next(tracker, c, cl, next.as_mut_ptr(), next.len(), &mut written)
    });
    assert!(written <= next.len());
    let mut visits = [JourneyVisit {
        touchpoint: ptr::null(),
        touchpoint_len: 0,
        timestamp_ms: 0,
    }; 4];
    let mut written = 0;
    let status = unsafe {
        journey_tracker_history(
            tracker,
            c,
            cl,
            ptr::null(),
            0,
            ptr::null(),
            0,
            -1,
            visits.as_mut_ptr(),
            visits.len(),
            &mut written,
        )
    };
    check(status);
    assert!(written <= visits.len());
}

/// A tracker's snapshot restores to a tracker with the same snapshot.
fn round_trip(model: *mut JourneyModel, journey: &[u8], tracker: *mut JourneyTracker) {
    let (mut out, mut len) = (ptr::null_mut(), 0);
    let status = unsafe { journey_tracker_snapshot(tracker, &mut out, &mut len) };
    let snapshot = take_bytes(status, out, len);
    let mut restored = ptr::null_mut();
    let status = unsafe {
        journey_tracker_restore(
            model,
            text(journey),
            journey.len(),
            text(&snapshot),
            snapshot.len(),
            &mut restored,
        )
    };
    assert_eq!(
        status,
        JourneyStatus::Ok,
        "a snapshot restores: {}",
        last_error()
    );
    let (mut out, mut len) = (ptr::null_mut(), 0);
    let status = unsafe { journey_tracker_snapshot(restored, &mut out, &mut len) };
    assert_eq!(
        take_bytes(status, out, len),
        snapshot,
        "and snapshots the same"
    );
    unsafe { journey_tracker_free(restored) };
}

/// A snapshot's bytes (it may hold NUL bytes: the length is what counts).
fn take_bytes(status: JourneyStatus, out: *mut c_char, len: usize) -> Vec<u8> {
    assert_eq!(
        status,
        JourneyStatus::Ok,
        "a tracker snapshots: {}",
        last_error()
    );
    let bytes = unsafe { std::slice::from_raw_parts(out.cast::<u8>(), len) }.to_vec();
    unsafe { journey_string_free(out) };
    bytes
}
