//! How the cost of each operation grows with the journey: chains of n
//! touchpoints over 10 stages, the same with a back-jump every 10 steps,
//! and narrow stages (one per 100 touchpoints). Prints a Markdown table of
//! the best of three wall-clock times per operation and size, for
//! BENCHMARKS.md (plain timing: one run of the big sizes takes seconds).
//!
//! cargo bench -p journey-core --bench scaling -- [sizes…] (default 1000 10000 100000)

use std::time::{Duration, Instant};

use journey_core::render::{DotOptions, SvgOptions, render_svg, to_dot};
use journey_core::tracker::{Tracker, TrackerOptions};
use journey_core::{Document, mermaid};
use serde_json::json;

/// A journey document of `n` touchpoints in a chain over `stages` stages,
/// with a jump five steps back after every tenth when `back`.
fn document(n: usize, stages: usize, back: bool) -> String {
    let mut touchpoints = Vec::with_capacity(n);
    let mut transitions = Vec::with_capacity(n + n / 10);
    for i in 0..n {
        touchpoints.push(json!({
            "id": format!("t{i}"), "name": format!("Step {i}"),
            "stage": format!("s{}", i * stages / n), "channel": "web", "emotion": 0.5
        }));
        if i + 1 < n {
            transitions.push(json!({"from": format!("t{i}"), "to": format!("t{}", i + 1)}));
        }
        if back && i % 10 == 9 {
            transitions.push(json!({"from": format!("t{i}"), "to": format!("t{}", i - 5)}));
        }
    }
    let stages: Vec<_> = (0..stages)
        .map(|s| json!({"id": format!("s{s}"), "name": format!("Stage {s}")}))
        .collect();
    json!({"schema": "journey/1", "journeys": [{
        "id": "j", "name": "Scaling", "stages": stages, "touchpoints": touchpoints,
        "transitions": transitions, "entries": [{"touchpoint": "t0"}],
        "goals": [format!("t{}", n - 1)]
    }]})
    .to_string()
}

fn best_of_three(mut run: impl FnMut()) -> Duration {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![1000, 10_000, 100_000]
    } else {
        sizes
    };
    println!(
        "| shape | touchpoints | read | validate | analyze | SVG with analysis | DOT | Mermaid out+in | Tracker::new |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (shape, back, narrow) in [
        ("chain, 10 stages", false, false),
        ("back-jumps", true, false),
        ("a stage per 100", false, true),
    ] {
        for &n in &sizes {
            let stages = if narrow { n.div_ceil(100) } else { 10 };
            let text = document(n, stages, back);
            let read = best_of_three(|| drop(Document::from_json(&text).expect("reads")));
            let document = Document::from_json(&text).expect("reads");
            let journey = document.journey("j").expect("the journey");
            let validate = best_of_three(|| drop(document.validate()));
            let analyze = best_of_three(|| {
                drop(
                    document
                        .analyze("j", &Default::default())
                        .expect("analyses"),
                )
            });
            let overlay = SvgOptions {
                analysis: true,
                ..SvgOptions::default()
            };
            let svg =
                best_of_three(|| drop(render_svg(&document, "j", &overlay).expect("renders")));
            let dot = best_of_three(|| drop(to_dot(journey, &DotOptions::default())));
            let mermaid = best_of_three(|| {
                let text = mermaid::to_mermaid(&document, "j").expect("exports");
                drop(mermaid::from_mermaid(&text).expect("imports"));
            });
            let tracker = best_of_three(|| {
                drop(Tracker::new(journey, TrackerOptions::default()).expect("tracks"))
            });
            let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1e3);
            println!(
                "| {shape} | {n} | {} | {} | {} | {} | {} | {} | {} |",
                ms(read),
                ms(validate),
                ms(analyze),
                ms(svg),
                ms(dot),
                ms(mermaid),
                ms(tracker)
            );
        }
    }
}
