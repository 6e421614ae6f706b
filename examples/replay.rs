//! Replays a bundled event log against the gym journey: reads the CSV
//! (reporting its bad rows), checks conformance, compares the funnel the map
//! predicts with the one measured, fits the map to the data, and attributes
//! the conversions.
//!
//! ```text
//! cargo run --example replay
//! cargo run --example replay -- --generate 400 > log.csv   # a fresh simulated log
//! cargo run --example replay -- --json                      # the results as JSON
//! ```

use std::process::ExitCode;

use journey_core::analysis::Options;
use journey_core::attribution::{AttributionOptions, attribute, paths_from_traces};
use journey_core::conformance::conformance;
use journey_core::discovery::{Discovery, data_funnel};
use journey_core::events::{CsvOptions, EventLog, Mapping};
use journey_core::fit::{FitOptions, fit};
use journey_core::{Document, synthetic};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/data");
    let text = std::fs::read_to_string(format!("{root}/gym.json")).map_err(|e| e.to_string())?;
    let document = Document::from_json(&text).map_err(|e| e.to_string())?;
    let gym = document.journey("gym").ok_or("no gym journey")?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, customers] = args.as_slice()
        && flag == "--generate"
    {
        let customers: usize = customers.parse().map_err(|_| "not a number")?;
        let log = synthetic::event_log(gym, customers, 7, true);
        return log.write_csv(std::io::stdout()).map_err(|e| e.to_string());
    }

    let as_json = args.iter().any(|a| a == "--json");
    let path = format!("{root}/gym-events.csv");
    let file = std::fs::File::open(&path).map_err(|e| format!("{path}: {e}"))?;
    let mut log = EventLog::new();
    let options = CsvOptions {
        measures: vec!["csat".into(), "ces".into(), "nps".into()],
        ..CsvOptions::default()
    };
    let read = log.read_csv(file, &options).map_err(|e| e.to_string())?;
    if as_json {
        // What every front must reproduce for the bundled log (default options).
        let traces = log.traces(Some(gym), &Mapping::default());
        let paths = paths_from_traces(&traces, &gym.goals, &Default::default());
        let results = serde_json::json!({
            "read": read,
            "conformance": conformance(gym, &traces, 10),
            "data_funnel": data_funnel(&traces, gym),
            "discovery": Discovery::from_traces(&log.traces(None, &Mapping::default())).report(10),
            "attribution": attribute(&paths, &AttributionOptions { orders: vec![1, 2], ..Default::default() }).map_err(|e| e.to_string())?,
        });
        println!("{results}");
        return Ok(());
    }
    println!(
        "Read examples/data/gym-events.csv: {} rows, {} used, {} skipped",
        read.rows_read, read.rows_used, read.rows_skipped
    );
    for problem in &read.problems {
        println!("  row {}: {}", problem.row, problem.reason);
    }

    let traces = log.traces(Some(gym), &Mapping::default());
    println!("\n{} customers' traces", traces.traces.len());
    for (name, count) in &traces.unknown_events {
        println!("  event {name:?} is not on the map ({count} times): a missing touchpoint?");
    }

    let check = conformance(gym, &traces, 5);
    println!(
        "\nConformance: {:.1}% of {} observed transitions are on the map",
        100.0 * check.fitness,
        check.transitions
    );
    for deviation in &check.deviations {
        println!(
            "  {:?} {} > {}: {} times (e.g. {})",
            deviation.kind,
            deviation.from,
            deviation.to,
            deviation.count,
            deviation.customers.join(", ")
        );
    }

    let predicted = document
        .analyze("gym", &Options::default())
        .map_err(|e| e.to_string())?;
    let measured = data_funnel(&traces, gym);
    println!("\nFunnel            map    data   median time to next stage");
    for (model, data) in predicted.funnel.iter().zip(&measured) {
        println!(
            "  {:<14} {:>5.1}%  {:>5.1}%   {}",
            model.stage,
            100.0 * model.reach,
            100.0 * data.traces as f64 / traces.traces.len().max(1) as f64,
            data.median_ms_to_next
                .map(|ms| format!("{:.1} h", ms / 3_600_000.0))
                .unwrap_or_else(|| "-".into())
        );
    }

    let discovery = Discovery::from_traces(&traces);
    // Observed-but-unmapped touchpoints join the fitted map, so customers
    // who pass through them are not counted as lost.
    let fitted = fit(
        Some(gym),
        &discovery,
        &FitOptions {
            add_unmapped: true,
            ..FitOptions::default()
        },
    );
    let refitted =
        journey_core::analyze_with_measures(&fitted, &document.measures, &Options::default())
            .map_err(|e| e.to_string())?;
    println!(
        "\nGoal probability: map {:.1}%, fitted to the data {:.1}%",
        100.0 * predicted.goal_probability,
        100.0 * refitted.goal_probability
    );

    let paths = paths_from_traces(&traces, &gym.goals, &Default::default());
    let credit = attribute(
        &paths,
        &AttributionOptions {
            orders: vec![1, 2],
            ..Default::default()
        },
    )
    .map_err(|e| e.to_string())?;
    println!(
        "\nAttribution of {} conversions (Markov order 1 and 2, last touch)",
        credit.conversions
    );
    let mut rows: Vec<_> = credit.markov[0]
        .touchpoints
        .iter()
        .zip(&credit.markov[1].touchpoints)
        .zip(&credit.heuristics)
        .collect();
    rows.sort_by(|a, b| b.0.0.conversions.total_cmp(&a.0.0.conversions));
    for ((first, second), heuristic) in rows.iter().take(8) {
        println!(
            "  {:<20} {:>6.2} {:>6.2} {:>6.2}",
            first.touchpoint, first.conversions, second.conversions, heuristic.last_touch
        );
    }
    Ok(())
}
