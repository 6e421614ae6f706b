//! The C library and the Rust crate give the same bytes on generated
//! journeys: the analysis, the validation report, the SVG map (with the
//! analysis drawn), the DOT graph and the Mermaid text, for journeys of
//! every size and shape the generator makes.

use journey::*;
use journey_core::render::{DotOptions, SvgOptions, render_svg, to_dot};
use journey_core::{Document, mermaid, synthetic};
use proptest::prelude::*;
use std::os::raw::c_char;
use std::ptr;

/// A string returned by the library, released.
fn taken(status: JourneyStatus, out: *mut c_char, len: usize) -> String {
    assert_eq!(status, JourneyStatus::Ok);
    let bytes = unsafe { std::slice::from_raw_parts(out.cast::<u8>(), len) }.to_vec();
    unsafe { journey_string_free(out) };
    String::from_utf8(bytes).expect("UTF-8")
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

fn rendered(model: *const JourneyModel, journey: &str, options: &str, render: Render) -> String {
    let (mut out, mut len) = (ptr::null_mut(), 0);
    let status = unsafe {
        render(
            model,
            journey.as_ptr().cast(),
            journey.len(),
            if options.is_empty() {
                ptr::null()
            } else {
                options.as_ptr().cast()
            },
            options.len(),
            &mut out,
            &mut len,
        )
    };
    taken(status, out, len)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn c_and_rust_give_the_same_bytes(touchpoints in 2usize..90, seed in any::<u64>()) {
        let journey = synthetic::journey(touchpoints, seed);
        let id = journey.id.clone();
        let document = Document::new().with_journey(journey);
        let json = document.to_json().unwrap();

        let mut model = ptr::null_mut();
        let status = unsafe { journey_model_from_json(json.as_ptr().cast(), json.len(), &mut model) };
        prop_assert_eq!(status, JourneyStatus::Ok);

        // The analysis.
        let mut analysis = ptr::null_mut();
        let status = unsafe {
            journey_model_analyze(model, id.as_ptr().cast(), id.len(), ptr::null(), 0, &mut analysis)
        };
        prop_assert_eq!(status, JourneyStatus::Ok);
        let (mut out, mut len) = (ptr::null_mut(), 0);
        let c = taken(unsafe { journey_analysis_to_json(analysis, &mut out, &mut len) }, out, len);
        unsafe { journey_analysis_free(analysis) };
        let rust = serde_json::to_string(&document.analyze(&id, &Default::default()).unwrap()).unwrap();
        prop_assert_eq!(c, rust);

        // The validation report.
        let (mut errors, mut warnings, mut out, mut len) = (0, 0, ptr::null_mut(), 0);
        let status = unsafe { journey_model_validate(model, &mut errors, &mut warnings, &mut out, &mut len) };
        let c = taken(status, out, len);
        let report = document.validate();
        prop_assert_eq!(c, serde_json::to_string(&report).unwrap());
        prop_assert_eq!((errors, warnings), (report.errors().count(), report.warnings().count()));

        // The drawings.
        let overlay = SvgOptions { analysis: true, ..SvgOptions::default() };
        prop_assert_eq!(
            rendered(model, &id, r#"{"analysis": true}"#, journey_model_render_svg),
            render_svg(&document, &id, &overlay).unwrap()
        );
        prop_assert_eq!(
            rendered(model, &id, "", journey_model_to_dot),
            to_dot(document.journey(&id).unwrap(), &DotOptions::default())
        );
        let (mut out, mut len) = (ptr::null_mut(), 0);
        let status = unsafe { journey_model_to_mermaid(model, id.as_ptr().cast(), id.len(), &mut out, &mut len) };
        prop_assert_eq!(taken(status, out, len), mermaid::to_mermaid(&document, &id).unwrap());
        unsafe { journey_model_free(model) };
    }
}
