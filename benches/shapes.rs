//! The journey shapes that cost must stay linear on, and the operations
//! measured on them: shared by the scaling benchmark (`benches/scaling.rs`)
//! and its cheap guard in the tests (`tests/core/scaling.rs`).

use journey_core::conformance::conformance;
use journey_core::document::Limits;
use journey_core::events::{EventLog, Mapping};
use journey_core::fit::{FitOptions, fit_traces};
use journey_core::render::{DotOptions, SvgOptions, render_svg, to_dot};
use journey_core::tracker::{Tracker, TrackerOptions};
use journey_core::{Document, mermaid};
use serde_json::json;

/// How a journey of n touchpoints is drawn.
#[derive(Clone, Copy, Debug)]
pub enum Shape {
    /// A chain over 10 stages.
    Chain,
    /// The chain with a jump five steps back after every tenth touchpoint.
    BackJumps,
    /// The chain with a stage per 100 touchpoints.
    NarrowStages,
    /// The chain where every touchpoint also loops on itself and goes one
    /// step back.
    DenseLoops,
}

/// Every shape, with its name for the table.
pub const SHAPES: [(&str, Shape); 4] = [
    ("chain, 10 stages", Shape::Chain),
    ("back-jumps", Shape::BackJumps),
    ("a stage per 100", Shape::NarrowStages),
    ("dense loops", Shape::DenseLoops),
];

/// A journey document (id `j`) of `n` touchpoints of the shape.
pub fn document(n: usize, shape: Shape) -> String {
    let stages = match shape {
        Shape::NarrowStages => n.div_ceil(100),
        _ => 10,
    };
    let mut touchpoints = Vec::with_capacity(n);
    let mut transitions = Vec::with_capacity(3 * n);
    let edge = |from: usize, to: usize| json!({"from": format!("t{from}"), "to": format!("t{to}")});
    for i in 0..n {
        touchpoints.push(json!({
            "id": format!("t{i}"), "name": format!("Step {i}"),
            "stage": format!("s{}", i * stages / n), "channel": "web", "emotion": 0.5
        }));
        if i + 1 < n {
            transitions.push(edge(i, i + 1));
        }
        match shape {
            Shape::BackJumps if i % 10 == 9 => transitions.push(edge(i, i - 5)),
            Shape::DenseLoops if i > 0 && i + 1 < n => {
                transitions.push(edge(i, i));
                transitions.push(edge(i, i - 1));
            }
            _ => {}
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

/// An event log of about `n` events on a journey of `n` touchpoints: one
/// customer per 20 touchpoints, each walking 20 steps along the chain from
/// a place of its own, with a step back now and then, and every tenth step
/// on a page the map does not have.
pub fn log(n: usize) -> EventLog {
    let mut log = EventLog::new();
    for customer in 0..n.div_ceil(20) {
        let key = format!("c{customer}");
        let mut at = (customer * 37) % n;
        for step in 0..20 {
            let name = if step % 10 == 9 {
                format!("page{at}")
            } else {
                format!("t{at}")
            };
            log.push_parts(&key, (step * 60_000) as i64, &name, None, &[])
                .expect("an event");
            at = if step % 7 == 6 {
                at.saturating_sub(1)
            } else {
                (at + 1) % n
            };
        }
    }
    log
}

/// The default limits, but for the text: a million touchpoints take more
/// than the default 64 MiB of JSON.
fn limits() -> Limits {
    Limits {
        max_document_bytes: 1 << 30,
        ..Limits::default()
    }
}

/// What the operations run on.
pub struct Input {
    /// The document's text.
    pub text: String,
    /// The document read.
    pub document: Document,
    /// An event log on it.
    pub log: EventLog,
}

impl Input {
    /// The input of `n` touchpoints of the shape.
    pub fn new(n: usize, shape: Shape) -> Input {
        let text = document(n, shape);
        let document = Document::from_json_with_limits(&text, &limits()).expect("reads");
        Input {
            text,
            document,
            log: log(n),
        }
    }
}

/// An operation measured.
pub type Operation = fn(&Input);

/// Every operation on a journey the scaling table measures, by name.
pub const OPERATIONS: [(&str, Operation); 10] = [
    ("read", |i| {
        drop(Document::from_json_with_limits(&i.text, &limits()).expect("reads"))
    }),
    ("validate", |i| drop(i.document.validate())),
    ("analyze", |i| {
        drop(
            i.document
                .analyze("j", &Default::default())
                .expect("analyses"),
        )
    }),
    ("SVG with analysis", |i| {
        let overlay = SvgOptions {
            analysis: true,
            ..SvgOptions::default()
        };
        drop(render_svg(&i.document, "j", &overlay).expect("renders"))
    }),
    ("DOT", |i| drop(to_dot(journey(i), &DotOptions::default()))),
    ("Mermaid out+in", |i| {
        let text = mermaid::to_mermaid(&i.document, "j").expect("exports");
        drop(mermaid::from_mermaid(&text).expect("imports"));
    }),
    ("Tracker::new", |i| {
        drop(Tracker::new(journey(i), TrackerOptions::default()).expect("tracks"))
    }),
    ("traces", |i| {
        drop(i.log.traces(Some(journey(i)), &Mapping::default()))
    }),
    ("conformance", |i| {
        let traces = i.log.traces(Some(journey(i)), &Mapping::default());
        drop(conformance(journey(i), &traces, 10))
    }),
    ("fit, adding pages, context 3", |i| {
        let traces = i.log.traces(Some(journey(i)), &Mapping::default());
        let options = FitOptions {
            add_unmapped: true,
            context_order: 3,
            ..FitOptions::default()
        };
        drop(fit_traces(Some(journey(i)), &traces, &options).expect("fits"))
    }),
];

fn journey(input: &Input) -> &journey_core::Journey {
    input.document.journey("j").expect("the journey")
}

/// The best wall-clock time of `runs` runs: a busy machine makes it slower,
/// not noisier.
pub fn best(runs: usize, mut run: impl FnMut()) -> std::time::Duration {
    (0..runs)
        .map(|_| {
            let start = std::time::Instant::now();
            run();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// How a Mermaid journey of n units is written: the import must stay
/// linear in the text whatever grows.
pub type MermaidText = fn(usize) -> String;

/// Every Mermaid text shape the scaling table reads, by name.
pub const MERMAID_TEXTS: [(&str, MermaidText); 6] = [
    // n tasks in n/10 sections, three actors each, entity codes in names.
    ("tasks", |n| {
        let mut text = String::from("journey\n  title Many tasks\n");
        for t in 0..n {
            if t % 10 == 0 {
                text.push_str(&format!("  section Stage {} #38; more\n", t / 10));
            }
            text.push_str(&format!(
                "    Task {t} #35;{t}: {}: Ann, Bob #59; Co, Dee\n",
                1 + t % 5
            ));
        }
        text
    }),
    // One task with n actors (distinct up to 5,000: the default limit on
    // personas is 10,000; the rest repeat, which a task keeps).
    ("actors in one task", |n| {
        let actors: Vec<String> = (0..n).map(|a| format!("Actor {}", a % 5000)).collect();
        format!(
            "journey\n  section One\n    Crowded: 3: {}\n",
            actors.join(", ")
        )
    }),
    // Front matter of n YAML lines (nested keys, comments) and a folded title.
    ("front matter", |n| {
        let mut text = String::from("---\nconfig:\n  journey:\n");
        for k in 0..n {
            if k % 5 == 0 {
                text.push_str("    # a comment line\n");
            }
            text.push_str(&format!("    key{k}: 'value ''{k}'''\n"));
        }
        text.push_str("title: >\n  Folded\n  title\n---\njourney\n  section S\n    T: 5: A\n");
        text
    }),
    // An accDescr block of n lines, with %% comment lines inside.
    ("accDescr block", |n| {
        let mut text = String::from("journey\n  accDescr {\n");
        for k in 0..n {
            text.push_str(&format!("    Line {k} of the description\n"));
            if k % 10 == 0 {
                text.push_str("%% a comment inside\n");
            }
        }
        text.push_str("  } title After\n  section S\n    T: 5: A\n");
        text
    }),
    // One task name of 10n characters, an entity code every 10.
    ("long name", |n| {
        format!(
            "journey\n  section S\n    {}: 4: A\n",
            "Word #38; x".repeat(n)
        )
    }),
    // n comment lines and directives between tasks.
    ("comments and directives", |n| {
        let mut text = String::from("journey\n  section S\n");
        for k in 0..n {
            match k % 3 {
                0 => text.push_str("%% a comment line\n"),
                1 => text.push_str("%%{init: {\n  'theme': 'dark'\n}}%%\n"),
                _ => text.push_str(&format!("    Task {k}: 2: A # trailing\n")),
            }
        }
        text
    }),
];
