//! journey's side of the peer comparison (benches/compare/run.sh).
//!
//! ```text
//! compare generate-log CUSTOMERS FILE      simulated gym event log as CSV
//! compare generate-paths JOURNEYS FILE [SHAPE]   simulated path data: `project`
//!                                          (30 channels, the default), `long-skewed`
//!                                          (45 skewed channels, journeys up to 25
//!                                          touches, a fifth repeating one) or
//!                                          `pages` (5,000 pages as touchpoints)
//! compare discover LOG.csv OUT.json        CSV → traces → directly-follows graph,
//!                                          start/end counts, variants, funnel
//! compare aggregate LOG.csv                events/s of parsed events → traces →
//!                                          discovery state
//! compare attribute PATHS.csv ORDER OUT.json   Markov removal effects (ORDER
//!                                          one order, or several as 1,2,3,4: each
//!                                          timed alone, then the total)
//! compare read LOG.csv ROUNDS              CSV → event log alone, the fastest
//!                                          and the median of ROUNDS reads
//! compare generate-xes CUSTOMERS FILE      simulated gym event log as XES
//! compare xes LOG.xes[.gz] OUT.json        XES → event log (timed alone), then
//!                                          the directly-follows graph, start/end
//!                                          counts and variants
//! ```
//!
//! Timings are printed as `seconds <label> <s>` lines for run.sh.

use std::process::ExitCode;
use std::time::Instant;

use journey_core::attribution::{AttributionOptions, PathTable, attribute_table, write_paths_csv};
use journey_core::discovery::{Discovery, DiscoveryReport};
use journey_core::events::{CsvOptions, EventLog, Mapping, XesOptions};
use journey_core::{Document, synthetic};
use serde_json::json;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn gym() -> Result<Document, String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/data/gym.json");
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    Document::from_json(&text).map_err(|e| e.to_string())
}

fn create(path: &str) -> Result<std::io::BufWriter<std::fs::File>, String> {
    std::fs::File::create(path)
        .map(std::io::BufWriter::new)
        .map_err(|e| format!("{path}: {e}"))
}

fn read_log(path: &str) -> Result<EventLog, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let mut log = EventLog::new();
    let report = log
        .read_csv(file, &CsvOptions::default())
        .map_err(|e| e.to_string())?;
    if report.rows_skipped > 0 {
        return Err(format!(
            "{} rows skipped: {:?}",
            report.rows_skipped,
            report.problems.first()
        ));
    }
    Ok(log)
}

/// What the peer script checks of a discovery: the events, the
/// directly-follows counts, the start and end counts and the variants.
fn discovery_json(report: &DiscoveryReport, events: usize) -> serde_json::Value {
    let edges: Vec<_> = report
        .edges
        .iter()
        .map(|e| json!([e.from, e.to, e.count]))
        .collect();
    let variants: Vec<_> = report
        .variants
        .iter()
        .map(|v| json!([v.touchpoints, v.count]))
        .collect();
    json!({
        "events": events,
        "edges": edges,
        "starts": report.starts,
        "ends": report.ends,
        "variants": variants,
    })
}

fn run(args: &[String]) -> Result<(), String> {
    let number = |text: &str| {
        text.parse::<usize>()
            .map_err(|_| format!("not a number: {text}"))
    };
    match args {
        [command, n, path] if command == "generate-log" => {
            let document = gym()?;
            let journey = document.journey("gym").ok_or("no gym journey")?;
            let log = synthetic::event_log(journey, number(n)?, 11, true);
            log.write_csv(create(path)?).map_err(|e| e.to_string())?;
            println!("events {}", log.len());
            Ok(())
        }
        [command, n, path, rest @ ..] if command == "generate-paths" && rest.len() <= 1 => {
            let journeys = number(n)?;
            let paths = match rest.first().map(String::as_str) {
                None | Some("project") => synthetic::paths(journeys, 30, 5),
                Some("long-skewed") => {
                    synthetic::paths_shaped(journeys, &synthetic::PathShape::long_skewed(), 5)
                }
                Some("pages") => {
                    synthetic::paths_shaped(journeys, &synthetic::PathShape::pages(5000), 5)
                }
                Some(other) => return Err(format!("no path shape {other:?}")),
            };
            write_paths_csv(&paths, create(path)?).map_err(|e| e.to_string())?;
            println!("paths {}", paths.len());
            Ok(())
        }
        [command, path, out] if command == "discover" => {
            let document = gym()?;
            let journey = document.journey("gym").ok_or("no gym journey")?;
            let start = Instant::now();
            let log = read_log(path)?;
            let read = start.elapsed().as_secs_f64();
            let mapping = Mapping::default();
            let (discovery, funnel) = Discovery::with_funnel_from_log(&log, journey, &mapping);
            let discovered = start.elapsed().as_secs_f64();
            let report = discovery.report(usize::MAX);
            let total = start.elapsed().as_secs_f64();
            println!("seconds discover {total:.6}");
            println!(
                "phases read {read:.3} discovery+funnel {:.3} report {:.3}",
                discovered - read,
                total - discovered
            );
            let mut result = discovery_json(&report, log.len());
            result["funnel"] = json!(funnel);
            std::fs::write(out, result.to_string()).map_err(|e| e.to_string())
        }
        [command, n, path] if command == "generate-xes" => {
            let document = gym()?;
            let journey = document.journey("gym").ok_or("no gym journey")?;
            let log = synthetic::event_log(journey, number(n)?, 11, true);
            log.write_xes(create(path)?).map_err(|e| e.to_string())?;
            println!("events {}", log.len());
            Ok(())
        }
        [command, path, out] if command == "xes" => {
            let start = Instant::now();
            let file = std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?;
            let mut log = EventLog::new();
            let report = log
                .read_xes(file, &XesOptions::default())
                .map_err(|e| e.to_string())?;
            println!("seconds read_xes {:.6}", start.elapsed().as_secs_f64());
            let mapping = Mapping::default();
            let discovered = Discovery::from_log(&log, None, &mapping).report(usize::MAX);
            let mut result = discovery_json(&discovered, log.len());
            result["skipped"] = json!(report.rows_skipped);
            std::fs::write(out, result.to_string()).map_err(|e| e.to_string())
        }
        [command, path, rounds] if command == "read" => {
            let mut times = Vec::new();
            for _ in 0..number(rounds)?.max(1) {
                let start = Instant::now();
                let log = read_log(path)?;
                times.push(start.elapsed().as_secs_f64());
                std::hint::black_box(log);
            }
            times.sort_by(f64::total_cmp);
            println!(
                "read fastest {:.4} median {:.4} seconds",
                times[0],
                times[times.len() / 2]
            );
            Ok(())
        }
        [command, path] if command == "aggregate" => {
            let log = read_log(path)?;
            let mapping = Mapping::default();
            let rounds = 5;
            let (mut fused, mut cutting, mut tallying) = (0.0, 0.0, 0.0);
            for _ in 0..rounds {
                // Parsed events → discovery state, traces tallied as cut.
                let start = Instant::now();
                std::hint::black_box(Discovery::from_log(&log, None, &mapping));
                fused += start.elapsed().as_secs_f64();
                // The same through a trace table (which the funnel, fitting
                // and conformance also read).
                let start = Instant::now();
                let traces = log.trace_table(None, &mapping);
                let cut = start.elapsed().as_secs_f64();
                std::hint::black_box(Discovery::from_traces(&traces));
                cutting += cut;
                tallying += start.elapsed().as_secs_f64() - cut;
            }
            let rounds = f64::from(rounds);
            let seconds = fused / rounds;
            println!("seconds aggregate {seconds:.6}");
            println!(
                "through_trace_table {:.4} (traces {:.4} discovery {:.4}), {:.0} events/s",
                (cutting + tallying) / rounds,
                cutting / rounds,
                tallying / rounds,
                log.len() as f64 * rounds / (cutting + tallying)
            );
            println!("events_per_second {:.0}", log.len() as f64 / seconds);
            Ok(())
        }
        [command, path, orders, out] if command == "attribute" => {
            let orders: Vec<u8> = orders
                .split(',')
                .map(|o| o.parse().map_err(|_| format!("not an order: {o}")))
                .collect::<Result<_, _>>()?;
            let all = Instant::now();
            let mut effects = serde_json::Map::new();
            for &order in &orders {
                // Each order timed from the file, as a caller asking for it alone.
                let start = Instant::now();
                let file = std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?;
                let (paths, _) =
                    PathTable::read_csv(file, &Default::default()).map_err(|e| e.to_string())?;
                let result = attribute_table(
                    &paths,
                    &AttributionOptions {
                        orders: vec![order],
                        ..Default::default()
                    },
                )
                .map_err(|e| e.to_string())?;
                let model = &result.markov[0];
                let transitions = model.transitions;
                println!(
                    "seconds attribute_order_{order} {:.6} states {} transitions {transitions}",
                    start.elapsed().as_secs_f64(),
                    model.states
                );
                if effects.is_empty() {
                    effects = model
                        .touchpoints
                        .iter()
                        .map(|t| (t.touchpoint.clone(), json!(t.removal_effect)))
                        .collect();
                }
            }
            if orders.len() > 1 {
                println!("seconds attribute_all {:.6}", all.elapsed().as_secs_f64());
            }
            std::fs::write(out, json!({ "removal_effects": effects }).to_string())
                .map_err(|e| e.to_string())
        }
        _ => Err("usage: see the top of benches/compare/compare.rs".into()),
    }
}
