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

/// A buffered input that counts the lines it has handed out.
struct Lines<R> {
    inner: R,
    line: u64,
}

impl<R: BufRead> Read for Lines<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.line += newlines(&buffer[..read]);
        Ok(read)
    }
}

impl<R: BufRead> BufRead for Lines<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        if let Ok(buffer) = self.inner.fill_buf() {
            self.line += newlines(&buffer[..amount.min(buffer.len())]);
        }
        self.inner.consume(amount);
    }
}

/// Fills `block` from `input` as far as it goes: the bytes read (0 at the end).
#[cfg(not(target_arch = "wasm32"))]
fn read_block(input: &mut impl Read, block: &mut [u8]) -> std::io::Result<usize> {
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
#[cfg(not(target_arch = "wasm32"))]
struct Blocks {
    receive: std::sync::mpsc::Receiver<std::io::Result<Vec<u8>>>,
    block: Vec<u8>,
    at: usize,
}

#[cfg(not(target_arch = "wasm32"))]
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

/// A trace's events, held until its end (its name may follow them): their
/// wanted attributes' values in one text, by slot.
#[derive(Default)]
struct TraceBuffer {
    customer: Option<String>,
    text: String,
    /// Per event, `Wanted::keys.len()` slots: a value's range and element.
    slots: Vec<Option<(usize, usize, &'static [u8])>>,
    /// Each event's line and first slot.
    events: Vec<(u64, usize)>,
}

impl TraceBuffer {
    fn clear(&mut self) {
        self.customer = None;
        self.text.clear();
        self.slots.clear();
        self.events.clear();
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

/// An attribute's key, raw, and its value, unescaped.
type RawAttribute<'e> = (std::borrow::Cow<'e, [u8]>, std::borrow::Cow<'e, str>);

/// An attribute element's `key` (raw) and `value` (unescaped).
fn raw_key_value<'e>(
    element: &'e BytesStart<'_>,
    line: u64,
) -> Result<Option<RawAttribute<'e>>, Error> {
    let (mut key, mut value) = (None, None);
    for attribute in element.attributes() {
        let attribute = attribute.map_err(|e| xml_error(line, e))?;
        match attribute.key.as_ref() {
            b"key" => key = Some(attribute.value),
            b"value" => value = Some(attribute.unescape_value().map_err(|e| xml_error(line, e))?),
            _ => {}
        }
    }
    Ok(key.map(|key| (key, value.unwrap_or_default())))
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
    let [key, value] = named_values(element, line, [b"key", b"value"])?;
    Ok(key.map(|key| (key, value.unwrap_or_default(), kind)))
}

impl EventLog {
    /// Reads an XES log (or a gzipped one: `.xes.gz`) and appends its events.
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
            self.read_xes_inflating(buffered, options, &time)
        } else {
            self.read_xes_text(buffered, options, &time)
        };
        report
            .and_then(|report| report.kept_some(options.allow_empty))
            .map_err(as_xes)
    }

    /// A gzipped log: inflated on this thread, read on a second one (on
    /// native targets with more than one core), the text handed over in
    /// blocks.
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
                    self.read_xes_text(BufReader::with_capacity(1 << 16, blocks), options, time)
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
        self.read_xes_text(BufReader::with_capacity(1 << 16, decoder), options, time)
    }

    fn read_xes_text(
        &mut self,
        input: impl BufRead,
        options: &XesOptions,
        time: &TimeReader<'_>,
    ) -> Result<ReadReport, Error> {
        let mut reader = quick_xml::Reader::from_reader(Lines {
            inner: input,
            line: 1,
        });
        let mut report = ReadReport::default();
        let mut buffer = Vec::new();
        // Where the reader is: the elements open.
        let mut open: Vec<Tag> = Vec::new();
        let mut classifiers: Vec<(String, Vec<String>)> = Vec::new();
        // Known at the first trace (the classifiers come before it).
        let mut wanted: Option<Wanted> = None;
        let mut defaults: Vec<(String, String, &'static [u8])> = Vec::new();
        let mut trace = TraceBuffer::default();
        loop {
            let line = reader.get_ref().line;
            let event = reader
                .read_event_into(&mut buffer)
                .map_err(|e| xml_error(line, e))?;
            let line = reader.get_ref().line;
            let (element, empty) = match &event {
                Xml::Start(element) => (element, false),
                Xml::Empty(element) => (element, true),
                Xml::End(_) => {
                    if open.pop() == Some(Tag::Trace)
                        && let Some(wanted) = &wanted
                    {
                        self.take_trace(&mut trace, wanted, options, time, &mut report)?;
                    }
                    buffer.clear();
                    continue;
                }
                Xml::Eof => break,
                _ => {
                    buffer.clear();
                    continue;
                }
            };
            let name = element.local_name();
            let name = name.as_ref();
            let parent = open.last().copied();
            let tag = match (parent, name) {
                (None, b"log") => Tag::Log,
                (Some(Tag::Log), b"classifier") => {
                    let [label, list] = named_values(element, line, [b"name", b"keys"])?;
                    if let (Some(label), Some(list)) = (label, list) {
                        classifiers.push((label, classifier_keys(&list)));
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
                        defaults.push(attribute);
                    }
                    Tag::Other
                }
                (Some(Tag::Log), b"trace") => {
                    if wanted.is_none() {
                        wanted = Some(Wanted::new(
                            event_keys(options, &classifiers)?,
                            options,
                            &defaults,
                        ));
                    }
                    trace.clear();
                    Tag::Trace
                }
                (Some(Tag::Trace), b"event") => {
                    if let Some(wanted) = &wanted {
                        trace.start_event(line, wanted.keys.len());
                    }
                    Tag::Event
                }
                (Some(Tag::Trace), _) => {
                    if let Some((key, value)) = raw_key_value(element, line)?
                        && key.as_ref() == b"concept:name"
                    {
                        trace.customer = Some(value.into_owned());
                    }
                    Tag::Other
                }
                (Some(Tag::Event), _) => {
                    if let Some(wanted) = &wanted
                        && let Some(kind) = attribute_kind(name)
                        && let Some((key, value)) = raw_key_value(element, line)?
                        && let Some(slot) = wanted
                            .keys
                            .iter()
                            .position(|k| k.as_bytes() == key.as_ref())
                    {
                        trace.set(slot, &value, kind, line);
                    }
                    Tag::Other
                }
                _ => Tag::Other,
            };
            if !empty {
                open.push(tag);
            } else if tag == Tag::Trace {
                trace.clear(); // an empty trace: nothing to take
            }
            buffer.clear();
        }
        Ok(report)
    }

    /// Appends a trace's events (or counts them bad).
    fn take_trace(
        &mut self,
        trace: &mut TraceBuffer,
        wanted: &Wanted,
        options: &XesOptions,
        time: &TimeReader<'_>,
        report: &mut ReadReport,
    ) -> Result<(), Error> {
        let mut measures: Vec<(&str, f64)> = Vec::new();
        let mut name = String::new();
        for (line, first) in std::mem::take(&mut trace.events) {
            let own = |slot: usize| {
                trace.slots[first + slot].map(|(start, end, kind)| (&trace.text[start..end], kind))
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
                let customer = trace
                    .customer
                    .as_deref()
                    .ok_or("the trace has no concept:name (the customer)")?;
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
                        let number = text
                            .parse::<f64>()
                            .ok()
                            .filter(|n| n.is_finite() && (kind == b"int" || kind == b"float"));
                        match number {
                            Some(number) => measures.push((key.as_str(), number)),
                            None => return Err(format!("{key} value {text:?} is not a number")),
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
