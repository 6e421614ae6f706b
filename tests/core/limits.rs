//! The README's table of limits says what the code enforces: each row's
//! value is the constant or default the readers check.

use journey_core::document::{Limits, MAX_NESTING};
use journey_core::{attribution, events, fit, options, tracker};

/// The rows of the table under "### Limits": (limit, value in units).
fn table() -> Vec<(String, usize)> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md");
    let section = readme.split("### Limits").nth(1).expect("a Limits section");
    section
        .lines()
        .filter(|line| line.starts_with("| ") && !line.starts_with("| limit"))
        .map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            (cells[1].to_owned(), value(cells[2]))
        })
        .collect()
}

/// "64 MiB" or "10,000" as a number.
fn value(text: &str) -> usize {
    let (number, unit) = text.split_once(' ').unwrap_or((text, ""));
    let number: usize = number.replace(',', "").parse().expect(text);
    match unit {
        "" => number,
        "MiB" => number << 20,
        other => panic!("unknown unit {other:?}"),
    }
}

#[test]
fn the_readme_table_of_limits_is_what_the_code_enforces() {
    let limits = Limits::default();
    let (restore_floor, _) = tracker::MAX_RESTORE_MEMORY;
    let expected: Vec<(&str, usize)> = vec![
        ("document text", limits.max_document_bytes),
        ("personas", limits.max_personas),
        ("measure definitions", limits.max_measures),
        ("journeys", limits.max_journeys),
        ("stages per journey", limits.max_stages),
        ("touchpoints per journey", limits.max_touchpoints),
        ("transitions per journey", limits.max_transitions),
        ("JSON nesting", MAX_NESTING),
        ("options text", options::MAX_OPTIONS_BYTES),
        ("tracker history", tracker::MAX_HISTORY),
        ("tracker shards", tracker::MAX_SHARDS),
        ("snapshot restore memory", restore_floor),
        ("context order", fit::MAX_CONTEXT_ORDER),
        ("attribution work", attribution::MAX_WORK as usize),
        ("CSV record", events::MAX_RECORD_BYTES),
        ("CSV problems listed", events::MAX_LISTED_PROBLEMS),
    ];
    let table = table();
    let found: Vec<(&str, usize)> = table.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(found, expected);
    assert_eq!(
        attribution::AttributionOptions::default().max_work,
        attribution::MAX_WORK
    );
    assert_eq!(
        tracker::MAX_RESTORE_MEMORY.1,
        1024,
        "the README says 1,024 bytes per byte"
    );
}

#[test]
fn the_tracker_bounds_are_enforced_at_their_values() {
    let document = journey_core::Document::from_json(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../examples/data/gym.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let gym = document.journey("gym").unwrap();
    let with = |history, shards| {
        tracker::Tracker::new(
            gym,
            tracker::TrackerOptions {
                history,
                shards,
                ..Default::default()
            },
        )
    };
    assert!(with(tracker::MAX_HISTORY, 1).is_ok());
    assert!(with(tracker::MAX_HISTORY + 1, 1).is_err());
    assert!(with(1, tracker::MAX_SHARDS).is_ok());
    assert!(with(1, tracker::MAX_SHARDS + 1).is_err());
}
