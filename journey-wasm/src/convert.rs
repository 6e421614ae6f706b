//! The one conversion module: values cross as JSON text (results written
//! by serde_json and parsed by `JSON.parse`; arguments written by
//! `JSON.stringify` and read by serde_json), so a JS object is exactly the
//! JSON document of the other fronts and options are read by the same
//! strict reader as C's (`journey_core::options`). Also the typed argument
//! declarations and epoch milliseconds.

use crate::prelude::*;

/// Converts a result to a plain JS object, exactly as serde_json writes it.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| make_error(&e.to_string(), ErrorKind::Internal, JsValue::UNDEFINED))?;
    js_sys::JSON::parse(&text)
}

/// A value as a plain JS object, or `undefined` for none.
pub(crate) fn to_js_or_undefined<T: Serialize>(value: Option<T>) -> Result<JsValue, JsValue> {
    value.map_or(Ok(JsValue::UNDEFINED), |value| to_js(&value))
}

/// An argument as JSON text, refused when `JSON.stringify` cannot write it
/// (a BigInt, a cycle) or writes nothing (`undefined`, a function).
pub(crate) fn json_text(value: &JsValue, what: &str) -> Result<String, JsValue> {
    match js_sys::JSON::stringify(value) {
        Ok(text) => text
            .as_string()
            .ok_or_else(|| invalid_argument(format!("{what} is not valid: not a JSON value"))),
        Err(error) => Err(invalid_argument(format!(
            "{what} is not valid: {}",
            js_sys::Error::from(error).message()
        ))),
    }
}

pub(crate) fn from_js<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsValue> {
    let text = json_text(&value, what)?;
    journey_core::json::from_str(&text)
        .map_err(|e| invalid_argument(format!("{what} is not valid: {}", without_position(&e))))
}

/// serde_json's message without its " at line L column C": the JSON text
/// is ours, not the caller's.
fn without_position(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message,
    }
}

/// An options argument: `undefined`, `null` or absent means the defaults;
/// an unknown key or a wrong type is refused with the key named, by the
/// reader of every other front (`journey_core::options::from_json`).
pub(crate) fn optional<T: DeserializeOwned + Default>(
    value: Option<JsValue>,
) -> Result<T, JsValue> {
    let Some(value) = value.filter(|value| !value.is_undefined() && !value.is_null()) else {
        return Ok(T::default());
    };
    let text = json_text(&value, "options")?;
    journey_core::options::from_json(&text).map_err(to_js_error)
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
    /// Stage-flow options (`FlowOptions` in TypeScript).
    #[wasm_bindgen(typescript_type = "FlowOptions")]
    pub type FlowOptionsArg;
    /// Tracker options (`TrackerOptions` in TypeScript).
    #[wasm_bindgen(typescript_type = "TrackerOptions")]
    pub type TrackerOptionsArg;
    /// History filter (`HistoryFilter` in TypeScript).
    #[wasm_bindgen(typescript_type = "HistoryFilter")]
    pub type HistoryFilterArg;
    /// XES options (`XesOptions` in TypeScript).
    #[wasm_bindgen(typescript_type = "XesOptions")]
    pub type XesOptionsArg;
    /// JSON event options (`JsonOptions` in TypeScript).
    #[wasm_bindgen(typescript_type = "JsonOptions")]
    pub type JsonOptionsArg;
}

#[wasm_bindgen]
extern "C" {
    /// A JS string, for `String.prototype.isWellFormed`.
    type Text;
    /// Whether the string has no lone surrogate.
    #[wasm_bindgen(method, js_name = isWellFormed)]
    fn is_well_formed(this: &Text) -> bool;
}

/// A string argument. Anything else (a number, an object, a Symbol, a
/// BigInt) is refused, as is a string with a lone surrogate, which UTF-8
/// cannot hold (two different keys would read as one).
pub(crate) fn string(value: JsValue, what: &str) -> Result<String, JsValue> {
    match value.dyn_ref::<js_sys::JsString>() {
        Some(text) if text.unchecked_ref::<Text>().is_well_formed() => Ok(String::from(text)),
        Some(_) => Err(invalid_argument(format!(
            "{what} holds a lone surrogate, which is not text"
        ))),
        None => Err(invalid_argument(format!("{what} must be a string"))),
    }
}

/// A count argument: a whole number from 0 to 2^32 − 1 (never wrapped).
pub(crate) fn count(value: f64, what: &str) -> Result<usize, JsValue> {
    if value.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(&value) {
        Ok(value as usize)
    } else {
        Err(invalid_argument(format!(
            "{what} must be a whole number from 0 to 4294967295"
        )))
    }
}

/// A JS number of epoch milliseconds as an integer.
pub(crate) fn epoch_ms(value: f64, what: &str) -> Result<i64, JsValue> {
    const LIMIT: f64 = 9_007_199_254_740_991.0; // Number.MAX_SAFE_INTEGER
    if value.is_finite() && value.fract() == 0.0 && value.abs() <= LIMIT {
        Ok(value as i64)
    } else {
        Err(invalid_argument(format!(
            "{what} must be a whole number of milliseconds, not {value}"
        )))
    }
}
