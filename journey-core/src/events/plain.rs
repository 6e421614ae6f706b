//! The CSV reader's fast path: lines without quotes.
//!
//! Most logs quote nothing. Lines with no `"` and no lone `\r` split into
//! records at each line end and into fields at each delimiter, exactly as
//! csv_core splits them (blank lines skipped, `\r\n` ending a line as
//! `\n` does), so they are split here by a vectorized byte search instead
//! of csv's state machine, a block of whole lines at a time. From the first
//! block that is not plain (a quote, a lone `\r`), the rest of the input
//! goes to csv_core, and so does a whole input whose header is not
//! plain or whose delimiter is not ASCII. The rows, their line numbers and
//! the problems reported are the same either way (a property test compares
//! the two on arbitrary text).
//!
//! Two threads from the second block on: this one reads and splits blocks
//! and parses timestamps and measures; the other interns the strings and
//! appends the events, block by block in order. An input of one block is
//! read on this thread alone.

use std::io::{Cursor, Read};

use memchr::{memchr, memchr_iter, memrchr};

use super::MAX_RECORD_BYTES;
use super::csv_io::{Columns, columns_of, csv_error, parse_row};
use super::{CsvOptions, EventLog, ReadReport, Records};
use crate::error::Error;
use crate::parallel::Made;

/// Bytes read at a time (then cut back to the last line end).
const BLOCK: usize = 1 << 20;

/// No value in a [`Row`]'s `u32` fields.
const NONE: u32 = u32::MAX;

/// Reads a CSV log into `log`, as [`EventLog::read_csv`] documents.
pub(super) fn read_csv(
    log: &mut EventLog,
    input: impl Read,
    delimiter: u8,
    options: &CsvOptions,
) -> Result<ReadReport, Error> {
    read_in_blocks(log, input, delimiter, options, BLOCK)
}

/// [`read_csv`] with blocks of at least `block` bytes.
fn read_in_blocks(
    log: &mut EventLog,
    input: impl Read,
    delimiter: u8,
    options: &CsvOptions,
    block: usize,
) -> Result<ReadReport, Error> {
    let mut source = Source {
        block: block.max(1),
        input,
        pending: Vec::new(),
        ended: false,
        failed: None,
        long_line: false,
    };
    let mut block = Block::default();
    source.fill(&mut block.lines);
    if block.lines.bytes().is_empty()
        && let Some(error) = source.failed.take()
    {
        return Err(read_failed(1, &error));
    }
    let plain_delimiter = delimiter.is_ascii() && !matches!(delimiter, b'"' | b'\r' | b'\n');
    let bytes = block.lines.bytes();
    let header_end = match memchr(b'\n', bytes) {
        Some(end) => end + 1,
        None => bytes.len(),
    };
    let header = &bytes[..header_end];
    let blank = matches!(header, b"" | b"\n" | b"\r\n");
    if !plain_delimiter || blank || source.long_line || !is_plain(header) {
        // csv_core reads it all, header included.
        let mut records = Records::new(source.rest(block.lines, 0), delimiter, 1);
        let columns = columns_of(&mut records, options)?;
        return log.read_records(records, &columns, options, ReadReport::default());
    }
    let columns = columns_of(&mut Records::new(header, delimiter, 1), options)?;
    block.from = header_end;
    let mut splitter = Splitter {
        delimiter,
        columns: &columns,
        options,
        line: 2,
        fields: Vec::new(),
        kept: columns.count(),
        more: false,
    };
    let mut report = ReadReport::default();
    // A line longer than a record may be goes to csv_core, which refuses it
    // once it is (see `MAX_RECORD_BYTES`).
    let made = if source.long_line {
        Made::Stop
    } else {
        splitter.make(&mut block, source.ended)
    };
    let rest = crate::parallel::pipeline(
        block,
        made,
        |block| {
            block.clear();
            source.fill(&mut block.lines);
            Ok(if source.long_line {
                Made::Stop
            } else {
                splitter.make(block, source.ended)
            })
        },
        |block| block.take(log, options, &mut report),
    )?;
    match rest {
        // The lines read before the input failed are in the log.
        None => match source.failed {
            Some(error) => Err(read_failed(splitter.line, &error)),
            None => Ok(report),
        },
        Some(block) => {
            // csv_core reads on from the start of this block.
            let records = Records::new(
                source.rest(block.lines, block.from),
                delimiter,
                splitter.line,
            );
            log.read_records(records, &columns, options, report)
        }
    }
}

/// Whether csv_core splits these lines as plain text: no quote, and every
/// `\r` just before a `\n`.
fn is_plain(lines: &[u8]) -> bool {
    memchr(b'"', lines).is_none()
        && memchr_iter(b'\r', lines).all(|at| lines.get(at + 1) == Some(&b'\n'))
}

/// Whether a line of `lines` (its end not counted) is longer than a record
/// may be: csv_core then reads the block, and refuses it there.
fn has_long_line(lines: &[u8]) -> bool {
    if lines.len() <= MAX_RECORD_BYTES {
        return false;
    }
    let mut start = 0;
    for end in memchr_iter(b'\n', lines).chain(std::iter::once(lines.len())) {
        let line = &lines[start..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.len() > MAX_RECORD_BYTES {
            return true;
        }
        start = end + 1;
    }
    false
}

/// The input, read a block of whole lines at a time.
struct Source<R> {
    /// Bytes to read at a time.
    block: usize,
    input: R,
    /// What was read past the last block's last line end.
    pending: Vec<u8>,
    /// Whether the input is read to its end (or failed).
    ended: bool,
    /// The input's failure: the lines read before it are read first, then
    /// it is the read's error.
    failed: Option<std::io::Error>,
    /// Whether the block is one line longer than a record may be, not
    /// ended yet.
    long_line: bool,
}

/// The error of an input that could not be read, at the line reached.
fn read_failed(line: u64, error: &std::io::Error) -> Error {
    csv_error(line, &format!("reading the input failed: {error}"))
}

/// The rest of an input after a failure read before it: the failure.
struct Tail<R> {
    input: R,
    failed: Option<std::io::Error>,
}

impl<R: Read> Read for Tail<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        match self.failed.take() {
            Some(error) => Err(error),
            None => self.input.read(buffer),
        }
    }
}

impl<R: Read> Source<R> {
    /// Replaces `lines` by the next block: whole lines of at least
    /// `self.block` bytes, or the rest of the input (then `ended`), or the
    /// whole lines read before the input failed (then `ended` and `failed`).
    fn fill(&mut self, lines: &mut Lines) {
        let mut taken = std::mem::take(lines).into_bytes();
        self.fill_bytes(&mut taken);
        *lines = Lines::Bytes(taken);
    }

    fn fill_bytes(&mut self, bytes: &mut Vec<u8>) {
        bytes.clear();
        bytes.append(&mut self.pending);
        // What is pending holds no line end; nor does what an earlier
        // round read (so a line longer than a block is searched once).
        let mut searched = bytes.len();
        loop {
            let want = match self.block.checked_sub(bytes.len()) {
                Some(short) if short > 0 => short,
                _ => self.block,
            };
            let read = match (&mut self.input).take(want as u64).read_to_end(bytes) {
                Ok(read) => read,
                Err(error) => {
                    // The line cut short is not read; the whole ones are.
                    bytes.truncate(memrchr(b'\n', bytes).map_or(0, |at| at + 1));
                    self.failed = Some(error);
                    self.ended = true;
                    return;
                }
            };
            if read < want {
                self.ended = true;
                return;
            }
            if let Some(last) = memrchr(b'\n', &bytes[searched..]).map(|at| searched + at) {
                self.pending.extend_from_slice(&bytes[last + 1..]);
                bytes.truncate(last + 1);
                return;
            }
            // No line end yet: the block is one line.
            if bytes.len() > MAX_RECORD_BYTES {
                self.long_line = true;
                return;
            }
            searched = bytes.len();
        }
    }

    /// `bytes[from..]`, then the rest of the input.
    fn rest(self, lines: Lines, from: usize) -> impl Read {
        let mut bytes = lines.into_bytes();
        bytes.extend_from_slice(&self.pending);
        let mut block = Cursor::new(bytes);
        block.set_position(from as u64);
        block.chain(Tail {
            input: self.input,
            failed: self.failed,
        })
    }
}

/// A block of lines, and what its rows hold once split: each row's fields
/// as byte ranges of the block, its timestamp and measures parsed, or why
/// it cannot be used.
#[derive(Default)]
struct Block<'c> {
    lines: Lines,
    /// Where the lines start (after the header, in the first block).
    from: usize,
    rows: Vec<Row>,
    measures: Vec<(&'c str, f64)>,
    problems: Vec<String>,
}

/// A row as split. Ranges are `(start, end)` in the block.
struct Row {
    line: u64,
    timestamp: i64,
    customer: (u32, u32),
    name: (u32, u32),
    /// `(NONE, NONE)` when the row has no channel.
    channel: (u32, u32),
    /// The row's measures end here in the block's `measures`.
    measure_end: u32,
    /// The row's problem in the block's `problems`, or `NONE`.
    problem: u32,
}

impl<'c> Block<'c> {
    fn clear(&mut self) {
        self.from = 0;
        self.rows.clear();
        self.measures.clear();
        self.problems.clear();
    }

    /// Appends the block's good rows to `log` and counts (or fails on) the
    /// bad ones.
    fn take(
        &mut self,
        log: &mut EventLog,
        options: &CsvOptions,
        report: &mut ReadReport,
    ) -> Result<(), Error> {
        let mut measure_start = 0;
        for row in &self.rows {
            let measures = &self.measures[measure_start..row.measure_end as usize];
            measure_start = row.measure_end as usize;
            let outcome = if row.problem != NONE {
                Err(std::mem::take(&mut self.problems[row.problem as usize]))
            } else {
                let channel = match row.channel {
                    (NONE, _) => Ok(None),
                    range => self.lines.field(range).map(Some),
                };
                let field = |range| self.lines.field(range);
                match (field(row.customer), field(row.name), channel) {
                    (Ok(customer), Ok(name), Ok(channel)) => log
                        .push_micros(customer, row.timestamp, name, channel, measures)
                        .map_err(|e| e.to_string()),
                    // Checked when split.
                    _ => Err("the row is not UTF-8 text".to_owned()),
                }
            };
            report.tally(row.line, outcome, options.on_error)?;
        }
        self.clear();
        Ok(())
    }
}

/// Splits blocks into rows.
struct Splitter<'c> {
    delimiter: u8,
    columns: &'c Columns<'c>,
    options: &'c CsvOptions,
    /// The line the next block starts at.
    line: u64,
    /// The current line's fields, `(start, end)` in the block: the first
    /// `kept` (the columns a row reads), so a line of many fields costs no
    /// memory for them.
    fields: Vec<(u32, u32)>,
    kept: usize,
    /// Whether the current line has fields past the kept ones.
    more: bool,
}

impl<'c> Splitter<'c> {
    /// Splits a block for the pipeline: [`Made::Stop`] when it is not
    /// plain, [`Made::Last`] when it is the input's last.
    fn make(&mut self, block: &mut Block<'c>, ended: bool) -> Made {
        if !self.split(block) {
            Made::Stop
        } else if ended {
            Made::Last
        } else {
            Made::More
        }
    }

    /// Splits the block's lines into rows; `false` (and the block left as
    /// it was) when the block is not plain.
    fn split(&mut self, block: &mut Block<'c>) -> bool {
        let bytes = block.lines.bytes();
        if bytes.len() >= NONE as usize
            || !is_plain(&bytes[block.from..])
            || has_long_line(&bytes[block.from..])
        {
            return false;
        }
        block.lines.check();
        let Block {
            lines,
            from,
            rows,
            measures,
            problems,
        } = block;
        let mut out = Out {
            rows,
            measures,
            problems,
        };
        let bytes = lines.bytes();
        let mut line_start = *from;
        let mut field_start = line_start;
        self.fields.clear();
        for (base, chunk) in (*from..bytes.len())
            .step_by(64)
            .zip(bytes[*from..].chunks(64))
        {
            let mut ends = separators(chunk, self.delimiter);
            while ends != 0 {
                let at = base + ends.trailing_zeros() as usize;
                ends &= ends - 1;
                if self.fields.len() < self.kept {
                    self.fields.push((field_start as u32, at as u32));
                } else {
                    self.more = true;
                }
                field_start = at + 1;
                if bytes[at] == b'\n' {
                    self.row(lines, &mut out);
                    self.fields.clear();
                    self.more = false;
                    self.line += 1;
                    line_start = at + 1;
                }
            }
        }
        if line_start < bytes.len() {
            // The input's last line, without a line end.
            if self.fields.len() < self.kept {
                self.fields.push((field_start as u32, bytes.len() as u32));
            } else {
                self.more = true;
            }
            self.row(lines, &mut out);
            self.fields.clear();
            self.more = false;
            self.line += 1;
        }
        true
    }

    /// Adds the row of the line whose fields are in `fields` (nothing when
    /// the line is blank).
    fn row(&mut self, lines: &Lines, out: &mut Out<'_, 'c>) {
        let bytes = lines.bytes();
        // A line's `\r` (before its `\n`) is not part of its last field
        // (when that is one of the kept).
        if !self.more
            && let Some(last) = self.fields.last_mut()
            && last.1 > last.0
            && bytes[last.1 as usize - 1] == b'\r'
        {
            last.1 -= 1;
        }
        if let [(start, end)] = self.fields[..]
            && start == end
        {
            return; // blank: csv_core skips it
        }
        let fields = &self.fields;
        let get = |index: usize| fields.get(index).map(|&range| lines.field(range));
        let mark = out.measures.len();
        let parsed = parse_row(get, self.columns, self.options, out.measures);
        let base = bytes.as_ptr() as usize;
        let range = |text: &str| {
            let start = text.as_ptr() as usize - base;
            (start as u32, (start + text.len()) as u32)
        };
        let row = match parsed {
            Ok((customer, timestamp, name, channel)) => Row {
                line: self.line,
                timestamp,
                customer: range(customer),
                name: range(name),
                channel: channel.map_or((NONE, NONE), range),
                measure_end: out.measures.len() as u32,
                problem: NONE,
            },
            Err(reason) => {
                out.measures.truncate(mark);
                out.problems.push(reason);
                Row {
                    line: self.line,
                    timestamp: 0,
                    customer: (0, 0),
                    name: (0, 0),
                    channel: (NONE, NONE),
                    measure_end: mark as u32,
                    problem: (out.problems.len() - 1) as u32,
                }
            }
        };
        out.rows.push(row);
    }
}

/// Where a block's rows go as they are split.
struct Out<'b, 'c> {
    rows: &'b mut Vec<Row>,
    measures: &'b mut Vec<(&'c str, f64)>,
    problems: &'b mut Vec<String>,
}

/// Bit `i` set where `chunk[i]` (at most 64 bytes) is the delimiter or a
/// line end, found eight bytes at a time.
fn separators(chunk: &[u8], delimiter: u8) -> u64 {
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // The high bit of each byte of `word` that is zero, exactly.
    let zeros = |word: u64| !(((word & LOW) + LOW) | word | LOW);
    let delimiters = u64::from_le_bytes([delimiter; 8]);
    let line_ends = u64::from_le_bytes([b'\n'; 8]);
    let found = |word: u64| {
        let found = zeros(word ^ delimiters) | zeros(word ^ line_ends);
        // Gather the eight high bits into the low byte.
        (found >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
    };
    let mut bits = 0u64;
    let mut words = chunk.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let word = u64::from_le_bytes([
            word[0], word[1], word[2], word[3], word[4], word[5], word[6], word[7],
        ]);
        bits |= found(word) << at;
        at += 8;
    }
    let tail = words.remainder();
    if !tail.is_empty() {
        // Padded with bytes that are neither.
        let mut bytes = [0xffu8; 8];
        bytes[..tail.len()].copy_from_slice(tail);
        bits |= found(u64::from_le_bytes(bytes)) << at;
    }
    bits
}

/// A block's bytes, known to be UTF-8 throughout (the usual case: no field
/// is checked again) or not.
enum Lines {
    Text(String),
    Bytes(Vec<u8>),
}

impl Default for Lines {
    fn default() -> Self {
        Lines::Bytes(Vec::new())
    }
}

impl Lines {
    fn bytes(&self) -> &[u8] {
        match self {
            Lines::Text(text) => text.as_bytes(),
            Lines::Bytes(bytes) => bytes,
        }
    }

    fn into_bytes(self) -> Vec<u8> {
        match self {
            Lines::Text(text) => text.into_bytes(),
            Lines::Bytes(bytes) => bytes,
        }
    }

    /// Checks the whole block as UTF-8 at once.
    fn check(&mut self) {
        if let Lines::Bytes(bytes) = self {
            *self = match String::from_utf8(std::mem::take(bytes)) {
                Ok(text) => Lines::Text(text),
                Err(error) => Lines::Bytes(error.into_bytes()),
            };
        }
    }

    /// Bytes `start..end` as text, `Err(())` when they are not UTF-8.
    fn field(&self, (start, end): (u32, u32)) -> Result<&str, ()> {
        let range = start as usize..end as usize;
        match self {
            // Fields end at ASCII delimiters and line ends: always char
            // boundaries.
            Lines::Text(text) => text.get(range).ok_or(()),
            Lines::Bytes(bytes) => std::str::from_utf8(&bytes[range]).map_err(|_| ()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::OnError;
    use proptest::prelude::*;

    /// csv_core's reading of the same input.
    fn by_csv(input: &[u8], options: &CsvOptions) -> (EventLog, Result<ReadReport, Error>) {
        let mut log = EventLog::new();
        let mut records = Records::new(input, options.delimiter as u8, 1);
        let result = columns_of(&mut records, options).and_then(|columns| {
            log.read_records(records, &columns, options, ReadReport::default())
        });
        (log, result)
    }

    fn plain(
        input: &[u8],
        options: &CsvOptions,
        block: usize,
    ) -> (EventLog, Result<ReadReport, Error>) {
        let mut log = EventLog::new();
        let result = read_in_blocks(&mut log, input, options.delimiter as u8, options, block);
        (log, result)
    }

    /// Pieces of lines: fields good and bad, delimiters, line ends of both
    /// kinds, spaces, blank lines, text that is not UTF-8, now and then a
    /// quote or a lone `\r` (the rest then goes to csv_core).
    #[rustfmt::skip]
    fn piece() -> impl Strategy<Value = &'static [u8]> {
        prop::sample::select(vec![
            &b"c1"[..], b"c2", b" c3 ", b"visit", b"signup", b"web", b"email",
            b"2026-03-01T09:00:00Z", b"2026-03-01T09:00:00.250+01:00",
            b"1772357400", b"1772357400123", b"not-a-time", b"4", b"9", b"x", b"1e3", b"",
            b",", b",", b",", b",", b";", b"\n", b"\n", b"\n", b"\r\n", b"\n\n", b" ", b"\t",
            "\u{e9}t\u{e9}".as_bytes(), "\u{a0}".as_bytes(), b"\xff", b"\xc3",
            b"\"", b"\"q,\n\"", b"\r",
        ])
    }

    fn header() -> impl Strategy<Value = &'static [u8]> {
        prop::sample::select(vec![
            &b"customer,timestamp,event,channel,csat\n"[..],
            b"customer,timestamp,event,channel,csat\r\n",
            b"event,customer,timestamp\n",
            b"\xef\xbb\xbfcustomer,timestamp,event,csat,channel\n",
            b" customer ,timestamp,event,channel,csat,nps\n",
            b"\"customer\",timestamp,event,channel,csat\n",
            b"customer,timestamp\n",
            b"\ncustomer,timestamp,event\n",
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// The fast path reads what csv_core reads: the same events,
        /// the same counts, the same problems on the same lines, the same
        /// failure under `OnError::Fail`, whatever the block size.
        #[test]
        fn plain_lines_are_read_as_the_csv_crate_reads_them(
            header in header(),
            pieces in prop::collection::vec(piece(), 0..160),
            block in 1usize..200,
            fail in any::<bool>(),
            semicolons in any::<bool>(),
        ) {
            let mut input = header.to_vec();
            for piece in &pieces {
                input.extend_from_slice(piece);
            }
            let options = CsvOptions {
                measures: vec!["csat".into()],
                delimiter: if semicolons { ';' } else { ',' },
                on_error: if fail { OnError::Fail } else { OnError::Skip },
                ..CsvOptions::default()
            };
            let (expected_log, expected) = by_csv(&input, &options);
            for block in [block, BLOCK] {
                let (log, result) = plain(&input, &options, block);
                prop_assert_eq!(&result, &expected);
                prop_assert_eq!(&log, &expected_log);
            }
        }
    }

    #[test]
    fn a_quote_hands_the_rest_to_the_csv_crate_with_lines_counted() {
        let text = "customer,timestamp,event\n\
                    a,1772357400,visit\n\
                    \n\
                    a,bad,visit\n\
                    b,1772357401,\"sign\nup\"\n\
                    b,worse,visit\r\n\
                    c,1772357402,visit";
        let options = CsvOptions::default();
        for block in [1, 8, 30, 64, BLOCK] {
            let (log, report) = plain(text.as_bytes(), &options, block);
            let report = report.unwrap();
            let rows: Vec<u64> = report.problems.iter().map(|p| p.row).collect();
            assert_eq!(rows, [4, 7], "block {block}");
            assert_eq!((report.rows_read, report.rows_used), (5, 3));
            let names: Vec<&str> = log.iter().map(|e| e.name).collect();
            assert_eq!(names, ["visit", "sign\nup", "visit"]);
        }
    }

    /// A reader that fails after some bytes.
    struct Failing(usize);

    impl Read for Failing {
        fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
            if self.0 == 0 {
                return Err(std::io::Error::other("disk gone"));
            }
            let line = b"a,1772357400,visit\n";
            let n = buffer.len().min(self.0).min(line.len());
            buffer[..n].copy_from_slice(&line[..n]);
            self.0 -= n;
            Ok(n)
        }
    }

    #[test]
    fn a_failing_input_is_an_error_not_an_end() {
        let mut log = EventLog::new();
        let input = Cursor::new(&b"customer,timestamp,event\n"[..]).chain(Failing(19 * 40));
        let error = read_in_blocks(&mut log, input, b',', &CsvOptions::default(), 64).unwrap_err();
        assert_eq!(error.code(), "csv_error");
        assert!(error.to_string().contains("disk gone"), "{error}");
    }
}
