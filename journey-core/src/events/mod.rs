//! Event logs: what customers actually did, as recorded by a website, a
//! product or a helpdesk — read from memory or CSV, mapped onto touchpoints
//! and cut into per-customer traces.
//!
//! Nothing is dropped silently: reading returns how many rows were read,
//! used and skipped, with the row number and reason of every bad row; events
//! whose names map to no touchpoint are counted and listed, since they are
//! the touchpoints the map is missing.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Read;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::model::Journey;

#[cfg(not(target_arch = "wasm32"))]
mod plain;

mod csv_io;
mod json;
mod time;
mod traces;
mod xes;

pub(crate) use crate::parallel::parallelism;
pub(crate) use crate::symbols::{Symbols, intern_into};
pub use csv_io::{
    CsvOptions, MAX_LISTED_PROBLEMS, MAX_RECORD_BYTES, OnError, ReadReport, RowProblem,
};
pub(crate) use csv_io::{CsvWriter, Header, RawRecord, Records};
pub(crate) use json::JsonReader;
pub use json::{JsonOptions, JsonPreset};
use time::*;
pub use time::{TimestampFormat, ZoneLookup, ZoneRules, parse_timestamp, set_zone_lookup};
pub(crate) use traces::{Cutting, TraceSpan};
pub use traces::{Mapping, Step, Trace, TraceSource, TraceTable, Traces, UnknownEvents};
pub use xes::XesOptions;

/// One thing one customer did at one time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Event {
    /// Who: the customer (or account, or anonymous visitor) key.
    pub customer: String,
    /// When, in milliseconds since the Unix epoch (UTC).
    pub timestamp: i64,
    /// The microseconds past `timestamp`'s millisecond (0–999), for the
    /// order of events less than a millisecond apart.
    #[serde(default, skip_serializing_if = "is_zero")]
    #[schemars(range(max = 999))]
    pub micros: u16,
    /// What: the event name, mapped to a touchpoint id by a [`Mapping`].
    pub name: String,
    /// The channel it happened on, when the log says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Measure values recorded with the event (`csat`, `nps`, `ces`, …).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub measures: BTreeMap<String, f64>,
}

impl Event {
    /// An event without channel or measures.
    pub fn new(customer: impl Into<String>, timestamp: i64, name: impl Into<String>) -> Event {
        Event {
            customer: customer.into(),
            timestamp,
            micros: 0,
            name: name.into(),
            channel: None,
            measures: BTreeMap::new(),
        }
    }

    /// Sets the channel.
    pub fn channel(mut self, channel: impl Into<String>) -> Event {
        self.channel = Some(channel.into());
        self
    }

    /// Sets the microseconds past the millisecond (0–999).
    pub fn micros(mut self, micros: u16) -> Event {
        self.micros = micros;
        self
    }

    /// When, in microseconds since the Unix epoch, or `None` past the
    /// ±292,000 years around 1970 that 64 bits of microseconds hold.
    pub fn timestamp_micros(&self) -> Option<i64> {
        join_micros(self.timestamp, self.micros)
    }

    /// Adds a measure value.
    pub fn measure(mut self, key: impl Into<String>, value: f64) -> Event {
        self.measures.insert(key.into(), value);
        self
    }
}

fn is_zero(value: &u16) -> bool {
    *value == 0
}

/// Milliseconds and the microseconds past them as microseconds, `None`
/// out of range (or for `micros` over 999).
pub(crate) fn join_micros(millis: i64, micros: u16) -> Option<i64> {
    if micros > 999 {
        return None;
    }
    millis.checked_mul(1000)?.checked_add(i64::from(micros))
}

/// Microseconds as milliseconds (rounded down) and the microseconds past them.
pub(crate) fn split_micros(micros: i64) -> (i64, u16) {
    (micros.div_euclid(1000), micros.rem_euclid(1000) as u16)
}

/// Item `index`'s range in a list of run ends: `ends[index - 1]..ends[index]`.
fn range_at(ends: &[u32], index: usize) -> std::ops::Range<usize> {
    let start = match index {
        0 => 0,
        i => ends[i - 1] as usize,
    };
    start..ends[index] as usize
}

/// No channel (in [`EventLog`]'s channel column).
const NO_CHANNEL: u32 = u32::MAX;

/// Events in input order.
///
/// Stored by column, with every customer key, event name, channel and
/// measure key kept once: about 24 bytes an event plus its measure values,
/// whatever the length of the strings.
#[derive(Debug, Clone, Default)]
pub struct EventLog {
    customers: Symbols,
    names: Symbols,
    channels: Symbols,
    measure_keys: Symbols,
    customer: Vec<u32>,
    /// Epoch microseconds.
    timestamp: Vec<i64>,
    name: Vec<u32>,
    channel: Vec<u32>,
    /// Measures of event `i`: `measures[measure_end[i - 1]..measure_end[i]]`.
    measure_end: Vec<u32>,
    measures: Vec<(u32, f64)>,
}

/// One event of an [`EventLog`], borrowed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventRef<'a> {
    /// Who.
    pub customer: &'a str,
    /// When, in epoch milliseconds.
    pub timestamp: i64,
    /// The microseconds past `timestamp`'s millisecond (0–999).
    pub micros: u16,
    /// What: the event name.
    pub name: &'a str,
    /// The channel, when the log says.
    pub channel: Option<&'a str>,
    log: &'a EventLog,
    index: usize,
}

impl<'a> EventRef<'a> {
    /// The measure values recorded with the event, in the order given.
    pub fn measures(&self) -> impl Iterator<Item = (&'a str, f64)> + 'a {
        let log = self.log;
        log.measure_range(self.index)
            .map(move |m| (log.measure_keys.name(log.measures[m].0), log.measures[m].1))
    }

    /// When, in epoch microseconds.
    pub fn timestamp_micros(&self) -> i64 {
        self.log.timestamp[self.index]
    }

    /// An owned copy.
    pub fn to_event(&self) -> Event {
        Event {
            customer: self.customer.to_owned(),
            timestamp: self.timestamp,
            micros: self.micros,
            name: self.name.to_owned(),
            channel: self.channel.map(str::to_owned),
            measures: self.measures().map(|(k, v)| (k.to_owned(), v)).collect(),
        }
    }
}

impl PartialEq for EventLog {
    fn eq(&self, other: &EventLog) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .zip(other.iter())
                .all(|(a, b)| a.to_event() == b.to_event())
    }
}

impl Serialize for EventLog {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct Events<'a>(&'a EventLog);
        impl Serialize for Events<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.iter().map(|e| e.to_event()))
            }
        }
        let mut state = serializer.serialize_struct("EventLog", 1)?;
        state.serialize_field("events", &Events(self))?;
        state.end()
    }
}

impl<'de> Deserialize<'de> for EventLog {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Events {
            events: Vec<Event>,
        }
        let events = Events::deserialize(deserializer)?;
        let mut log = EventLog::new();
        for event in &events.events {
            log.push(event).map_err(serde::de::Error::custom)?;
        }
        Ok(log)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Timestamps are written as chrono writes them, and read back.
        #[test]
        fn timestamps_are_written_as_chrono_writes_them(
            micros in -62_167_219_200_000_000i64..253_402_300_800_000_000,
            precision in 0u32..3,
        ) {
            // Whole seconds, whole milliseconds, or any microsecond.
            let unit = [1_000_000, 1000, 1][precision as usize];
            let micros = micros.div_euclid(unit) * unit;
            let expected = chrono::DateTime::from_timestamp_micros(micros)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
            let written = rfc3339_utc(micros);
            proptest::prop_assert_eq!(&written, &expected);
            let format = TimestampFormat::Rfc3339;
            let read = written.and_then(|t| TimeReader::new(&format, None).unwrap().read(&t).ok());
            proptest::prop_assert_eq!(read, Some(micros));
        }

        /// Date-times with an offset are read as chrono reads them (in
        /// every shape this reader takes that chrono's RFC 3339 takes too).
        #[test]
        fn date_times_are_read_as_chrono_reads_them(
            micros in -62_000_000_000_000_000i64..253_000_000_000_000_000,
            offset_minutes in -1439i32..1440,
            digits in 0usize..10,
        ) {
            let offset = chrono::FixedOffset::east_opt(offset_minutes * 60).unwrap();
            let time = chrono::DateTime::from_timestamp_micros(micros).unwrap().with_timezone(&offset);
            let nanos = format!("{:09}", time.timestamp_subsec_nanos());
            let fraction = if digits == 0 { String::new() } else { format!(".{}", &nanos[..digits]) };
            let text = format!(
                "{}{fraction}{}",
                time.format("%Y-%m-%dT%H:%M:%S"),
                time.format("%:z")
            );
            let expected = chrono::DateTime::parse_from_rfc3339(&text).map(|t| t.timestamp_micros()).ok();
            let format = TimestampFormat::Rfc3339;
            let read = TimeReader::new(&format, None).unwrap().read(&text).ok();
            proptest::prop_assert_eq!(read, expected, "{}", text);
        }
    }

    proptest::proptest! {
        /// Interning numbers strings by first appearance, as a map does,
        /// whatever recurs (the recent slots and the short comparison
        /// included: lengths around 8 and 16, shared first and last bytes).
        #[test]
        fn symbols_number_strings_by_first_appearance(
            names in proptest::collection::vec("[ab]{0,3}x{0,14}[ab]{0,2}", 0..300),
        ) {
            let mut symbols = Symbols::default();
            let mut model: hashbrown::HashMap<&str, u32> = Default::default();
            for name in &names {
                let next = model.len() as u32;
                let expected = *model.entry(name.as_str()).or_insert(next);
                proptest::prop_assert_eq!(symbols.intern(name), Some(expected));
                proptest::prop_assert_eq!(symbols.name(expected), name.as_str());
            }
            proptest::prop_assert_eq!(symbols.len(), model.len());
        }
    }

    #[test]
    fn timestamps_are_written_in_rfc3339_within_its_years() {
        assert_eq!(rfc3339_utc(0).as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(
            rfc3339_utc(1_772_357_400_123_000).as_deref(),
            Some("2026-03-01T09:30:00.123Z")
        );
        assert_eq!(
            rfc3339_utc(1_772_357_400_123_456).as_deref(),
            Some("2026-03-01T09:30:00.123456Z")
        );
        assert_eq!(
            rfc3339_utc(-1000).as_deref(),
            Some("1969-12-31T23:59:59.999Z")
        );
        assert_eq!(
            rfc3339_utc(-1).as_deref(),
            Some("1969-12-31T23:59:59.999999Z")
        );
        assert_eq!(
            rfc3339_utc(951_782_400_000_000).as_deref(),
            Some("2000-02-29T00:00:00Z")
        );
        assert_eq!(
            rfc3339_utc(-62_167_219_200_000_000).as_deref(),
            Some("0000-01-01T00:00:00Z")
        );
        assert_eq!(rfc3339_utc(-62_167_219_200_000_001), None);
        assert_eq!(rfc3339_utc(253_402_300_800_000_000), None);
        assert_eq!(rfc3339_utc(i64::MIN), None);
        assert_eq!(rfc3339_utc(i64::MAX), None);
    }

    #[test]
    fn timestamps_in_every_format() {
        use TimestampFormat::*;
        assert_eq!(
            parse_timestamp("2026-03-01T09:30:00Z", Auto),
            Some(1_772_357_400_000)
        );
        assert_eq!(
            parse_timestamp("2026-03-01T10:30:00+01:00", Rfc3339),
            Some(1_772_357_400_000)
        );
        assert_eq!(parse_timestamp("1772357400", Auto), Some(1_772_357_400_000));
        assert_eq!(
            parse_timestamp("1772357400123", Auto),
            Some(1_772_357_400_123)
        );
        assert_eq!(
            parse_timestamp("1772357400", EpochMillis),
            Some(1_772_357_400)
        );
        assert_eq!(parse_timestamp("yesterday", Auto), None);
        assert_eq!(parse_timestamp("2026-13-01T00:00:00Z", Auto), None);
        assert_eq!(parse_timestamp("9223372036854775807", EpochSeconds), None);
    }

    #[test]
    fn bad_rows_are_reported_and_good_rows_used() {
        let text = "customer,timestamp,event,channel,csat\n\
                    a,2026-03-01T09:00:00Z,visit,web,\n\
                    a,not-a-time,visit,web,\n\
                    ,2026-03-01T09:01:00Z,visit,web,\n\
                    b,1772357400,signup,,4\n\
                    b,1772357401,survey,email,great\n\
                    c,1772357402\n";
        let mut log = EventLog::new();
        let options = CsvOptions {
            measures: vec!["csat".into()],
            ..CsvOptions::default()
        };
        let report = log.read_csv(text.as_bytes(), &options).unwrap();
        assert_eq!(
            (report.rows_read, report.rows_used, report.rows_skipped),
            (6, 2, 4)
        );
        let rows: Vec<u64> = report.problems.iter().map(|p| p.row).collect();
        assert_eq!(rows, [3, 4, 6, 7]);
        assert!(report.problems[0].reason.contains("not-a-time"));
        assert!(report.problems[1].reason.contains("customer is empty"));
        assert!(
            report.problems[2]
                .reason
                .contains("\"great\" is not a number")
        );
        assert!(report.problems[3].reason.contains("no event column"));
        assert_eq!(log.get(1).unwrap().to_event().measures["csat"], 4.0);
        assert_eq!(log.get(0).unwrap().channel, Some("web"));

        let strict = CsvOptions {
            on_error: OnError::Fail,
            ..options
        };
        let error = EventLog::new()
            .read_csv(text.as_bytes(), &strict)
            .unwrap_err();
        assert_eq!(
            error,
            Error::Csv {
                row: 3,
                message: "timestamp \"not-a-time\" is not an ISO 8601 date-time or epoch seconds/milliseconds/microseconds"
                    .into()
            }
        );
        let error = EventLog::new()
            .read_csv("who,when,what\n".as_bytes(), &CsvOptions::default())
            .unwrap_err();
        assert_eq!(error.code(), "csv_error");
    }

    #[test]
    fn rows_are_numbered_by_their_line_in_the_file() {
        // `\r\n` line ends, blank lines and a quoted field over two lines;
        // a quoted header sends the whole file to csv_core, a plain one
        // only the lines from the first quote on.
        for header in ["customer,timestamp,event", "\"customer\",timestamp,event"] {
            let text = format!(
                "{header}\r\n\r\na,1772357400,visit\r\nb,bad,visit\r\n\r\n\r\n\
                 c,1772357401,\"two\r\nlines\"\r\nd,,visit\r\ne,1772357402,visit"
            );
            let mut log = EventLog::new();
            let report = log
                .read_csv(text.as_bytes(), &CsvOptions::default())
                .unwrap();
            let rows: Vec<u64> = report.problems.iter().map(|p| p.row).collect();
            assert_eq!(rows, [4, 9], "{header}");
            let names: Vec<&str> = log.iter().map(|e| e.name).collect();
            assert_eq!(names, ["visit", "two\r\nlines", "visit"], "{header}");
        }
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_first_column_name() {
        let text = "\u{feff}customer,timestamp,event\na,1772357400,visit\n";
        let mut log = EventLog::new();
        let report = log
            .read_csv(text.as_bytes(), &CsvOptions::default())
            .unwrap();
        assert_eq!((report.rows_used, log.get(0).unwrap().customer), (1, "a"));
    }

    #[test]
    fn events_without_customer_or_name_are_refused_and_nothing_is_lost() {
        let mut log = EventLog::new();
        log.push(&Event::new("a", 1, "x")).unwrap();
        for (customer, name) in [("", "x"), ("a", "")] {
            let error = log.push(&Event::new(customer, 2, name)).unwrap_err();
            assert_eq!(error.code(), "invalid_argument");
        }
        assert_eq!(log.len(), 1);
        assert_eq!(log.get(0).unwrap().name, "x");
    }

    #[test]
    fn cutting_in_parallel_parts_gives_the_one_pass_table() {
        let mut log = EventLog::new();
        for k in 0..5000i64 {
            let customer = format!("u{}", (k * 7919) % 331);
            let name = ["a", "b", "c", "d", "unknown"][(k % 5) as usize];
            let measures = [("nps", (k % 11) as f64)];
            let measures = if k % 3 == 0 { &measures[..] } else { &[] };
            log.push_parts(&customer, (k * 37) % 1000, name, Some("web"), measures)
                .unwrap();
        }
        let mapping = Mapping {
            session_gap: Some(300),
            ..Mapping::default()
        };
        let one = log.trace_table_in(None, &mapping, 1);
        for parts in [2, 3, 8, 1000] {
            assert_eq!(
                log.trace_table_in(None, &mapping, parts),
                one,
                "{parts} parts"
            );
        }
    }

    #[test]
    fn traces_are_sorted_stably_split_by_sessions_and_mapped() {
        let mut log = EventLog::new();
        for (customer, time, name) in [
            ("b", 5, "x"),
            ("a", 20, "later"),
            ("a", 10, "first"),
            ("a", 10, "second"),
            ("a", 10_000, "next_session"),
        ] {
            log.push(&Event::new(customer, time, name)).unwrap();
        }
        let mapping = Mapping {
            names: [("first".to_owned(), "one".to_owned())].into(),
            session_gap: Some(1000),
            ..Mapping::default()
        };
        let traces = log.traces(None, &mapping);
        let shape: Vec<(&str, u32, Vec<&str>)> = traces
            .traces
            .iter()
            .map(|t| {
                (
                    t.customer.as_str(),
                    t.session,
                    t.steps.iter().map(|s| s.touchpoint.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            [
                ("a", 0, vec!["one", "second", "later"]),
                ("a", 1, vec!["next_session"]),
                ("b", 0, vec!["x"]),
            ]
        );
    }
}
