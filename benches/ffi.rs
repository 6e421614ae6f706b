//! The cost of the C ABI: a cheap accessor and a full analysis, called through
//! the exported C functions and directly in Rust, side by side.
//!
//! cargo bench -p journey-ffi --bench ffi

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use journey::{
    JourneyModel, JourneyStatus, journey_analysis_free, journey_model_analyze, journey_model_free,
    journey_model_from_json, journey_model_touchpoint_emotion,
};
use journey_core::Document;
use journey_core::analysis::Options;

const GYM: &str = include_str!("../examples/data/gym.json");

fn ffi(c: &mut Criterion) {
    let document = Document::from_json(GYM).unwrap();
    let mut model: *mut JourneyModel = std::ptr::null_mut();
    // SAFETY: valid pointers and lengths.
    let status = unsafe { journey_model_from_json(GYM.as_ptr().cast(), GYM.len(), &mut model) };
    assert_eq!(status, JourneyStatus::Ok);
    let (journey, touchpoint) = ("gym", "trial_ending_email");

    let mut group = c.benchmark_group("touchpoint_emotion");
    group.bench_function("rust", |b| {
        b.iter(|| {
            black_box(&document)
                .journey(black_box(journey))
                .and_then(|j| j.touchpoint(black_box(touchpoint)))
                .and_then(|t| t.emotion)
        })
    });
    group.bench_function("c_abi", |b| {
        b.iter(|| {
            let (mut has, mut emotion) = (false, 0.0);
            // SAFETY: live model, valid strings and out-pointers.
            let status = unsafe {
                journey_model_touchpoint_emotion(
                    black_box(model),
                    journey.as_ptr().cast(),
                    journey.len(),
                    touchpoint.as_ptr().cast(),
                    touchpoint.len(),
                    &mut has,
                    &mut emotion,
                )
            };
            black_box((status, has, emotion))
        })
    });
    group.finish();

    let mut group = c.benchmark_group("analyze_gym");
    group.bench_function("rust", |b| {
        b.iter(|| {
            document
                .analyze(black_box(journey), &Options::default())
                .unwrap()
        })
    });
    group.bench_function("c_abi", |b| {
        b.iter(|| {
            let mut analysis = std::ptr::null_mut();
            // SAFETY: live model, valid strings and out-pointer.
            unsafe {
                let status = journey_model_analyze(
                    model,
                    journey.as_ptr().cast(),
                    journey.len(),
                    std::ptr::null(),
                    0,
                    &mut analysis,
                );
                assert_eq!(status, JourneyStatus::Ok);
                journey_analysis_free(analysis);
            }
        })
    });
    group.finish();
    // SAFETY: the model is live and released once.
    unsafe { journey_model_free(model) };
}

criterion_group!(benches, ffi);
criterion_main!(benches);
