//! Prints a journey map as SVG, or a journey as Mermaid text.
//!
//! ```text
//! cargo run --example map -- examples/data/gym.json gym > gym.svg
//! cargo run --example map -- examples/data/gym.json gym --analysis --compact > gym-small.svg
//! cargo run --example map -- examples/data/gym.json gym --mermaid > gym.mmd
//! cargo run --example map -- examples/data/gym.json gym --flow > gym-flow.svg
//! cargo run --example map -- --synthetic 100 > synthetic-100.svg
//! cargo run --example map -- examples/data/gym.json gym --options='{"flows": true, "theme": "dark", "width": 1400}' > gym-dark.svg
//! cargo run --example map --features png -- examples/data/gym.json gym --png=2 > gym.png
//! ```
//!
//! `--png[=SCALE]` writes the map (or the stage flow) as PNG instead of SVG;
//! it needs the examples' `png` feature (journey-core's).

use std::io::Write;
use std::process::ExitCode;

use journey_core::render::{FlowOptions, Lanes, SvgOptions, render_stage_flow, render_svg};
use journey_core::{Document, mermaid, synthetic};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args).and_then(|text| output(&args, text)) {
        Ok(bytes) => {
            if let Err(e) = std::io::stdout().write_all(&bytes) {
                eprintln!("map: {e}");
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("map: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The scale `--png` or `--png=SCALE` asks for.
fn png_scale(args: &[String]) -> Option<Result<f64, String>> {
    args.iter().find_map(|a| match a.strip_prefix("--png") {
        Some("") => Some(Ok(1.0)),
        Some(scale) => Some(
            scale
                .strip_prefix('=')
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| format!("{a}: --png takes a scale, e.g. --png=2")),
        ),
        None => None,
    })
}

/// The text as it is, or the SVG as PNG when `--png` asks for it.
#[cfg(feature = "png")]
fn output(args: &[String], text: String) -> Result<Vec<u8>, String> {
    use journey_core::render::{PngOptions, render_png};
    match png_scale(args).transpose()? {
        Some(scale) => render_png(
            &text,
            &PngOptions {
                scale,
                ..PngOptions::default()
            },
        )
        .map_err(|e| e.to_string()),
        None => Ok(text.into_bytes()),
    }
}

/// The text as it is (this build has no PNG).
#[cfg(not(feature = "png"))]
fn output(args: &[String], text: String) -> Result<Vec<u8>, String> {
    match png_scale(args) {
        Some(_) => Err(
            "--png needs the png feature: cargo run --example map --features png -- …".to_owned(),
        ),
        None => Ok(text.into_bytes()),
    }
}

fn run(args: &[String]) -> Result<String, String> {
    let flag = |name: &str| args.iter().any(|a| a == name);
    let positional: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let (document, journey) = if flag("--synthetic") {
        let size: usize = positional
            .first()
            .and_then(|n| n.parse().ok())
            .ok_or("--synthetic takes a touchpoint count")?;
        let journey = synthetic::journey(size, 7);
        let id = journey.id.clone();
        (Document::new().with_journey(journey), id)
    } else {
        let path = positional
            .first()
            .map_or("examples/data/gym.json", |p| p.as_str());
        let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        let document = Document::from_json(&text).map_err(|e| format!("{path}: {e}"))?;
        let journey = match positional.get(1) {
            Some(id) => id.to_string(),
            None => document
                .journeys
                .first()
                .map(|j| j.id.clone())
                .ok_or("no journey")?,
        };
        (document, journey)
    };
    if flag("--mermaid") {
        return mermaid::to_mermaid(&document, &journey).map_err(|e| e.to_string());
    }
    let options_json = args.iter().find_map(|a| a.strip_prefix("--options="));
    if flag("--flow") {
        let options: FlowOptions = match options_json {
            Some(json) => serde_json::from_str(json).map_err(|e| format!("--options: {e}"))?,
            None => FlowOptions::default(),
        };
        return render_stage_flow(&document, &journey, &options).map_err(|e| e.to_string());
    }
    // Any other option as JSON, e.g. --options='{"flows": true, "theme": "dark"}'.
    let base: SvgOptions = match options_json {
        Some(json) => serde_json::from_str(json).map_err(|e| format!("--options: {e}"))?,
        None => SvgOptions::default(),
    };
    let options = SvgOptions {
        analysis: base.analysis || flag("--analysis"),
        compact: flag("--compact").then_some(true).or(base.compact),
        lanes: if flag("--order") {
            Lanes::Order
        } else {
            base.lanes
        },
        ..base
    };
    render_svg(&document, &journey, &options).map_err(|e| e.to_string())
}
