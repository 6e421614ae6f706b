//! Prints a journey's touchpoint graph as Graphviz DOT.
//!
//! ```text
//! cargo run --example dot -- examples/data/gym.json gym | dot -Tsvg > gym-graph.svg
//! ```

use std::process::ExitCode;

use journey_core::Document;
use journey_core::render::{DotOptions, to_dot};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (path, journey) = match args.as_slice() {
        [path, journey] => (path.as_str(), journey.as_str()),
        _ => ("examples/data/gym.json", "gym"),
    };
    let document = match std::fs::read_to_string(path)
        .map_err(|e| e.to_string())
        .and_then(|text| Document::from_json(&text).map_err(|e| e.to_string()))
    {
        Ok(document) => document,
        Err(message) => {
            eprintln!("{path}: {message}");
            return ExitCode::FAILURE;
        }
    };
    match document.journey(journey) {
        Some(journey) => {
            print!("{}", to_dot(journey, &DotOptions::default()));
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("no journey {journey:?} in {path}");
            ExitCode::FAILURE
        }
    }
}
