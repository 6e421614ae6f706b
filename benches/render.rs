//! Rendering the generated 100-touchpoint journey (10 stages, 16 channel
//! lanes): the SVG map plain and with the analysis overlaid, the Mermaid
//! text and the DOT text. The sizes of the outputs are printed once.
//!
//! cargo bench -p journey-core --bench render

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use journey_core::render::{DotOptions, SvgOptions, render_svg, to_dot};
use journey_core::{Document, mermaid, synthetic};

fn render(c: &mut Criterion) {
    let journey = synthetic::journey(100, 42);
    let id = journey.id.clone();
    let document = Document::new().with_journey(journey);
    let overlay = SvgOptions {
        analysis: true,
        ..SvgOptions::default()
    };
    let plain = render_svg(&document, &id, &SvgOptions::default()).expect("renders");
    let analysed = render_svg(&document, &id, &overlay).expect("renders");
    let text = mermaid::to_mermaid(&document, &id).expect("exports");
    let dot = to_dot(&document.journeys[0], &DotOptions::default());
    eprintln!(
        "100 touchpoints: SVG {} bytes, with analysis {} bytes, Mermaid {} bytes, DOT {} bytes",
        plain.len(),
        analysed.len(),
        text.len(),
        dot.len()
    );
    let mut group = c.benchmark_group("render_100");
    group.bench_function("svg", |b| {
        b.iter(|| render_svg(black_box(&document), &id, &SvgOptions::default()))
    });
    group.bench_function("svg_with_analysis", |b| {
        b.iter(|| render_svg(black_box(&document), &id, &overlay))
    });
    group.bench_function("mermaid", |b| {
        b.iter(|| mermaid::to_mermaid(black_box(&document), &id))
    });
    group.bench_function("mermaid_import", |b| {
        b.iter(|| mermaid::from_mermaid(black_box(&text)))
    });
    group.bench_function("dot", |b| {
        b.iter(|| to_dot(black_box(&document.journeys[0]), &DotOptions::default()))
    });
    group.finish();
}

criterion_group!(benches, render);
criterion_main!(benches);
