//! The main example: load the gym journey document, validate it and print a
//! readable summary. Pass another document's path to summarise that instead:
//!
//! ```text
//! cargo run --example gym
//! cargo run --example gym -- examples/data/shoe.json
//! ```

use std::process::ExitCode;

use journey_core::{Document, Journey, Status};

const BUNDLED: [&str; 2] = ["examples/data/gym.json", "examples/data/shoe.json"];

fn main() -> ExitCode {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let paths: Vec<String> = match std::env::args().skip(1).collect::<Vec<_>>() {
        args if args.is_empty() => BUNDLED.iter().map(|p| format!("{root}/{p}")).collect(),
        args => args,
    };
    for path in &paths {
        if let Err(message) = summarise(path) {
            eprintln!("{path}: {message}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

fn summarise(path: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let document = Document::from_json(&text).map_err(|e| e.to_string())?;
    for persona in &document.personas {
        println!("Persona: {} ({})", persona.name, persona.id);
        if let Some(description) = &persona.description {
            println!("  {description}");
        }
        for goal in &persona.goals {
            println!("  goal: {goal}");
        }
        for pain in &persona.pain_points {
            println!("  pain point: {pain}");
        }
    }
    for journey in &document.journeys {
        print_journey(journey);
    }
    let report = document.validate();
    println!(
        "\nValidation: {} error(s), {} warning(s)",
        report.errors().count(),
        report.warnings().count()
    );
    for finding in &report.findings {
        println!("  {finding}");
    }
    println!();
    Ok(())
}

fn print_journey(journey: &Journey) {
    println!("\nJourney: {} ({})", journey.name, journey.id);
    for stage in &journey.stages {
        println!("  Stage {}:", stage.name);
        for touchpoint in journey.touchpoints_in(&stage.id) {
            if touchpoint.status == Status::Missing {
                continue;
            }
            let emotion = touchpoint
                .emotion
                .map(|e| format!("{e:+.1} {}", emotion_bar(e)))
                .unwrap_or_else(|| "   no emotion".to_owned());
            println!(
                "    {:<32} {:<13} {emotion}",
                touchpoint.name,
                touchpoint.channel.as_str()
            );
        }
    }
    let missing: Vec<_> = journey.missing_touchpoints().collect();
    println!("  Missing touchpoints ({}):", missing.len());
    for touchpoint in missing {
        let stage = journey
            .stage(&touchpoint.stage)
            .map_or(touchpoint.stage.as_str(), |s| s.name.as_str());
        println!("    {} [{}]", touchpoint.name, stage);
    }
}

/// A small text curve: left of `|` is negative, right is positive.
fn emotion_bar(emotion: f64) -> String {
    let steps = (emotion.abs() * 2.0).round() as usize;
    if emotion < 0.0 {
        format!("{:>4}|", "-".repeat(steps.min(4)))
    } else {
        format!("    |{}", "+".repeat(steps.min(4)))
    }
}
