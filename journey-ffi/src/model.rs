//! `JourneyModel`: a loaded document, its typed accessors, validation,
//! analysis and comparison.

use crate::prelude::*;

/// A loaded journey document: personas, measure definitions and journeys.
///
/// Immutable once loaded: it may be shared and read from any number of
/// threads at once. Strings returned from it are copies, independent of the
/// model's lifetime. Release with `journey_model_free()`.
pub struct JourneyModel(pub(crate) Document);

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
    // SAFETY: the caller passes ownership of a live model, or NULL.
    unsafe { release(model) }
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
pub(crate) unsafe fn touchpoint_of<'a>(
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
