//! Rendering the generated 100-touchpoint journey (10 stages, 16 channel
//! lanes): the SVG map plain, with the analysis overlaid, and with every
//! lane (each stage and touchpoint given actions, thoughts, pain points,
//! opportunities and a measure), the flows and the analysis; the Mermaid
//! text and the DOT text. The sizes of the outputs are printed once. With
//! the `png` feature, the map with every lane as PNG too (scale 1 and 2).
//!
//! cargo bench -p journey-core --bench render
//! cargo bench -p journey-core --features png --bench render -- png

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use journey_core::render::{DotOptions, Row, SvgOptions, render_svg, to_dot};
use journey_core::{Document, Extra, MeasureDefinition, MeasureValue, Scale, mermaid, synthetic};

/// The journey with every lane's content: two actions and a thought (a
/// question every other stage) per stage, and on every third touchpoint
/// an action, a thought, a pain point, an opportunity and a CSAT value.
fn with_every_lane(mut document: Document) -> Document {
    let scale = Scale::Score { min: 1.0, max: 5.0 };
    document
        .measures
        .push(MeasureDefinition::new("csat", "Customer satisfaction", scale).target(4.0));
    let journey = &mut document.journeys[0];
    for (k, stage) in journey.stages.iter_mut().enumerate() {
        stage.actions = vec![
            format!("Looks around stage {k}"),
            "Compares the options on offer".into(),
        ];
        stage.thoughts = vec![if k % 2 == 0 {
            "Is this the right plan for me?".into()
        } else {
            "I want to get this done quickly.".into()
        }];
    }
    for (k, touchpoint) in journey
        .touchpoints
        .iter_mut()
        .enumerate()
        .filter(|(k, _)| k % 3 == 0)
    {
        touchpoint.actions = vec![format!("Opens step {k}")];
        touchpoint.thoughts = vec!["Why does this take so long?".into()];
        touchpoint.pain_points = vec!["Has to type the same details again".into()];
        touchpoint.opportunities = vec!["Fill in what we already know".into()];
        let value = MeasureValue {
            value: 2.0 + (k % 4) as f64,
            sample_size: Some(40),
            extra: Extra::new(),
        };
        touchpoint.measures.insert("csat".into(), value);
    }
    document
}

fn render(c: &mut Criterion) {
    let journey = synthetic::journey(100, 42);
    let id = journey.id.clone();
    let document = Document::new().with_journey(journey);
    let overlay = SvgOptions {
        analysis: true,
        ..SvgOptions::default()
    };
    let full = with_every_lane(document.clone());
    let everything = SvgOptions {
        rows: Some(Row::ALL.to_vec()),
        flows: true,
        analysis: true,
        ..SvgOptions::default()
    };
    let plain = render_svg(&document, &id, &SvgOptions::default()).expect("renders");
    let every_lane = render_svg(&full, &id, &everything).expect("renders");
    let analysed = render_svg(&document, &id, &overlay).expect("renders");
    let text = mermaid::to_mermaid(&document, &id).expect("exports");
    let dot = to_dot(&document.journeys[0], &DotOptions::default());
    eprintln!(
        "100 touchpoints: SVG {} bytes, with analysis {} bytes, every lane, flows and analysis {} bytes, Mermaid {} bytes, DOT {} bytes",
        plain.len(),
        analysed.len(),
        every_lane.len(),
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
    group.bench_function("svg_every_lane_flows_analysis", |b| {
        b.iter(|| render_svg(black_box(&full), &id, &everything))
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
    #[cfg(feature = "png")]
    {
        use journey_core::render::{PngOptions, render_png};
        let twice = PngOptions {
            scale: 2.0,
            ..PngOptions::default()
        };
        let png = render_png(&every_lane, &PngOptions::default()).expect("draws");
        eprintln!("100 touchpoints, every lane: PNG {} bytes", png.len());
        group.bench_function("png_every_lane_flows_analysis", |b| {
            b.iter(|| render_png(black_box(&every_lane), &PngOptions::default()))
        });
        group.bench_function("png_every_lane_flows_analysis_scale_2", |b| {
            b.iter(|| render_png(black_box(&every_lane), &twice))
        });
    }
    group.finish();
}

criterion_group!(benches, render);
criterion_main!(benches);
