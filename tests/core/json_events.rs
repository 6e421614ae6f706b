//! Events in JSON as the systems users have emit them: Segment `track`
//! calls, Zendesk's and Intercom's events, Freshdesk's contact activities,
//! journey's own shape; JSON Lines, arrays and wrapped arrays; bad events
//! reported; the tracker fed the same payloads.

use journey_core::ErrorKind;
use journey_core::events::{EventLog, JsonOptions, JsonPreset, OnError};

/// 2011-10-11T13:45:40Z in epoch milliseconds.
const AT: i64 = 1_318_340_740_000;

fn events(log: &EventLog) -> Vec<(String, i64, String, Option<String>)> {
    log.iter()
        .map(|e| {
            (
                e.customer.into(),
                e.timestamp,
                e.name.into(),
                e.channel.map(Into::into),
            )
        })
        .collect()
}

fn preset(preset: JsonPreset) -> JsonOptions {
    JsonOptions {
        preset: Some(preset),
        ..JsonOptions::default()
    }
}

#[test]
fn segment_track_calls_in_json_lines_and_in_a_batch() {
    let lines = r#"{"type":"track","userId":"u1","event":"Viewed Pricing","timestamp":"2011-10-11T13:45:40.000Z","channel":"browser","properties":{"plan":"pro","price":29}}
{"type":"track","anonymousId":"anon-7","event":"Signed Up","timestamp":"2011-10-11T13:45:41Z","properties":{}}

{"type":"track","userId":"u1","event":"Started Trial","timestamp":"2011-10-11T15:45:42+02:00"}
"#;
    let mut options = preset(JsonPreset::Segment);
    options
        .measures
        .insert("price".into(), "properties.price".into());
    let mut log = EventLog::new();
    let report = log.read_json(lines.as_bytes(), &options).unwrap();
    assert_eq!((report.rows_read, report.rows_used), (3, 3));
    assert_eq!(
        events(&log),
        [
            (
                "u1".into(),
                AT,
                "Viewed Pricing".into(),
                Some("browser".into())
            ),
            ("anon-7".into(), AT + 1000, "Signed Up".into(), None),
            ("u1".into(), AT + 2000, "Started Trial".into(), None),
        ]
    );
    assert_eq!(
        log.get(0).unwrap().measures().collect::<Vec<_>>(),
        [("price", 29.0)]
    );
    // The same calls in a batch request body, pretty-printed.
    let batch = format!(
        "{{\n  \"batch\": [\n{}\n  ]\n}}",
        lines
            .lines()
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(",\n")
    );
    let mut again = EventLog::new();
    again.read_json(batch.as_bytes(), &options).unwrap();
    assert_eq!(again, log);
}

#[test]
fn zendesk_intercom_and_freshdesk_events_by_their_field_names() {
    let zendesk = r#"{"data": [
        {"profile": {"source": "acme", "type": "customer", "identifiers": [{"type": "email", "value": "jane@example.com"}]},
         "event": {"source": "acme", "type": "2fa_enabled", "description": "Customer enabled 2FA",
                   "properties": {"passcode_preference": "SMS"}, "created_at": "2011-10-11T13:45:40Z"}},
        {"user_id": 35436, "type": "ticket_viewed", "source": "zendesk", "created_at": "2011-10-11T13:45:41Z", "properties": {}}
    ]}"#;
    let mut log = EventLog::new();
    log.read_json(zendesk.as_bytes(), &preset(JsonPreset::Zendesk))
        .unwrap();
    assert_eq!(
        events(&log),
        [
            (
                "jane@example.com".into(),
                AT,
                "2fa_enabled".into(),
                Some("acme".into())
            ),
            (
                "35436".into(),
                AT + 1000,
                "ticket_viewed".into(),
                Some("zendesk".into())
            ),
        ]
    );
    let intercom = r#"{"type": "event.list", "events": [
        {"type": "event", "event_name": "invited-friend", "created_at": 1318340740, "user_id": "314159", "metadata": {"invitee_email": "pi@example.org"}},
        {"type": "event", "event_name": "ordered-item", "created_at": 1318340741, "email": "ann@example.org", "metadata": {"price": 12.5}}
    ]}"#;
    let mut options = preset(JsonPreset::Intercom);
    options
        .measures
        .insert("price".into(), "metadata.price".into());
    let mut log = EventLog::new();
    log.read_json(intercom.as_bytes(), &options).unwrap();
    assert_eq!(
        events(&log),
        [
            ("314159".into(), AT, "invited-friend".into(), None),
            (
                "ann@example.org".into(),
                AT + 1000,
                "ordered-item".into(),
                None
            ),
        ]
    );
    assert_eq!(
        log.get(1).unwrap().measures().collect::<Vec<_>>(),
        [("price", 12.5)]
    );
    let freshdesk = r#"[
        {"name": "Viewed an article", "timestamp": "2011-10-11T13:45:40Z",
         "actor": {"type": "contact", "id": 42}, "object": {"type": "web", "id": "kb-1"}, "context": {"title": "Reset"}},
        {"name": "Opened a ticket", "timestamp": "2011-10-11T13:45:41Z",
         "actor": {"type": "contact", "email": "bo@example.org"}, "object": {"type": "portal"}}
    ]"#;
    let mut log = EventLog::new();
    log.read_json(freshdesk.as_bytes(), &preset(JsonPreset::Freshdesk))
        .unwrap();
    assert_eq!(
        events(&log),
        [
            (
                "42".into(),
                AT,
                "Viewed an article".into(),
                Some("web".into())
            ),
            (
                "bo@example.org".into(),
                AT + 1000,
                "Opened a ticket".into(),
                Some("portal".into())
            ),
        ]
    );
}

#[test]
fn paths_override_presets_and_bad_events_are_reported() {
    let lines = "{\"customer\":\"c1\",\"timestamp\":1318340740000,\"name\":\"visit\",\"micros\":5}\n\
                 {\"customer\":\"c1\",\"name\":\"no time\"}\n\
                 not json\n\
                 {\"customer\":\"c1\",\"timestamp\":\"2011-10-11 13:45:40\",\"name\":\"naive\"}\n\
                 [1, 2]\n\
                 {\"customer\":{\"id\":1},\"timestamp\":1,\"name\":\"object key\"}\n\
                 {\"customer\":\"c2\",\"timestamp\":\"2011-10-11T13:45:42Z\",\"name\":\"ok\",\"csat\":\"x\"}\n";
    let mut options = JsonOptions::default();
    options.measures.insert("csat".into(), "/csat".into());
    let mut log = EventLog::new();
    let report = log.read_json(lines.as_bytes(), &options).unwrap();
    let problems: Vec<(u64, String)> = report
        .problems
        .iter()
        .map(|p| (p.row, p.reason.clone()))
        .collect();
    // (A line holding an array holds that many events.)
    assert_eq!(problems.len(), 7, "{problems:?}");
    assert_eq!(
        problems[0],
        (2, "the event has no timestamp (at timestamp)".into())
    );
    assert_eq!(problems[1].0, 3);
    assert!(
        problems[1].1.starts_with("the line is not JSON"),
        "{}",
        problems[1].1
    );
    assert_eq!(problems[2].0, 4);
    assert!(
        problems[2].1.contains("has no time zone"),
        "{}",
        problems[2].1
    );
    assert_eq!(problems[3], (5, "the event is not a JSON object: 1".into()));
    assert_eq!(problems[4], (5, "the event is not a JSON object: 2".into()));
    assert_eq!(
        problems[5],
        (6, "the customer is not text or a number: {\"id\":1}".into())
    );
    assert_eq!(
        problems[6],
        (7, "csat value at /csat is not a number".into())
    );
    assert_eq!(events(&log), [("c1".into(), AT, "visit".into(), None)]);
    // Strict: the first bad event fails the read.
    let strict = JsonOptions {
        on_error: OnError::Fail,
        ..options.clone()
    };
    let error = EventLog::new()
        .read_json(lines.as_bytes(), &strict)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "JSON event 2: the event has no timestamp (at timestamp)"
    );
    // A preset with a path of one's own, and an array under a path.
    let body =
        r#"{"result": {"items": [{"uid": "x", "event": "e", "at": "2011-10-11T13:45:40Z"}]}}"#;
    let options = JsonOptions {
        preset: Some(JsonPreset::Segment),
        customer: Some(vec!["uid".into()]),
        timestamp: Some(vec!["at".into()]),
        records: Some("result.items".into()),
        ..JsonOptions::default()
    };
    let mut log = EventLog::new();
    log.read_json(body.as_bytes(), &options).unwrap();
    assert_eq!(events(&log), [("x".into(), AT, "e".into(), None)]);
    // Not JSON where one document was due; nothing kept; a bad option.
    let error = EventLog::new()
        .read_json(&b"[{\"a\": "[..], &JsonOptions::default())
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::ParseError);
    let error = EventLog::new()
        .read_json(&b"[]"[..], &JsonOptions::default())
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::CsvError);
    assert!(
        EventLog::new()
            .read_json(
                &b"  "[..],
                &JsonOptions {
                    allow_empty: true,
                    ..JsonOptions::default()
                }
            )
            .is_ok()
    );
    let error = EventLog::new()
        .read_json(
            &b"[]"[..],
            &JsonOptions {
                customer: Some(vec![]),
                ..JsonOptions::default()
            },
        )
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidOption);
    let error = EventLog::new()
        .read_json(
            &b"{\"a\": 1}"[..],
            &JsonOptions {
                records: Some("b".into()),
                ..JsonOptions::default()
            },
        )
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid option records: the JSON has nothing at \"b\""
    );
}

#[test]
fn the_tracker_is_fed_the_same_payloads() {
    use journey_core::tracker::{Observed, Tracker, TrackerOptions};
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/data/gym.json"
    ))
    .unwrap();
    let document = journey_core::Document::from_json(&text).unwrap();
    let journey = document.journey("gym").unwrap();
    let tracker = Tracker::new(journey, TrackerOptions::default()).unwrap();
    let segment = preset(JsonPreset::Segment);
    let call = r#"{"type":"track","userId":"u1","event":"free_trial_popup","timestamp":"2011-10-11T13:45:40Z"}"#;
    let observed = tracker.observe_json(call, &segment).unwrap();
    assert_eq!(observed, Observed::Placed);
    let unknown = r#"{"userId":"u1","event":"nothing we map","timestamp":"2011-10-11T13:45:41Z"}"#;
    assert_eq!(
        tracker.observe_json(unknown, &segment).unwrap(),
        Observed::Unknown
    );
    let error = tracker
        .observe_json(r#"{"userId":"u1","event":"x"}"#, &segment)
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidArgument);
    assert_eq!(
        error.to_string(),
        "invalid event: the event has no timestamp (at timestamp)"
    );
    assert_eq!(
        tracker.observe_json("{", &segment).unwrap_err().kind(),
        ErrorKind::ParseError
    );
}

#[test]
fn the_tracker_reads_each_payload_by_the_options_of_its_call() {
    // The tracker keeps the reader of the last options: calls that change
    // them (other paths, another zone, options that do not build) each get
    // their own.
    use journey_core::tracker::{Observed, Tracker, TrackerOptions};
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/data/gym.json"
    ))
    .unwrap();
    let document = journey_core::Document::from_json(&text).unwrap();
    let tracker =
        Tracker::new(document.journey("gym").unwrap(), TrackerOptions::default()).unwrap();
    let segment = preset(JsonPreset::Segment);
    let own = JsonOptions {
        customer: Some(vec!["who".into()]),
        event: Some(vec!["what".into()]),
        timestamp: Some(vec!["when".into()]),
        time_zone: Some("Europe/Paris".into()),
        ..JsonOptions::default()
    };
    let broken = JsonOptions {
        time_zone: Some("Mars/Olympus".into()),
        ..own.clone()
    };
    for round in 0..2 {
        let by_segment = format!(
            r#"{{"userId":"u{round}","event":"online_reviews","timestamp":"2026-01-01T09:00:00Z"}}"#
        );
        let by_own = format!(
            r#"{{"who":"u{round}","what":"free_trial_popup","when":"2026-01-01 11:00:00"}}"#
        );
        assert_eq!(
            tracker.observe_json(&by_segment, &segment).unwrap(),
            Observed::Placed
        );
        assert!(tracker.observe_json(&by_own, &segment).is_err());
        assert_eq!(
            tracker.observe_json(&by_own, &own).unwrap(),
            Observed::Placed
        );
        assert_eq!(
            tracker.observe_json(&by_own, &broken).unwrap_err().kind(),
            ErrorKind::InvalidOption
        );
    }
    // 11:00 in Paris in winter is 10:00Z.
    assert_eq!(tracker.stats().placed, 4);
    let position = tracker.position("u1").unwrap();
    assert_eq!(position.touchpoint, "free_trial_popup");
    assert_eq!(position.last_seen, 1_767_261_600_000);
}
