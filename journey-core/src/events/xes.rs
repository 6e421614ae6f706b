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

/// An event read, waiting for its trace's end.
struct Pending {
    line: u64,
    /// Attribute key → value (the event's own, then the defaults).
    values: Vec<Attribute>,
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

/// An attribute element's `key`, `value` and type.
fn key_value(element: &BytesStart<'_>, line: u64) -> Result<Option<Attribute>, Error> {
    let Some(kind) = ATTRIBUTES
        .iter()
        .find(|kind| element.local_name().as_ref() == **kind)
    else {
        return Ok(None);
    };
    let (mut key, mut value) = (None, None);
    for attribute in element.attributes() {
        let attribute = attribute.map_err(|e| xml_error(line, e))?;
        let text = attribute
            .unescape_value()
            .map_err(|e| xml_error(line, e))?
            .into_owned();
        match attribute.key.as_ref() {
            b"key" => key = Some(text),
            b"value" => value = Some(text),
            _ => {}
        }
    }
    Ok(key.map(|key| (key, value.unwrap_or_default(), *kind)))
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
            let inflated =
                BufReader::with_capacity(1 << 16, flate2::bufread::MultiGzDecoder::new(buffered));
            self.read_xes_text(inflated, options, &time)
        } else {
            self.read_xes_text(buffered, options, &time)
        };
        report
            .and_then(|report| report.kept_some(options.allow_empty))
            .map_err(as_xes)
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
        // Where the reader is: the elements open, by name.
        let mut open: Vec<Vec<u8>> = Vec::new();
        let mut defaults: Vec<Attribute> = Vec::new();
        let mut classifiers: Vec<(String, Vec<String>)> = Vec::new();
        let mut keys: Option<Vec<String>> = None; // (known at the first trace's end)
        let mut customer: Option<String> = None;
        let mut events: Vec<Pending> = Vec::new();
        let mut global_scope_event = false;
        loop {
            let line = reader.get_ref().line;
            let event = reader
                .read_event_into(&mut buffer)
                .map_err(|e| xml_error(line, e))?;
            let line = reader.get_ref().line;
            let (element, empty) = match &event {
                Xml::Start(element) => (Some(element), false),
                Xml::Empty(element) => (Some(element), true),
                Xml::End(_) => {
                    let closed = open.pop().unwrap_or_default();
                    match closed.as_slice() {
                        b"event" => {}
                        b"trace" => {
                            if keys.is_none() {
                                keys = Some(event_keys(options, &classifiers)?);
                            }
                            let keys = keys.as_deref().unwrap_or_default();
                            self.take_trace(
                                customer.take(),
                                &mut events,
                                &defaults,
                                keys,
                                options,
                                time,
                                &mut report,
                            )?;
                        }
                        b"global" => global_scope_event = false,
                        _ => {}
                    }
                    buffer.clear();
                    continue;
                }
                Xml::Eof => break,
                _ => (None, false),
            };
            let Some(element) = element else {
                buffer.clear();
                continue;
            };
            let name = element.local_name().as_ref().to_vec();
            let parent = open.last().map(Vec::as_slice);
            match (parent, name.as_slice()) {
                (Some(b"log"), b"classifier") => {
                    let (mut label, mut list) = (None, None);
                    for attribute in element.attributes() {
                        let attribute = attribute.map_err(|e| xml_error(line, e))?;
                        let text = attribute
                            .unescape_value()
                            .map_err(|e| xml_error(line, e))?
                            .into_owned();
                        match attribute.key.as_ref() {
                            b"name" => label = Some(text),
                            b"keys" => list = Some(text),
                            _ => {}
                        }
                    }
                    if let (Some(label), Some(list)) = (label, list) {
                        classifiers.push((label, classifier_keys(&list)));
                    }
                }
                (Some(b"log"), b"global") => {
                    global_scope_event = element
                        .attributes()
                        .flatten()
                        .any(|a| a.key.as_ref() == b"scope" && a.value.as_ref() == b"event");
                }
                (Some(b"global"), _) if global_scope_event => {
                    if let Some(attribute) = key_value(element, line)? {
                        defaults.push(attribute);
                    }
                }
                (Some(b"log"), b"trace") => {
                    customer = None;
                    events.clear();
                }
                (Some(b"trace"), b"event") => events.push(Pending {
                    line,
                    values: Vec::new(),
                }),
                (Some(b"trace"), _) => {
                    if let Some((key, value, _)) = key_value(element, line)?
                        && key == "concept:name"
                    {
                        customer = Some(value);
                    }
                }
                (Some(b"event"), _) => {
                    if let (Some(attribute), Some(event)) =
                        (key_value(element, line)?, events.last_mut())
                    {
                        event.line = line;
                        event.values.push(attribute);
                    }
                }
                _ => {}
            }
            if !empty {
                open.push(name);
            } else if name == b"trace" {
                // An empty trace: nothing to take.
                customer = None;
            }
            buffer.clear();
        }
        Ok(report)
    }

    /// Appends a trace's events (or counts them bad).
    #[allow(clippy::too_many_arguments)]
    fn take_trace(
        &mut self,
        customer: Option<String>,
        events: &mut Vec<Pending>,
        defaults: &[Attribute],
        keys: &[String],
        options: &XesOptions,
        time: &TimeReader<'_>,
        report: &mut ReadReport,
    ) -> Result<(), Error> {
        let mut measures: Vec<(&str, f64)> = Vec::new();
        for event in events.drain(..) {
            let value = |key: &str| {
                event
                    .values
                    .iter()
                    .chain(defaults)
                    .find(|(k, _, _)| k == key)
                    .map(|(_, value, kind)| (value.as_str(), *kind))
            };
            measures.clear();
            let outcome = (|| {
                let customer = customer
                    .as_deref()
                    .ok_or("the trace has no concept:name (the customer)")?;
                let mut name = String::new();
                for (k, key) in keys.iter().enumerate() {
                    let (part, _) = value(key).ok_or_else(|| format!("the event has no {key}"))?;
                    if k > 0 {
                        name.push('+');
                    }
                    name.push_str(part);
                }
                // The event's own time only: a default time is no time.
                let stamp = event
                    .values
                    .iter()
                    .find(|(k, _, _)| k == "time:timestamp")
                    .map(|(_, value, _)| value.as_str())
                    .ok_or("the event has no time:timestamp")?;
                let micros = time.read(stamp)?;
                let channel = options.channel.as_deref().and_then(&value).map(|(v, _)| v);
                for key in &options.measures {
                    if let Some((text, kind)) = value(key) {
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
            report.tally(event.line, outcome.map_err(|e: String| e), options.on_error)?;
        }
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
