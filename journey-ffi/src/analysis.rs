//! `JourneyAnalysis`: the analysis of one journey and its accessors.

use crate::prelude::*;

/// The analysis of one journey, as computed by `journey_model_analyze()`.
///
/// Immutable: it may be shared and read from any number of threads at once.
/// It does not borrow from the model it came from. Release with
/// `journey_analysis_free()`.
pub struct JourneyAnalysis(pub(crate) Analysis);

/// Releases an analysis. NULL is ignored.
///
/// # Safety
/// `analysis` must be NULL or an analysis from `journey_model_analyze()`, not
/// yet released, and no other thread may be using it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_analysis_free(analysis: *mut JourneyAnalysis) {
    // SAFETY: the caller passes ownership of a live analysis, or NULL.
    unsafe { release(analysis) }
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
