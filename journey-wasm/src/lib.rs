//! journey for JavaScript: the WebAssembly binding of `journey-core`.
//!
//! It converts and delegates: arguments come in as strings or plain JS
//! objects, results go out as plain JS objects shaped exactly like the Rust
//! serialization, and errors are thrown as `JourneyError`s carrying the core
//! error's stable `code`. No logic lives here.

#![deny(missing_docs)]

use std::cell::RefCell;

use journey_core::analysis::Options;
use journey_core::{Document, Error, ErrorKind, Journey};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = include_str!("../types.d.ts");

thread_local! {
    /// The `JourneyError` class of the JS wrapper, registered at load time.
    static ERROR_CLASS: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

/// Registers the JS class thrown on failure (the package's entry modules
/// do this; applications never need to).
#[wasm_bindgen(js_name = "__setErrorClass", skip_typescript)]
pub fn set_error_class(class: js_sys::Function) {
    ERROR_CLASS.with(|slot| *slot.borrow_mut() = Some(class));
    std::panic::set_hook(Box::new(|info| {
        // A panic is a bug; it surfaces as a JourneyError with code
        // "internal", never as `RuntimeError: unreachable`.
        let error = make_error(
            &format!("internal error: {info}; please report this"),
            ErrorKind::Internal,
            JsValue::UNDEFINED,
        );
        wasm_bindgen::throw_val(error);
    }));
}

/// Panics on purpose, so the tests can see how a panic surfaces. Only in
/// builds with the `test-panic` feature, never in the package.
#[cfg(feature = "test-panic")]
#[wasm_bindgen(js_name = "__testPanic", skip_typescript)]
pub fn test_panic() {
    #[allow(clippy::panic)]
    {
        panic!("a deliberate panic for the tests");
    }
}

fn make_error(message: &str, kind: ErrorKind, problems: JsValue) -> JsValue {
    let code = kind.code();
    let class = ERROR_CLASS.with(|slot| slot.borrow().clone());
    let arguments = js_sys::Array::of3(&message.into(), &code.into(), &problems);
    if let Some(class) = class
        && let Ok(error) = js_sys::Reflect::construct(&class, &arguments)
    {
        return error;
    }
    let error = js_sys::Error::new(message);
    error.set_name("JourneyError");
    let _ = js_sys::Reflect::set(&error, &"code".into(), &code.into());
    let _ = js_sys::Reflect::set(&error, &"problems".into(), &problems);
    error.into()
}

fn to_js_error(error: Error) -> JsValue {
    let problems = match &error {
        Error::Invalid { report } => to_js(&report.findings).unwrap_or(JsValue::UNDEFINED),
        _ => JsValue::UNDEFINED,
    };
    make_error(&error.to_string(), error.kind(), problems)
}

fn invalid_argument(message: String) -> JsValue {
    make_error(&message, ErrorKind::InvalidArgument, JsValue::UNDEFINED)
}

/// Converts a result to a plain JS object, exactly as serde_json writes it.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| make_error(&e.to_string(), ErrorKind::Internal, JsValue::UNDEFINED))
}

/// A value as a plain JS object, or `undefined` for none.
fn to_js_or_undefined<T: Serialize>(value: Option<T>) -> Result<JsValue, JsValue> {
    value.map_or(Ok(JsValue::UNDEFINED), |value| to_js(&value))
}

fn from_js<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value)
        .map_err(|e| invalid_argument(format!("{what} is not valid: {e}")))
}

/// An options argument: `undefined`, `null` or absent means the defaults;
/// an unknown key or a wrong type is refused with the key named, in the
/// words of every other front (`journey_core::options`).
fn optional<T: DeserializeOwned + Default>(value: Option<JsValue>) -> Result<T, JsValue> {
    let Some(value) = value.filter(|value| !value.is_undefined() && !value.is_null()) else {
        return Ok(T::default());
    };
    // serde_wasm_bindgen reads a struct by its known keys only, so the
    // unknown ones are looked for here.
    unknown_key(&value, journey_core::options::keys::<T>()).map_err(to_js_error)?;
    match parse::<T>(value.clone()) {
        Ok(options) => Ok(options),
        Err(error) => {
            let alone = |single: JsValue| parse::<T>(single).err();
            Err(to_js_error(refused_key(&value, &error.to_string(), &alone)))
        }
    }
}

/// Refuses the first key of an options object that is not one of `known`.
fn unknown_key(value: &JsValue, known: &'static [&'static str]) -> Result<(), Error> {
    let Some(object) = value.dyn_ref::<js_sys::Object>() else {
        return Ok(());
    };
    for key in js_sys::Object::keys(object) {
        let key = key.as_string().unwrap_or_default();
        if !known.is_empty() && !known.contains(&key.as_str()) {
            return Err(journey_core::options::unknown_key(&key, known));
        }
    }
    Ok(())
}

/// Each options type's reader.
fn parse<T: DeserializeOwned>(value: JsValue) -> Result<T, serde_wasm_bindgen::Error> {
    serde_wasm_bindgen::from_value(value)
}

/// The key that made an options object fail: the first whose value alone is
/// refused (every options type takes any one of its keys alone). A path
/// tracker in the deserializer would name it too, at 11 KB of the package.
fn refused_key(
    value: &JsValue,
    message: &str,
    alone: &dyn Fn(JsValue) -> Option<serde_wasm_bindgen::Error>,
) -> Error {
    // serde_wasm_bindgen's messages are JS errors' texts: "Error: …".
    let words = |message: &str| {
        message
            .strip_prefix("Error: ")
            .unwrap_or(message)
            .to_owned()
    };
    if let Some(object) = value.dyn_ref::<js_sys::Object>() {
        for key in js_sys::Object::keys(object) {
            let single = js_sys::Object::new();
            let field = js_sys::Reflect::get(object, &key).unwrap_or(JsValue::UNDEFINED);
            let _ = js_sys::Reflect::set(&single, &key, &field);
            if let Some(error) = alone(single.into()) {
                let key = key.as_string().unwrap_or_default();
                return journey_core::options::refused(&key, &words(&error.to_string()));
            }
        }
    }
    journey_core::options::refused(".", &words(message))
}

/// The library's version, e.g. `"0.1.0"`.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// A loaded journey document: personas, measure definitions and journeys.
///
/// Immutable. Call `free()` when done, or let it be garbage-collected.
#[wasm_bindgen]
pub struct JourneyModel {
    document: Document,
}

impl JourneyModel {
    fn journey_by_id(&self, id: &str) -> Result<&Journey, JsValue> {
        self.document.require_journey(id).map_err(to_js_error)
    }
}

#[wasm_bindgen]
impl JourneyModel {
    /// Loads a document from JSON text. Throws a `JourneyError` with code
    /// `parse_error` (with line and column), `unsupported_schema` or
    /// `limit_exceeded`. A document with validation errors loads; see
    /// `validate()`.
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(text: &str) -> Result<JourneyModel, JsValue> {
        let document = Document::from_json(text).map_err(to_js_error)?;
        Ok(JourneyModel { document })
    }

    /// Loads a document from a plain object (as `JSON.parse` gives).
    #[wasm_bindgen(js_name = fromObject)]
    pub fn from_object(
        #[wasm_bindgen(unchecked_param_type = "JourneyDocument")] document: JsValue,
    ) -> Result<JourneyModel, JsValue> {
        if !document.is_object() {
            return Err(invalid_argument("the document is not an object".to_owned()));
        }
        let text = js_sys::JSON::stringify(&document)
            .ok()
            .and_then(|text| text.as_string())
            .ok_or_else(|| invalid_argument("the document cannot be written as JSON".to_owned()))?;
        Self::from_json(&text)
    }

    /// The document as JSON text: the same model always gives the same bytes.
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self) -> Result<String, JsValue> {
        self.document.to_json().map_err(to_js_error)
    }

    /// The document as a plain object.
    #[wasm_bindgen(js_name = toObject, unchecked_return_type = "JourneyDocument")]
    pub fn to_object(&self) -> Result<JsValue, JsValue> {
        to_js(&self.document)
    }

    /// Every validation finding, errors and warnings.
    #[wasm_bindgen(unchecked_return_type = "Report")]
    pub fn validate(&self) -> Result<JsValue, JsValue> {
        to_js(&self.document.validate())
    }

    /// Analyzes one journey exactly (see the core's `analysis` module).
    /// Throws `not_found` for an unknown journey and `validation_error`
    /// (with `problems`) for a journey with validation errors.
    #[wasm_bindgen(unchecked_return_type = "Analysis")]
    pub fn analyze(
        &self,
        journey: &str,
        options: Option<AnalysisOptionsArg>,
    ) -> Result<JsValue, JsValue> {
        let options: Options = optional(options.map(JsValue::from))?;
        let analysis = self
            .document
            .analyze(journey, &options)
            .map_err(to_js_error)?;
        to_js(&analysis)
    }

    /// Compares two journeys of the document (current vs future state, or
    /// two personas' journeys).
    #[wasm_bindgen(unchecked_return_type = "Comparison")]
    pub fn compare(
        &self,
        before: &str,
        after: &str,
        options: Option<AnalysisOptionsArg>,
    ) -> Result<JsValue, JsValue> {
        let options: Options = optional(options.map(JsValue::from))?;
        let comparison = self
            .document
            .compare(before, after, &options)
            .map_err(to_js_error)?;
        to_js(&comparison)
    }

    /// The personas.
    #[wasm_bindgen(unchecked_return_type = "Persona[]")]
    pub fn personas(&self) -> Result<JsValue, JsValue> {
        to_js(&self.document.personas)
    }

    /// The journeys, whole.
    #[wasm_bindgen(unchecked_return_type = "Journey[]")]
    pub fn journeys(&self) -> Result<JsValue, JsValue> {
        to_js(&self.document.journeys)
    }

    /// One journey. Throws `not_found` for an unknown id.
    #[wasm_bindgen(unchecked_return_type = "Journey")]
    pub fn journey(&self, id: &str) -> Result<JsValue, JsValue> {
        to_js(self.journey_by_id(id)?)
    }

    /// A journey's stages, in order.
    #[wasm_bindgen(unchecked_return_type = "Stage[]")]
    pub fn stages(&self, journey: &str) -> Result<JsValue, JsValue> {
        to_js(&self.journey_by_id(journey)?.stages)
    }

    /// A journey's touchpoints, in document order (present and missing).
    #[wasm_bindgen(unchecked_return_type = "Touchpoint[]")]
    pub fn touchpoints(&self, journey: &str) -> Result<JsValue, JsValue> {
        to_js(&self.journey_by_id(journey)?.touchpoints)
    }

    /// A journey's touchpoint graph as Graphviz DOT text (a cluster per
    /// stage, missing touchpoints dashed, edges labelled).
    #[wasm_bindgen(js_name = toDot)]
    pub fn to_dot(&self, journey: &str, options: Option<DotOptionsArg>) -> Result<String, JsValue> {
        let journey = self.journey_by_id(journey)?;
        let options = optional(options.map(JsValue::from))?;
        Ok(journey_core::render::to_dot(journey, &options))
    }

    /// A journey map as an SVG document (stages as columns, touchpoints as
    /// cards, missing ones dashed, pain points marked, the emotion curve and
    /// a legend), ready to insert into a page. Throws `not_found` for an
    /// unknown journey, `invalid_option` for bad options and
    /// `validation_error` when `analysis` is asked of an invalid journey.
    #[wasm_bindgen(js_name = renderSvg)]
    pub fn render_svg(
        &self,
        journey: &str,
        options: Option<SvgOptionsArg>,
    ) -> Result<String, JsValue> {
        let options = optional(options.map(JsValue::from))?;
        journey_core::render::render_svg(&self.document, journey, &options).map_err(to_js_error)
    }

    /// A journey as a Mermaid `journey` diagram (title, a section per stage,
    /// a task per present touchpoint with its 1–5 score and actors).
    #[wasm_bindgen(js_name = toMermaid)]
    pub fn to_mermaid(&self, journey: &str) -> Result<String, JsValue> {
        journey_core::mermaid::to_mermaid(&self.document, journey).map_err(to_js_error)
    }

    /// Reads a Mermaid `journey` diagram into a model: actors become
    /// personas, sections stages, tasks touchpoints. Throws `parse_error`
    /// with the line.
    #[wasm_bindgen(js_name = fromMermaid)]
    pub fn from_mermaid(text: &str) -> Result<JourneyModel, JsValue> {
        let document = journey_core::mermaid::from_mermaid(text).map_err(to_js_error)?;
        Ok(JourneyModel { document })
    }

    /// One touchpoint of a journey. Throws `not_found` for an unknown id.
    #[wasm_bindgen(unchecked_return_type = "Touchpoint")]
    pub fn touchpoint(&self, journey: &str, id: &str) -> Result<JsValue, JsValue> {
        let touchpoint = self.journey_by_id(journey)?.touchpoint(id).ok_or_else(|| {
            to_js_error(Error::NotFound {
                kind: "touchpoint",
                id: id.to_owned(),
            })
        })?;
        to_js(touchpoint)
    }
}

#[wasm_bindgen]
extern "C" {
    /// Analysis options as passed from JS (`AnalysisOptions` in TypeScript).
    #[wasm_bindgen(typescript_type = "AnalysisOptions")]
    pub type AnalysisOptionsArg;
    /// An event as passed from JS (`JourneyEvent` in TypeScript).
    #[wasm_bindgen(typescript_type = "JourneyEvent")]
    pub type EventArg;
    /// CSV column options (`CsvOptions` in TypeScript).
    #[wasm_bindgen(typescript_type = "CsvOptions")]
    pub type CsvOptionsArg;
    /// Event-name mapping (`Mapping` in TypeScript).
    #[wasm_bindgen(typescript_type = "Mapping")]
    pub type MappingArg;
    /// Fit options (`FitOptions` in TypeScript).
    #[wasm_bindgen(typescript_type = "FitOptions")]
    pub type FitOptionsArg;
    /// Attribution options (`AttributionOptions` in TypeScript).
    #[wasm_bindgen(typescript_type = "AttributionOptions")]
    pub type AttributionOptionsArg;
    /// Path-CSV options (`PathCsvOptions` in TypeScript).
    #[wasm_bindgen(typescript_type = "PathCsvOptions")]
    pub type PathCsvOptionsArg;
}

#[wasm_bindgen]
extern "C" {
    /// DOT export options (`DotOptions` in TypeScript).
    #[wasm_bindgen(typescript_type = "DotOptions")]
    pub type DotOptionsArg;
    /// SVG journey-map options (`SvgOptions` in TypeScript).
    #[wasm_bindgen(typescript_type = "SvgOptions")]
    pub type SvgOptionsArg;
    /// Tracker options (`TrackerOptions` in TypeScript).
    #[wasm_bindgen(typescript_type = "TrackerOptions")]
    pub type TrackerOptionsArg;
    /// History filter (`HistoryFilter` in TypeScript).
    #[wasm_bindgen(typescript_type = "HistoryFilter")]
    pub type HistoryFilterArg;
}

/// A JS number of epoch milliseconds as an integer.
fn epoch_ms(value: f64, what: &str) -> Result<i64, JsValue> {
    const LIMIT: f64 = 9_007_199_254_740_991.0; // Number.MAX_SAFE_INTEGER
    if value.is_finite() && value.fract() == 0.0 && value.abs() <= LIMIT {
        Ok(value as i64)
    } else {
        Err(invalid_argument(format!(
            "{what} must be a whole number of milliseconds, not {value}"
        )))
    }
}

/// Live state of many customers on one journey, for helpdesks: where each
/// customer is, what they saw, what comes next, who needs attention.
///
/// Call `free()` when done, or let it be garbage-collected.
#[wasm_bindgen]
pub struct Tracker {
    tracker: journey_core::tracker::Tracker,
}

#[wasm_bindgen]
impl Tracker {
    /// A tracker of one journey of a model. Throws `not_found` for an
    /// unknown journey and `invalid_option` for bad options.
    #[wasm_bindgen(constructor)]
    pub fn new(
        model: &JourneyModel,
        journey: &str,
        options: Option<TrackerOptionsArg>,
    ) -> Result<Tracker, JsValue> {
        let journey = model.journey_by_id(journey)?;
        let options = optional(options.map(JsValue::from))?;
        let tracker = journey_core::tracker::Tracker::new(journey, options).map_err(to_js_error)?;
        Ok(Tracker { tracker })
    }

    /// A tracker in the state `snapshot()` saved, for the same journey.
    pub fn restore(
        model: &JourneyModel,
        journey: &str,
        snapshot: &[u8],
    ) -> Result<Tracker, JsValue> {
        let journey = model.journey_by_id(journey)?;
        let tracker =
            journey_core::tracker::Tracker::restore(journey, snapshot).map_err(to_js_error)?;
        Ok(Tracker { tracker })
    }

    /// Records that a customer met a touchpoint (or mapped event name) at
    /// `time` (epoch ms): `"placed"`, `"late"` or `"unknown"`.
    #[wasm_bindgen(unchecked_return_type = "Observed")]
    pub fn observe(&self, customer: &str, touchpoint: &str, time: f64) -> Result<JsValue, JsValue> {
        let observed = self
            .tracker
            .observe(customer, touchpoint, epoch_ms(time, "time")?)
            .map_err(to_js_error)?;
        to_js(&observed)
    }

    /// Where the customer is, or `undefined` when not tracked.
    #[wasm_bindgen(unchecked_return_type = "Position | undefined")]
    pub fn position(&self, customer: &str) -> Result<JsValue, JsValue> {
        to_js_or_undefined(self.tracker.position(customer))
    }

    /// The customer's last `n` visits passing `filter`, latest first.
    #[wasm_bindgen(unchecked_return_type = "Visit[]")]
    pub fn history(
        &self,
        customer: &str,
        n: usize,
        filter: Option<HistoryFilterArg>,
    ) -> Result<JsValue, JsValue> {
        let filter = optional(filter.map(JsValue::from))?;
        to_js(&self.tracker.history(customer, n, &filter))
    }

    /// Whether and when the customer saw a touchpoint: `undefined` when never.
    #[wasm_bindgen(unchecked_return_type = "Seen | undefined")]
    pub fn seen(&self, customer: &str, touchpoint: &str) -> Result<JsValue, JsValue> {
        to_js_or_undefined(self.tracker.seen(customer, touchpoint))
    }

    /// The `k` most likely next touchpoints, most likely first.
    #[wasm_bindgen(unchecked_return_type = "Likely[]")]
    pub fn next(&self, customer: &str, k: usize) -> Result<JsValue, JsValue> {
        to_js(&self.tracker.next(customer, k))
    }

    /// Probability of reaching a goal from where the customer is.
    #[wasm_bindgen(js_name = goalProbability)]
    pub fn goal_probability(&self, customer: &str) -> Option<f64> {
        self.tracker.goal_probability(customer)
    }

    /// The customer's priority, or `undefined` when not tracked.
    #[wasm_bindgen(unchecked_return_type = "Priority | undefined")]
    pub fn priority(&self, customer: &str) -> Result<JsValue, JsValue> {
        to_js_or_undefined(self.tracker.priority(customer))
    }

    /// Customers over their stay limits at `now` (epoch ms), most overdue first.
    #[wasm_bindgen(unchecked_return_type = "Due[]")]
    pub fn due(&self, now: f64) -> Result<JsValue, JsValue> {
        to_js(&self.tracker.due(epoch_ms(now, "now")?))
    }

    /// Evicts customers idle longer than `idle_ttl_ms` at `now`; how many.
    pub fn expire(&self, now: f64) -> Result<usize, JsValue> {
        Ok(self.tracker.expire(epoch_ms(now, "now")?))
    }

    /// Forgets a customer; whether it was tracked.
    pub fn forget(&self, customer: &str) -> bool {
        self.tracker.forget(customer)
    }

    /// Counters: customers, placed, late, unknown, evicted.
    #[wasm_bindgen(unchecked_return_type = "TrackerStats")]
    pub fn stats(&self) -> Result<JsValue, JsValue> {
        to_js(&self.tracker.stats())
    }

    /// The whole state as bytes (versioned JSON) to persist.
    pub fn snapshot(&self) -> Result<Vec<u8>, JsValue> {
        self.tracker.snapshot().map_err(to_js_error)
    }
}

/// Events from a website, a product or a helpdesk, in input order.
///
/// Not shared between workers. Call `free()` when done, or let it be
/// garbage-collected.
#[wasm_bindgen]
pub struct EventLog {
    log: journey_core::events::EventLog,
}

#[wasm_bindgen]
impl EventLog {
    /// An empty log.
    #[wasm_bindgen(constructor)]
    pub fn new() -> EventLog {
        EventLog {
            log: journey_core::events::EventLog::new(),
        }
    }

    /// Number of events.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.log.len()
    }

    /// Appends an event (`timestamp` in epoch milliseconds).
    pub fn push(&mut self, event: EventArg) -> Result<(), JsValue> {
        let event: journey_core::events::Event = from_js(event.into(), "event")?;
        self.log.push(&event).map_err(to_js_error)
    }

    /// Reads CSV text with a header row and appends its events; returns what
    /// was read, used and skipped, with every bad row.
    #[wasm_bindgen(js_name = readCsv, unchecked_return_type = "ReadReport")]
    pub fn read_csv(
        &mut self,
        text: &str,
        options: Option<CsvOptionsArg>,
    ) -> Result<JsValue, JsValue> {
        let options: journey_core::events::CsvOptions = optional(options.map(JsValue::from))?;
        let report = self
            .log
            .read_csv(text.as_bytes(), &options)
            .map_err(to_js_error)?;
        to_js(&report)
    }

    /// The log as CSV text.
    #[wasm_bindgen(js_name = toCsv)]
    pub fn to_csv(&self) -> Result<String, JsValue> {
        let mut out = Vec::new();
        self.log.write_csv(&mut out).map_err(to_js_error)?;
        String::from_utf8(out).map_err(|e| invalid_argument(e.to_string()))
    }

    /// Per-customer traces (every event name counts as known; see
    /// `JourneyModel.traces` to map them onto a journey).
    #[wasm_bindgen(unchecked_return_type = "Traces")]
    pub fn traces(&self, mapping: Option<MappingArg>) -> Result<JsValue, JsValue> {
        let mapping = optional(mapping.map(JsValue::from))?;
        to_js(&self.log.traces(None, &mapping))
    }

    /// The directly-follows graph, start and end counts, frequencies, the
    /// `top` variants and measure aggregates.
    #[wasm_bindgen(unchecked_return_type = "DiscoveryReport")]
    pub fn discover(
        &self,
        mapping: Option<MappingArg>,
        top: Option<usize>,
    ) -> Result<JsValue, JsValue> {
        let mapping = optional(mapping.map(JsValue::from))?;
        let discovery = journey_core::discovery::Discovery::from_log(&self.log, None, &mapping);
        to_js(&discovery.report(top.unwrap_or(10)))
    }
}

impl Default for EventLog {
    fn default() -> Self {
        EventLog::new()
    }
}

#[wasm_bindgen]
impl JourneyModel {
    /// The log's traces mapped onto a journey's touchpoints, with the event
    /// names the journey does not have.
    #[wasm_bindgen(unchecked_return_type = "Traces")]
    pub fn traces(
        &self,
        journey: &str,
        log: &EventLog,
        mapping: Option<MappingArg>,
    ) -> Result<JsValue, JsValue> {
        let mapping = optional(mapping.map(JsValue::from))?;
        to_js(
            &self
                .document
                .traces(journey, &log.log, &mapping)
                .map_err(to_js_error)?,
        )
    }

    /// How well the log's traces follow a journey, with its `top` most
    /// frequent deviations (default 10).
    #[wasm_bindgen(unchecked_return_type = "Conformance")]
    pub fn conformance(
        &self,
        journey: &str,
        log: &EventLog,
        mapping: Option<MappingArg>,
        top: Option<usize>,
    ) -> Result<JsValue, JsValue> {
        let mapping = optional(mapping.map(JsValue::from))?;
        let result = self.document.conformance(journey, &log.log, &mapping, top);
        to_js(&result.map_err(to_js_error)?)
    }

    /// The stage funnel measured on the log's traces.
    #[wasm_bindgen(js_name = dataFunnel, unchecked_return_type = "DataFunnelStage[]")]
    pub fn data_funnel(
        &self,
        journey: &str,
        log: &EventLog,
        mapping: Option<MappingArg>,
    ) -> Result<JsValue, JsValue> {
        let mapping = optional(mapping.map(JsValue::from))?;
        let funnel = self.document.data_funnel(journey, &log.log, &mapping);
        to_js(&funnel.map_err(to_js_error)?)
    }

    /// A new model in which the journey is fitted to the log; with
    /// `{ context_order: 3 }` it also learns higher-order context, which a
    /// `Tracker` of the fitted journey uses for its next steps.
    pub fn fit(
        &self,
        journey: &str,
        log: &EventLog,
        mapping: Option<MappingArg>,
        options: Option<FitOptionsArg>,
    ) -> Result<JourneyModel, JsValue> {
        let mapping = optional(mapping.map(JsValue::from))?;
        let options = optional(options.map(JsValue::from))?;
        let document = self.document.fit(journey, &log.log, &mapping, &options);
        Ok(JourneyModel {
            document: document.map_err(to_js_error)?,
        })
    }

    /// Attribution of the log's conversions (reaching one of the journey's
    /// goals) to touchpoints.
    #[wasm_bindgen(unchecked_return_type = "Attribution")]
    pub fn attribution(
        &self,
        journey: &str,
        log: &EventLog,
        mapping: Option<MappingArg>,
        options: Option<AttributionOptionsArg>,
    ) -> Result<JsValue, JsValue> {
        let mapping = optional(mapping.map(JsValue::from))?;
        let options = optional(options.map(JsValue::from))?;
        let result = self
            .document
            .attribution(journey, &log.log, &mapping, &options);
        to_js(&result.map_err(to_js_error)?)
    }
}

/// Attribution from path data in CSV (`path,total_conversions,total_conversion_value,total_null`).
#[wasm_bindgen(js_name = attributePaths, unchecked_return_type = "Attribution")]
pub fn attribute_paths(
    csv: &str,
    csv_options: Option<PathCsvOptionsArg>,
    options: Option<AttributionOptionsArg>,
) -> Result<JsValue, JsValue> {
    let csv_options = optional(csv_options.map(JsValue::from))?;
    let options = optional(options.map(JsValue::from))?;
    let (paths, _) = journey_core::attribution::PathTable::read_csv(csv.as_bytes(), &csv_options)
        .map_err(to_js_error)?;
    to_js(&journey_core::attribution::attribute_table(&paths, &options).map_err(to_js_error)?)
}
