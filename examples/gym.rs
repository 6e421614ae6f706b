//! The main example: load the gym journey document, validate it, print a
//! readable summary and write each journey's map as SVG into `target/`
//! (`target/gym.svg`). Pass another document's path to summarise that instead:
//!
//! ```text
//! cargo run --example gym
//! cargo run --example gym -- examples/data/shoe.json
//! ```

use std::process::ExitCode;

use journey_core::analysis::{Analysis, Options};
use journey_core::render::{SvgOptions, render_svg};
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
    if report.is_valid() {
        for journey in &document.journeys {
            let analysis = document
                .analyze(&journey.id, &Options::default())
                .map_err(|e| e.to_string())?;
            print_analysis(journey, &analysis);
        }
    }
    for journey in &document.journeys {
        let options = SvgOptions {
            analysis: report.is_valid(),
            ..SvgOptions::default()
        };
        let svg = render_svg(&document, &journey.id, &options).map_err(|e| e.to_string())?;
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../target");
        std::fs::create_dir_all(root).map_err(|e| e.to_string())?;
        let file = format!("{root}/{}.svg", journey.id);
        std::fs::write(&file, svg).map_err(|e| format!("{file}: {e}"))?;
        println!("\nJourney map: target/{}.svg", journey.id);
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

fn print_analysis(journey: &Journey, analysis: &Analysis) {
    println!("\nAnalysis of {}:", journey.name);
    println!(
        "  Goal probability {:.1}%, expected steps {:.2}{}",
        100.0 * analysis.goal_probability,
        analysis.expected_steps,
        analysis
            .expected_time
            .map(|t| format!(", expected time {:.1} h", t / 3600.0))
            .unwrap_or_default()
    );
    for goal in &analysis.goals {
        println!(
            "    via {:<28} {:>6.1}%",
            goal.touchpoint,
            100.0 * goal.probability
        );
    }
    println!("  Funnel:");
    println!(
        "    {:<16} {:>7} {:>11} {:>9} {:>9}",
        "stage", "reach", "conversion", "drop-off", "emotion"
    );
    for (stage, experience) in analysis.funnel.iter().zip(&analysis.stages) {
        println!(
            "    {:<16} {:>6.1}% {:>11} {:>8.1}% {:>9}",
            stage.stage,
            100.0 * stage.reach,
            stage
                .conversion
                .map(|c| format!("{:.1}%", 100.0 * c))
                .unwrap_or_else(|| "-".to_owned()),
            100.0 * stage.drop_off,
            experience
                .emotion
                .map(|e| format!("{e:+.2}"))
                .unwrap_or_else(|| "-".to_owned()),
        );
    }
    println!("  Most likely paths to a goal:");
    for path in &analysis.paths.to_goal {
        println!(
            "    {:>6.2}%  {}{}",
            100.0 * path.probability,
            path.touchpoints.join(" > "),
            if path.sawtooth { "  (sawtooth)" } else { "" }
        );
    }
    println!("  Most likely drop-offs:");
    for path in analysis.paths.to_drop_off.iter().take(3) {
        println!(
            "    {:>6.2}%  {} > (leaves)",
            100.0 * path.probability,
            path.touchpoints.join(" > ")
        );
    }
    println!("  Pain points by impact:");
    for pain in analysis.pain_points.iter().take(5) {
        println!(
            "    {:<22} impact {:.3} (reach {:.1}%, severity {:.2}, importance {}): {}",
            pain.touchpoint,
            pain.impact,
            100.0 * pain.reach,
            pain.severity,
            pain.importance,
            pain.reasons.join("; ")
        );
    }
    let mut impacts: Vec<_> = analysis
        .touchpoints
        .iter()
        .filter(|t| t.reach > 0.0)
        .collect();
    impacts.sort_by(|a, b| {
        b.removal_effect
            .total_cmp(&a.removal_effect)
            .then(a.touchpoint.cmp(&b.touchpoint))
    });
    println!("  Touchpoint impact (goal probability lost without it):");
    for touchpoint in impacts.iter().take(6) {
        println!(
            "    {:<22} {:>6.1}%",
            touchpoint.touchpoint,
            100.0 * touchpoint.removal_effect
        );
    }
}
