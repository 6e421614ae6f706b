//! Event logs: what customers actually did, as recorded by a website, a
//! product or a helpdesk — read from memory or CSV, mapped onto touchpoints
//! and cut into per-customer traces.
//!
//! Nothing is dropped silently: reading returns how many rows were read,
//! used and skipped, with the row number and reason of every bad row; events
//! whose names map to no touchpoint are counted and listed, since they are
//! the touchpoints the map is missing.

use std::collections::BTreeMap;
use std::io::Read;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::model::Journey;

/// One thing one customer did at one time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Event {
    /// Who: the customer (or account, or anonymous visitor) key.
    pub customer: String,
    /// When, in milliseconds since the Unix epoch (UTC).
    pub timestamp: i64,
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

    /// Adds a measure value.
    pub fn measure(mut self, key: impl Into<String>, value: f64) -> Event {
        self.measures.insert(key.into(), value);
        self
    }
}

/// Events in input order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventLog {
    /// The events, in the order they were pushed or read.
    pub events: Vec<Event>,
}

/// How timestamps are written in a CSV file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimestampFormat {
    /// RFC 3339 text, or an integer: epoch seconds below 10¹¹, else epoch milliseconds.
    #[default]
    Auto,
    /// RFC 3339, e.g. `2026-03-01T09:30:00Z`.
    Rfc3339,
    /// Integer seconds since the Unix epoch.
    EpochSeconds,
    /// Integer milliseconds since the Unix epoch.
    EpochMillis,
}

/// What to do with a bad row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnError {
    /// Skip it and report it. Default.
    #[default]
    Skip,
    /// Stop reading with an error.
    Fail,
}

/// Which CSV columns hold what, and how to read them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct CsvOptions {
    /// Column of the customer key. Default: `customer`.
    pub customer: String,
    /// Column of the timestamp. Default: `timestamp`.
    pub timestamp: String,
    /// Column of the event name. Default: `event`.
    pub event: String,
    /// Column of the channel, used when present. Default: `channel`.
    pub channel: String,
    /// Columns holding numeric measure values (an empty cell means no value).
    /// Default: none.
    pub measures: Vec<String>,
    /// Field delimiter. Default: `,`.
    pub delimiter: char,
    /// Timestamp format. Default: auto.
    pub timestamp_format: TimestampFormat,
    /// Skip-and-report or fail on a bad row. Default: skip.
    pub on_error: OnError,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            customer: "customer".into(),
            timestamp: "timestamp".into(),
            event: "event".into(),
            channel: "channel".into(),
            measures: Vec::new(),
            delimiter: ',',
            timestamp_format: TimestampFormat::Auto,
            on_error: OnError::Skip,
        }
    }
}

/// A row that could not be used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RowProblem {
    /// The 1-based line of the row in the file (the header is line 1).
    pub row: u64,
    /// Why it was not used.
    pub reason: String,
}

/// What reading a log did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ReadReport {
    /// Data rows read.
    pub rows_read: u64,
    /// Rows that became events.
    pub rows_used: u64,
    /// Rows skipped, each listed in `problems` (up to [`MAX_LISTED_PROBLEMS`]).
    pub rows_skipped: u64,
    /// The bad rows, in file order.
    pub problems: Vec<RowProblem>,
}

impl ReadReport {
    /// Counts one data row: a value to use, or a bad row to skip and list
    /// (or to fail on, under [`OnError::Fail`]).
    pub(crate) fn tally<T>(
        &mut self,
        row: u64,
        outcome: Result<T, String>,
        on_error: OnError,
    ) -> Result<Option<T>, Error> {
        self.rows_read += 1;
        match outcome {
            Ok(value) => {
                self.rows_used += 1;
                Ok(Some(value))
            }
            Err(reason) => {
                if on_error == OnError::Fail {
                    return Err(csv_error(row, &reason));
                }
                self.rows_skipped += 1;
                if self.problems.len() < MAX_LISTED_PROBLEMS {
                    self.problems.push(RowProblem { row, reason });
                }
                Ok(None)
            }
        }
    }
}

/// At most this many bad rows are listed in a [`ReadReport`]; all are counted.
pub const MAX_LISTED_PROBLEMS: usize = 1000;

impl EventLog {
    /// An empty log.
    pub fn new() -> EventLog {
        EventLog::default()
    }

    /// Appends an event.
    pub fn push(&mut self, event: Event) {
        self.events.push(event);
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether there is no event.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Reads events from CSV with a header row and appends them.
    ///
    /// Bad rows (a missing or empty customer or event, a bad timestamp, a
    /// measure that is not a number, a short row) are skipped and reported,
    /// or fail the read with [`Error::Csv`] under [`OnError::Fail`]. A file
    /// whose header lacks a required column fails at once.
    pub fn read_csv(
        &mut self,
        input: impl Read,
        options: &CsvOptions,
    ) -> Result<ReadReport, Error> {
        let delimiter = u8::try_from(options.delimiter)
            .map_err(|_| csv_error(1, "the delimiter must be a single-byte character"))?;
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .from_reader(input);
        let headers = reader
            .headers()
            .map_err(|e| csv_error(1, &e.to_string()))?
            .clone();
        let column = |name: &str| headers.iter().position(|h| h.trim() == name);
        let required = |name: &str| {
            column(name).ok_or_else(|| csv_error(1, &format!("the header has no column {name:?}")))
        };
        let customer = required(&options.customer)?;
        let timestamp = required(&options.timestamp)?;
        let event = required(&options.event)?;
        let channel = column(&options.channel);
        let measures: Vec<(String, usize)> = options
            .measures
            .iter()
            .map(|name| required(name).map(|index| (name.clone(), index)))
            .collect::<Result<_, _>>()?;
        let mut report = ReadReport::default();
        let mut record = csv::StringRecord::new();
        loop {
            let line = reader.position().line();
            let (row, outcome) = match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => (
                    record.position().map_or(line, |p| p.line()),
                    parse_row(
                        &record, customer, timestamp, event, channel, &measures, options,
                    ),
                ),
                Err(error) => (line, Err(format!("unreadable row: {error}"))),
            };
            if let Some(parsed) = report.tally(row, outcome, options.on_error)? {
                self.events.push(parsed);
            }
        }
        Ok(report)
    }
}

impl EventLog {
    /// Writes the log as CSV (`customer,timestamp,event,channel` and one
    /// column per measure key, timestamps in RFC 3339 UTC), readable by
    /// [`EventLog::read_csv`] with the measure columns listed.
    pub fn write_csv(&self, output: impl std::io::Write) -> Result<(), Error> {
        let keys: std::collections::BTreeSet<&str> = self
            .events
            .iter()
            .flat_map(|e| e.measures.keys().map(String::as_str))
            .collect();
        let mut writer = csv::Writer::from_writer(output);
        let failed = |e: csv::Error| csv_error(0, &e.to_string());
        let mut header = vec!["customer", "timestamp", "event", "channel"];
        header.extend(keys.iter().copied());
        writer.write_record(&header).map_err(failed)?;
        for event in &self.events {
            let time = chrono::DateTime::from_timestamp_millis(event.timestamp)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
                .unwrap_or_else(|| event.timestamp.to_string());
            let mut row = vec![
                event.customer.clone(),
                time,
                event.name.clone(),
                event.channel.clone().unwrap_or_default(),
            ];
            for key in &keys {
                row.push(
                    event
                        .measures
                        .get(*key)
                        .map(f64::to_string)
                        .unwrap_or_default(),
                );
            }
            writer.write_record(&row).map_err(failed)?;
        }
        writer.flush().map_err(|e| csv_error(0, &e.to_string()))
    }
}

fn csv_error(row: u64, reason: &str) -> Error {
    Error::Csv {
        row,
        message: reason.to_owned(),
    }
}

fn parse_row(
    record: &csv::StringRecord,
    customer: usize,
    timestamp: usize,
    event: usize,
    channel: Option<usize>,
    measures: &[(String, usize)],
    options: &CsvOptions,
) -> Result<Event, String> {
    let field = |index: usize, name: &str| -> Result<&str, String> {
        match record.get(index).map(str::trim) {
            Some("") => Err(format!("{name} is empty")),
            Some(value) => Ok(value),
            None => Err(format!("the row has no {name} column")),
        }
    };
    let customer = field(customer, &options.customer)?;
    let name = field(event, &options.event)?;
    let raw_time = field(timestamp, &options.timestamp)?;
    let timestamp = parse_timestamp(raw_time, options.timestamp_format).ok_or_else(|| {
        format!(
            "timestamp {raw_time:?} is not {}",
            describe(options.timestamp_format)
        )
    })?;
    let mut parsed = Event::new(customer, timestamp, name);
    if let Some(index) = channel
        && let Some(value) = record.get(index).map(str::trim)
        && !value.is_empty()
    {
        parsed.channel = Some(value.to_owned());
    }
    for (key, index) in measures {
        let Some(value) = record.get(*index).map(str::trim) else {
            continue;
        };
        if value.is_empty() {
            continue;
        }
        match value.parse::<f64>() {
            Ok(number) if number.is_finite() => {
                parsed.measures.insert(key.clone(), number);
            }
            _ => return Err(format!("{key} value {value:?} is not a number")),
        }
    }
    Ok(parsed)
}

fn describe(format: TimestampFormat) -> &'static str {
    match format {
        TimestampFormat::Auto => "RFC 3339 or epoch seconds/milliseconds",
        TimestampFormat::Rfc3339 => "RFC 3339",
        TimestampFormat::EpochSeconds => "epoch seconds",
        TimestampFormat::EpochMillis => "epoch milliseconds",
    }
}

/// Parses a timestamp into epoch milliseconds.
pub fn parse_timestamp(text: &str, format: TimestampFormat) -> Option<i64> {
    let rfc3339 = |text: &str| {
        chrono::DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| t.timestamp_millis())
    };
    match format {
        TimestampFormat::Rfc3339 => rfc3339(text),
        TimestampFormat::EpochSeconds => text.parse::<i64>().ok()?.checked_mul(1000),
        TimestampFormat::EpochMillis => text.parse::<i64>().ok(),
        TimestampFormat::Auto => match text.parse::<i64>() {
            Ok(n) if n.abs() < 100_000_000_000 => n.checked_mul(1000),
            Ok(n) => Some(n),
            Err(_) => rfc3339(text),
        },
    }
}

/// What to do with events whose names map to no touchpoint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnknownEvents {
    /// Keep them in traces under their own name. Default.
    #[default]
    Keep,
    /// Leave them out of traces (still counted and listed).
    Drop,
}

/// Maps event names to touchpoint ids.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Mapping {
    /// Explicit names: event name → touchpoint id. Names not listed map to
    /// themselves (identity).
    pub names: BTreeMap<String, String>,
    /// Policy for events that map to no touchpoint of the journey.
    pub unknown: UnknownEvents,
    /// Split a customer's events into separate traces after this much
    /// inactivity, in milliseconds. Default: never.
    pub session_gap: Option<i64>,
}

/// One step of a trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Step {
    /// The touchpoint id (or the event name, for an unknown event kept).
    pub touchpoint: String,
    /// When, in epoch milliseconds.
    pub timestamp: i64,
    /// The channel, when the log says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Whether the touchpoint is in the journey.
    pub known: bool,
    /// Measure values recorded with the event.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub measures: BTreeMap<String, f64>,
}

/// One customer's journey as observed (or one session of it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Trace {
    /// The customer key.
    pub customer: String,
    /// 0 for the first session, then 1, 2, … when a session gap is set.
    pub session: u32,
    /// The steps in time order (input order for equal timestamps).
    pub steps: Vec<Step>,
}

/// Traces and the unknown event names met while building them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Traces {
    /// The traces, ordered by customer key, then session.
    pub traces: Vec<Trace>,
    /// Event names that map to no touchpoint, with their counts: candidate
    /// touchpoints the map is missing.
    pub unknown_events: BTreeMap<String, u64>,
}

impl EventLog {
    /// Cuts the log into per-customer traces, mapping event names onto the
    /// journey's touchpoints (any name is "known" when `journey` is `None`).
    pub fn traces(&self, journey: Option<&Journey>, mapping: &Mapping) -> Traces {
        let mut by_customer: std::collections::HashMap<&str, Vec<&Event>> =
            std::collections::HashMap::new();
        for event in &self.events {
            by_customer.entry(&event.customer).or_default().push(event);
        }
        let mut by_customer: Vec<(&str, Vec<&Event>)> = by_customer.into_iter().collect();
        by_customer.sort_unstable_by_key(|(customer, _)| *customer);
        let known_ids: Option<std::collections::HashSet<&str>> =
            journey.map(|j| j.touchpoints.iter().map(|t| t.id.as_str()).collect());
        let mut result = Traces::default();
        for (customer, mut events) in by_customer {
            // Stable: equal timestamps keep their input order.
            events.sort_by_key(|event| event.timestamp);
            let mut session = 0u32;
            let mut steps: Vec<Step> = Vec::new();
            let mut last_time: Option<i64> = None;
            for event in events {
                if let (Some(gap), Some(last)) = (mapping.session_gap, last_time)
                    && event.timestamp.saturating_sub(last) > gap
                    && !steps.is_empty()
                {
                    result.traces.push(Trace {
                        customer: customer.to_owned(),
                        session,
                        steps: std::mem::take(&mut steps),
                    });
                    session += 1;
                }
                last_time = Some(event.timestamp);
                let touchpoint = mapping
                    .names
                    .get(&event.name)
                    .cloned()
                    .unwrap_or_else(|| event.name.clone());
                let known = known_ids
                    .as_ref()
                    .is_none_or(|ids| ids.contains(touchpoint.as_str()));
                if !known {
                    *result.unknown_events.entry(event.name.clone()).or_default() += 1;
                    if mapping.unknown == UnknownEvents::Drop {
                        continue;
                    }
                }
                steps.push(Step {
                    touchpoint,
                    timestamp: event.timestamp,
                    channel: event.channel.clone(),
                    known,
                    measures: event.measures.clone(),
                });
            }
            if !steps.is_empty() {
                result.traces.push(Trace {
                    customer: customer.to_owned(),
                    session,
                    steps,
                });
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(log.events[1].measures["csat"], 4.0);
        assert_eq!(log.events[0].channel.as_deref(), Some("web"));

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
                message: "timestamp \"not-a-time\" is not RFC 3339 or epoch seconds/milliseconds"
                    .into()
            }
        );
        let error = EventLog::new()
            .read_csv("who,when,what\n".as_bytes(), &CsvOptions::default())
            .unwrap_err();
        assert_eq!(error.code(), "csv_error");
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
            log.push(Event::new(customer, time, name));
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
