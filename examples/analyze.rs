//! Prints the analysis of one journey of a document as JSON, exactly as every
//! front serializes it:
//!
//! ```text
//! cargo run --example analyze -- examples/data/gym.json gym
//! cargo run --release --example analyze -- --synthetic 1000 [--seed S] [--time ROUNDS]
//! ```
//!
//! `--synthetic N` prints the generated journey document instead (from seed
//! 42, or `--seed S`); with `--time ROUNDS` it times `analyze` on it and
//! prints the mean in ms.

use std::process::ExitCode;
use std::time::Instant;

use journey_core::analysis::{Options, analyze};
use journey_core::{Document, synthetic};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(output) => {
            println!("{output}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<String, String> {
    match args {
        [flag, n, rest @ ..] if flag == "--synthetic" => {
            let n: usize = n.parse().map_err(|_| format!("not a size: {n}"))?;
            let (seed, rest) = match rest {
                [flag, seed, rest @ ..] if flag == "--seed" => (
                    seed.parse().map_err(|_| format!("not a seed: {seed}"))?,
                    rest,
                ),
                _ => (42, rest),
            };
            let journey = synthetic::journey(n, seed);
            if let [time, rounds] = rest
                && time == "--time"
            {
                let rounds: u32 = rounds
                    .parse()
                    .map_err(|_| format!("not a count: {rounds}"))?;
                let start = Instant::now();
                for _ in 0..rounds {
                    analyze(&journey, &Options::default()).map_err(|e| e.to_string())?;
                }
                let ms = start.elapsed().as_secs_f64() * 1000.0 / f64::from(rounds);
                return Ok(format!("{ms:.3}"));
            }
            let document = Document {
                journeys: vec![journey],
                ..Document::new()
            };
            document.to_json().map_err(|e| e.to_string())
        }
        [path, journey] => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
            let document = Document::from_json(&text).map_err(|e| e.to_string())?;
            let analysis = document
                .analyze(journey, &Options::default())
                .map_err(|e| e.to_string())?;
            serde_json::to_string(&analysis).map_err(|e| e.to_string())
        }
        _ => Err(
            "usage: analyze DOCUMENT JOURNEY | analyze --synthetic N [--seed S] [--time ROUNDS]"
                .into(),
        ),
    }
}
