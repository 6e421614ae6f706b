//! The bodies of the fuzz targets: each reader on arbitrary bytes, with
//! what must hold whatever they are (no panic, no hang, and a successful
//! read writes back what reads the same). The fuzz targets call these, and
//! `tests/core/fuzz_corpus.rs` runs them on the fixtures and on every input
//! a fuzzer ever found (`fuzz/regressions/<target>/`), so they stay fixed.

use journey_core::analysis::Options;
use journey_core::events::{CsvOptions, EventLog, Mapping, XesOptions};
use journey_core::render::{DotOptions, SvgOptions, render_svg, to_dot};
use journey_core::tracker::{Tracker, TrackerOptions};
use journey_core::{Document, mermaid, options as strict};

/// A fuzz target's body.
pub type Target = fn(&[u8]);

/// The fuzz targets by name, for the corpus test.
pub const TARGETS: [(&str, Target); 7] = [
    ("document", document),
    ("mermaid", mermaid),
    ("events_csv", events_csv),
    ("xes", xes),
    ("paths_csv", paths_csv),
    ("options", options),
    ("snapshot", snapshot),
];

/// A document: read, validated, written back to the same model, and every
/// journey analysed and drawn (errors allowed, panics not).
pub fn document(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(document) = Document::from_json(text) else {
        return;
    };
    let _ = document.validate();
    let written = document.to_json().expect("a read document writes");
    let again = Document::from_json(&written).expect("a written document reads");
    assert_eq!(again, document, "the round trip changes nothing");
    for journey in &document.journeys {
        let _ = document.analyze(&journey.id, &Options::default());
        let _ = to_dot(journey, &DotOptions::default());
        let _ = render_svg(&document, &journey.id, &SvgOptions::default());
        let _ = mermaid::to_mermaid(&document, &journey.id);
    }
}

/// Mermaid text: read, and when read, written and read again.
pub fn mermaid(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(document) = mermaid::from_mermaid(text) else {
        return;
    };
    for journey in &document.journeys {
        let written =
            mermaid::to_mermaid(&document, &journey.id).expect("an imported journey writes");
        mermaid::from_mermaid(&written).expect("written Mermaid reads");
    }
}

/// An event log in CSV: read; what was read writes and reads back to as
/// many events; traces and discovery run.
pub fn events_csv(data: &[u8]) {
    let mut log = EventLog::new();
    let options = CsvOptions {
        measures: vec!["csat".to_owned(), "nps".to_owned()],
        ..CsvOptions::default()
    };
    if log.read_csv(data, &options).is_err() {
        return;
    }
    let mut written = Vec::new();
    log.write_csv(&mut written).expect("a read log writes");
    let mut again = EventLog::new();
    again
        .read_csv(&written[..], &CsvOptions::default())
        .expect("a written log reads");
    assert_eq!(again.len(), log.len(), "the round trip keeps every event");
    let mapping = Mapping {
        session_gap: Some(1_800_000),
        ..Mapping::default()
    };
    let _ = log.traces(None, &mapping);
    let _ = journey_core::discovery::Discovery::from_log(&log, None, &mapping).report(5);
}

/// An XES log, plain or gzipped: what reads writes XES that reads back
/// with every event, and writes the same text again.
pub fn xes(data: &[u8]) {
    let options = XesOptions {
        channel: Some("channel".to_owned()),
        measures: vec!["csat".to_owned()],
        allow_empty: true,
        ..XesOptions::default()
    };
    let mut log = EventLog::new();
    if log.read_xes(data, &options).is_err() {
        return;
    }
    let mut written = Vec::new();
    if log.write_xes(&mut written).is_err() {
        return; // (a time outside the years XES dates hold)
    }
    let mut again = EventLog::new();
    again
        .read_xes(&written[..], &options)
        .expect("a written log reads");
    assert_eq!(again.len(), log.len(), "the round trip keeps every event");
    let mut twice = Vec::new();
    again.write_xes(&mut twice).expect("a read log writes");
    assert_eq!(twice, written, "a written log is written the same again");
}

/// Path data in CSV, and attribution on what was read.
pub fn paths_csv(data: &[u8]) {
    let options = journey_core::attribution::PathCsvOptions::default();
    if let Ok((paths, _)) = journey_core::attribution::read_paths_csv(data, &options) {
        let _ = journey_core::attribution::attribute(&paths, &Default::default());
    }
}

/// Options text, for every options type.
pub fn options(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = strict::from_json::<Options>(text);
    let _ = strict::from_json::<TrackerOptions>(text);
    let _ = strict::from_json::<SvgOptions>(text);
    let _ = strict::from_json::<DotOptions>(text);
    let _ = strict::from_json::<CsvOptions>(text);
    let _ = strict::from_json::<Mapping>(text);
    let _ = strict::from_json::<journey_core::fit::FitOptions>(text);
}

/// A tracker snapshot of the bundled gym journey: refused, or restored to
/// a tracker whose own snapshot is the same bytes.
pub fn snapshot(data: &[u8]) {
    let gym = gym();
    let Some(journey) = gym.journey("gym") else {
        return;
    };
    if let Ok(tracker) = Tracker::restore(journey, data) {
        assert_eq!(
            tracker.snapshot().expect("a restored tracker snapshots"),
            data
        );
    }
}

fn gym() -> &'static Document {
    static GYM: std::sync::OnceLock<Document> = std::sync::OnceLock::new();
    GYM.get_or_init(|| {
        Document::from_json(include_str!("../../examples/data/gym.json")).expect("the gym")
    })
}
