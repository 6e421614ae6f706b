//! Rendering: the SVG journey map, Graphviz DOT, Mermaid out and in.

use crate::prelude::*;

/// The body of the document renderers (the map, the stage flow): a journey
/// of `model` drawn by `draw` with options read from `options_json`, the
/// text written to `out`.
///
/// # Safety
/// As the renderers' own: `model` live, strings as in the conventions,
/// `out` writable, `out_len` NULL or writable.
#[allow(clippy::too_many_arguments)]
unsafe fn render<O: serde::de::DeserializeOwned + Default>(
    model: *const JourneyModel,
    journey: *const c_char,
    journey_len: usize,
    options_json: *const c_char,
    options_len: usize,
    out: *mut *mut c_char,
    out_len: *mut usize,
    draw: fn(&journey_core::Document, &str, &O) -> Result<String, journey_core::Error>,
) -> JourneyStatus {
    guard(|| {
        require(out, "out")?;
        // SAFETY: forwarded caller guarantees.
        let (model, journey, options) = unsafe {
            (
                handle(model, "model")?,
                text(journey, journey_len, "journey")?,
                json_options::<O>(options_json, options_len, "options")?,
            )
        };
        let svg = draw(&model.0, journey, &options)?;
        // SAFETY: checked above.
        unsafe { put_string(out, out_len, &svg) }
    })
}

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

/// A journey map as an SVG document: the persona, stages as columns, lanes
/// (actions, touchpoint cards, thoughts, the emotion curve, pain points,
/// opportunities, measures, stage KPIs), flows between the cards, a legend.
/// `options_json` (NULL for the defaults), e.g.
/// `{"analysis":true,"flows":true,"rows":["actions","touchpoints","emotion"],"lanes":"layer","theme":"dark","width":1400,"compare":["gym_future"],"counts":{"contact_form":120}}`.
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
    // SAFETY: forwarded caller guarantees.
    unsafe {
        render(
            model,
            journey,
            journey_len,
            options_json,
            options_len,
            out,
            out_len,
            journey_core::render::render_svg,
        )
    }
}

/// A journey's stage flow as an SVG document: a Sankey-style picture of
/// where customers go from stage to stage and where they leave, from the
/// analysis (expected flows per customer) or, with `{"observed":true}`, from
/// the transitions' counts. `options_json` (NULL for the defaults), e.g.
/// `{"observed":true,"theme":"dark","width":900}`. The same bytes as Rust.
///
/// Fails with `JOURNEY_STATUS_NOT_FOUND` for an unknown journey,
/// `JOURNEY_STATUS_INVALID_OPTION` for bad options and
/// `JOURNEY_STATUS_VALIDATION_ERROR` when an analysed flow is asked of an
/// invalid journey.
///
/// # Safety
/// `model` must be live; strings as in the conventions; `out` writable;
/// `out_len` NULL or writable. Release `*out` with `journey_string_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_model_render_stage_flow(
    model: *const JourneyModel,
    journey: *const c_char,
    journey_len: usize,
    options_json: *const c_char,
    options_len: usize,
    out: *mut *mut c_char,
    out_len: *mut usize,
) -> JourneyStatus {
    // SAFETY: forwarded caller guarantees.
    unsafe {
        render(
            model,
            journey,
            journey_len,
            options_json,
            options_len,
            out,
            out_len,
            journey_core::render::render_stage_flow,
        )
    }
}

/// An SVG document (a map from `journey_model_render_svg()`, a stage flow
/// from `journey_model_render_stage_flow()`, or any other) as PNG bytes:
/// drawn with the fonts built into the library, the same pixels on every
/// machine and the same bytes as Rust's `render_png`. `options_json` (NULL
/// for the defaults), e.g. `{"scale":2,"properties":{"--journey-card":"#fff7ed"}}`:
/// pixels per SVG unit (above 0, at most 8) and values of the map's CSS
/// custom properties. No file the SVG names is read.
///
/// Fails with `JOURNEY_STATUS_INVALID_OPTION` for bad options,
/// `JOURNEY_STATUS_INVALID_ARGUMENT` for text that is not an SVG document
/// (or a library built without its `png` feature) and
/// `JOURNEY_STATUS_LIMIT_EXCEEDED` above 100 million pixels.
///
/// # Safety
/// Strings as in the conventions; `out` writable; `out_len` NULL or
/// writable. Release `*out` with `journey_bytes_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_render_png(
    svg: *const c_char,
    svg_len: usize,
    options_json: *const c_char,
    options_len: usize,
    out: *mut *mut u8,
    out_len: *mut usize,
) -> JourneyStatus {
    guard(|| {
        require(out, "out")?;
        // SAFETY: forwarded caller guarantees.
        let svg = unsafe { text(svg, svg_len, "svg")? };
        #[cfg(feature = "png")]
        {
            // SAFETY: forwarded caller guarantees.
            let options = unsafe {
                json_options::<journey_core::render::PngOptions>(
                    options_json,
                    options_len,
                    "options",
                )?
            };
            let png = journey_core::render::render_png(svg, &options)?;
            // SAFETY: checked above.
            unsafe { put_bytes(out, out_len, &png) }
        }
        #[cfg(not(feature = "png"))]
        {
            let _ = (svg, options_json, options_len, out_len);
            Err(invalid(
                "this libjourney was built without PNG (journey-ffi's png feature)",
            ))
        }
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
