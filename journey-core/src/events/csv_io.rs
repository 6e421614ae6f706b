//! Event logs in CSV: the options, the report of skipped rows, the header
//! and record machinery (also read by attribution's path data), and the
//! reading of records into the log, a batch at a time.

use super::*;
use crate::parallel::Made;

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
    /// Where timestamps written without an offset (naive local times,
    /// dates) were written: `"UTC"`, an offset such as `"+02:00"`, or a tz
    /// database name such as `"Europe/Paris"`, whose rules apply (a time
    /// the clocks pass twice is the first; one they skip reads as after
    /// the change), from the system's database (native) or the JS
    /// engine's (npm). Default: none, and such timestamps are refused (a
    /// guess would shift every time silently).
    pub time_zone: Option<String>,
    /// Whether to strip spaces around the customer key, event name, channel,
    /// timestamp and measure values. Default: `false`: `" A"` and `"A"` are
    /// two event names, as in the file.
    pub trim: bool,
    /// Skip-and-report or fail on a bad row. Default: skip.
    pub on_error: OnError,
    /// Whether a read that keeps no event is a success. Default: `false`:
    /// it fails, with the reason of the first bad rows.
    pub allow_empty: bool,
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
            time_zone: None,
            trim: false,
            on_error: OnError::Skip,
            allow_empty: false,
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

impl ReadReport {
    /// `Ok(self)` when the read kept an event or an empty result is
    /// allowed; else the error that says why nothing was kept.
    pub(crate) fn kept_some(self, allow_empty: bool) -> Result<ReadReport, Error> {
        if self.rows_used > 0 || allow_empty {
            return Ok(self);
        }
        let Some(first) = self.problems.first() else {
            return Err(csv_error(
                1,
                "the log has no event rows (allow_empty accepts an empty result)",
            ));
        };
        let reasons: Vec<String> = self
            .problems
            .iter()
            .take(3)
            .map(|problem| format!("line {}: {}", problem.row, problem.reason))
            .collect();
        let message = format!(
            "no event was read: all {} rows were bad ({}{}); allow_empty accepts an empty result",
            self.rows_read,
            reasons.join("; "),
            if self.rows_skipped > 3 { "; …" } else { "" },
        );
        Err(csv_error(first.row, &message))
    }
}

/// At most this many bad rows are listed in a [`ReadReport`]; all are counted.
pub const MAX_LISTED_PROBLEMS: usize = 1000;

/// The bytes one CSV record may have in the file (a line, or the lines a
/// quoted field spans; its line end not counted). Past it, the read fails
/// with [`Error::LimitExceeded`] (the rows before it stay in the log): a line
/// without an end costs a bounded amount of memory, not a multiple of the
/// input.
pub const MAX_RECORD_BYTES: usize = 16 << 20;

/// The error of a record past [`MAX_RECORD_BYTES`].
pub(super) fn record_too_large(line: u64, actual: usize) -> Error {
    Error::LimitExceeded {
        what: format!("bytes of the CSV record on line {line}"),
        limit: MAX_RECORD_BYTES,
        actual,
    }
}

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
        let micros = event
            .timestamp_micros()
            .ok_or_else(|| time_range(event.timestamp))?;
        self.push_micros(
            &event.customer,
            micros,
            &event.name,
            event.channel.as_deref(),
            &measures,
        )
    }

    /// Appends an event given by its parts, without building an [`Event`]
    /// (`timestamp` in epoch milliseconds). An empty customer key or event
    /// name is refused with [`Error::InvalidArgument`], and so is a
    /// timestamp past the ±292,000 years around 1970 that the log holds.
    pub fn push_parts(
        &mut self,
        customer: &str,
        timestamp: i64,
        name: &str,
        channel: Option<&str>,
        measures: &[(&str, f64)],
    ) -> Result<(), Error> {
        let micros = join_micros(timestamp, 0).ok_or_else(|| time_range(timestamp))?;
        self.push_micros(customer, micros, name, channel, measures)
    }

    /// [`EventLog::push_parts`] with the time in epoch microseconds.
    pub fn push_micros(
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
        let (timestamp, micros) = split_micros(self.timestamp[index]);
        Some(EventRef {
            customer: self.customers.name(customer),
            timestamp,
            micros,
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

    pub(super) fn measure_range(&self, index: usize) -> std::ops::Range<usize> {
        range_at(&self.measure_end, index)
    }

    /// The channel of the event at `index`.
    pub(super) fn channel_of(&self, index: usize) -> Option<&str> {
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
        if matches!(delimiter, b'\n' | b'\r' | b'"') {
            // A line break would fold the rows into the header.
            return Err(Error::option(
                "delimiter",
                "must not be a line break or the quote character",
            ));
        }
        // Native targets read lines without quotes by a faster path that
        // gives the same result (`plain`); WebAssembly keeps one reader
        // (less code).
        #[cfg(not(target_arch = "wasm32"))]
        let report = plain::read_csv(self, input, delimiter, options)?;
        #[cfg(target_arch = "wasm32")]
        let report = {
            let mut records = Records::new(input, delimiter, 1);
            let columns = columns_of(&mut records, options)?;
            self.read_records(records, &columns, options, ReadReport::default())?
        };
        report.kept_some(options.allow_empty)
    }

    /// Reads the rest of `records`, appending the good rows and counting
    /// the bad ones into `report`.
    pub(super) fn read_records(
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
        // An input that fails ends the batch: the records before it are
        // appended, then the failure is the read's error.
        let mut failed = None;
        let mut fill = |batch: &mut Batch| match batch.fill(&mut records) {
            Ok(made) => made,
            Err(error) => {
                failed = Some(error);
                Made::Last
            }
        };
        let mut batch = Batch::default();
        let made = fill(&mut batch);
        let refill = |batch: &mut Batch| {
            batch.clear();
            Ok(fill(batch))
        };
        let take = |batch: &mut Batch| self.take_batch(batch, columns, options, &mut report);
        crate::parallel::pipeline(batch, made, refill, take)?;
        match failed {
            Some(error) => Err(error),
            None => Ok(report),
        }
    }

    /// Checks a batch's records, appends the good rows and counts (or
    /// fails on) the bad ones.
    pub(super) fn take_batch(
        &mut self,
        batch: &Batch,
        columns: &Columns<'_>,
        options: &CsvOptions,
        report: &mut ReadReport,
    ) -> Result<(), Error> {
        let mut measures: Vec<(&str, f64)> = Vec::with_capacity(columns.measures.len());
        for (record, &line) in batch.records.iter().zip(&batch.lines) {
            measures.clear();
            let outcome = record
                .closed()
                .and_then(|()| parse_row(|i| record.get(i), columns, options, &mut measures))
                .and_then(|(customer, timestamp, name, channel)| {
                    self.push_micros(customer, timestamp, name, channel, &measures)
                        .map_err(|e| e.to_string())
                });
            report.tally(line, outcome, options.on_error)?;
        }
        Ok(())
    }
}

/// Records of a CSV log as split, each with its line. The records' memory
/// is reused from batch to batch.
#[derive(Default)]
pub(super) struct Batch {
    /// The first `lines.len()` are this batch's.
    pub(super) records: Vec<RawRecord>,
    pub(super) lines: Vec<u64>,
}

impl Batch {
    /// Records handed over at a time.
    const ROWS: usize = 4096;

    /// Reads records until the batch is full (then `true`: more may follow)
    /// or the input ends (`false`).
    /// Reads records up to a full batch: [`Made::Last`] when the log
    /// ended.
    pub(super) fn fill(&mut self, records: &mut Records<impl Read>) -> Result<Made, Error> {
        while self.lines.len() < Batch::ROWS {
            let at = self.lines.len();
            if self.records.len() == at {
                self.records.push(RawRecord::default());
            }
            match records.next(&mut self.records[at])? {
                None => return Ok(Made::Last),
                Some(line) => self.lines.push(line),
            }
        }
        Ok(Made::More)
    }

    pub(super) fn clear(&mut self) {
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
        crate::order::sort_by(&mut keys, Ord::cmp);
        let mut writer = CsvWriter::new(output);
        let failed = |e: std::io::Error| csv_error(0, &e.to_string());
        let mut header = vec!["customer", "timestamp", "event", "channel"];
        header.extend(keys.iter().map(|(name, _)| *name));
        writer.record(header).map_err(failed)?;
        let mut values: Vec<Option<f64>> = vec![None; self.measure_keys.len()];
        for (index, event) in self.iter().enumerate() {
            let micros = self.timestamp[index];
            // Outside RFC 3339's years: epoch microseconds (which the
            // auto format reads back as such: they are past 10¹⁴).
            let time = rfc3339_utc(micros).unwrap_or_else(|| micros.to_string());
            values.iter_mut().for_each(|v| *v = None);
            for m in self.measure_range(index) {
                let (key, value) = self.measures[m];
                values[key as usize] = Some(value);
            }
            writer
                .field(event.customer)
                .and_then(|()| writer.field(&time))
                .and_then(|()| writer.field(event.name))
                .and_then(|()| writer.field(event.channel.unwrap_or_default()))
                .map_err(failed)?;
            for (_, key) in &keys {
                let text = values[*key as usize].map(|v| v.to_string());
                writer
                    .field(text.as_deref().unwrap_or_default())
                    .map_err(failed)?;
            }
            writer.end().map_err(failed)?;
        }
        writer.flush().map_err(failed)
    }
}

/// CSV out, as RFC 4180 has it and the csv crate's default writer writes
/// it: fields separated by `,`, a field quoted only when it holds `,`, `"`,
/// CR or LF (its quotes doubled), records ended by LF; buffered.
pub(crate) struct CsvWriter<W: std::io::Write> {
    output: std::io::BufWriter<W>,
    /// Whether the record being written has a field yet.
    started: bool,
}

impl<W: std::io::Write> CsvWriter<W> {
    pub(crate) fn new(output: W) -> Self {
        CsvWriter {
            output: std::io::BufWriter::new(output),
            started: false,
        }
    }

    /// Writes the next field of the current record.
    pub(crate) fn field(&mut self, text: &str) -> std::io::Result<()> {
        use std::io::Write;
        let output = &mut self.output;
        if std::mem::replace(&mut self.started, true) {
            output.write_all(b",")?;
        }
        if !text
            .bytes()
            .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
        {
            return output.write_all(text.as_bytes());
        }
        output.write_all(b"\"")?;
        for (at, piece) in text.split('"').enumerate() {
            if at > 0 {
                output.write_all(b"\"\"")?;
            }
            output.write_all(piece.as_bytes())?;
        }
        output.write_all(b"\"")
    }

    /// Ends the current record.
    pub(crate) fn end(&mut self) -> std::io::Result<()> {
        self.started = false;
        std::io::Write::write_all(&mut self.output, b"\n")
    }

    /// A whole record.
    pub(crate) fn record<'a>(
        &mut self,
        fields: impl IntoIterator<Item = &'a str>,
    ) -> std::io::Result<()> {
        for field in fields {
            self.field(field)?;
        }
        self.end()
    }

    /// Writes out what is buffered.
    pub(crate) fn flush(&mut self) -> std::io::Result<()> {
        std::io::Write::flush(&mut self.output)
    }
}

/// The column names of a CSV header (trimmed; a UTF-8 byte order mark
/// before the first is not part of its name) and the header's line.
pub(crate) struct Header {
    pub(super) names: Vec<String>,
    pub(super) line: u64,
}

impl Header {
    /// Reads the header: the first record of `records`.
    pub(crate) fn read(records: &mut Records<impl Read>) -> Result<Header, Error> {
        let mut header = RawRecord::default();
        let line = records.next(&mut header)?.unwrap_or(1);
        header
            .closed()
            .map_err(|message| csv_error(line, &message))?;
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
pub(super) fn columns_of<'c>(
    records: &mut Records<impl Read>,
    options: &'c CsvOptions,
) -> Result<Columns<'c>, Error> {
    let time = TimeReader::new(&options.timestamp_format, options.time_zone.as_deref())?;
    let header = Header::read(records)?;
    Ok(Columns {
        time,
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

/// Where the columns of a CSV log are, and how its times are read.
pub(super) struct Columns<'a> {
    pub(super) time: TimeReader<'a>,
    pub(super) customer: usize,
    pub(super) timestamp: usize,
    pub(super) event: usize,
    pub(super) channel: Option<usize>,
    pub(super) measures: Vec<(&'a str, usize)>,
}

impl Columns<'_> {
    /// How many leading fields of a row hold every column read.
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))] // (the native fast path's)
    pub(super) fn count(&self) -> usize {
        let last = [self.customer, self.timestamp, self.event]
            .into_iter()
            .chain(self.channel)
            .chain(self.measures.iter().map(|&(_, index)| index))
            .max()
            .unwrap_or(0);
        last + 1
    }
}

impl Error {
    /// A row-level error of the shared read report ([`Error::Csv`]) said of
    /// another format's rows.
    pub(crate) fn said_of(self, place: &'static str) -> Error {
        match self {
            Error::Csv { row, message } => Error::Log {
                place,
                row,
                message,
            },
            other => other,
        }
    }
}

/// The error of a timestamp the log cannot hold.
fn time_range(millis: i64) -> Error {
    Error::argument(
        "timestamp",
        format!(
            "{millis} ms is past the ±292,000 years around 1970 that the log holds \
             (epoch microseconds in 64 bits)"
        ),
    )
}

pub(crate) fn csv_error(row: u64, reason: &str) -> Error {
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
    pub(super) input: R,
    pub(super) core: csv_core::Reader,
    pub(super) buffer: Box<[u8]>,
    /// The unread bytes are `buffer[start..end]`.
    pub(super) start: usize,
    pub(super) end: usize,
    /// The line of `buffer[start]`.
    pub(super) line: u64,
}

/// What a record left open at the end of the input is told.
const UNCLOSED: &str = "a quoted field is never closed: the rest of the input would be its text";

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
    pub(super) fn refill(&mut self) -> Result<bool, Error> {
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
        // The record's quotes: an odd count when the input ends means a
        // quoted field never closed (csv_core then ends the record there
        // and the rest of the input is that field's text).
        let mut quotes = 0u64;
        let mut at_end = false;
        // The record's bytes in the file, and whether they end a line.
        let mut raw = 0usize;
        let mut ending: [u8; 2] = [0, 0];
        loop {
            let (result, read, written, ended) = self.core.read_record(
                &self.buffer[self.start..self.end],
                &mut record.bytes[record.filled..],
                &mut record.ends[record.fields..],
            );
            let consumed = &self.buffer[self.start..self.start + read];
            self.line += newlines(consumed);
            quotes += consumed.iter().filter(|&&byte| byte == b'"').count() as u64;
            raw += read;
            match consumed {
                [.., a, b] => ending = [*a, *b],
                [b] => ending = [ending[1], *b],
                [] => {}
            }
            // (Two bytes more for a line end yet to come.)
            if raw > MAX_RECORD_BYTES + 2 {
                return Err(record_too_large(line, raw));
            }
            self.start += read;
            record.filled += written;
            record.fields += ended;
            match result {
                csv_core::ReadRecordResult::InputEmpty => {
                    // At the end, csv_core is given no input: it ends the record.
                    at_end = !self.refill()?;
                }
                csv_core::ReadRecordResult::OutputFull => {
                    let grown = record.bytes.len() * 2;
                    record.bytes.resize(grown, 0);
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    let grown = record.ends.len() * 2;
                    record.ends.resize(grown, 0);
                }
                csv_core::ReadRecordResult::Record => {
                    let text = raw
                        - match ending {
                            [b'\r', b'\n'] => 2,
                            [_, b'\n' | b'\r'] => 1,
                            _ => 0,
                        };
                    if text > MAX_RECORD_BYTES {
                        return Err(record_too_large(line, text));
                    }
                    record.unclosed = at_end && quotes % 2 == 1;
                    return Ok(Some(line));
                }
                csv_core::ReadRecordResult::End => {
                    record.unclosed = quotes % 2 == 1;
                    return Ok((record.fields > 0).then_some(line));
                }
            }
        }
    }
}

/// How many `\n` in `bytes`.
pub(super) fn newlines(bytes: &[u8]) -> u64 {
    #[cfg(not(target_arch = "wasm32"))]
    return memchr::memchr_iter(b'\n', bytes).count() as u64;
    #[cfg(target_arch = "wasm32")]
    return bytes.iter().filter(|&&byte| byte == b'\n').count() as u64;
}

/// One CSV record: its fields' bytes one after the other, and where each
/// ends.
pub(crate) struct RawRecord {
    pub(super) bytes: Vec<u8>,
    pub(super) ends: Vec<usize>,
    /// Bytes and fields of this record (the vectors are longer: csv_core
    /// writes into them).
    pub(super) filled: usize,
    pub(super) fields: usize,
    /// Whether the input ended inside one of its quoted fields.
    pub(super) unclosed: bool,
}

impl Default for RawRecord {
    fn default() -> Self {
        RawRecord {
            bytes: vec![0; 256],
            ends: vec![0; 16],
            filled: 0,
            fields: 0,
            unclosed: false,
        }
    }
}

impl RawRecord {
    pub(super) fn clear(&mut self) {
        self.filled = 0;
        self.fields = 0;
        self.unclosed = false;
    }

    /// Why the record cannot be read as a row: the input ended inside one
    /// of its quoted fields.
    pub(crate) fn closed(&self) -> Result<(), String> {
        if self.unclosed {
            Err(UNCLOSED.to_owned())
        } else {
            Ok(())
        }
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
pub(super) fn parse_row<'r, 'c>(
    get: impl Fn(usize) -> Option<Result<&'r str, ()>>,
    columns: &Columns<'c>,
    options: &CsvOptions,
    measures: &mut Vec<(&'c str, f64)>,
) -> Result<(&'r str, i64, &'r str, Option<&'r str>), String> {
    let text = |index: usize, name: &str| -> Result<Option<&'r str>, String> {
        match get(index) {
            None => Ok(None),
            Some(Err(())) => Err(format!("{name} is not UTF-8 text")),
            Some(Ok(text)) if !options.trim => Ok(Some(text)),
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
    let timestamp = columns.time.read(raw_time)?;
    let channel = match columns.channel {
        Some(index) => text(index, &options.channel)?.filter(|value| !value.is_empty()),
        None => None,
    };
    for &(key, index) in &columns.measures {
        let value = match text(index, key)? {
            None | Some("") => continue,
            Some(value) => value,
        };
        match crate::number::finite_f64(value) {
            Some(number) => measures.push((key, number)),
            None => return Err(format!("{key} value {value:?} is not a number")),
        }
    }
    Ok((customer, timestamp, name, channel))
}

#[cfg(test)]
mod tests {
    use super::CsvWriter;

    fn written(records: &[&[&str]]) -> String {
        let mut bytes = Vec::new();
        let mut writer = CsvWriter::new(&mut bytes);
        for record in records {
            writer.record(record.iter().copied()).unwrap();
        }
        writer.flush().unwrap();
        drop(writer);
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn quotes_only_what_needs_quotes_and_doubles_quotes() {
        assert_eq!(
            written(&[
                &["plain", "", "with space", " edge "],
                &["a,b", "say \"hi\"", "two\nlines", "cr\rhere", "\""],
            ]),
            "plain,,with space, edge \n\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\rhere\",\"\"\"\"\n"
        );
    }

    #[test]
    fn what_it_writes_reads_back_field_for_field() {
        let fields = ["x", "a,b", "\"q\"", "l1\r\nl2", "", "é ; ü"];
        let text = written(&[&fields, &fields]);
        let mut reader = csv_core::Reader::new();
        let mut input = text.as_bytes();
        let (mut output, mut ends) = (vec![0u8; 256], vec![0usize; 16]);
        for _ in 0..2 {
            let (result, read, _, count) = reader.read_record(input, &mut output, &mut ends);
            assert_eq!(result, csv_core::ReadRecordResult::Record);
            input = &input[read..];
            let mut start = 0;
            let got: Vec<&str> = ends[..count]
                .iter()
                .map(|&end| {
                    let field = std::str::from_utf8(&output[start..end]).unwrap();
                    start = end;
                    field
                })
                .collect();
            assert_eq!(got, fields);
        }
    }
}
