//! XES logs in and out: the bundled public logs give pm4py's discovery
//! facts, gzipped or not; classifiers, defaults, bad events and the round
//! trip XES → EventLog → XES.

use journey_core::ErrorKind;
use journey_core::discovery::Discovery;
use journey_core::events::{EventLog, Mapping, OnError, XesOptions};

fn bundled(name: &str) -> Vec<u8> {
    let path = format!("{}/../examples/data/xes/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

fn discover(log: &EventLog) -> Discovery {
    Discovery::from_traces(&log.traces(None, &Mapping::default()))
}

fn edges(discovery: &Discovery) -> usize {
    discovery.edges.values().map(|targets| targets.len()).sum()
}

#[test]
fn the_bundled_logs_give_pm4pys_directly_follows_edges_and_variants() {
    // (file, events, cases, edges, variants), as pm4py 2.7.23 finds them.
    for (file, events, cases, edge_count, variants) in [
        ("running-example.xes", 42, 6, 16, 6),
        ("receipt.xes.gz", 8577, 1434, 99, 116),
        ("repair-example.xes.gz", 11_855, 1104, 23, 77),
    ] {
        let mut log = EventLog::new();
        let report = log
            .read_xes(&bundled(file)[..], &XesOptions::default())
            .unwrap();
        assert_eq!(
            (report.rows_used, report.rows_skipped),
            (events, 0),
            "{file}: {:?}",
            report.problems
        );
        assert_eq!(log.customer_count(), cases, "{file}");
        let discovery = discover(&log);
        assert_eq!(edges(&discovery), edge_count, "{file}");
        assert_eq!(discovery.variants.len(), variants, "{file}");
        assert_eq!(discovery.traces, cases as u64, "{file}");
    }
}

#[test]
fn a_declared_classifier_names_events_by_its_keys() {
    let bytes = bundled("repair-example.xes.gz");
    let options = XesOptions {
        classifier: Some("MXML Legacy Classifier".into()),
        ..XesOptions::default()
    };
    let mut log = EventLog::new();
    log.read_xes(&bytes[..], &options).unwrap();
    let first = log.get(0).unwrap();
    assert_eq!(first.customer, "1");
    assert_eq!(first.name, "Register+complete");
    assert!(log.iter().any(|e| e.name == "Analyze Defect+start"));
    let error = EventLog::new()
        .read_xes(
            &bytes[..],
            &XesOptions {
                classifier: Some("Activity".into()),
                ..XesOptions::default()
            },
        )
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidOption);
    assert!(
        error.to_string().contains("\"MXML Legacy Classifier\""),
        "{error}"
    );
}

const SMALL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
  <global scope="trace"><string key="concept:name" value="__INVALID__"/></global>
  <global scope="event">
    <string key="lifecycle:transition" value="complete"/>
    <string key="concept:name" value="UNNAMED"/>
  </global>
  <trace>
    <event>
      <string key="concept:name" value="visit &amp; look"/>
      <date key="time:timestamp" value="2011-10-11T13:45:40.276512+02:00"/>
      <float key="csat" value="4.5"/>
      <string key="channel" value="web"/>
      <container key="nested"><string key="concept:name" value="not mine"/></container>
    </event>
    <string key="concept:name" value="c1"/>
    <event>
      <date key="time:timestamp" value="2011-10-11T11:45:41Z"/>
      <int key="csat" value="3"/>
    </event>
    <event>
      <string key="concept:name" value="late"/>
    </event>
    <event>
      <string key="concept:name" value="bad time"/>
      <date key="time:timestamp" value="2011-10-11 11:45:41"/>
    </event>
    <event>
      <string key="concept:name" value="bad measure"/>
      <date key="time:timestamp" value="2011-10-11T11:45:42Z"/>
      <string key="csat" value="good"/>
    </event>
  </trace>
  <trace>
    <event>
      <string key="concept:name" value="orphan"/>
      <date key="time:timestamp" value="2011-10-11T11:45:41Z"/>
    </event>
  </trace>
  <trace/>
</log>
"#;

#[test]
fn defaults_measures_channels_and_bad_events_are_read_as_the_standard_says() {
    let options = XesOptions {
        channel: Some("channel".into()),
        measures: vec!["csat".into()],
        ..XesOptions::default()
    };
    let mut log = EventLog::new();
    let report = log.read_xes(SMALL.as_bytes(), &options).unwrap();
    let problems: Vec<(u64, &str)> = report
        .problems
        .iter()
        .map(|p| (p.row, p.reason.as_str()))
        .collect();
    assert_eq!(
        problems,
        [
            (22, "the event has no time:timestamp"),
            (
                26,
                "timestamp \"2011-10-11 11:45:41\" has no time zone: set the time_zone option to where it was written (\"UTC\", an offset such as \"+02:00\", or a name such as \"Europe/Paris\")"
            ),
            (31, "csat value \"good\" is not a number"),
            (37, "the trace has no concept:name (the customer)"),
        ]
    );
    assert_eq!((report.rows_read, report.rows_used), (6, 2));
    let events: Vec<_> = log.iter().map(|e| e.to_event()).collect();
    assert_eq!(events.len(), 2);
    // The trace's name follows its first event: still its customer.
    assert_eq!(events[0].customer, "c1");
    assert_eq!(events[0].name, "visit & look");
    assert_eq!(events[0].timestamp_micros(), Some(1_318_333_540_276_512));
    assert_eq!(events[0].channel.as_deref(), Some("web"));
    assert_eq!(events[0].measures["csat"], 4.5);
    // A name from the global default; an int measure.
    assert_eq!(events[1].name, "UNNAMED");
    assert_eq!(events[1].measures["csat"], 3.0);
    // Strict: the first bad event fails the read.
    let strict = XesOptions {
        on_error: OnError::Fail,
        ..options.clone()
    };
    let error = EventLog::new()
        .read_xes(SMALL.as_bytes(), &strict)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "XES line 22: the event has no time:timestamp"
    );
    // Not XML: an error with the line, the traces before it kept.
    let cut = format!(
        "{}<trace><event></trace>",
        &SMALL[..SMALL
            .find("<trace>\n    <event>\n      <string key=\"concept:name\" value=\"orphan")
            .unwrap()]
    );
    let mut kept = EventLog::new();
    let error = kept.read_xes(cut.as_bytes(), &options).unwrap_err();
    assert!(error.to_string().contains("not well-formed XML"), "{error}");
    assert_eq!(kept.len(), 2);
    // Nothing kept: an error unless allowed.
    let empty = "<log><trace><string key=\"concept:name\" value=\"x\"/></trace></log>";
    let error = EventLog::new()
        .read_xes(empty.as_bytes(), &options)
        .unwrap_err();
    assert!(error.to_string().contains("no event rows"), "{error}");
    let allowed = XesOptions {
        allow_empty: true,
        ..options
    };
    assert_eq!(
        EventLog::new()
            .read_xes(empty.as_bytes(), &allowed)
            .unwrap()
            .rows_read,
        0
    );
}

#[test]
fn xes_written_is_read_back_with_every_event_its_order_and_its_time() {
    for file in [
        "running-example.xes",
        "receipt.xes.gz",
        "repair-example.xes.gz",
    ] {
        let mut log = EventLog::new();
        log.read_xes(&bundled(file)[..], &XesOptions::default())
            .unwrap();
        let mut written = Vec::new();
        log.write_xes(&mut written).unwrap();
        let mut again = EventLog::new();
        again
            .read_xes(&written[..], &XesOptions::default())
            .unwrap();
        assert_eq!(again, log, "{file}");
        let mut twice = Vec::new();
        again.write_xes(&mut twice).unwrap();
        assert_eq!(twice, written, "{file}");
    }
    // Channels, measures, microseconds and names that need escaping.
    let options = XesOptions {
        channel: Some("channel".into()),
        measures: vec!["csat".into()],
        ..XesOptions::default()
    };
    let mut log = EventLog::new();
    log.read_xes(SMALL.as_bytes(), &options).unwrap();
    let mut written = Vec::new();
    log.write_xes(&mut written).unwrap();
    let mut again = EventLog::new();
    again.read_xes(&written[..], &options).unwrap();
    assert_eq!(again, log);
    assert!(
        String::from_utf8(written)
            .unwrap()
            .contains("value=\"2011-10-11T11:45:40.276512Z\"")
    );
}

#[test]
fn a_cut_or_damaged_gzip_is_an_error_with_the_traces_before_it_kept() {
    let whole = bundled("receipt.xes.gz");
    for cut in [20, 5000, whole.len() / 2] {
        let mut log = EventLog::new();
        let error = log
            .read_xes(&whole[..cut], &XesOptions::default())
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::CsvError, "{cut}: {error}");
        assert!(error.to_string().starts_with("XES line "), "{error}");
        assert!(log.len() < 8577);
    }
    let mut damaged = whole.clone();
    for byte in &mut damaged[2000..2100] {
        *byte ^= 0x5a;
    }
    assert!(
        EventLog::new()
            .read_xes(&damaged[..], &XesOptions::default())
            .is_err()
    );
}
