//! The one conversion module: results to plain JS objects (as serde_json
//! writes them), options read strictly (unknown keys and wrong types named,
//! as in every front), the typed argument declarations, epoch milliseconds.

use crate::prelude::*;

/// Converts a result to a plain JS object, exactly as serde_json writes it.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| make_error(&e.to_string(), ErrorKind::Internal, JsValue::UNDEFINED))
}

/// A value as a plain JS object, or `undefined` for none.
pub(crate) fn to_js_or_undefined<T: Serialize>(value: Option<T>) -> Result<JsValue, JsValue> {
    value.map_or(Ok(JsValue::UNDEFINED), |value| to_js(&value))
}

pub(crate) fn from_js<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value)
        .map_err(|e| invalid_argument(format!("{what} is not valid: {e}")))
}

/// An options argument: `undefined`, `null` or absent means the defaults;
/// an unknown key or a wrong type is refused with the key named, in the
/// words of every other front (`journey_core::options`).
pub(crate) fn optional<T: DeserializeOwned + Default>(
    value: Option<JsValue>,
) -> Result<T, JsValue> {
    let Some(value) = value.filter(|value| !value.is_undefined() && !value.is_null()) else {
        return Ok(T::default());
    };
    // serde_wasm_bindgen reads a struct by its known keys only, so the
    // unknown ones are looked for here.
    unknown_key(&value, journey_core::options::keys::<T>()).map_err(to_js_error)?;
    match serde_wasm_bindgen::from_value::<T>(value.clone()) {
        Ok(options) => Ok(options),
        Err(error) => {
            let alone = |single: JsValue| serde_wasm_bindgen::from_value::<T>(single).err();
            Err(to_js_error(refused_key(&value, &error.to_string(), &alone)))
        }
    }
}

/// Refuses the first key of an options object that is not one of `known`.
pub(crate) fn unknown_key(value: &JsValue, known: &'static [&'static str]) -> Result<(), Error> {
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

/// The key that made an options object fail: the first whose value alone is
/// refused (every options type takes any one of its keys alone). A path
/// tracker in the deserializer would name it too, at 11 KB of the package.
pub(crate) fn refused_key(
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
