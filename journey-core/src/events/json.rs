//! Events as JSON, as analytics and helpdesk systems emit them: JSON Lines,
//! a JSON array, or an object wrapping the array (`{"batch": […]}`,
//! `{"events": […]}`, `{"data": […]}`), each event's fields found by paths
//! (`properties.page`, `profile.identifiers.0.value`, or a JSON Pointer
//! `/properties/page.url`), with ready mappings for common sources.

use std::collections::BTreeMap;
use std::io::BufRead;

use serde_json::Value;

use super::*;
use csv_io::csv_error;

/// Ready field mappings, from the sources' published field names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum JsonPreset {
    /// A Segment-style analytics `track` call: `userId` (else
    /// `anonymousId`), `event`, `timestamp`, `channel`.
    Segment,
    /// Zendesk's Events API: `profile.identifiers.0.value` (else `user_id`),
    /// `event.type` (else `type`), `event.created_at` (else `created_at`),
    /// the source (`event.source`, else `source`) as the channel.
    Zendesk,
    /// Intercom's data events: `user_id` (else `email`, `intercom_user_id`),
    /// `event_name`, `created_at` (epoch seconds); numeric `metadata` are
    /// not measures unless mapped.
    Intercom,
    /// Freshdesk's contact activities: `actor.id` (else `actor.email`,
    /// `contact_id`), `name`, `timestamp`, `object.type` as the channel.
    Freshdesk,
}

/// The paths of one field: the first present is used.
type Paths = Vec<String>;

impl JsonPreset {
    /// The preset's (customer, timestamp, event, channel) paths.
    fn paths(self) -> [&'static [&'static str]; 4] {
        match self {
            JsonPreset::Segment => [
                &["userId", "anonymousId"],
                &["timestamp"],
                &["event"],
                &["channel"],
            ],
            JsonPreset::Zendesk => [
                &["profile.identifiers.0.value", "user_id"],
                &["event.created_at", "created_at"],
                &["event.type", "type"],
                &["event.source", "source"],
            ],
            JsonPreset::Intercom => [
                &["user_id", "email", "intercom_user_id"],
                &["created_at"],
                &["event_name"],
                &[],
            ],
            JsonPreset::Freshdesk => [
                &["actor.id", "actor.email", "contact_id"],
                &["timestamp"],
                &["name"],
                &["object.type"],
            ],
        }
    }
}

/// How to read events in JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct JsonOptions {
    /// A ready mapping; the fields below override its paths. Default: none
    /// (journey's own event shape: `customer`, `timestamp`, `name`,
    /// `channel`).
    pub preset: Option<JsonPreset>,
    /// Paths of the customer key, the first present used.
    pub customer: Option<Paths>,
    /// Paths of the timestamp (text, or an epoch number).
    pub timestamp: Option<Paths>,
    /// Paths of the event name.
    pub event: Option<Paths>,
    /// Paths of the channel.
    pub channel: Option<Paths>,
    /// Measure key → the path of its value (a number, or a number as text).
    pub measures: BTreeMap<String, String>,
    /// The path of the array of events in a JSON object. Default: the
    /// document when it is an array, else its `batch`, `events`, `data` or
    /// `activities` array, else JSON Lines.
    pub records: Option<String>,
    /// Timestamp format. Default: auto.
    pub timestamp_format: TimestampFormat,
    /// Where timestamps without an offset were written (as for CSV).
    pub time_zone: Option<String>,
    /// Skip-and-report or fail on a bad event. Default: skip.
    pub on_error: OnError,
    /// Whether a read that keeps no event is a success. Default: `false`.
    pub allow_empty: bool,
}

/// The value at `path`: a JSON Pointer (`/a/b`), or keys and array
/// indices separated by dots (`a.b.0`).
pub(crate) fn at<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    if path.starts_with('/') {
        return value.pointer(path);
    }
    path.split('.').try_fold(value, |value, key| match value {
        Value::Object(map) => map.get(key),
        Value::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

/// A field's text: a string as it is, a number as JSON writes it.
fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// Reads events out of JSON values by the options' paths.
#[derive(Debug)]
pub(crate) struct JsonReader<'a> {
    fields: [Paths; 4],
    measures: std::borrow::Cow<'a, BTreeMap<String, String>>,
    time: TimeReader<'a>,
}

impl<'a> JsonReader<'a> {
    pub(crate) fn new(options: &'a JsonOptions) -> Result<JsonReader<'a>, Error> {
        let own: [&[&str]; 4] = [&["customer"], &["timestamp"], &["name"], &["channel"]];
        let preset = options.preset.map_or(own, JsonPreset::paths);
        let pick = |chosen: &Option<Paths>, k: usize| {
            chosen
                .clone()
                .unwrap_or_else(|| preset[k].iter().map(|p| (*p).to_owned()).collect())
        };
        let fields = [
            pick(&options.customer, 0),
            pick(&options.timestamp, 1),
            pick(&options.event, 2),
            pick(&options.channel, 3),
        ];
        for (k, name) in ["customer", "timestamp", "event"].into_iter().enumerate() {
            if fields[k].is_empty() {
                return Err(Error::option(name, "name at least one path"));
            }
        }
        Ok(JsonReader {
            fields,
            measures: std::borrow::Cow::Borrowed(&options.measures),
            time: TimeReader::new(&options.timestamp_format, options.time_zone.as_deref())?,
        })
    }

    /// The reader with what it borrows copied, to be kept beyond the
    /// options (the tracker keeps the last one it built).
    pub(crate) fn into_owned(self) -> JsonReader<'static> {
        JsonReader {
            fields: self.fields,
            measures: std::borrow::Cow::Owned(self.measures.into_owned()),
            time: self.time.into_owned(),
        }
    }

    fn first<'v>(&self, value: &'v Value, field: usize) -> Option<&'v Value> {
        self.fields[field]
            .iter()
            .find_map(|path| at(value, path).filter(|v| !v.is_null()))
    }

    fn text(&self, value: &Value, field: usize, name: &str) -> Result<String, String> {
        let found = self.first(value, field).ok_or_else(|| {
            format!(
                "the event has no {name} (at {})",
                self.fields[field].join(", ")
            )
        })?;
        text_of(found).ok_or_else(|| format!("the {name} is not text or a number: {found}"))
    }

    /// The event in `value`: (customer, epoch µs, name, channel), its
    /// measures pushed to `measures`.
    pub(crate) fn event<'m>(
        &'m self,
        value: &Value,
        measures: &mut Vec<(&'m str, f64)>,
    ) -> Result<(String, i64, String, Option<String>), String> {
        if !value.is_object() {
            return Err(format!("the event is not a JSON object: {value}"));
        }
        let customer = self.text(value, 0, "customer")?;
        let stamp = self.text(value, 1, "timestamp")?;
        let micros = self.time.read(&stamp)?;
        let name = self.text(value, 2, "event name")?;
        let channel = self.first(value, 3).and_then(text_of);
        for (key, path) in self.measures.iter() {
            let number = match at(value, path) {
                None | Some(Value::Null) => continue,
                Some(Value::Number(number)) => number.as_f64(),
                Some(Value::String(text)) => crate::number::finite_f64(text),
                Some(_) => None,
            };
            match number.filter(|n| n.is_finite()) {
                Some(number) => measures.push((key.as_str(), number)),
                None => return Err(format!("{key} value at {path} is not a number")),
            }
        }
        Ok((customer, micros, name, channel))
    }
}

impl EventLog {
    /// Reads events in JSON (JSON Lines, an array, or an object wrapping
    /// one; see [`JsonOptions::records`]) and appends them.
    ///
    /// Bad events (a missing or empty field, a bad timestamp, a measure that
    /// is not a number, a JSON Lines line that is not JSON) are skipped and
    /// reported with their line (JSON Lines) or their 1-based position in
    /// the array, or fail the read under [`OnError::Fail`]; an array or a
    /// wrapping object that is not JSON fails at once. A read that keeps no
    /// event fails unless [`JsonOptions::allow_empty`].
    pub fn read_json(
        &mut self,
        input: impl Read,
        options: &JsonOptions,
    ) -> Result<ReadReport, Error> {
        self.read_json_events(input, options)
            .map_err(|error| error.said_of("JSON event"))
    }

    fn read_json_events(
        &mut self,
        input: impl Read,
        options: &JsonOptions,
    ) -> Result<ReadReport, Error> {
        let reader = JsonReader::new(options)?;
        let mut input = std::io::BufReader::new(input);
        let failed = |e: std::io::Error| csv_error(1, &format!("reading the input failed: {e}"));
        let first = loop {
            let buffer = input.fill_buf().map_err(failed)?;
            match buffer.iter().position(|b| !b.is_ascii_whitespace()) {
                Some(at) => break buffer.get(at).copied(),
                None if buffer.is_empty() => break None,
                None => {
                    let len = buffer.len();
                    input.consume(len);
                }
            }
        };
        let mut report = ReadReport::default();
        let mut measures = Vec::new();
        let mut take = |log: &mut EventLog,
                        row: u64,
                        value: Result<Value, String>,
                        report: &mut ReadReport|
         -> Result<(), Error> {
            measures.clear();
            let outcome = value.and_then(|value| {
                let (customer, micros, name, channel) = reader.event(&value, &mut measures)?;
                log.push_micros(&customer, micros, &name, channel.as_deref(), &measures)
                    .map_err(|e| e.to_string())
            });
            report.tally(row, outcome, options.on_error).map(|_| ())
        };
        // A wrapping object's array of events, or the value itself.
        let records_of = |document: Value| -> Result<Vec<Value>, Error> {
            let mut document = document;
            let records = match &options.records {
                Some(path) => {
                    let pointer = if path.starts_with('/') {
                        path.clone()
                    } else {
                        format!("/{}", path.replace('.', "/"))
                    };
                    document
                        .pointer_mut(&pointer)
                        .map(Value::take)
                        .ok_or_else(|| {
                            Error::option("records", format!("the JSON has nothing at {path:?}"))
                        })?
                }
                None => match ["batch", "events", "data", "activities"]
                    .iter()
                    .find(|key| document.get(**key).is_some_and(Value::is_array))
                {
                    Some(key) => document[*key].take(),
                    None => document,
                },
            };
            Ok(match records {
                Value::Array(items) => items,
                single => vec![single],
            })
        };
        let mut line = String::new();
        if first == Some(b'{') && options.records.is_none() {
            // JSON Lines, streamed, unless the first line is not a whole
            // value (a pretty-printed document) or the only one (a
            // document on one line: its events numbered by position).
            input.read_line(&mut line).map_err(failed)?;
            if let Ok(value) = crate::json::from_str::<Value>(&line) {
                let mut next = String::new();
                let mut number = 1;
                while next.trim().is_empty() {
                    next.clear();
                    if input.read_line(&mut next).map_err(failed)? == 0 {
                        break;
                    }
                    number += 1;
                }
                if next.is_empty() {
                    for (k, record) in records_of(value)?.into_iter().enumerate() {
                        take(self, k as u64 + 1, Ok(record), &mut report)?;
                    }
                    return report.kept_some(options.allow_empty);
                }
                for record in records_of(value)? {
                    take(self, 1, Ok(record), &mut report)?;
                }
                line = next;
                loop {
                    if !line.trim().is_empty() {
                        match crate::json::from_str::<Value>(&line) {
                            Ok(value) => {
                                for record in records_of(value)? {
                                    take(self, number, Ok(record), &mut report)?;
                                }
                            }
                            Err(e) => {
                                let why = format!("the line is not JSON: {e}");
                                take(self, number, Err(why), &mut report)?;
                            }
                        }
                    }
                    line.clear();
                    if input.read_line(&mut line).map_err(failed)? == 0 {
                        break;
                    }
                    number += 1;
                }
                return report.kept_some(options.allow_empty);
            }
        }
        if first.is_some() {
            input.read_to_string(&mut line).map_err(failed)?;
            let document =
                crate::json::from_str::<Value>(&line).map_err(|e| Error::from_json(&e))?;
            for (k, record) in records_of(document)?.into_iter().enumerate() {
                take(self, k as u64 + 1, Ok(record), &mut report)?;
            }
        }
        report.kept_some(options.allow_empty)
    }
}
