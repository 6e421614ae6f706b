//! Event logs end to end: the bundled gym log with its bad rows, CSV round
//! trip, and discovery merged from random partitions.

mod common;

use journey_core::discovery::Discovery;
use journey_core::events::{CsvOptions, Event, EventLog, Mapping};
use journey_core::synthetic;
use proptest::prelude::*;

fn bundled_log() -> (EventLog, journey_core::events::ReadReport) {
    let text = common::example_text("gym-events.csv");
    let mut log = EventLog::new();
    let options = CsvOptions {
        measures: vec!["csat".into(), "ces".into(), "nps".into()],
        ..CsvOptions::default()
    };
    let report = log.read_csv(text.as_bytes(), &options).unwrap();
    (log, report)
}

#[test]
fn every_problem_is_reported_and_every_good_row_used() {
    let (log, report) = bundled_log();
    assert_eq!(report.rows_read, 1353);
    assert_eq!(report.rows_used, 1351);
    assert_eq!(report.rows_skipped, 2);
    assert_eq!(log.len(), 1351);
    let problems: Vec<(u64, &str)> = report
        .problems
        .iter()
        .map(|p| (p.row, p.reason.as_str()))
        .collect();
    assert_eq!(
        problems,
        [
            (
                1351,
                "timestamp \"last tuesday\" is not an ISO 8601 date-time or epoch seconds/milliseconds/microseconds"
            ),
            (1352, "the row has no event column"),
        ]
    );
    let document = common::example("gym.json");
    let traces = log.traces(document.journey("gym"), &Mapping::default());
    assert_eq!(traces.unknown_events.get("yoga_waitlist"), Some(&1));
    assert_eq!(traces.unknown_events.get("chat_widget"), Some(&59));
    // Unknown events are kept in traces by default…
    let kept: usize = traces.traces.iter().map(|t| t.steps.len()).sum();
    assert_eq!(kept, 1351);
    // …and can be dropped, still counted.
    let dropped = log.traces(
        document.journey("gym"),
        &Mapping {
            unknown: journey_core::events::UnknownEvents::Drop,
            ..Mapping::default()
        },
    );
    let steps: usize = dropped.traces.iter().map(|t| t.steps.len()).sum();
    assert_eq!(steps, 1351 - 60);
    assert_eq!(dropped.unknown_events, traces.unknown_events);
}

#[test]
fn the_bundled_log_is_the_documented_simulation() {
    let document = common::example("gym.json");
    let simulated = synthetic::event_log(document.journey("gym").unwrap(), 300, 7, true);
    let mut written = Vec::new();
    simulated.write_csv(&mut written).unwrap();
    let bundled = common::example_text("gym-events.csv");
    assert!(bundled.starts_with(std::str::from_utf8(&written).unwrap()));
}

#[test]
fn csv_round_trip_keeps_every_event() {
    let document = common::example("gym.json");
    let log = synthetic::event_log(document.journey("gym").unwrap(), 300, 3, true);
    let mut text = Vec::new();
    log.write_csv(&mut text).unwrap();
    let mut back = EventLog::new();
    let options = CsvOptions {
        measures: vec!["csat".into(), "ces".into(), "nps".into()],
        ..CsvOptions::default()
    };
    let report = back.read_csv(text.as_slice(), &options).unwrap();
    assert_eq!(report.rows_skipped, 0);
    assert_eq!(back, log);
}

fn random_log() -> impl Strategy<Value = EventLog> {
    prop::collection::vec(
        (0u8..12, 0i64..100_000, 0u8..6, prop::option::of(0u8..11)),
        0..200,
    )
    .prop_map(|rows| {
        let mut log = EventLog::new();
        for (customer, time, name, score) in rows {
            let mut event = Event::new(format!("u{customer}"), time, format!("t{name}"));
            if let Some(score) = score {
                event = event
                    .measure("nps", f64::from(score))
                    .measure("ces", f64::from(score) / 3.0);
            }
            log.push(&event).unwrap();
        }
        log
    })
}

proptest! {
    #[test]
    fn discovery_merged_from_random_partitions_equals_one_pass(
        log in random_log(),
        parts in 1usize..5,
        assignment in prop::collection::vec(0usize..5, 12),
        order in prop::collection::vec(0usize..5, 5),
    ) {
        let mapping = Mapping::default();
        let whole = Discovery::from_traces(&log.traces(None, &mapping));
        // Customers are assigned to partitions at random.
        let mut partitions = vec![EventLog::new(); parts];
        for event in log.iter() {
            let customer: usize = event.customer[1..].parse().unwrap();
            partitions[assignment[customer] % parts].push(&event.to_event()).unwrap();
        }
        let states: Vec<Discovery> = partitions
            .iter()
            .map(|p| Discovery::from_traces(&p.traces(None, &mapping)))
            .collect();
        // Merged in a random order, and as a tree.
        let mut merged = Discovery::new();
        let mut indices: Vec<usize> = (0..parts).collect();
        indices.sort_by_key(|&i| order[i]);
        for i in indices {
            merged.merge(&states[i]);
        }
        prop_assert_eq!(&merged, &whole);
        let mut left = Discovery::new();
        let mut right = Discovery::new();
        for (i, state) in states.iter().enumerate() {
            if i % 2 == 0 { left.merge(state) } else { right.merge(state) }
        }
        right.merge(&left);
        prop_assert_eq!(&right, &whole);
        // The log's trace table gives what its materialized traces give.
        let table = log.trace_table(None, &mapping);
        prop_assert_eq!(&Discovery::from_traces(&table), &whole);
        prop_assert_eq!(table.to_traces(), log.traces(None, &mapping));
        // And the state survives JSON.
        let json = serde_json::to_string(&merged).unwrap();
        prop_assert_eq!(serde_json::from_str::<Discovery>(&json).unwrap(), whole);
    }
}

/// RFC 3339 text in the common shape and its near misses: separators,
/// fraction lengths, offsets and out-of-range fields.
fn timestamp_text() -> impl Strategy<Value = String> {
    (
        (0i32..10_000, 0u32..14, 0u32..33),
        (0u32..25, 0u32..61, 0u32..62),
        prop::sample::select(vec!["T", "t", " ", "_"]),
        prop::option::of("[0-9]{0,11}"),
        prop::sample::select(vec![
            "Z", "z", "+00:00", "-00:00", "+05:30", "-11:45", "+23:59", "+24:00", "-07:60",
            "+0530", "",
        ]),
    )
        .prop_map(|((y, mo, d), (h, mi, s), sep, fraction, offset)| {
            let fraction = fraction.map(|f| format!(".{f}")).unwrap_or_default();
            format!("{y:04}-{mo:02}-{d:02}{sep}{h:02}:{mi:02}:{s:02}{fraction}{offset}")
        })
}

proptest! {
    /// Where chrono reads RFC 3339, journey reads the same instant; where
    /// it does not, journey reads only the ISO 8601 variants exports write
    /// (an offset without a colon) or refuses.
    #[test]
    fn timestamps_are_read_as_chrono_reads_them(text in timestamp_text()) {
        use journey_core::events::{TimestampFormat, parse_timestamp};
        let expected = chrono::DateTime::parse_from_rfc3339(&text)
            .ok()
            .map(|t| t.timestamp_millis());
        let read = parse_timestamp(&text, TimestampFormat::Rfc3339);
        if expected.is_some() {
            prop_assert_eq!(read, expected);
        } else if read.is_some() {
            let colon = format!("{}:{}", &text[..text.len() - 2], &text[text.len() - 2..]);
            prop_assert!(text.ends_with("+0530"), "{}", text);
            let expected = chrono::DateTime::parse_from_rfc3339(&colon).ok().map(|t| t.timestamp_millis());
            prop_assert_eq!(read, expected);
        }
    }
}

/// A log of several reading batches (4,096 records each), with bad rows in
/// every batch, text that is not UTF-8 in a read and in an unread column,
/// Unicode spaces around fields and a quoted field with the separator: the
/// threaded reader gives what reading row by row gives, and a strict read
/// stops at the first bad row having kept exactly the rows before it.
#[test]
fn large_reads_keep_order_and_report_every_row() {
    let mut bytes: Vec<u8> = b"customer,timestamp,event,channel,note,csat\n".to_vec();
    let mut expected: Vec<Event> = Vec::new();
    let mut bad_rows: Vec<u64> = Vec::new();
    for k in 0..13_000u64 {
        let line = k + 2;
        let customer = format!("c{}", k / 3);
        let time = 1_700_000_000_000 + k as i64 * 1000;
        let row: Vec<u8> = match k % 997 {
            5 => {
                bad_rows.push(line);
                format!("{customer},not-a-time,visit,web,,\n").into_bytes()
            }
            6 => {
                // Not UTF-8 in the event column: a bad row.
                bad_rows.push(line);
                let mut row = format!("{customer},{time},").into_bytes();
                row.extend_from_slice(b"vis\xffit,web,,\n");
                row
            }
            7 => {
                // Not UTF-8 in a column nobody reads: a good row.
                let mut row = format!("{customer},{time},visit,web,").into_bytes();
                row.extend_from_slice(b"\xfe\xff,4\n");
                let mut event = Event::new(&customer, time, "visit");
                event.channel = Some("web".into());
                event.measures.insert("csat".into(), 4.0);
                expected.push(event);
                row
            }
            8 => {
                // Unicode spaces around the event (trimmed, as asked) and a
                // quoted channel.
                let mut event = Event::new(&customer, time, "read article");
                event.channel = Some("web, app".into());
                expected.push(event);
                format!("{customer},{time},\u{a0}read article\u{2003},\"web, app\",,\n")
                    .into_bytes()
            }
            _ => {
                let name = ["visit", "trial", "join", "cancel"][(k % 4) as usize];
                expected.push(Event::new(&customer, time, name));
                format!("{customer},{time},{name},,,\n").into_bytes()
            }
        };
        bytes.extend_from_slice(&row);
    }
    let options = CsvOptions {
        measures: vec!["csat".into()],
        trim: true,
        ..CsvOptions::default()
    };
    let mut log = EventLog::new();
    let report = log.read_csv(&bytes[..], &options).unwrap();
    assert_eq!(report.rows_read, 13_000);
    assert_eq!(report.rows_skipped, bad_rows.len() as u64);
    assert_eq!(report.rows_used, expected.len() as u64);
    let rows: Vec<u64> = report.problems.iter().map(|p| p.row).collect();
    assert_eq!(rows, bad_rows);
    assert!(
        report.problems[1]
            .reason
            .contains("event is not UTF-8 text")
    );
    let events: Vec<Event> = log.iter().map(|e| e.to_event()).collect();
    assert_eq!(events, expected);

    // Strict: fails at the first bad row (line 7, in the first batch) …
    let strict = CsvOptions {
        on_error: journey_core::events::OnError::Fail,
        ..options.clone()
    };
    let mut log = EventLog::new();
    let error = log.read_csv(&bytes[..], &strict).unwrap_err();
    assert!(error.to_string().contains("not-a-time"), "{error}");
    assert_eq!(log.len(), 5);
    // … and in a later batch, with every row before it kept.
    let mut text = String::from("customer,timestamp,event\n");
    for k in 0..9000 {
        let time = if k == 6000 {
            "later".to_owned()
        } else {
            k.to_string()
        };
        text.push_str(&format!("c{},{time},visit\n", k % 50));
    }
    let strict = CsvOptions {
        on_error: journey_core::events::OnError::Fail,
        ..CsvOptions::default()
    };
    let mut log = EventLog::new();
    let error = log.read_csv(text.as_bytes(), &strict).unwrap_err();
    assert!(error.to_string().contains("\"later\""), "{error}");
    assert_eq!(log.len(), 6000);
    assert_eq!(log.get(5999).unwrap().timestamp, 5_999_000);
}

#[test]
fn a_delimiter_that_would_fold_rows_into_the_header_is_refused() {
    let csv = "customer,timestamp,event\nann,2026-01-01T00:00:00Z,ad\n";
    for delimiter in ['\n', '\r', '"'] {
        let mut log = EventLog::new();
        let options = CsvOptions {
            delimiter,
            ..CsvOptions::default()
        };
        let error = log.read_csv(csv.as_bytes(), &options).unwrap_err();
        assert_eq!(
            error.kind(),
            journey_core::ErrorKind::InvalidOption,
            "{error}"
        );
        assert!(error.to_string().contains("delimiter"), "{error}");
        assert_eq!(log.len(), 0);
    }
}

#[test]
fn the_extreme_timestamps_are_read_and_written_back_unchanged() {
    // Past 10¹⁴ an epoch number is microseconds: the extremes the log holds.
    let csv = format!(
        "customer,timestamp,event\na,{},x\na,{},y\nb,1700000000000,x\n",
        i64::MIN,
        i64::MAX
    );
    let mut log = EventLog::new();
    let report = log
        .read_csv(csv.as_bytes(), &CsvOptions::default())
        .unwrap();
    assert_eq!((report.rows_used, report.rows_skipped), (3, 0));
    let micros: Vec<i64> = log.iter().map(|e| e.timestamp_micros()).collect();
    assert_eq!(micros, [i64::MIN, i64::MAX, 1_700_000_000_000_000]);
    let times: Vec<i64> = log.iter().map(|e| e.timestamp).collect();
    assert_eq!(
        times,
        [
            i64::MIN.div_euclid(1000),
            i64::MAX / 1000,
            1_700_000_000_000
        ]
    );
    let mut written = Vec::new();
    log.write_csv(&mut written).unwrap();
    let mut again = EventLog::new();
    again
        .read_csv(&written[..], &CsvOptions::default())
        .unwrap();
    let back: Vec<i64> = again.iter().map(|e| e.timestamp).collect();
    assert_eq!(back, times);
    // Sessions split by a gap over the whole range do not overflow.
    let mapping = Mapping {
        session_gap: Some(1),
        ..Mapping::default()
    };
    assert_eq!(log.traces(None, &mapping).traces.len(), 3);
}

#[test]
fn large_measures_average_exactly_instead_of_saturating() {
    let value = 123_456_789_012_345.0;
    let csv = format!("customer,timestamp,event,revenue\na,0,buy,{value}\nb,0,buy,{value}\n");
    let mut log = EventLog::new();
    let options = CsvOptions {
        measures: vec!["revenue".to_owned()],
        ..CsvOptions::default()
    };
    log.read_csv(csv.as_bytes(), &options).unwrap();
    let discovery = Discovery::from_log(&log, None, &Mapping::default());
    let mean = discovery.measures["buy"]["revenue"].mean();
    assert!((mean - value).abs() < 1.0, "{mean}");
}

/// An input of `text` that then fails, as a disk or a network can.
struct FailsAfter {
    text: Vec<u8>,
    at: usize,
}

impl std::io::Read for FailsAfter {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.text.len() {
            return Err(std::io::Error::other("disk gone"));
        }
        // Small reads, so a failure can fall anywhere in a block.
        let n = buffer.len().min(self.text.len() - self.at).min(7_000);
        buffer[..n].copy_from_slice(&self.text[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[test]
fn a_failing_input_keeps_the_rows_before_it_and_names_the_line_reached() {
    for quoted in [false, true] {
        for rows in [0usize, 1, 10, 3_000, 120_000] {
            let mut text = String::from("customer,timestamp,event\n");
            for k in 0..rows {
                // A quote sends the reading to the CSV state machine.
                let customer = if quoted && k == 0 {
                    "\"c0\"".to_owned()
                } else {
                    format!("c{k}")
                };
                text.push_str(&format!("{customer},{},visit\n", 1_772_357_400 + k));
            }
            // Half a line, then the input fails.
            text.push_str("cut,17723");
            let mut log = EventLog::new();
            let input = FailsAfter {
                text: text.into_bytes(),
                at: 0,
            };
            let error = log.read_csv(input, &CsvOptions::default()).unwrap_err();
            let what = format!("{rows} rows, quoted {quoted}");
            assert_eq!(error.code(), "csv_error", "{what}");
            assert!(error.to_string().contains("disk gone"), "{what}: {error}");
            match error {
                journey_core::Error::Csv { row, .. } => {
                    assert_eq!(row, rows as u64 + 2, "{what}: {error}")
                }
                other => panic!("{what}: {other}"),
            }
            assert_eq!(log.len(), rows, "{what}");
        }
    }
}

#[test]
fn a_quote_never_closed_is_reported_as_such_and_swallows_nothing() {
    let unclosed = "a quoted field is never closed: the rest of the input would be its text";
    // In the first row, in a later one, in the last column (where the row
    // would otherwise parse, its channel the rest of the file), with and
    // without a last line end.
    for (text, good, line) in [
        (
            "customer,timestamp,event\n\"a,1772357400,visit\nb,1772357401,visit\n",
            0,
            2,
        ),
        (
            "customer,timestamp,event\na,1772357400,visit\n\"b,1772357401,visit\n",
            1,
            3,
        ),
        (
            "customer,timestamp,event,channel\na,1772357400,visit,web\nb,1772357401,visit,\"app\nc,1772357402,visit,web",
            1,
            3,
        ),
    ] {
        let mut log = EventLog::new();
        // (A file of the one bad row keeps no event: allowed here.)
        let lenient = CsvOptions {
            allow_empty: true,
            ..CsvOptions::default()
        };
        let report = log.read_csv(text.as_bytes(), &lenient).unwrap();
        assert_eq!(log.len(), good, "{text:?}");
        assert_eq!(report.rows_skipped, 1, "{text:?}");
        assert_eq!(report.problems[0].row, line, "{text:?}");
        assert_eq!(report.problems[0].reason, unclosed, "{text:?}");
        let strict = CsvOptions {
            on_error: journey_core::events::OnError::Fail,
            ..CsvOptions::default()
        };
        let error = EventLog::new()
            .read_csv(text.as_bytes(), &strict)
            .unwrap_err();
        assert!(error.to_string().contains(unclosed), "{error}");
    }
    // Closed quotes, doubled quotes and a quote closed on the last line
    // without a line end are read as they were.
    let mut log = EventLog::new();
    let text =
        "customer,timestamp,event\n\"a\"\"x\",1772357400,\"visit\"\n\"b\",1772357401,\"vi\nsit\"";
    let report = log
        .read_csv(text.as_bytes(), &CsvOptions::default())
        .unwrap();
    assert_eq!(report.rows_used, 2, "{:?}", report.problems);
    // A header left open is the read's error.
    let error = EventLog::new()
        .read_csv(
            "\"customer,timestamp,event\n".as_bytes(),
            &CsvOptions::default(),
        )
        .unwrap_err();
    assert!(error.to_string().contains(unclosed), "{error}");
    // Path data too.
    let (table, report) = journey_core::attribution::PathTable::read_csv(
        "path,total_conversions\n\"a > b,1\n".as_bytes(),
        &Default::default(),
    )
    .unwrap();
    assert!(table.is_empty());
    assert_eq!(report.problems[0].reason, unclosed);
}

#[test]
fn a_record_past_the_limit_is_refused_at_its_line_by_both_readers() {
    use journey_core::events::MAX_RECORD_BYTES;
    let tail = ",1772357400,visit";
    for quoted in [false, true] {
        // A quote in the first row sends the rest to the CSV state machine.
        let first = if quoted {
            "\"a\",1,visit\n"
        } else {
            "a,1,visit\n"
        };
        for (length, ok) in [(MAX_RECORD_BYTES, true), (MAX_RECORD_BYTES + 1, false)] {
            for end in ["\n", "\r\n", ""] {
                let customer = "c".repeat(length - tail.len());
                // Without a line end, the long line is the last.
                let after = if end.is_empty() { "" } else { "b,2,visit\n" };
                let text = format!("customer,timestamp,event\n{first}{customer}{tail}{end}{after}");
                let mut log = EventLog::new();
                let result = log.read_csv(text.as_bytes(), &CsvOptions::default());
                let what = format!("{length} bytes, quoted {quoted}, end {end:?}");
                if ok {
                    let report = result.unwrap();
                    let rows = if end.is_empty() { 2 } else { 3 };
                    assert_eq!((log.len(), report.rows_used), (rows, rows as u64), "{what}");
                } else {
                    let error = result.unwrap_err();
                    assert_eq!(error.code(), "limit_exceeded", "{what}");
                    assert!(error.to_string().contains("line 3"), "{what}: {error}");
                    assert_eq!(log.len(), 1, "{what}");
                }
            }
        }
    }
    // A header line without an end, past the limit.
    let text = "c".repeat(MAX_RECORD_BYTES + 10);
    let error = EventLog::new()
        .read_csv(text.as_bytes(), &CsvOptions::default())
        .unwrap_err();
    assert_eq!(error.code(), "limit_exceeded");
    // Many fields in a line under the limit are read, past the columns used.
    let commas = ",".repeat(2_000_000);
    for first in ["a,1,visit\n", "\"a\",1,visit\n"] {
        let text = format!("customer,timestamp,event\n{first}b,2,visit{commas}\n");
        let mut log = EventLog::new();
        let report = log
            .read_csv(text.as_bytes(), &CsvOptions::default())
            .unwrap();
        assert_eq!((log.len(), report.rows_skipped), (2, 0), "{first:?}");
    }
}

#[test]
fn fields_are_kept_as_written_unless_trimming_is_asked() {
    let csv = "customer,timestamp,event\nc1,1,A\nc1,2, A\nc1,3,A \n c1,4,A\n";
    let mut log = EventLog::new();
    log.read_csv(csv.as_bytes(), &CsvOptions::default())
        .unwrap();
    let names: Vec<&str> = log.iter().map(|e| e.name).collect();
    assert_eq!(names, ["A", " A", "A ", "A"]);
    assert_eq!(log.customer_count(), 2);
    let discovery = Discovery::from_traces(&log.traces(None, &Mapping::default()));
    assert_eq!(discovery.frequencies.len(), 3);

    let trim = CsvOptions {
        trim: true,
        ..CsvOptions::default()
    };
    let mut log = EventLog::new();
    log.read_csv(csv.as_bytes(), &trim).unwrap();
    let names: Vec<&str> = log.iter().map(|e| e.name).collect();
    assert_eq!(names, ["A"; 4]);
    assert_eq!(log.customer_count(), 1);
    // Padded numbers are bad rows unless trimmed: a reason, not a guess.
    let padded = "customer,timestamp,event,csat\nc1, 1,A,4\nc1,2,A, 5\n";
    let options = CsvOptions {
        measures: vec!["csat".into()],
        allow_empty: true,
        ..CsvOptions::default()
    };
    let report = EventLog::new()
        .read_csv(padded.as_bytes(), &options)
        .unwrap();
    let reasons: Vec<&str> = report.problems.iter().map(|p| p.reason.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "timestamp \" 1\" is not an ISO 8601 date-time or epoch seconds/milliseconds/microseconds",
            "csat value \" 5\" is not a number"
        ]
    );
    let options = CsvOptions {
        trim: true,
        ..options
    };
    let report = EventLog::new()
        .read_csv(padded.as_bytes(), &options)
        .unwrap();
    assert_eq!((report.rows_used, report.rows_skipped), (2, 0));
}

#[test]
fn a_read_that_keeps_no_event_fails_with_the_first_reasons() {
    // Every timestamp naive: not 0 events and success, but the reason.
    let mut csv = String::from("customer,timestamp,event\n");
    for k in 0..5 {
        csv.push_str(&format!("c{k},2011-10-11 13:45:4{k},visit\n"));
    }
    let mut log = EventLog::new();
    let error = log
        .read_csv(csv.as_bytes(), &CsvOptions::default())
        .unwrap_err();
    assert_eq!(error.kind(), journey_core::ErrorKind::CsvError);
    let no_zone = "has no time zone: set the time_zone option to where it was written \
                   (\"UTC\", an offset such as \"+02:00\", or a name such as \"Europe/Paris\")";
    assert_eq!(
        error.to_string(),
        format!(
            "CSV row 2: no event was read: all 5 rows were bad (line 2: timestamp \"2011-10-11 13:45:40\" {no_zone}; \
             line 3: timestamp \"2011-10-11 13:45:41\" {no_zone}; line 4: timestamp \"2011-10-11 13:45:42\" {no_zone}; …); \
             allow_empty accepts an empty result"
        )
    );
    assert!(log.is_empty());
    // With the zone, every row is an event.
    let options = CsvOptions {
        time_zone: Some("+02:00".into()),
        ..CsvOptions::default()
    };
    let report = log.read_csv(csv.as_bytes(), &options).unwrap();
    assert_eq!(report.rows_used, 5);
    assert_eq!(
        log.get(0).unwrap().timestamp,
        1_318_340_740_000 - 2 * 3_600_000
    );
    // A header alone: no event either.
    let error = EventLog::new()
        .read_csv(&b"customer,timestamp,event\n"[..], &CsvOptions::default())
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "CSV row 1: the log has no event rows (allow_empty accepts an empty result)"
    );
    let allow = CsvOptions {
        allow_empty: true,
        ..CsvOptions::default()
    };
    let report = EventLog::new()
        .read_csv(&b"customer,timestamp,event\n"[..], &allow)
        .unwrap();
    assert_eq!(report, journey_core::events::ReadReport::default());
    // A bad time-zone option fails before any row.
    let bad = CsvOptions {
        time_zone: Some("Mars/Olympus".into()),
        ..CsvOptions::default()
    };
    let error = EventLog::new().read_csv(csv.as_bytes(), &bad).unwrap_err();
    assert_eq!(error.kind(), journey_core::ErrorKind::InvalidOption);
}

#[test]
fn events_less_than_a_millisecond_apart_keep_their_order_by_time() {
    // Written out of order within one millisecond; read in time order.
    let csv = "customer,timestamp,event\n\
               c,2011-10-11T13:45:40.276900Z,third\n\
               c,2011-10-11T13:45:40.276100Z,first\n\
               c,1318340740.2765,second\n\
               c,2011-10-11T13:45:40.276900Z,fourth\n";
    let mut log = EventLog::new();
    log.read_csv(csv.as_bytes(), &CsvOptions::default())
        .unwrap();
    let traces = log.traces(None, &Mapping::default());
    let steps: Vec<(&str, i64, u16)> = traces.traces[0]
        .steps
        .iter()
        .map(|s| (s.touchpoint.as_str(), s.timestamp, s.micros))
        .collect();
    assert_eq!(
        steps,
        [
            ("first", 1_318_340_740_276, 100),
            ("second", 1_318_340_740_276, 500),
            ("third", 1_318_340_740_276, 900),
            ("fourth", 1_318_340_740_276, 900),
        ]
    );
    // Written and read back with the microseconds.
    let mut written = Vec::new();
    log.write_csv(&mut written).unwrap();
    let text = String::from_utf8(written.clone()).unwrap();
    assert!(
        text.contains("c,2011-10-11T13:45:40.276900Z,third,"),
        "{text}"
    );
    let mut again = EventLog::new();
    again
        .read_csv(&written[..], &CsvOptions::default())
        .unwrap();
    assert_eq!(again, log);
    // The trace table round trip keeps them too.
    let table = journey_core::events::TraceTable::from_traces(&traces);
    assert_eq!(table.to_traces(), traces);
    // An event's JSON carries them.
    let event = log.get(1).unwrap().to_event();
    assert_eq!(event.timestamp_micros(), Some(1_318_340_740_276_100));
    let json = serde_json::to_string(&event).unwrap();
    assert_eq!(
        json,
        r#"{"customer":"c","timestamp":1318340740276,"micros":100,"name":"first"}"#
    );
    assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), event);
}
