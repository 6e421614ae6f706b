//! XES (IEEE 1849) event logs, read as a stream (a log is never held as a
//! document; a trace's events are held until its end, since its name may
//! follow them) and written back.
//!
//! A trace is a customer (its `concept:name`); an event's name is its
//! classifier's values (by default `concept:name`; with several keys,
//! joined with `+`, as pm4py does); its time is `time:timestamp`. Global
//! defaults (`<global scope="event">`) fill attributes an event lacks.
//! Nested attributes are skipped. `.xes.gz` is read as `.xes`.

use std::io::{BufRead, BufReader};

use quick_xml::events::{BytesStart, Event as Xml};

use super::*;
use csv_io::{csv_error, newlines};

/// How to read an XES log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct XesOptions {
    /// A classifier the log declares (`<classifier name=…>`), by name, whose
    /// keys make the event name, e.g. `"Activity classifier"` for activity +
    /// lifecycle. Default: none (then `event_keys`).
    pub classifier: Option<String>,
    /// The event attributes whose values, joined with `+`, make the event
    /// name, when no classifier is named. Default: `["concept:name"]`.
    pub event_keys: Vec<String>,
    /// The event attribute of the channel, when there is one. Default: none.
    pub channel: Option<String>,
    /// Numeric event attributes (`int`, `float`) kept as measure values.
    /// Default: none.
    pub measures: Vec<String>,
    /// Where timestamps without an offset were written (as for CSV).
    /// Default: none (they are refused).
    pub time_zone: Option<String>,
    /// Skip-and-report or fail on a bad event. Default: skip.
    pub on_error: OnError,
    /// Whether a read that keeps no event is a success. Default: `false`.
    pub allow_empty: bool,
}

impl Default for XesOptions {
    fn default() -> Self {
        XesOptions {
            classifier: None,
            event_keys: vec!["concept:name".into()],
            channel: None,
            measures: Vec::new(),
            time_zone: None,
            on_error: OnError::Skip,
            allow_empty: false,
        }
    }
}

/// The XES attribute elements.
const ATTRIBUTES: [&[u8]; 8] = [
    b"string",
    b"date",
    b"int",
    b"float",
    b"boolean",
    b"id",
    b"list",
    b"container",
];

/// An attribute: its key, its value and its element (`string`, `int`, …).
type Attribute = (String, String, &'static [u8]);

/// Fills `block` from `input` as far as it goes: the bytes read (0 at the end).
#[cfg(not(target_arch = "wasm32"))]
fn read_block(input: &mut (impl Read + ?Sized), block: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < block.len() {
        match input.read(&mut block[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Text handed over in blocks from another thread; an empty block (or a
/// closed channel) ends it.
#[cfg(all(not(target_arch = "wasm32"), feature = "gzip"))]
struct Blocks {
    receive: std::sync::mpsc::Receiver<std::io::Result<Vec<u8>>>,
    block: Vec<u8>,
    at: usize,
}

#[cfg(all(not(target_arch = "wasm32"), feature = "gzip"))]
impl Read for Blocks {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.block.len() {
            match self.receive.recv() {
                Ok(Ok(block)) => {
                    self.block = block;
                    self.at = 0;
                }
                Ok(Err(error)) => return Err(error),
                Err(_) => return Ok(0),
            }
        }
        let count = buffer.len().min(self.block.len() - self.at);
        buffer[..count].copy_from_slice(&self.block[self.at..self.at + count]);
        self.at += count;
        Ok(count)
    }
}

/// Where the reader is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Log,
    /// A `<global>`, of the event scope or not.
    Global {
        event: bool,
    },
    Trace,
    Event,
    Other,
}

/// The event attributes read, in slots: the name's keys, the time, the
/// channel, the measures; with the log's defaults for each.
#[derive(Clone)]
struct Wanted {
    keys: Vec<String>,
    name_keys: usize,
    time: usize,
    channel: Option<usize>,
    measures: usize,
    defaults: Vec<Option<(String, &'static [u8])>>,
}

impl Wanted {
    fn new(name_keys: Vec<String>, options: &XesOptions, defaults: &[Attribute]) -> Wanted {
        let count = name_keys.len();
        let mut keys = name_keys;
        keys.push("time:timestamp".to_owned());
        let channel = options.channel.as_ref().map(|key| {
            keys.push(key.clone());
            keys.len() - 1
        });
        let measures = keys.len();
        keys.extend(options.measures.iter().cloned());
        let defaults = keys
            .iter()
            .map(|key| {
                defaults
                    .iter()
                    .find(|(k, _, _)| k == key)
                    .map(|(_, value, kind)| (value.clone(), *kind))
            })
            .collect();
        Wanted {
            keys,
            name_keys: count,
            time: count,
            channel,
            measures,
            defaults,
        }
    }
}

/// Traces' events, held until their trace ends (its name may follow
/// them): their wanted attributes' values in one text, by slot. One trace
/// at a time when read in order; a whole part's when read in parts.
#[derive(Clone, Default)]
struct TraceBuffer {
    text: String,
    /// Per event, `Wanted::keys.len()` slots: a value's range and element.
    slots: Vec<Option<(usize, usize, &'static [u8])>>,
    /// Each event's line and first slot.
    events: Vec<(u64, usize)>,
    /// Each trace's customer (its range in `text`) and first event.
    traces: Vec<(Option<(usize, usize)>, usize)>,
}

impl TraceBuffer {
    fn clear(&mut self) {
        self.text.clear();
        self.slots.clear();
        self.events.clear();
        self.traces.clear();
    }

    fn start_trace(&mut self) {
        self.traces.push((None, self.events.len()));
    }

    /// Drops the latest trace when it has no event (`<trace/>`).
    fn drop_empty_trace(&mut self) {
        if self
            .traces
            .last()
            .is_some_and(|&(_, first)| first == self.events.len())
        {
            self.traces.pop();
        }
    }

    fn set_customer(&mut self, customer: &str) {
        let start = self.text.len();
        self.text.push_str(customer);
        if let Some((range, _)) = self.traces.last_mut() {
            *range = Some((start, self.text.len()));
        }
    }

    fn start_event(&mut self, line: u64, slots: usize) {
        self.events.push((line, self.slots.len()));
        self.slots.resize(self.slots.len() + slots, None);
    }

    /// Sets slot `slot` of the latest event (its line: the latest
    /// attribute's).
    fn set(&mut self, slot: usize, value: &str, kind: &'static [u8], line: u64) {
        if let Some((event_line, first)) = self.events.last_mut() {
            let start = self.text.len();
            self.text.push_str(value);
            self.slots[*first + slot] = Some((start, self.text.len(), kind));
            *event_line = line;
        }
    }
}

/// The attribute element named `name`, if it is one.
fn attribute_kind(name: &[u8]) -> Option<&'static [u8]> {
    ATTRIBUTES.iter().find(|kind| name == **kind).copied()
}

/// An attribute element's `key` and `value`, both raw (still escaped):
/// most attributes of a log are not wanted, and only a wanted value is
/// unescaped ([`unescaped`]).
type RawAttribute<'e> = (std::borrow::Cow<'e, [u8]>, std::borrow::Cow<'e, [u8]>);

/// An attribute element's `key` and `value`, raw.
fn raw_key_value<'e>(
    element: &'e BytesStart<'_>,
    line: u64,
) -> Result<Option<RawAttribute<'e>>, Error> {
    let (mut key, mut value) = (None, None);
    for attribute in element.attributes() {
        let attribute = attribute.map_err(|e| xml_error(line, e))?;
        match attribute.key.as_ref() {
            b"key" => key = Some(attribute.value),
            b"value" => value = Some(attribute.value),
            _ => {}
        }
    }
    Ok(key.map(|key| (key, value.unwrap_or_default())))
}

/// A raw attribute value as text, its entities and character references
/// replaced.
fn unescaped(raw: &[u8], line: u64) -> Result<std::borrow::Cow<'_, str>, Error> {
    let text = std::str::from_utf8(raw).map_err(|e| xml_error(line, e))?;
    quick_xml::escape::unescape(text).map_err(|e| xml_error(line, e))
}

fn xml_error(line: u64, error: impl std::fmt::Display) -> Error {
    Error::Log {
        place: "XES line",
        row: line,
        message: format!("the text is not well-formed XML: {error}"),
    }
}

/// The row-level errors of the shared read report, said of XES lines.
fn as_xes(error: Error) -> Error {
    error.said_of("XES line")
}

/// The unescaped values of an element's XML attributes `names`.
fn named_values<const N: usize>(
    element: &BytesStart<'_>,
    line: u64,
    names: [&[u8]; N],
) -> Result<[Option<String>; N], Error> {
    let mut values = [const { None }; N];
    for attribute in element.attributes() {
        let attribute = attribute.map_err(|e| xml_error(line, e))?;
        if let Some(k) = names
            .iter()
            .position(|name| attribute.key.as_ref() == *name)
        {
            let text = attribute.unescape_value().map_err(|e| xml_error(line, e))?;
            values[k] = Some(text.into_owned());
        }
    }
    Ok(values)
}

/// An attribute element's `key`, `value` and type.
fn key_value(element: &BytesStart<'_>, line: u64) -> Result<Option<Attribute>, Error> {
    let Some(kind) = attribute_kind(element.local_name().as_ref()) else {
        return Ok(None);
    };
    let Some((key, value)) = raw_key_value(element, line)? else {
        return Ok(None);
    };
    let (key, value) = (unescaped(&key, line)?, unescaped(&value, line)?);
    Ok(Some((key.into_owned(), value.into_owned(), kind)))
}

/// The size a part of a plain XES text is cut at (at the trace starting
/// last in it).
#[cfg(not(target_arch = "wasm32"))]
const PART: usize = 1 << 20;

/// The most text held looking for a trace's start before the rest is read
/// in order.
#[cfg(not(target_arch = "wasm32"))]
const LONGEST_PART: usize = 64 << 20;

/// Where `<trace` starts an element in `bytes`, first to last (the XML
/// grammar allows no `<` in text or attribute values: only a comment, a
/// CDATA section or a processing instruction can hold one that is not a
/// tag, which the parse of the part before tells).
#[cfg(not(target_arch = "wasm32"))]
fn trace_starts(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    memchr::memmem::find_iter(bytes, b"<trace").filter(|&at| {
        matches!(
            bytes.get(at + 6),
            Some(b'>' | b'/' | b' ' | b'\t' | b'\r' | b'\n')
        )
    })
}

/// Reads up to [`PART`] more bytes into `carry`: whether the input ended.
#[cfg(not(target_arch = "wasm32"))]
fn fill(input: &mut (impl Read + ?Sized), carry: &mut Vec<u8>) -> Result<bool, Error> {
    let start = carry.len();
    carry.resize(start + PART, 0);
    match read_block(input, &mut carry[start..]) {
        Ok(read) => {
            carry.truncate(start + read);
            Ok(read < PART)
        }
        Err(e) => {
            carry.truncate(start);
            Err(csv_error(1, &format!("reading the input failed: {e}")))
        }
    }
}

/// A part's traces and the elements open at its end, or `None` when it is
/// not XML where it was cut.
#[cfg(not(target_arch = "wasm32"))]
type PartTraces = Option<(TraceBuffer, Vec<Tag>)>;

/// Parses a part after the log's start tag `root`: its traces, their
/// lines counted from the part's start.
#[cfg(not(target_arch = "wasm32"))]
fn parse_part(template: &Parser<'_>, root: &[u8], part: &[u8]) -> PartTraces {
    let mut parser = template.clone();
    let mut text = root.chain(part);
    let mut reader = quick_xml::Reader::from_reader(&mut text as &mut dyn BufRead);
    let mut buffer = Vec::new();
    loop {
        match parser.next_trace(&mut reader, &mut buffer) {
            Ok(true) => {} // the part's traces stay in one buffer
            Ok(false) => return Some((parser.trace, parser.open)),
            Err(_) => return None,
        }
    }
}

/// The parsed parts waiting to be appended in order.
#[cfg(not(target_arch = "wasm32"))]
struct PartOrder {
    /// The next part to append.
    next: usize,
    /// The index of the input's last part, once it is known.
    last: Option<usize>,
    /// The line the next part starts on.
    line: u64,
    waiting: std::collections::BTreeMap<usize, (Vec<u8>, PartTraces)>,
}

/// The XML reader every XES read uses: one reader type (of any buffered
/// input), so the parser is compiled once, not once per input type (the
/// npm package pays for each copy).
type XmlReader<'r> = quick_xml::Reader<&'r mut dyn BufRead>;

/// The reader's state between XML events: the elements open, the log's
/// classifiers and defaults, and the trace being read.
#[derive(Clone)]
struct Parser<'o> {
    options: &'o XesOptions,
    open: Vec<Tag>,
    classifiers: Vec<(String, Vec<String>)>,
    /// Known at the first trace (the classifiers come before it).
    wanted: Option<Wanted>,
    defaults: Vec<Attribute>,
    trace: TraceBuffer,
    /// The line where the latest event ended: every byte of the text but
    /// the delimiters (`<`, `>`) is in some event's bytes.
    line: u64,
    /// The log element's name as written, e.g. `log`.
    root: Vec<u8>,
}

impl<'o> Parser<'o> {
    fn new(options: &'o XesOptions) -> Parser<'o> {
        Parser {
            options,
            open: Vec::new(),
            classifiers: Vec::new(),
            wanted: None,
            defaults: Vec::new(),
            trace: TraceBuffer::default(),
            line: 1,
            root: Vec::new(),
        }
    }

    /// Reads XML events until a trace ends (`true`, the trace in
    /// `self.trace`) or the text does (`false`).
    fn next_trace(
        &mut self,
        reader: &mut XmlReader<'_>,
        buffer: &mut Vec<u8>,
    ) -> Result<bool, Error> {
        loop {
            buffer.clear();
            let event = reader
                .read_event_into(buffer)
                .map_err(|e| xml_error(self.line, e))?;
            self.line += newlines(&event);
            let line = self.line;
            let (element, empty) = match &event {
                Xml::Start(element) => (element, false),
                Xml::Empty(element) => (element, true),
                Xml::End(_) => {
                    if self.open.pop() == Some(Tag::Trace) && self.wanted.is_some() {
                        return Ok(true);
                    }
                    continue;
                }
                Xml::Eof => return Ok(false),
                _ => continue,
            };
            let name = element.local_name();
            let name = name.as_ref();
            let parent = self.open.last().copied();
            let tag = match (parent, name) {
                (None, b"log") => {
                    self.root = element.name().as_ref().to_vec();
                    Tag::Log
                }
                (Some(Tag::Log), b"classifier") => {
                    let [label, list] = named_values(element, line, [b"name", b"keys"])?;
                    if let (Some(label), Some(list)) = (label, list) {
                        self.classifiers.push((label, classifier_keys(&list)));
                    }
                    Tag::Other
                }
                (Some(Tag::Log), b"global") => Tag::Global {
                    event: element
                        .attributes()
                        .flatten()
                        .any(|a| a.key.as_ref() == b"scope" && a.value.as_ref() == b"event"),
                },
                (Some(Tag::Global { event: true }), _) => {
                    if let Some(attribute) = key_value(element, line)? {
                        self.defaults.push(attribute);
                    }
                    Tag::Other
                }
                (Some(Tag::Log), b"trace") => {
                    self.know_wanted()?;
                    self.trace.start_trace();
                    Tag::Trace
                }
                (Some(Tag::Trace), b"event") => {
                    if let Some(wanted) = &self.wanted {
                        self.trace.start_event(line, wanted.keys.len());
                    }
                    Tag::Event
                }
                (Some(Tag::Trace), _) => {
                    if let Some((key, value)) = raw_key_value(element, line)?
                        && key.as_ref() == b"concept:name"
                    {
                        self.trace.set_customer(&unescaped(&value, line)?);
                    }
                    Tag::Other
                }
                (Some(Tag::Event), _) => {
                    if let Some(wanted) = &self.wanted
                        && let Some(kind) = attribute_kind(name)
                        && let Some((key, value)) = raw_key_value(element, line)?
                        && let Some(slot) = wanted
                            .keys
                            .iter()
                            .position(|k| k.as_bytes() == key.as_ref())
                    {
                        self.trace.set(slot, &unescaped(&value, line)?, kind, line);
                    }
                    Tag::Other
                }
                _ => Tag::Other,
            };
            if !empty {
                self.open.push(tag);
            } else if tag == Tag::Trace {
                self.trace.drop_empty_trace(); // nothing to take
            }
        }
    }

    /// The attributes to read, known from the classifiers and defaults
    /// declared before the first trace.
    fn know_wanted(&mut self) -> Result<(), Error> {
        if self.wanted.is_none() {
            let keys = event_keys(self.options, &self.classifiers)?;
            self.wanted = Some(Wanted::new(keys, self.options, &self.defaults));
        }
        Ok(())
    }
}

impl EventLog {
    /// Reads an XES log (or a gzipped one, `.xes.gz`, with the `gzip`
    /// feature, on by default) and appends its events.
    ///
    /// Bad events (no name, no or a bad `time:timestamp`, a measure that is
    /// not a number, in a trace without `concept:name`) are skipped and
    /// reported with the line of their end, or fail the read under
    /// [`OnError::Fail`]; text that is not XML fails at once (the traces
    /// before it stay in the log). A read that keeps no event fails unless
    /// [`XesOptions::allow_empty`].
    pub fn read_xes(
        &mut self,
        input: impl Read,
        options: &XesOptions,
    ) -> Result<ReadReport, Error> {
        let time = TimeReader::new(&TimestampFormat::Rfc3339, options.time_zone.as_deref())?;
        if options.classifier.is_none() && options.event_keys.is_empty() {
            return Err(Error::option("event_keys", "name at least one attribute"));
        }
        let mut buffered = BufReader::with_capacity(1 << 16, input);
        let gzipped = buffered
            .fill_buf()
            .map_err(|e| as_xes(csv_error(1, &format!("reading the input failed: {e}"))))?
            .starts_with(&[0x1f, 0x8b]);
        let report = if gzipped {
            #[cfg(feature = "gzip")]
            {
                self.read_xes_inflating(buffered, options, &time)
            }
            #[cfg(not(feature = "gzip"))]
            {
                Err(Error::InvalidArgument {
                    argument: "input".into(),
                    message: "the XES is gzip-compressed, and this build reads XES text \
                              (journey-core without its gzip feature): inflate it first"
                        .into(),
                })
            }
        } else {
            self.read_xes_text(&mut buffered, options, &time)
        };
        report
            .and_then(|report| report.kept_some(options.allow_empty))
            .map_err(as_xes)
    }

    /// A gzipped log: inflated on this thread, read on a second one (on
    /// native targets with more than one core), the text handed over in
    /// blocks.
    #[cfg(feature = "gzip")]
    fn read_xes_inflating(
        &mut self,
        gzipped: impl BufRead,
        options: &XesOptions,
        time: &TimeReader<'_>,
    ) -> Result<ReadReport, Error> {
        #[cfg_attr(target_arch = "wasm32", allow(unused_mut))]
        let mut decoder = flate2::bufread::MultiGzDecoder::new(gzipped);
        #[cfg(not(target_arch = "wasm32"))]
        if crate::parallel::threads() > 1 {
            let (send, receive) = std::sync::mpsc::sync_channel(4);
            return std::thread::scope(|scope| {
                let reader = scope.spawn(|| {
                    let blocks = Blocks {
                        receive,
                        block: Vec::new(),
                        at: 0,
                    };
                    self.read_xes_text(
                        &mut BufReader::with_capacity(1 << 16, blocks),
                        options,
                        time,
                    )
                });
                loop {
                    let mut block = vec![0; 1 << 18];
                    let read = read_block(&mut decoder, &mut block).map(|filled| {
                        block.truncate(filled);
                        block
                    });
                    let last = !matches!(&read, Ok(block) if !block.is_empty());
                    // (A reader that stopped, on an error of its own, takes no more.)
                    if send.send(read).is_err() || last {
                        break;
                    }
                }
                drop(send);
                reader.join().unwrap_or_else(|_| {
                    Err(Error::Internal {
                        message: "the XES reading thread panicked".into(),
                    })
                })
            });
        }
        self.read_xes_text(
            &mut BufReader::with_capacity(1 << 16, decoder),
            options,
            time,
        )
    }

    /// Plain XES text: on native targets with more than one core, cut at
    /// its traces into parts parsed on other threads (see
    /// [`EventLog::read_xes_parts`]);
    /// otherwise, or where a cut turns out not to be one, read in order on
    /// this thread.
    #[cfg_attr(target_arch = "wasm32", allow(unused_mut))]
    fn read_xes_text(
        &mut self,
        input: &mut dyn BufRead,
        options: &XesOptions,
        time: &TimeReader<'_>,
    ) -> Result<ReadReport, Error> {
        let mut report = ReadReport::default();
        let mut parser = Parser::new(options);
        #[cfg(not(target_arch = "wasm32"))]
        if crate::parallel::threads() > 1 {
            self.read_xes_parts(input, &mut parser, time, &mut report)?;
            return Ok(report);
        }
        let mut reader = quick_xml::Reader::from_reader(input);
        self.read_traces(&mut reader, &mut parser, time, &mut report)?;
        Ok(report)
    }

    /// Reads `reader` to its end with `parser`, appending each trace.
    fn read_traces(
        &mut self,
        reader: &mut XmlReader<'_>,
        parser: &mut Parser<'_>,
        time: &TimeReader<'_>,
        report: &mut ReadReport,
    ) -> Result<(), Error> {
        let mut buffer = Vec::new();
        while parser.next_trace(reader, &mut buffer)? {
            if let Some(wanted) = &parser.wanted {
                self.take_traces(&mut parser.trace, wanted, parser.options, time, report)?;
            }
        }
        Ok(())
    }

    /// [`EventLog::read_xes_text`] in parts: the head (up to the first
    /// trace) read here, then parts of about [`PART`] bytes, each cut where
    /// a trace starts, parsed on other threads as if the log element were
    /// open, their traces appended here in order. A cut is checked by the
    /// parse of the part before it (it must end where the log's traces
    /// are); at the first part that does not (a `<trace` inside a comment),
    /// or that is not XML, the rest is read in order from there, so errors
    /// and lines are those of the in-order read.
    #[cfg(not(target_arch = "wasm32"))]
    fn read_xes_parts(
        &mut self,
        input: &mut dyn BufRead,
        parser: &mut Parser<'_>,
        time: &TimeReader<'_>,
        report: &mut ReadReport,
    ) -> Result<(), Error> {
        use std::io::Read as _;
        let mut carry: Vec<u8> = Vec::new();
        let mut done = false;
        let first = loop {
            if let Some(at) = trace_starts(&carry).next() {
                break Some(at);
            }
            if done || carry.len() > LONGEST_PART {
                break None;
            }
            done = fill(input, &mut carry)?;
        };
        let mut head = parser.clone();
        let head_read = first.is_some_and(|first| {
            let mut head_text = &carry[..first];
            let mut reader = quick_xml::Reader::from_reader(&mut head_text as &mut dyn BufRead);
            matches!(head.next_trace(&mut reader, &mut Vec::new()), Ok(false))
                && head.open == [Tag::Log]
                && head.know_wanted().is_ok()
        });
        let Some(first) = first.filter(|_| head_read) else {
            let mut rest = carry.as_slice().chain(input);
            let mut reader = quick_xml::Reader::from_reader(&mut rest as &mut dyn BufRead);
            return self.read_traces(&mut reader, parser, time, report);
        };
        carry.drain(..first);
        // Each part is parsed after this start tag of the log element.
        let root = [&b"<"[..], &head.root, b">"].concat();
        let mut template = head.clone();
        template.open.clear();
        template.line = 0;
        let workers = crate::parallel::threads();
        let (send_part, parts) = std::sync::mpsc::sync_channel::<(usize, Vec<u8>)>(workers);
        let parts = std::sync::Mutex::new(parts);
        let (send_parsed, parsed) = std::sync::mpsc::channel();
        std::thread::scope(|scope| {
            for _ in 0..workers {
                let (parts, send, template, root) = (&parts, send_parsed.clone(), &template, &root);
                scope.spawn(move || {
                    loop {
                        let next = parts.lock().unwrap_or_else(|p| p.into_inner()).recv();
                        let Ok((index, part)) = next else { break };
                        let traces = parse_part(template, root, &part);
                        if send.send((index, part, traces)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(send_parsed);
            let Some(wanted) = &template.wanted else {
                return Err(Error::Internal {
                    message: "the XES head was read without its attributes".into(),
                });
            };
            let reading = (wanted, template.options);
            let mut order = PartOrder {
                next: 0,
                last: None,
                line: head.line,
                waiting: std::collections::BTreeMap::new(),
            };
            let mut sent = 0;
            loop {
                while !done && carry.len() < PART {
                    done = fill(input, &mut carry)?;
                }
                let cut = if done {
                    carry.len()
                } else {
                    match trace_starts(&carry).filter(|&at| at > 0).last() {
                        Some(cut) => cut,
                        None if carry.len() <= LONGEST_PART => {
                            done = fill(input, &mut carry)?;
                            continue;
                        }
                        None => 0, // no trace starts in it: read in order
                    }
                };
                if cut == 0 && !carry.is_empty() {
                    break;
                }
                let rest = carry.split_off(cut);
                let part = std::mem::replace(&mut carry, rest);
                if done {
                    order.last = Some(sent);
                }
                if part.is_empty() || send_part.send((sent, part)).is_err() {
                    break;
                }
                sent += 1;
                while let Ok((index, part, traces)) = parsed.try_recv() {
                    order.waiting.insert(index, (part, traces));
                }
                if !self.take_parts(&mut order, reading, time, report)? || done {
                    break;
                }
            }
            drop(send_part);
            // Every part sent is parsed; those after the first that did not
            // parse as cut are read in order with the rest of the input.
            for (index, part, traces) in parsed.iter() {
                order.waiting.insert(index, (part, traces));
            }
            if self.take_parts(&mut order, reading, time, report)?
                && order.next == sent
                && carry.is_empty()
                && done
            {
                return Ok(());
            }
            let mut unread: Vec<u8> = root.clone();
            for (part, _) in std::mem::take(&mut order.waiting).into_values() {
                unread.extend_from_slice(&part);
            }
            unread.extend_from_slice(&carry);
            let mut in_order = template.clone();
            in_order.line = order.line;
            let mut rest = unread.as_slice().chain(input);
            let mut reader = quick_xml::Reader::from_reader(&mut rest as &mut dyn BufRead);
            self.read_traces(&mut reader, &mut in_order, time, report)
        })
    }

    /// Appends the parsed parts that are next in order; `false` at the
    /// first whose cut was not at the log's level or that is not XML (it
    /// stays waiting, to be read in order).
    #[cfg(not(target_arch = "wasm32"))]
    fn take_parts(
        &mut self,
        order: &mut PartOrder,
        (wanted, wanted_options): (&Wanted, &XesOptions),
        time: &TimeReader<'_>,
        report: &mut ReadReport,
    ) -> Result<bool, Error> {
        while let Some(entry) = order.waiting.first_entry() {
            if *entry.key() != order.next {
                break;
            }
            let last = order.last == Some(order.next);
            let (_, Some((_, open))) = entry.get() else {
                return Ok(false);
            };
            if !(open == &[Tag::Log] || last && open.is_empty()) {
                return Ok(false);
            }
            let (part, traces) = entry.remove();
            let Some((mut traces, _)) = traces else {
                return Ok(false);
            };
            for (line, _) in &mut traces.events {
                *line += order.line;
            }
            self.take_traces(&mut traces, wanted, wanted_options, time, report)?;
            order.line += newlines(&part);
            order.next += 1;
        }
        Ok(true)
    }

    /// Appends the buffered traces' events (or counts them bad), and
    /// empties the buffer.
    fn take_traces(
        &mut self,
        trace: &mut TraceBuffer,
        wanted: &Wanted,
        options: &XesOptions,
        time: &TimeReader<'_>,
        report: &mut ReadReport,
    ) -> Result<(), Error> {
        let mut measures: Vec<(&str, f64)> = Vec::new();
        let mut name = String::new();
        let ends = trace.traces.iter().skip(1).map(|&(_, first)| first);
        let ends = ends.chain(std::iter::once(trace.events.len()));
        for (&(customer, first_event), end) in trace.traces.iter().zip(ends) {
            let customer = customer.map(|(start, end)| &trace.text[start..end]);
            for &(line, first) in &trace.events[first_event..end] {
                let own = |slot: usize| {
                    trace.slots[first + slot]
                        .map(|(start, end, kind)| (&trace.text[start..end], kind))
                };
                let value = |slot: usize| {
                    own(slot).or_else(|| {
                        wanted.defaults[slot]
                            .as_ref()
                            .map(|(v, kind)| (v.as_str(), *kind))
                    })
                };
                measures.clear();
                let outcome = (|| {
                    let customer =
                        customer.ok_or("the trace has no concept:name (the customer)")?;
                    name.clear();
                    for slot in 0..wanted.name_keys {
                        let (part, _) = value(slot)
                            .ok_or_else(|| format!("the event has no {}", wanted.keys[slot]))?;
                        if slot > 0 {
                            name.push('+');
                        }
                        name.push_str(part);
                    }
                    // The event's own time only: a default time is no time.
                    let (stamp, _) = own(wanted.time).ok_or("the event has no time:timestamp")?;
                    let micros = time.read(stamp)?;
                    let channel = wanted.channel.and_then(&value).map(|(v, _)| v);
                    for (k, key) in options.measures.iter().enumerate() {
                        if let Some((text, kind)) = value(wanted.measures + k) {
                            let number = crate::number::finite_f64(text)
                                .filter(|_| kind == b"int" || kind == b"float");
                            match number {
                                Some(number) => measures.push((key.as_str(), number)),
                                None => {
                                    return Err(format!("{key} value {text:?} is not a number"));
                                }
                            }
                        }
                    }
                    if name.is_empty() {
                        return Err("the event name is empty".to_owned());
                    }
                    self.push_micros(customer, micros, &name, channel, &measures)
                        .map_err(|e| e.to_string())
                })();
                report.tally(line, outcome, options.on_error)?;
            }
        }
        trace.clear();
        Ok(())
    }

    /// Writes the log as XES: one trace a customer (in the order customers
    /// first appear), its events in log order with `concept:name`,
    /// `time:timestamp` (UTC, to the microsecond when finer than a
    /// millisecond), the channel as `channel` and measures as `float`s;
    /// read back by [`EventLog::read_xes`] with those keys.
    pub fn write_xes(&self, output: impl std::io::Write) -> Result<(), Error> {
        let mut out = std::io::BufWriter::new(output);
        let failed = |e: std::io::Error| as_xes(csv_error(0, &format!("writing failed: {e}")));
        let mut text = String::with_capacity(1 << 16);
        text.push_str(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <log xes.version=\"1849-2016\" xmlns=\"http://www.xes-standard.org/\">\n\
             \t<extension name=\"Concept\" prefix=\"concept\" uri=\"http://www.xes-standard.org/concept.xesext\"/>\n\
             \t<extension name=\"Time\" prefix=\"time\" uri=\"http://www.xes-standard.org/time.xesext\"/>\n\
             \t<classifier name=\"Event Name\" keys=\"concept:name\"/>\n",
        );
        let mut by_customer: Vec<Vec<u32>> = vec![Vec::new(); self.customers.len()];
        for (index, &customer) in self.customer.iter().enumerate() {
            by_customer[customer as usize].push(index as u32);
        }
        for (customer, events) in by_customer.iter().enumerate() {
            text.push_str("\t<trace>\n\t\t<string key=\"concept:name\" value=\"");
            escape_into(&mut text, self.customers.name(customer as u32));
            text.push_str("\"/>\n");
            for &index in events {
                let index = index as usize;
                text.push_str("\t\t<event>\n\t\t\t<string key=\"concept:name\" value=\"");
                escape_into(&mut text, self.names.name(self.name[index]));
                text.push_str("\"/>\n\t\t\t<date key=\"time:timestamp\" value=\"");
                let micros = self.timestamp[index];
                text.push_str(&rfc3339_utc(micros).ok_or_else(|| {
                    Error::argument(
                        "timestamp",
                        format!("{micros} µs is outside the years 0000–9999 that XES dates hold"),
                    )
                })?);
                text.push_str("\"/>\n");
                if let Some(channel) = self.channel_of(index) {
                    text.push_str("\t\t\t<string key=\"channel\" value=\"");
                    escape_into(&mut text, channel);
                    text.push_str("\"/>\n");
                }
                for m in self.measure_range(index) {
                    let (key, value) = self.measures[m];
                    text.push_str("\t\t\t<float key=\"");
                    escape_into(&mut text, self.measure_keys.name(key));
                    text.push_str("\" value=\"");
                    text.push_str(&value.to_string());
                    text.push_str("\"/>\n");
                }
                text.push_str("\t\t</event>\n");
                if text.len() > 1 << 16 {
                    out.write_all(text.as_bytes()).map_err(failed)?;
                    text.clear();
                }
            }
            text.push_str("\t</trace>\n");
        }
        text.push_str("</log>\n");
        out.write_all(text.as_bytes()).map_err(failed)?;
        out.flush().map_err(failed)
    }
}

use std::io::Write as _;

/// XML text of an attribute value.
fn escape_into(text: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '&' => text.push_str("&amp;"),
            '<' => text.push_str("&lt;"),
            '>' => text.push_str("&gt;"),
            '"' => text.push_str("&quot;"),
            '\'' => text.push_str("&apos;"),
            '\n' => text.push_str("&#10;"),
            '\r' => text.push_str("&#13;"),
            '\t' => text.push_str("&#9;"),
            c => text.push(c),
        }
    }
}

/// The keys of a classifier's `keys` list: separated by spaces, a key with
/// spaces quoted with `'`.
fn classifier_keys(list: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut rest = list.trim_start();
    while !rest.is_empty() {
        if let Some(quoted) = rest.strip_prefix('\'') {
            let end = quoted.find('\'').unwrap_or(quoted.len());
            keys.push(quoted[..end].to_owned());
            rest = quoted.get(end + 1..).unwrap_or_default();
        } else {
            let end = rest.find(' ').unwrap_or(rest.len());
            keys.push(rest[..end].to_owned());
            rest = &rest[end..];
        }
        rest = rest.trim_start();
    }
    keys
}

/// The keys of the event name, by the options and the log's classifiers.
fn event_keys(
    options: &XesOptions,
    classifiers: &[(String, Vec<String>)],
) -> Result<Vec<String>, Error> {
    match &options.classifier {
        None => Ok(options.event_keys.clone()),
        Some(name) => classifiers
            .iter()
            .find(|(label, _)| label == name)
            .map(|(_, keys)| keys.clone())
            .ok_or_else(|| {
                let declared: Vec<&str> = classifiers.iter().map(|(l, _)| l.as_str()).collect();
                Error::option(
                    "classifier",
                    format!("the log declares no classifier {name:?} (it declares {declared:?})"),
                )
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A log of `traces` traces (several parts' worth from 6,000 on), with
    /// `extra(i)` written before trace `i`.
    fn log(traces: usize, extra: impl Fn(usize) -> String) -> String {
        let mut text = String::from(
            "<?xml version=\"1.0\"?>\n<log xes.version=\"1.0\">\n\
             <global scope=\"event\"><string key=\"org:resource\" value=\"x\"/></global>\n",
        );
        for i in 0..traces {
            text.push_str(&extra(i));
            text.push_str(&format!(
                "<trace>\n\t<string key=\"concept:name\" value=\"c{i}\"/>\n"
            ));
            for e in 0..4 {
                text.push_str(&format!(
                    "\t<event>\n\t\t<string key=\"concept:name\" value=\"step &amp; {e}\"/>\n\
                     \t\t<string key=\"lifecycle:transition\" value=\"complete\"/>\n\
                     \t\t<date key=\"time:timestamp\" value=\"2026-01-01T00:{:02}:{:02}.{i:06}Z\"/>\n\t</event>\n",
                    e * 7 % 60,
                    i % 60
                ));
            }
            text.push_str("</trace>\n");
        }
        text.push_str("</log>\n");
        text
    }

    /// The read in parts (as `read_xes` does on a machine with several
    /// cores) and the read in order, side by side: the events, the report,
    /// or the error.
    fn both(text: &str, options: &XesOptions) -> [Result<(String, ReadReport), String>; 2] {
        let in_parts = {
            let mut log = EventLog::new();
            log.read_xes(text.as_bytes(), options)
                .map(|report| (csv(&log), report))
                .map_err(|e| e.to_string())
        };
        let in_order = {
            let mut log = EventLog::new();
            let time = TimeReader::new(&TimestampFormat::Rfc3339, None).unwrap();
            let mut report = ReadReport::default();
            let mut bytes = text.as_bytes();
            let mut reader = quick_xml::Reader::from_reader(&mut bytes as &mut dyn BufRead);
            log.read_traces(&mut reader, &mut Parser::new(options), &time, &mut report)
                .and_then(|()| report.kept_some(options.allow_empty))
                .map_err(as_xes)
                .map(|report| (csv(&log), report))
                .map_err(|e| e.to_string())
        };
        [in_parts, in_order]
    }

    fn csv(log: &EventLog) -> String {
        let mut out = Vec::new();
        log.write_csv(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_log_read_in_parts_is_the_log_read_in_order() {
        let text = log(9000, |_| String::new());
        assert!(text.len() > 3 * PART, "{} bytes: too few parts", text.len());
        let [parts, order] = both(&text, &XesOptions::default());
        let (events, report) = parts.clone().unwrap();
        assert_eq!(report.rows_used, 36_000);
        assert_eq!(
            events.lines().nth(1),
            Some("c0,2026-01-01T00:00:00Z,step & 0,")
        );
        assert_eq!(parts, order);
    }

    #[test]
    fn bad_events_in_later_parts_are_reported_with_their_lines() {
        let mut text = log(9000, |_| String::new());
        // An event without a time in the last trace, and one with a bad time
        // near the middle.
        let last = text.rfind("<date key=\"time:timestamp\"").unwrap();
        text.replace_range(last..last + 5, "<dat_");
        let middle = text[..text.len() / 2].rfind("value=\"2026-").unwrap();
        text.replace_range(middle + 7..middle + 11, "20x6");
        let [parts, order] = both(&text, &XesOptions::default());
        let (_, report) = parts.clone().unwrap();
        assert_eq!(report.rows_skipped, 2);
        assert_eq!(parts, order);
        let strict = XesOptions {
            on_error: OnError::Fail,
            ..XesOptions::default()
        };
        let [parts, order] = both(&text, &strict);
        assert!(
            parts.as_ref().unwrap_err().starts_with("XES line "),
            "{parts:?}"
        );
        assert_eq!(parts, order);
    }

    #[test]
    fn a_trace_tag_that_is_not_one_sends_the_rest_to_the_read_in_order() {
        // `<trace>` in comments, CDATA and a processing instruction, at every
        // 700th trace: some of them are where a part is cut.
        let tricky = |i: usize| match i % 2100 {
            0 => "<!-- <trace>\n<trace >\n -->\n".to_owned(),
            700 => "<x><![CDATA[ <trace> <trace/> ]]></x>\n".to_owned(),
            1400 => "<?note <trace>\n?>\n".to_owned(),
            _ => String::new(),
        };
        let text = log(9000, tricky);
        let [parts, order] = both(&text, &XesOptions::default());
        assert_eq!(parts.clone().unwrap().1.rows_used, 36_000);
        assert_eq!(parts, order);
        // A comment and a CDATA section longer than a part, full of trace
        // tags: a part is certainly cut inside each.
        let long = |i: usize| match i {
            3000 => format!("<!--{}-->\n", "<trace>\n".repeat(PART / 5)),
            6000 => format!("<x><![CDATA[{}]]></x>\n", "<trace/> ".repeat(PART / 5)),
            _ => String::new(),
        };
        let text = log(9000, long);
        let [parts, order] = both(&text, &XesOptions::default());
        assert_eq!(parts.clone().unwrap().1.rows_used, 36_000);
        assert_eq!(parts, order);
        // A comment opened and never closed: the same error.
        let broken = log(9000, |i| {
            if i == 5000 {
                "<!-- <trace>".to_owned()
            } else {
                String::new()
            }
        });
        let [parts, order] = both(&broken, &XesOptions::default());
        assert!(parts.is_err(), "{parts:?}");
        assert_eq!(parts, order);
    }

    #[test]
    fn text_that_stops_being_xml_in_a_later_part_fails_as_in_order() {
        for cut in [0.3, 0.6, 0.95] {
            let text = log(9000, |_| String::new());
            let at = (text.len() as f64 * cut) as usize;
            let at = at + text[at..].find('\n').unwrap() + 1;
            let broken = format!("{}</event></trace><event>{}", &text[..at], &text[at..]);
            let [parts, order] = both(&broken, &XesOptions::default());
            assert!(
                parts.as_ref().is_err_and(|e| e.contains("XES line")),
                "{parts:?}"
            );
            assert_eq!(parts, order);
            let truncated = &text[..at];
            let [parts, order] = both(truncated, &XesOptions::default());
            assert_eq!(parts, order);
        }
    }
}
