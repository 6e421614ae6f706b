//! Helpers shared by the integration tests.

#![allow(dead_code)]

use journey_core::Document;

/// The text of a bundled example document, e.g. `"gym.json"`.
pub fn example_text(name: &str) -> String {
    let path = format!("{}/../examples/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

/// A bundled example document, parsed.
pub fn example(name: &str) -> Document {
    Document::from_json(&example_text(name)).unwrap_or_else(|e| panic!("parsing {name}: {e}"))
}
