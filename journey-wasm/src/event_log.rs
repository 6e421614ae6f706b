//! `EventLog`, the log compositions on `JourneyModel` (traces,
//! conformance, data funnel, fit, attribution) and attribution from path
//! data.

use crate::model::JourneyModel;
use crate::prelude::*;

/// Events from a website, a product or a helpdesk, in input order.
///
/// Not shared between workers. Call `free()` when done, or let it be
/// garbage-collected.
#[wasm_bindgen]
pub struct EventLog {
    pub(crate) log: journey_core::events::EventLog,
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
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
        options: Option<CsvOptionsArg>,
    ) -> Result<JsValue, JsValue> {
        let text = &string(text, "text")?;
        let options: journey_core::events::CsvOptions = optional(options.map(JsValue::from))?;
        let report = self
            .log
            .read_csv(text.as_bytes(), &options)
            .map_err(to_js_error)?;
        to_js(&report)
    }

    /// The log as CSV text. In the full build (`journey-wasm/full`).
    #[cfg(feature = "full")]
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
        top: Option<f64>,
    ) -> Result<JsValue, JsValue> {
        let top = top.map(|v| count(v, "top")).transpose()?;
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
        #[wasm_bindgen(unchecked_param_type = "string")] journey: JsValue,
        log: &EventLog,
        mapping: Option<MappingArg>,
    ) -> Result<JsValue, JsValue> {
        let journey = &string(journey, "journey")?;
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
        #[wasm_bindgen(unchecked_param_type = "string")] journey: JsValue,
        log: &EventLog,
        mapping: Option<MappingArg>,
        top: Option<f64>,
    ) -> Result<JsValue, JsValue> {
        let journey = &string(journey, "journey")?;
        let top = top.map(|v| count(v, "top")).transpose()?;
        let mapping = optional(mapping.map(JsValue::from))?;
        let result = self.document.conformance(journey, &log.log, &mapping, top);
        to_js(&result.map_err(to_js_error)?)
    }

    /// The stage funnel measured on the log's traces.
    #[wasm_bindgen(js_name = dataFunnel, unchecked_return_type = "DataFunnelStage[]")]
    pub fn data_funnel(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] journey: JsValue,
        log: &EventLog,
        mapping: Option<MappingArg>,
    ) -> Result<JsValue, JsValue> {
        let journey = &string(journey, "journey")?;
        let mapping = optional(mapping.map(JsValue::from))?;
        let funnel = self.document.data_funnel(journey, &log.log, &mapping);
        to_js(&funnel.map_err(to_js_error)?)
    }

    /// A new model in which the journey is fitted to the log; with
    /// `{ context_order: 3 }` it also learns higher-order context, which a
    /// `Tracker` of the fitted journey uses for its next steps.
    pub fn fit(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] journey: JsValue,
        log: &EventLog,
        mapping: Option<MappingArg>,
        options: Option<FitOptionsArg>,
    ) -> Result<JourneyModel, JsValue> {
        let journey = &string(journey, "journey")?;
        let mapping = optional(mapping.map(JsValue::from))?;
        let options = optional(options.map(JsValue::from))?;
        let document = self.document.fit(journey, &log.log, &mapping, &options);
        Ok(JourneyModel {
            document: document.map_err(to_js_error)?,
        })
    }

    /// Attribution of the log's conversions (reaching one of the journey's
    /// goals) to touchpoints (`journey-wasm/full`).
    #[cfg(feature = "full")]
    #[wasm_bindgen(unchecked_return_type = "Attribution")]
    pub fn attribution(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] journey: JsValue,
        log: &EventLog,
        mapping: Option<MappingArg>,
        options: Option<AttributionOptionsArg>,
    ) -> Result<JsValue, JsValue> {
        let journey = &string(journey, "journey")?;
        let mapping = optional(mapping.map(JsValue::from))?;
        let options = optional(options.map(JsValue::from))?;
        let result = self
            .document
            .attribution(journey, &log.log, &mapping, &options);
        to_js(&result.map_err(to_js_error)?)
    }
}

/// Attribution from path data in CSV (`path,total_conversions,total_conversion_value,total_null`;
/// `journey-wasm/full`: the attribution models are kept out of the default
/// build's WebAssembly).
#[cfg(feature = "full")]
#[wasm_bindgen(js_name = attributePaths, unchecked_return_type = "Attribution")]
pub fn attribute_paths(
    #[wasm_bindgen(unchecked_param_type = "string")] csv: JsValue,
    csv_options: Option<PathCsvOptionsArg>,
    options: Option<AttributionOptionsArg>,
) -> Result<JsValue, JsValue> {
    let csv = &string(csv, "csv")?;
    let csv_options = optional(csv_options.map(JsValue::from))?;
    let options = optional(options.map(JsValue::from))?;
    let (paths, _) = journey_core::attribution::PathTable::read_csv(csv.as_bytes(), &csv_options)
        .map_err(to_js_error)?;
    to_js(&journey_core::attribution::attribute_table(&paths, &options).map_err(to_js_error)?)
}

/// The event formats of the `journey-wasm/full` build: XES logs and JSON
/// event payloads (their readers are kept out of the default build's
/// WebAssembly, which they would make a sixth larger).
#[cfg(feature = "full")]
#[wasm_bindgen]
impl EventLog {
    /// Reads an XES log, as text or as bytes (a `.xes.gz` file's
    /// `Uint8Array`, recognised by its first bytes), and appends its events;
    /// returns what was read, used and skipped, with every bad event.
    #[wasm_bindgen(js_name = readXes, unchecked_return_type = "ReadReport")]
    pub fn read_xes(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] data: JsValue,
        options: Option<XesOptionsArg>,
    ) -> Result<JsValue, JsValue> {
        let options: journey_core::events::XesOptions = optional(options.map(JsValue::from))?;
        let report = match data.dyn_ref::<js_sys::Uint8Array>() {
            Some(bytes) => self.log.read_xes(&bytes.to_vec()[..], &options),
            None => self
                .log
                .read_xes(string(data, "data")?.as_bytes(), &options),
        };
        to_js(&report.map_err(to_js_error)?)
    }

    /// The log as XES text: one trace a customer, events in input order,
    /// with their time, channel and measures.
    #[wasm_bindgen(js_name = toXes)]
    pub fn to_xes(&self) -> Result<String, JsValue> {
        let mut out = Vec::new();
        self.log.write_xes(&mut out).map_err(to_js_error)?;
        String::from_utf8(out).map_err(|e| invalid_argument(e.to_string()))
    }

    /// Reads events in JSON (JSON Lines, an array, or an object wrapping
    /// one) with a field mapping or a preset (`"segment"`, `"zendesk"`,
    /// `"intercom"`, `"freshdesk"`) and appends them; returns what was read,
    /// used and skipped, with every bad event.
    #[wasm_bindgen(js_name = readJson, unchecked_return_type = "ReadReport")]
    pub fn read_json(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
        options: Option<JsonOptionsArg>,
    ) -> Result<JsValue, JsValue> {
        let text = &string(text, "text")?;
        let options: journey_core::events::JsonOptions = optional(options.map(JsValue::from))?;
        let report = self.log.read_json(text.as_bytes(), &options);
        to_js(&report.map_err(to_js_error)?)
    }
}
