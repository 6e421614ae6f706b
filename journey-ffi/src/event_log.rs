//! `JourneyEventLog`: event logs in (pushed, CSV), discovery, and the log
//! compositions of `journey_core::replay` (conformance, data funnel, fit,
//! attribution); attribution from path data.

use crate::prelude::*;

/// An event log: customers' events from a website, a product or a helpdesk.
///
/// Pushing and reading mutate it: use one thread at a time for those; the
/// read-only functions may run on several threads at once when nothing
/// mutates it. Release with `journey_event_log_free()`.
pub struct JourneyEventLog(pub(crate) EventLog);

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
    // SAFETY: the caller passes ownership of a live log, or NULL.
    unsafe { release(log) }
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
        let event: journey_core::events::Event =
            journey_core::json::from_str(text).map_err(|e| {
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

/// The shared part of the log readers: the options read as `O`, the log
/// read by `read`, the report written out.
///
/// # Safety
/// As for `journey_event_log_read_csv()`.
unsafe fn read_with<O: serde::de::DeserializeOwned + Default>(
    log: *mut JourneyEventLog,
    options_json: *const c_char,
    options_len: usize,
    out_report: *mut *mut c_char,
    out_len: *mut usize,
    read: impl FnOnce(
        &mut journey_core::events::EventLog,
        &O,
    ) -> Result<journey_core::events::ReadReport, Error>,
) -> Result<(), Failure> {
    // SAFETY: forwarded caller guarantees.
    let options = unsafe { json_options::<O>(options_json, options_len, "options") }?;
    // SAFETY: the caller guarantees a live log used by this thread only.
    let log = unsafe { log.as_mut() }.ok_or_else(|| invalid("log is NULL"))?;
    let report = read(&mut log.0, &options)?;
    if !out_report.is_null() {
        // SAFETY: checked non-NULL; the caller guarantees writability.
        unsafe { put_string(out_report, out_len, &json(&report)?) }?;
    }
    Ok(())
}

/// The shared part of the two CSV readers.
///
/// # Safety
/// As for `journey_event_log_read_csv()`.
pub(crate) unsafe fn read_into(
    log: *mut JourneyEventLog,
    input: impl std::io::Read,
    options_json: *const c_char,
    options_len: usize,
    out_report: *mut *mut c_char,
    out_len: *mut usize,
) -> Result<(), Failure> {
    // SAFETY: forwarded caller guarantees.
    unsafe {
        read_with(
            log,
            options_json,
            options_len,
            out_report,
            out_len,
            |log, options| log.read_csv(input, options),
        )
    }
}

/// Reads CSV text (with a header row) into the log. `options_json` maps the
/// columns (`{"customer":"user_id","measures":["csat"],"on_error":"fail"}`;
/// NULL for the defaults). On success `*out_report` (when not NULL) holds
/// the read report as JSON: rows read, used, skipped, and every bad row.
/// With `"on_error":"fail"` a bad row fails with `JOURNEY_STATUS_CSV_ERROR`
/// (a record past 16 MiB fails with `JOURNEY_STATUS_LIMIT_EXCEEDED`).
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
pub(crate) unsafe fn model_and_log<'a>(
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

/// The shared part of the XES readers.
///
/// # Safety
/// As for `journey_event_log_read_xes()`.
unsafe fn read_xes_into(
    log: *mut JourneyEventLog,
    input: impl std::io::Read,
    options_json: *const c_char,
    options_len: usize,
    out_report: *mut *mut c_char,
    out_len: *mut usize,
) -> Result<(), Failure> {
    // SAFETY: forwarded caller guarantees.
    unsafe {
        read_with(
            log,
            options_json,
            options_len,
            out_report,
            out_len,
            |log, options| log.read_xes(input, options),
        )
    }
}

/// Reads an XES log (IEEE 1849), plain or gzipped (`.xes.gz`: told by its
/// first bytes), from the `len` bytes at `xes`, and appends its events.
/// `options_json` as `XesOptions` (`{"classifier":"Activity classifier"}`,
/// `{"measures":["cost"],"channel":"org:group"}`; NULL for the defaults: the
/// event name is `concept:name`). On success `*out_report` (when not NULL)
/// holds the read report as JSON. Text that is not XML, a read that keeps no
/// event, and a bad event under `"on_error":"fail"` fail with
/// `JOURNEY_STATUS_CSV_ERROR`.
///
/// # Safety
/// `log` must be a live log used by no other thread; `xes` NULL with
/// `len == 0` or `len` readable bytes; `out_report` and `out_len` NULL or
/// writable. Release `*out_report` with `journey_string_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_event_log_read_xes(
    log: *mut JourneyEventLog,
    xes: *const u8,
    len: usize,
    options_json: *const c_char,
    options_len: usize,
    out_report: *mut *mut c_char,
    out_len: *mut usize,
) -> JourneyStatus {
    guard(|| {
        let bytes: &[u8] = if xes.is_null() {
            if len != 0 {
                return Err(invalid("xes is NULL"));
            }
            &[]
        } else {
            // SAFETY: the caller guarantees `len` readable bytes at `xes`.
            unsafe { std::slice::from_raw_parts(xes, len) }
        };
        // SAFETY: forwarded caller guarantees.
        unsafe { read_xes_into(log, bytes, options_json, options_len, out_report, out_len) }
    })
}

/// Like `journey_event_log_read_xes()`, reading the file at `path` (`.xes`
/// or `.xes.gz`), streamed: memory grows with the events, not the file.
///
/// # Safety
/// As for `journey_event_log_read_xes()`; `path` as in the conventions.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_event_log_read_xes_file(
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
        // SAFETY: forwarded caller guarantees.
        unsafe { read_xes_into(log, file, options_json, options_len, out_report, out_len) }
    })
}

/// Writes the log as XES text into `*out` (one trace a customer, events
/// with `concept:name`, `time:timestamp`, `channel` and `float` measures),
/// which `journey_event_log_read_xes()` reads back.
///
/// # Safety
/// `log` must be live; `out` writable, `out_len` NULL or writable. Release
/// `*out` with `journey_string_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_event_log_write_xes(
    log: *const JourneyEventLog,
    out: *mut *mut c_char,
    out_len: *mut usize,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let log = unsafe { handle(log, "log") }?;
        let mut bytes = Vec::new();
        log.0.write_xes(&mut bytes)?;
        let text = String::from_utf8(bytes).map_err(|_| invalid("the XES text is not UTF-8"))?;
        // SAFETY: forwarded caller guarantees.
        unsafe { put_string(out, out_len, &text) }
    })
}

/// Reads events in JSON and appends them: JSON Lines, an array, or an
/// object wrapping one (`{"batch": […]}`, `{"events": […]}`, `{"data":
/// […]}`). `options_json` as `JsonOptions` says where each event's fields
/// are: a ready mapping (`{"preset":"segment"}`, `"zendesk"`, `"intercom"`,
/// `"freshdesk"`) and/or paths (`{"customer":["user.id"],"event":["type"],
/// "measures":{"csat":"properties.score"}}`); NULL for journey's own event
/// shape. On success `*out_report` (when not NULL) holds the read report as
/// JSON. An array that is not JSON fails with `JOURNEY_STATUS_PARSE_ERROR`;
/// a read that keeps no event, or a bad event under `"on_error":"fail"`,
/// with `JOURNEY_STATUS_CSV_ERROR`.
///
/// # Safety
/// `log` must be a live log used by no other thread; strings as in the
/// conventions; `out_report` and `out_len` NULL or writable. Release
/// `*out_report` with `journey_string_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_event_log_read_json(
    log: *mut JourneyEventLog,
    json_text: *const c_char,
    json_len: usize,
    options_json: *const c_char,
    options_len: usize,
    out_report: *mut *mut c_char,
    out_len: *mut usize,
) -> JourneyStatus {
    guard(|| {
        // SAFETY: forwarded caller guarantees.
        let input = unsafe { text(json_text, json_len, "json") }?;
        // SAFETY: forwarded caller guarantees.
        unsafe {
            read_with(
                log,
                options_json,
                options_len,
                out_report,
                out_len,
                |log, options| log.read_json(input.as_bytes(), options),
            )
        }
    })
}
