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

use crate::bytes::same;
use crate::error::Error;
use crate::model::Journey;

#[cfg(not(target_arch = "wasm32"))]
mod plain;

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

/// Distinct strings stored once, each named by a dense number given in order
/// of first appearance (so the numbering never depends on hashing).
#[derive(Clone)]
pub(crate) struct Symbols {
    /// The strings one after the other; string `id` ends at `ends[id]`.
    text: String,
    ends: Vec<usize>,
    /// The hash of each string, so growing the table reads no strings.
    hashes: Vec<u64>,
    /// The last string interned: logs tend to repeat it (a customer's
    /// events in a row), which then costs one comparison, not a hash.
    last: u32,
    /// Strings met lately, by a cheap fingerprint (`NO_SYMBOL` where
    /// none): names and channels of a log are few and recur, and are then
    /// found without hashing them.
    recent: [u32; RECENT],
    table: hashbrown::HashTable<u32>,
    hasher: hashbrown::DefaultHashBuilder,
}

impl std::fmt::Debug for Symbols {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries((0..self.len() as u32).map(|id| self.name(id)))
            .finish()
    }
}

impl Default for Symbols {
    fn default() -> Self {
        Symbols {
            text: String::new(),
            ends: Vec::new(),
            hashes: Vec::new(),
            last: NO_SYMBOL,
            recent: [NO_SYMBOL; RECENT],
            table: hashbrown::HashTable::new(),
            hasher: hashbrown::DefaultHashBuilder::default(),
        }
    }
}

/// Slots of [`Symbols`]' recent strings.
const RECENT: usize = 64;

/// No string (in [`Symbols`]' recent slots).
const NO_SYMBOL: u32 = u32::MAX;

/// A cheap fingerprint of a string: its length and first and last bytes.
#[inline]
fn recent_slot(bytes: &[u8]) -> usize {
    let (first, last) = match bytes {
        [] => (0, 0),
        [first, .., last] => (*first, *last),
        [only] => (*only, *only),
    };
    let mix = (bytes.len() as u32)
        .wrapping_mul(0x9e37_79b9)
        .wrapping_add(u32::from(first) << 8 | u32::from(last))
        .wrapping_mul(0x85eb_ca6b);
    (mix >> 26) as usize % RECENT
}

impl Symbols {
    /// The number of `name`, given it if new; `None` when 2³² − 1 distinct
    /// strings are already stored.
    pub(crate) fn intern(&mut self, name: &str) -> Option<u32> {
        use std::hash::BuildHasher;
        let name_bytes = name.as_bytes();
        if self.last != NO_SYMBOL && same(self.bytes(self.last), name_bytes) {
            return Some(self.last);
        }
        let slot = recent_slot(name_bytes);
        let recent = self.recent[slot];
        if recent != NO_SYMBOL && same(self.bytes(recent), name_bytes) {
            self.last = recent;
            return Some(recent);
        }
        let hash = self.hasher.hash_one(name);
        if let Some(&id) = self
            .table
            .find(hash, |&id| same(self.bytes(id), name_bytes))
        {
            self.last = id;
            self.recent[slot] = id;
            return Some(id);
        }
        let id = u32::try_from(self.ends.len())
            .ok()
            .filter(|&id| id < u32::MAX)?;
        self.text.push_str(name);
        self.ends.push(self.text.len());
        self.hashes.push(hash);
        let hashes = &self.hashes;
        self.table
            .insert_unique(hash, id, |&id| hashes[id as usize]);
        self.last = id;
        self.recent[slot] = id;
        Some(id)
    }

    /// The string numbered `id`.
    #[inline]
    pub(crate) fn name(&self, id: u32) -> &str {
        &self.text[self.range(id)]
    }

    /// Its bytes (compared without the checks of slicing a `str`).
    fn bytes(&self, id: u32) -> &[u8] {
        &self.text.as_bytes()[self.range(id)]
    }

    fn range(&self, id: u32) -> std::ops::Range<usize> {
        let id = id as usize;
        let start = if id == 0 { 0 } else { self.ends[id - 1] };
        start..self.ends[id]
    }

    /// How many distinct strings.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }
}

/// Item `index`'s range in a list of run ends: `ends[index - 1]..ends[index]`.
fn range_at(ends: &[u32], index: usize) -> std::ops::Range<usize> {
    let start = match index {
        0 => 0,
        i => ends[i - 1] as usize,
    };
    start..ends[index] as usize
}

/// The number of `name` in `symbols`, and in `names` (which lists the same
/// strings, borrowed, in the same order): appended to both when new.
fn intern_into<'a>(symbols: &mut Symbols, names: &mut Vec<&'a str>, name: &'a str) -> (u32, bool) {
    // Never more distinct strings than the u32-indexed items they come from.
    let index = symbols.intern(name).unwrap_or_default();
    let new = index as usize == names.len();
    if new {
        names.push(name);
    }
    (index, new)
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

    /// An owned copy.
    pub fn to_event(&self) -> Event {
        Event {
            customer: self.customer.to_owned(),
            timestamp: self.timestamp,
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
#[serde(default, deny_unknown_fields)]
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
    ///
    /// Fails with [`Error::LimitExceeded`] only when the log already holds
    /// 2³² − 1 events or distinct strings of one kind.
    pub fn push(&mut self, event: &Event) -> Result<(), Error> {
        let measures: Vec<(&str, f64)> = event
            .measures
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .collect();
        self.push_parts(
            &event.customer,
            event.timestamp,
            &event.name,
            event.channel.as_deref(),
            &measures,
        )
    }

    /// Appends an event given by its parts, without building an [`Event`].
    /// An empty customer key or event name is refused with
    /// [`Error::InvalidOption`].
    pub fn push_parts(
        &mut self,
        customer: &str,
        timestamp: i64,
        name: &str,
        channel: Option<&str>,
        measures: &[(&str, f64)],
    ) -> Result<(), Error> {
        let full = |what: &str| Error::LimitExceeded {
            what: what.to_owned(),
            limit: u32::MAX as usize - 1,
            actual: u32::MAX as usize,
        };
        if customer.is_empty() || name.is_empty() {
            return Err(Error::argument(
                "event",
                "the customer key and the event name must not be empty",
            ));
        }
        if self.len() >= u32::MAX as usize - 1
            || self.measures.len() + measures.len() >= u32::MAX as usize
        {
            return Err(full("events in the log"));
        }
        let customer = self
            .customers
            .intern(customer)
            .ok_or_else(|| full("distinct customers"))?;
        let name = self
            .names
            .intern(name)
            .ok_or_else(|| full("distinct event names"))?;
        let channel = match channel {
            Some(channel) => self
                .channels
                .intern(channel)
                .ok_or_else(|| full("distinct channels"))?,
            None => NO_CHANNEL,
        };
        let mark = self.measures.len();
        for (key, value) in measures {
            let Some(key) = self.measure_keys.intern(key) else {
                self.measures.truncate(mark); // nothing of a refused event is kept
                return Err(full("distinct measure keys"));
            };
            self.measures.push((key, *value));
        }
        self.customer.push(customer);
        self.timestamp.push(timestamp);
        self.name.push(name);
        self.channel.push(channel);
        self.measure_end.push(self.measures.len() as u32);
        Ok(())
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.customer.len()
    }

    /// Whether there is no event.
    pub fn is_empty(&self) -> bool {
        self.customer.is_empty()
    }

    /// Number of distinct customers.
    pub fn customer_count(&self) -> usize {
        self.customers.len()
    }

    /// The event at `index` (input order).
    pub fn get(&self, index: usize) -> Option<EventRef<'_>> {
        let customer = *self.customer.get(index)?;
        Some(EventRef {
            customer: self.customers.name(customer),
            timestamp: self.timestamp[index],
            name: self.names.name(self.name[index]),
            channel: self.channel_of(index),
            log: self,
            index,
        })
    }

    /// The events in input order.
    pub fn iter(&self) -> impl Iterator<Item = EventRef<'_>> {
        (0..self.len()).filter_map(|index| self.get(index))
    }

    fn measure_range(&self, index: usize) -> std::ops::Range<usize> {
        range_at(&self.measure_end, index)
    }

    /// The channel of the event at `index`.
    fn channel_of(&self, index: usize) -> Option<&str> {
        let channel = self.channel[index];
        (channel != NO_CHANNEL).then(|| self.channels.name(channel))
    }

    /// Reads events from CSV with a header row and appends them.
    ///
    /// Bad rows (a missing or empty customer or event, a bad timestamp, a
    /// measure that is not a number, a short row) are skipped and reported
    /// with the line they start on, or fail the read with [`Error::Csv`]
    /// under [`OnError::Fail`]. A file whose header lacks a required column
    /// fails at once, and so does an input that cannot be read (an I/O
    /// error, with the line reached); the rows before it stay in the log.
    ///
    /// Fields may be quoted (`""` for a quote, line ends inside quotes);
    /// `\n`, `\r\n` and `\r` end rows; blank lines are skipped; a UTF-8
    /// byte order mark before the header is ignored. Logs without quotes
    /// are read fastest (on native targets, on two threads).
    pub fn read_csv(
        &mut self,
        input: impl Read,
        options: &CsvOptions,
    ) -> Result<ReadReport, Error> {
        let delimiter = u8::try_from(options.delimiter)
            .map_err(|_| csv_error(1, "the delimiter must be a single-byte character"))?;
        // Native targets read lines without quotes by a faster path that
        // gives the same result (`plain`); WebAssembly keeps one reader
        // (less code).
        #[cfg(not(target_arch = "wasm32"))]
        {
            plain::read_csv(self, input, delimiter, options)
        }
        #[cfg(target_arch = "wasm32")]
        {
            let mut records = Records::new(input, delimiter, 1);
            let columns = columns_of(&mut records, options)?;
            self.read_records(records, &columns, options, ReadReport::default())
        }
    }

    /// Reads the rest of `records`, appending the good rows and counting
    /// the bad ones into `report`.
    fn read_records(
        &mut self,
        mut records: Records<impl Read>,
        columns: &Columns<'_>,
        options: &CsvOptions,
        mut report: ReadReport,
    ) -> Result<ReadReport, Error> {
        // Splitting the CSV into fields takes about as long as checking and
        // interning them: on native targets, from the second batch on, a
        // second thread checks, interns and appends while this one splits,
        // records handed over in batches (their memory reused), in order.
        // A file of one batch is read on this thread alone.
        let mut batch = Batch::default();
        let mut more = batch.fill(&mut records)?;
        if !more || cfg!(target_arch = "wasm32") {
            loop {
                self.take_batch(&batch, columns, options, &mut report)?;
                if !more {
                    return Ok(report);
                }
                batch.clear();
                more = batch.fill(&mut records)?;
            }
        }
        std::thread::scope(|scope| {
            let (full, full_batches) = std::sync::mpsc::sync_channel::<Batch>(2);
            let (empty, empty_batches) = std::sync::mpsc::channel::<Batch>();
            let worker = scope.spawn(move || {
                for mut batch in full_batches {
                    self.take_batch(&batch, columns, options, &mut report)?;
                    batch.clear();
                    // The splitter may have finished already.
                    let _ = empty.send(batch);
                }
                Ok(report)
            });
            let mut failed = None;
            while more {
                // Stops early when the worker stopped (a bad row under
                // OnError::Fail).
                if full.send(batch).is_err() {
                    break;
                }
                batch = empty_batches.try_recv().unwrap_or_default();
                more = match batch.fill(&mut records) {
                    Ok(more) => more,
                    Err(error) => {
                        failed = Some(error);
                        break;
                    }
                };
                if !more {
                    let _ = full.send(batch);
                    break;
                }
            }
            drop(full);
            let taken = worker
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            failed.map_or(taken, Err)
        })
    }

    /// Checks a batch's records, appends the good rows and counts (or
    /// fails on) the bad ones.
    fn take_batch(
        &mut self,
        batch: &Batch,
        columns: &Columns<'_>,
        options: &CsvOptions,
        report: &mut ReadReport,
    ) -> Result<(), Error> {
        let mut measures: Vec<(&str, f64)> = Vec::with_capacity(columns.measures.len());
        for (record, &line) in batch.records.iter().zip(&batch.lines) {
            measures.clear();
            let outcome = parse_row(|i| record.get(i), columns, options, &mut measures).and_then(
                |(customer, timestamp, name, channel)| {
                    self.push_parts(customer, timestamp, name, channel, &measures)
                        .map_err(|e| e.to_string())
                },
            );
            report.tally(line, outcome, options.on_error)?;
        }
        Ok(())
    }
}

/// Records of a CSV log as split, each with its line. The records' memory
/// is reused from batch to batch.
#[derive(Default)]
struct Batch {
    /// The first `lines.len()` are this batch's.
    records: Vec<RawRecord>,
    lines: Vec<u64>,
}

impl Batch {
    /// Records handed over at a time.
    const ROWS: usize = 4096;

    /// Reads records until the batch is full (then `true`: more may follow)
    /// or the input ends (`false`).
    fn fill(&mut self, records: &mut Records<impl Read>) -> Result<bool, Error> {
        while self.lines.len() < Batch::ROWS {
            let at = self.lines.len();
            if self.records.len() == at {
                self.records.push(RawRecord::default());
            }
            match records.next(&mut self.records[at])? {
                None => return Ok(false),
                Some(line) => self.lines.push(line),
            }
        }
        Ok(true)
    }

    fn clear(&mut self) {
        self.lines.clear();
    }
}

impl EventLog {
    /// Writes the log as CSV (`customer,timestamp,event,channel` and one
    /// column per measure key, timestamps in RFC 3339 UTC), readable by
    /// [`EventLog::read_csv`] with the measure columns listed.
    pub fn write_csv(&self, output: impl std::io::Write) -> Result<(), Error> {
        let mut keys: Vec<(&str, u32)> = (0..self.measure_keys.len() as u32)
            .map(|k| (self.measure_keys.name(k), k))
            .collect();
        keys.sort_unstable();
        let mut writer = csv::Writer::from_writer(output);
        let failed = |e: csv::Error| csv_error(0, &e.to_string());
        let mut header = vec!["customer", "timestamp", "event", "channel"];
        header.extend(keys.iter().map(|(name, _)| *name));
        writer.write_record(&header).map_err(failed)?;
        let mut values: Vec<Option<f64>> = vec![None; self.measure_keys.len()];
        for (index, event) in self.iter().enumerate() {
            let time = rfc3339_utc(event.timestamp).unwrap_or_else(|| event.timestamp.to_string());
            values.iter_mut().for_each(|v| *v = None);
            for m in self.measure_range(index) {
                let (key, value) = self.measures[m];
                values[key as usize] = Some(value);
            }
            writer
                .write_field(event.customer)
                .and_then(|()| writer.write_field(&time))
                .and_then(|()| writer.write_field(event.name))
                .and_then(|()| writer.write_field(event.channel.unwrap_or_default()))
                .map_err(failed)?;
            for (_, key) in &keys {
                let text = values[*key as usize].map(|v| v.to_string());
                writer
                    .write_field(text.as_deref().unwrap_or_default())
                    .map_err(failed)?;
            }
            writer.write_record(None::<&[u8]>).map_err(failed)?;
        }
        writer.flush().map_err(|e| csv_error(0, &e.to_string()))
    }
}

/// The column names of a CSV header (trimmed; a UTF-8 byte order mark
/// before the first is not part of its name) and the header's line.
pub(crate) struct Header {
    names: Vec<String>,
    line: u64,
}

impl Header {
    /// Reads the header: the first record of `records`.
    pub(crate) fn read(records: &mut Records<impl Read>) -> Result<Header, Error> {
        let mut header = RawRecord::default();
        let line = records.next(&mut header)?.unwrap_or(1);
        let mut names = Vec::with_capacity(header.fields);
        for index in 0..header.fields {
            let Some(Ok(name)) = header.get(index) else {
                return Err(csv_error(line, "the header is not UTF-8 text"));
            };
            let name = if index == 0 {
                name.trim_start_matches('\u{feff}')
            } else {
                name
            };
            names.push(name.trim().to_owned());
        }
        Ok(Header { names, line })
    }

    /// The index of column `name`, if the header has it.
    pub(crate) fn column(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|h| h == name)
    }

    /// The index of column `name`, or the error that the header lacks it.
    pub(crate) fn required(&self, name: &str) -> Result<usize, Error> {
        self.column(name)
            .ok_or_else(|| csv_error(self.line, &format!("the header has no column {name:?}")))
    }
}

/// Finds the columns `options` names in the header, the first record of
/// `records`.
fn columns_of<'c>(
    records: &mut Records<impl Read>,
    options: &'c CsvOptions,
) -> Result<Columns<'c>, Error> {
    let header = Header::read(records)?;
    Ok(Columns {
        customer: header.required(&options.customer)?,
        timestamp: header.required(&options.timestamp)?,
        event: header.required(&options.event)?,
        channel: header.column(&options.channel),
        measures: options
            .measures
            .iter()
            .map(|name| header.required(name).map(|index| (name.as_str(), index)))
            .collect::<Result<_, _>>()?,
    })
}

/// Where the columns of a CSV log are.
struct Columns<'a> {
    customer: usize,
    timestamp: usize,
    event: usize,
    channel: Option<usize>,
    measures: Vec<(&'a str, usize)>,
}

fn csv_error(row: u64, reason: &str) -> Error {
    Error::Csv {
        row,
        message: reason.to_owned(),
    }
}

/// CSV records as csv_core splits them (quoted fields, `""` escapes; `\r`,
/// `\n` and `\r\n` end records; blank lines skipped), each with the line
/// its first field is on. The terminators before a record are skipped here,
/// so that line is counted exactly.
pub(crate) struct Records<R> {
    input: R,
    core: csv_core::Reader,
    buffer: Box<[u8]>,
    /// The unread bytes are `buffer[start..end]`.
    start: usize,
    end: usize,
    /// The line of `buffer[start]`.
    line: u64,
}

impl<R: Read> Records<R> {
    /// Records of `input`, whose first byte is on line `line`.
    pub(crate) fn new(input: R, delimiter: u8, line: u64) -> Records<R> {
        Records {
            input,
            core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            buffer: vec![0; 1 << 18].into_boxed_slice(),
            start: 0,
            end: 0,
            line,
        }
    }

    /// Reads more input when all is used; `false` at its end.
    fn refill(&mut self) -> Result<bool, Error> {
        if self.start == self.end {
            let read = loop {
                match self.input.read(&mut self.buffer) {
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    read => break read,
                }
            };
            self.start = 0;
            self.end =
                read.map_err(|e| csv_error(self.line, &format!("reading the input failed: {e}")))?;
        }
        Ok(self.start < self.end)
    }

    /// Reads the next record into `record`: its line, or `None` at the end.
    pub(crate) fn next(&mut self, record: &mut RawRecord) -> Result<Option<u64>, Error> {
        loop {
            if !self.refill()? {
                return Ok(None);
            }
            let unread = &self.buffer[self.start..self.end];
            let skip = unread
                .iter()
                .position(|&byte| byte != b'\n' && byte != b'\r')
                .unwrap_or(unread.len());
            self.line += newlines(&unread[..skip]);
            self.start += skip;
            if self.start < self.end {
                break;
            }
        }
        let line = self.line;
        record.clear();
        loop {
            let (result, read, written, ended) = self.core.read_record(
                &self.buffer[self.start..self.end],
                &mut record.bytes[record.filled..],
                &mut record.ends[record.fields..],
            );
            self.line += newlines(&self.buffer[self.start..self.start + read]);
            self.start += read;
            record.filled += written;
            record.fields += ended;
            match result {
                csv_core::ReadRecordResult::InputEmpty => {
                    // At the end, csv_core is given no input: it ends the record.
                    self.refill()?;
                }
                csv_core::ReadRecordResult::OutputFull => {
                    let grown = record.bytes.len() * 2;
                    record.bytes.resize(grown, 0);
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    let grown = record.ends.len() * 2;
                    record.ends.resize(grown, 0);
                }
                csv_core::ReadRecordResult::Record => return Ok(Some(line)),
                csv_core::ReadRecordResult::End => {
                    return Ok((record.fields > 0).then_some(line));
                }
            }
        }
    }
}

/// How many `\n` in `bytes`.
fn newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&byte| byte == b'\n').count() as u64
}

/// One CSV record: its fields' bytes one after the other, and where each
/// ends.
pub(crate) struct RawRecord {
    bytes: Vec<u8>,
    ends: Vec<usize>,
    /// Bytes and fields of this record (the vectors are longer: csv_core
    /// writes into them).
    filled: usize,
    fields: usize,
}

impl Default for RawRecord {
    fn default() -> Self {
        RawRecord {
            bytes: vec![0; 256],
            ends: vec![0; 16],
            filled: 0,
            fields: 0,
        }
    }
}

impl RawRecord {
    fn clear(&mut self) {
        self.filled = 0;
        self.fields = 0;
    }

    /// Field `index` as text, or `Err(())` when it is not UTF-8.
    pub(crate) fn get(&self, index: usize) -> Option<Result<&str, ()>> {
        if index >= self.fields {
            return None;
        }
        let start = if index == 0 { 0 } else { self.ends[index - 1] };
        Some(std::str::from_utf8(&self.bytes[start..self.ends[index]]).map_err(|_| ()))
    }
}

/// The customer, timestamp, event name and channel of a row; its measure
/// values go to `measures`.
///
/// `get(index)` is field `index` as text, `Err(())` when it is not UTF-8,
/// `None` when the row has no such field.
fn parse_row<'r, 'c>(
    get: impl Fn(usize) -> Option<Result<&'r str, ()>>,
    columns: &Columns<'c>,
    options: &CsvOptions,
    measures: &mut Vec<(&'c str, f64)>,
) -> Result<(&'r str, i64, &'r str, Option<&'r str>), String> {
    let text = |index: usize, name: &str| -> Result<Option<&'r str>, String> {
        match get(index) {
            None => Ok(None),
            Some(Err(())) => Err(format!("{name} is not UTF-8 text")),
            // ASCII spaces first (cheap), then any other Unicode space.
            Some(Ok(text)) => {
                let text = text.trim_ascii();
                // Other Unicode spaces are not ASCII: only text that starts
                // or ends with a non-ASCII character can have them.
                let bytes = text.as_bytes();
                let ascii_ends = match (bytes.first(), bytes.last()) {
                    (Some(first), Some(last)) => first.is_ascii() && last.is_ascii(),
                    _ => true,
                };
                Ok(Some(if ascii_ends { text } else { text.trim() }))
            }
        }
    };
    let field = |index: usize, name: &str| -> Result<&'r str, String> {
        match text(index, name)? {
            Some("") => Err(format!("{name} is empty")),
            Some(value) => Ok(value),
            None => Err(format!("the row has no {name} column")),
        }
    };
    let customer = field(columns.customer, &options.customer)?;
    let name = field(columns.event, &options.event)?;
    let raw_time = field(columns.timestamp, &options.timestamp)?;
    let timestamp = parse_timestamp(raw_time, options.timestamp_format).ok_or_else(|| {
        format!(
            "timestamp {raw_time:?} is not {}",
            describe(options.timestamp_format)
        )
    })?;
    let channel = match columns.channel {
        Some(index) => text(index, &options.channel)?.filter(|value| !value.is_empty()),
        None => None,
    };
    for &(key, index) in &columns.measures {
        let value = match text(index, key)? {
            None | Some("") => continue,
            Some(value) => value,
        };
        match value.parse::<f64>() {
            Ok(number) if number.is_finite() => measures.push((key, number)),
            _ => return Err(format!("{key} value {value:?} is not a number")),
        }
    }
    Ok((customer, timestamp, name, channel))
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
        rfc3339_millis(text.as_bytes()).or_else(|| {
            chrono::DateTime::parse_from_rfc3339(text)
                .ok()
                .map(|t| t.timestamp_millis())
        })
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

/// Epoch milliseconds as RFC 3339 in UTC, `YYYY-MM-DDTHH:MM:SS[.mmm]Z`
/// (milliseconds only when there are some); `None` outside the years
/// 0000–9999, which RFC 3339 cannot write.
fn rfc3339_utc(millis: i64) -> Option<String> {
    let days = millis.div_euclid(86_400_000);
    let in_day = millis.rem_euclid(86_400_000);
    // The proleptic Gregorian date of a day count (days from civil, inverted).
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153; // March = 0
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    if !(0..=9999).contains(&year) {
        return None;
    }
    let (seconds, fraction) = (in_day / 1000, in_day % 1000);
    let (hour, minute, second) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    let mut text = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}");
    if fraction != 0 {
        text.push_str(&format!(".{fraction:03}"));
    }
    text.push('Z');
    Some(text)
}

/// The common shape of RFC 3339, `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`,
/// read directly (a log holds millions of timestamps); `None` for anything
/// else, which is then left to chrono's full parser (leap seconds among it).
/// Agrees with chrono wherever it answers (a property test checks).
fn rfc3339_millis(text: &[u8]) -> Option<i64> {
    fn digits(text: &[u8], at: usize, len: usize) -> Option<i64> {
        let mut value = 0i64;
        for &byte in text.get(at..at + len)? {
            if !byte.is_ascii_digit() {
                return None;
            }
            value = value * 10 + i64::from(byte - b'0');
        }
        Some(value)
    }
    let separators = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if text.len() < 20
        || separators.iter().any(|&(at, byte)| text[at] != byte)
        || !matches!(text[10], b'T' | b't' | b' ')
    {
        return None;
    }
    let (year, month, day) = (
        digits(text, 0, 4)?,
        digits(text, 5, 2)?,
        digits(text, 8, 2)?,
    );
    let (hour, minute, second) = (
        digits(text, 11, 2)?,
        digits(text, 14, 2)?,
        digits(text, 17, 2)?,
    );
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&month)
        || day < 1
        || day > month_days[month as usize - 1]
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let mut at = 19;
    let mut millis = 0;
    if text[at] == b'.' {
        let start = at + 1;
        at = start;
        while at < text.len() && text[at].is_ascii_digit() && at - start < 9 {
            if at - start < 3 {
                millis = millis * 10 + i64::from(text[at] - b'0');
            }
            at += 1;
        }
        if at == start || text.get(at).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        for _ in (at - start)..3 {
            millis *= 10;
        }
    }
    let offset_minutes = match text.get(at..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), rest @ ..] if rest.len() == 5 && rest[2] == b':' => {
            let (hours, minutes) = (digits(rest, 0, 2)?, digits(rest, 3, 2)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let offset = hours * 60 + minutes;
            if *sign == b'-' { -offset } else { offset }
        }
        _ => return None,
    };
    // Days since 1970-01-01 of a proleptic Gregorian date (civil-from-days inverted).
    let shifted = if month <= 2 { year - 1 } else { year };
    let era = shifted.div_euclid(400);
    let year_of_era = shifted - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1000 + millis)
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
#[serde(default, deny_unknown_fields)]
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
        self.trace_table(journey, mapping).to_traces()
    }

    /// The same traces as [`EventLog::traces`], as a table of numbers that
    /// borrows its strings from the log: what discovery and the data funnel
    /// read, without a string copied per step.
    ///
    /// Logs of a million events or more are cut on several threads (scoped:
    /// all have ended when this returns; never in WebAssembly); the table is
    /// the same as one thread's.
    pub fn trace_table<'a>(
        &'a self,
        journey: Option<&Journey>,
        mapping: &'a Mapping,
    ) -> TraceTable<'a> {
        self.trace_table_in(journey, mapping, parallelism(self.len()))
    }

    /// [`EventLog::trace_table`] cut in `parts` ranges of customers, on as
    /// many threads when more than one.
    pub(crate) fn trace_table_in<'a>(
        &'a self,
        journey: Option<&Journey>,
        mapping: &'a Mapping,
        parts: usize,
    ) -> TraceTable<'a> {
        let (mut table, cutting) = self.cutting(journey, mapping);
        let results = self.cut_in_parts(cutting, mapping, parts, |customers, cut| {
            let mut part = TraceTable::default();
            for customer in customers {
                cut(customer, &mut part);
            }
            part
        });
        let mut unknown_count = vec![0u64; self.names.len()];
        for (part, counts) in results {
            table.append(part);
            for (total, count) in unknown_count.iter_mut().zip(counts) {
                *total += count;
            }
        }
        for (id, &count) in unknown_count.iter().enumerate() {
            if count > 0 {
                table
                    .unknown_events
                    .insert(self.names.name(id as u32).to_owned(), count);
            }
        }
        table
    }

    /// What cutting the log into traces needs: the touchpoint and key
    /// tables (a [`TraceTable`] without traces, which the traces cut will
    /// index), and what each event name maps to with the events grouped by
    /// customer.
    pub(crate) fn cutting<'a>(
        &'a self,
        journey: Option<&Journey>,
        mapping: &'a Mapping,
    ) -> (TraceTable<'a>, Cutting) {
        let known_ids: Option<std::collections::HashSet<&str>> =
            journey.map(|j| j.touchpoints.iter().map(|t| t.id.as_str()).collect());
        // Each distinct event name is mapped once.
        let mut header = TraceTable::default();
        let mut touchpoints: Symbols = Symbols::default();
        let mut of_name: Vec<Option<u32>> = Vec::with_capacity(self.names.len());
        let mut is_unknown = vec![false; self.names.len()];
        for id in 0..self.names.len() as u32 {
            let name = self.names.name(id);
            let touchpoint = mapping.names.get(name).map_or(name, String::as_str);
            let known = known_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(touchpoint));
            let keep = known || mapping.unknown == UnknownEvents::Keep;
            of_name.push(keep.then(|| {
                let (index, new) =
                    intern_into(&mut touchpoints, &mut header.touchpoints, touchpoint);
                if new {
                    header.known.push(known);
                }
                index
            }));
            is_unknown[id as usize] = !known;
        }
        for id in 0..self.measure_keys.len() as u32 {
            header.keys.push(self.measure_keys.name(id));
        }
        // Group the events by customer (counting sort, input order kept).
        let customers = self.customers.len();
        let mut start = vec![0u32; customers + 1];
        for &c in &self.customer {
            start[c as usize + 1] += 1;
        }
        for c in 0..customers {
            start[c + 1] += start[c];
        }
        let mut order = vec![0u32; self.len()];
        let mut next = start.clone();
        for (index, &c) in self.customer.iter().enumerate() {
            order[next[c as usize] as usize] = index as u32;
            next[c as usize] += 1;
        }
        let cutting = Cutting {
            of_name,
            is_unknown,
            start,
            order,
        };
        (header, cutting)
    }

    /// Runs `work` on `parts` contiguous ranges of customers, on as many
    /// threads when more than one, and returns each part's result with its
    /// counts of unknown events by name, in customer order. `work` gets its
    /// customers and a function that cuts one customer's events into traces
    /// appended to a table.
    pub(crate) fn cut_in_parts<'a, R: Send>(
        &'a self,
        cutting: Cutting,
        mapping: &'a Mapping,
        parts: usize,
        work: impl Fn(std::ops::Range<usize>, &mut dyn FnMut(usize, &mut TraceTable<'a>)) -> R + Sync,
    ) -> Vec<(R, Vec<u64>)> {
        let customers = self.customers.len();
        // Customers in contiguous ranges, one per thread on large logs; the
        // parts are joined in customer order, so the result does not depend
        // on how many there are.
        let parts = parts.clamp(1, customers.max(1));
        let bounds: Vec<usize> = (0..=parts).map(|p| customers * p / parts).collect();
        let Cutting {
            of_name,
            is_unknown,
            start,
            mut order,
        } = cutting;
        let mut chunks: Vec<(std::ops::Range<usize>, &mut [u32])> = Vec::with_capacity(parts);
        let mut rest: &mut [u32] = &mut order;
        for p in 0..parts {
            let (range, len) = (
                bounds[p]..bounds[p + 1],
                (start[bounds[p + 1]] - start[bounds[p]]) as usize,
            );
            let (chunk, tail) = rest.split_at_mut(len);
            chunks.push((range, chunk));
            rest = tail;
        }
        let run = |(range, events): (std::ops::Range<usize>, &mut [u32])| {
            let mut unknown_count = vec![0u64; is_unknown.len()];
            let first = start[range.start] as usize;
            let mut cut = |c: usize, table: &mut TraceTable<'a>| {
                let events = &mut events[start[c] as usize - first..start[c + 1] as usize - first];
                self.cut_customer(
                    c,
                    events,
                    mapping,
                    &of_name,
                    &is_unknown,
                    &mut unknown_count,
                    table,
                );
            };
            let result = work(range, &mut cut);
            (result, unknown_count)
        };
        if parts == 1 {
            chunks.into_iter().map(run).collect()
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = chunks
                    .into_iter()
                    .map(|chunk| scope.spawn(|| run(chunk)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                    .collect()
            })
        }
    }
}

/// See [`EventLog::cutting`].
pub(crate) struct Cutting {
    of_name: Vec<Option<u32>>,
    is_unknown: Vec<bool>,
    /// Where each customer's events start in `order`.
    start: Vec<u32>,
    /// Event indices grouped by customer.
    order: Vec<u32>,
}

impl EventLog {
    /// Cuts one customer's events (sorted here by time, stably) into traces
    /// appended to `table`.
    #[allow(clippy::too_many_arguments)]
    fn cut_customer<'a>(
        &'a self,
        customer: usize,
        events: &mut [u32],
        mapping: &Mapping,
        of_name: &[Option<u32>],
        is_unknown: &[bool],
        unknown_count: &mut [u64],
        table: &mut TraceTable<'a>,
    ) {
        if !events.is_sorted_by_key(|&e| self.timestamp[e as usize]) {
            events.sort_by_key(|&e| self.timestamp[e as usize]);
        }
        let customer = self.customers.name(customer as u32);
        let mut session = 0;
        let mut trace_start = table.touchpoint.len();
        let mut last_time: Option<i64> = None;
        for &e in events.iter() {
            let e = e as usize;
            let time = self.timestamp[e];
            if let (Some(gap), Some(last)) = (mapping.session_gap, last_time)
                && time.saturating_sub(last) > gap
                && table.touchpoint.len() > trace_start
            {
                table.close(customer, session, trace_start);
                trace_start = table.touchpoint.len();
                session += 1;
            }
            last_time = Some(time);
            let name = self.name[e] as usize;
            if is_unknown[name] {
                unknown_count[name] += 1;
            }
            let Some(touchpoint) = of_name[name] else {
                continue;
            };
            table.touchpoint.push(touchpoint);
            table.time.push(time);
            table.channel.push(self.channel_of(e));
            let measures = self.measure_range(e);
            if !measures.is_empty() {
                // (Most events have none: no copy call for them.)
                table.measures.extend_from_slice(&self.measures[measures]);
            }
            table.measure_end.push(table.measures.len() as u32);
        }
        if table.touchpoint.len() > trace_start {
            table.close(customer, session, trace_start);
        }
    }
}

/// How many threads to split work of this many items over: one below a
/// million items or where threads are not available (WebAssembly), else
/// the machine's parallelism up to 8.
pub(crate) fn parallelism(items: usize) -> usize {
    if cfg!(target_arch = "wasm32") || items < 1_000_000 {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// Traces as a table of numbers: touchpoints, measure keys and customers are
/// strings borrowed from the log (or from [`Traces`]) and named by index.
///
/// Built by [`EventLog::trace_table`] or from [`Traces`]; read by
/// [`crate::discovery::Discovery::from_traces`] and
/// [`crate::discovery::data_funnel`]. Its traces are in the order customers
/// first appear in the log; [`TraceTable::to_traces`] orders them by key.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TraceTable<'a> {
    /// Touchpoint ids (and unknown event names kept), by index.
    pub(crate) touchpoints: Vec<&'a str>,
    /// Whether each touchpoint is in the journey.
    pub(crate) known: Vec<bool>,
    /// Measure keys, by index.
    pub(crate) keys: Vec<&'a str>,
    /// The traces: customer, session and the end of its steps.
    pub(crate) traces: Vec<TraceSpan<'a>>,
    /// Per step: touchpoint index, time, channel and measure values.
    pub(crate) touchpoint: Vec<u32>,
    pub(crate) time: Vec<i64>,
    pub(crate) channel: Vec<Option<&'a str>>,
    pub(crate) measure_end: Vec<u32>,
    pub(crate) measures: Vec<(u32, f64)>,
    /// Event names that map to no touchpoint, with their counts.
    pub(crate) unknown_events: BTreeMap<String, u64>,
}

/// Traces that discovery and the data funnel read: [`Traces`], or a
/// [`TraceTable`] (cheaper: nothing to convert).
pub trait TraceSource {
    /// The traces as a table.
    fn table(&self) -> Cow<'_, TraceTable<'_>>;
}

impl TraceSource for Traces {
    fn table(&self) -> Cow<'_, TraceTable<'_>> {
        Cow::Owned(TraceTable::from_traces(self))
    }
}

impl TraceSource for TraceTable<'_> {
    fn table(&self) -> Cow<'_, TraceTable<'_>> {
        Cow::Borrowed(self)
    }
}

/// One trace of a [`TraceTable`]: its steps are `start..end`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TraceSpan<'a> {
    pub(crate) customer: &'a str,
    pub(crate) session: u32,
    pub(crate) start: u32,
    pub(crate) end: u32,
}

impl<'a> TraceTable<'a> {
    /// Empties the traces and steps, keeping the touchpoint and key tables
    /// (and the memory).
    pub(crate) fn clear_steps(&mut self) {
        self.traces.clear();
        self.touchpoint.clear();
        self.time.clear();
        self.channel.clear();
        self.measure_end.clear();
        self.measures.clear();
    }

    fn close(&mut self, customer: &'a str, session: u32, start: usize) {
        self.traces.push(TraceSpan {
            customer,
            session,
            start: start as u32,
            end: self.touchpoint.len() as u32,
        });
    }

    /// Appends the traces and steps of a part cut with the same touchpoint
    /// and key tables.
    fn append(&mut self, part: TraceTable<'a>) {
        if self.touchpoint.is_empty() && self.traces.is_empty() {
            self.traces = part.traces;
            self.touchpoint = part.touchpoint;
            self.time = part.time;
            self.channel = part.channel;
            self.measure_end = part.measure_end;
            self.measures = part.measures;
            return;
        }
        let steps = self.touchpoint.len() as u32;
        let measures = self.measures.len() as u32;
        self.traces
            .extend(part.traces.into_iter().map(|span| TraceSpan {
                start: span.start + steps,
                end: span.end + steps,
                ..span
            }));
        self.touchpoint.extend(part.touchpoint);
        self.time.extend(part.time);
        self.channel.extend(part.channel);
        self.measure_end
            .extend(part.measure_end.into_iter().map(|end| end + measures));
        self.measures.extend(part.measures);
    }

    /// Number of traces.
    pub fn len(&self) -> usize {
        self.traces.len()
    }

    /// Whether there is no trace.
    pub fn is_empty(&self) -> bool {
        self.traces.is_empty()
    }

    /// Number of steps in all traces.
    pub fn steps(&self) -> usize {
        self.touchpoint.len()
    }

    /// Event names that map to no touchpoint, with their counts.
    pub fn unknown_events(&self) -> &BTreeMap<String, u64> {
        &self.unknown_events
    }

    pub(crate) fn measure_range(&self, step: usize) -> std::ops::Range<usize> {
        range_at(&self.measure_end, step)
    }

    /// The traces with their strings, ordered by customer key, then session.
    pub fn to_traces(&self) -> Traces {
        let mut spans: Vec<&TraceSpan<'a>> = self.traces.iter().collect();
        spans.sort_unstable_by(|a, b| a.customer.cmp(b.customer).then(a.session.cmp(&b.session)));
        let traces = spans
            .into_iter()
            .map(|span| Trace {
                customer: span.customer.to_owned(),
                session: span.session,
                steps: (span.start as usize..span.end as usize)
                    .map(|s| {
                        let touchpoint = self.touchpoint[s] as usize;
                        Step {
                            touchpoint: self.touchpoints[touchpoint].to_owned(),
                            timestamp: self.time[s],
                            channel: self.channel[s].map(str::to_owned),
                            known: self.known[touchpoint],
                            measures: self.measures[self.measure_range(s)]
                                .iter()
                                .map(|&(key, value)| (self.keys[key as usize].to_owned(), value))
                                .collect(),
                        }
                    })
                    .collect(),
            })
            .collect();
        Traces {
            traces,
            unknown_events: self.unknown_events.clone(),
        }
    }

    /// The table of traces already cut (their order is kept).
    pub fn from_traces(traces: &'a Traces) -> TraceTable<'a> {
        let mut table = TraceTable::of(&traces.traces);
        table.unknown_events = traces.unknown_events.clone();
        table
    }

    /// The table of these traces.
    pub(crate) fn of(traces: &'a [Trace]) -> TraceTable<'a> {
        let mut table = TraceTable::default();
        let mut touchpoints = Symbols::default();
        let mut keys = Symbols::default();
        for trace in traces {
            let start = table.touchpoint.len();
            for step in &trace.steps {
                let (index, new) =
                    intern_into(&mut touchpoints, &mut table.touchpoints, &step.touchpoint);
                if new {
                    table.known.push(step.known);
                }
                table.touchpoint.push(index);
                table.time.push(step.timestamp);
                table.channel.push(step.channel.as_deref());
                for (key, value) in &step.measures {
                    let (k, _) = intern_into(&mut keys, &mut table.keys, key);
                    table.measures.push((k, *value));
                }
                table.measure_end.push(table.measures.len() as u32);
            }
            if table.touchpoint.len() > start {
                table.close(&trace.customer, trace.session, start);
            }
        }
        table
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Timestamps are written as chrono writes them, and read back.
        #[test]
        fn timestamps_are_written_as_chrono_writes_them(
            millis in -62_167_219_200_000i64..253_402_300_800_000,
            whole in proptest::bool::ANY,
        ) {
            let millis = if whole { millis / 1000 * 1000 } else { millis };
            let expected = chrono::DateTime::from_timestamp_millis(millis)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
            let written = rfc3339_utc(millis);
            proptest::prop_assert_eq!(&written, &expected);
            let read = written.and_then(|t| parse_timestamp(&t, TimestampFormat::Rfc3339));
            proptest::prop_assert_eq!(read, Some(millis));
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
            let mut model: std::collections::HashMap<&str, u32> = Default::default();
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
            rfc3339_utc(1_772_357_400_123).as_deref(),
            Some("2026-03-01T09:30:00.123Z")
        );
        assert_eq!(rfc3339_utc(-1).as_deref(), Some("1969-12-31T23:59:59.999Z"));
        assert_eq!(
            rfc3339_utc(951_782_400_000).as_deref(),
            Some("2000-02-29T00:00:00Z")
        );
        assert_eq!(
            rfc3339_utc(-62_167_219_200_000).as_deref(),
            Some("0000-01-01T00:00:00Z")
        );
        assert_eq!(rfc3339_utc(-62_167_219_200_001), None);
        assert_eq!(rfc3339_utc(253_402_300_800_000), None);
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
