//! Reads an event log (CSV, XES or `.xes.gz`, JSON) and prints what
//! discovery finds in it (the directly-follows graph, start and end counts,
//! frequencies and every variant) as one line of JSON, exactly as every
//! front serializes it:
//!
//! ```text
//! cargo run --example discover -- examples/data/xes/running-example.xes
//! cargo run --example discover -- examples/data/gym-events.csv [--top N]
//! ```
//!
//! The format is chosen by the file's name (`.xes`, `.xes.gz`, `.json`,
//! `.jsonl`, else CSV), each read with its default options.

use std::process::ExitCode;

use journey_core::discovery::Discovery;
use journey_core::events::{CsvOptions, EventLog, JsonOptions, Mapping, XesOptions};

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
    let (path, top) = match args {
        [path] => (path, usize::MAX),
        [path, flag, top] if flag == "--top" => (
            path,
            top.parse().map_err(|_| format!("not a count: {top}"))?,
        ),
        _ => return Err("usage: discover FILE [--top N]".to_owned()),
    };
    let input = std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let mut log = EventLog::new();
    let read = if path.ends_with(".xes") || path.ends_with(".xes.gz") {
        log.read_xes(input, &XesOptions::default())
    } else if path.ends_with(".json") || path.ends_with(".jsonl") {
        log.read_json(input, &JsonOptions::default())
    } else {
        log.read_csv(input, &CsvOptions::default())
    };
    read.map_err(|e| format!("{path}: {e}"))?;
    let discovery = Discovery::from_log(&log, None, &Mapping::default());
    serde_json::to_string(&discovery.report(top)).map_err(|e| e.to_string())
}
