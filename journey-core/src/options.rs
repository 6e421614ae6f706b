//! Options read strictly, the same way in every front.
//!
//! Every options struct of the crate (`analysis::Options`, `events::CsvOptions`,
//! `tracker::TrackerOptions`, …) fills absent fields with its defaults and
//! refuses unknown fields. [`from_json`] turns serde's complaint into an
//! [`Error::InvalidOption`] that names the offending key, so `{"topp": 3}`
//! and `{"history": "many"}` fail with the same kind and message from Rust,
//! C and JavaScript (whose objects reach it as JSON text).

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::Error;

/// The longest options text [`from_json`] reads: 16 MiB (room for the
/// name mappings and per-touchpoint counts of large journeys).
pub const MAX_OPTIONS_BYTES: usize = 16 << 20;

/// Options from JSON text; empty or blank text means every default; text
/// longer than [`MAX_OPTIONS_BYTES`] is [`Error::LimitExceeded`].
///
/// Malformed JSON is an [`Error::Json`]; an unknown key, or a value of the
/// wrong type, an [`Error::InvalidOption`] naming the key (the top-level
/// one, for a value deep inside a map).
///
/// ```
/// use journey_core::{ErrorKind, analysis::Options, options};
///
/// let parsed: Options = options::from_json(r#"{"top": 3}"#)?;
/// assert_eq!(parsed.top, 3);
/// assert_eq!(options::from_json::<Options>("")?, Options::default());
/// let typo = options::from_json::<Options>(r#"{"topp": 3}"#).unwrap_err();
/// assert_eq!(typo.kind(), ErrorKind::InvalidOption);
/// assert!(typo.to_string().starts_with("invalid option topp: unknown field `topp`"));
/// # Ok::<(), journey_core::Error>(())
/// ```
pub fn from_json<T: DeserializeOwned + Default>(text: &str) -> Result<T, Error> {
    if text.len() > MAX_OPTIONS_BYTES {
        return Err(Error::LimitExceeded {
            what: "bytes of options".into(),
            limit: MAX_OPTIONS_BYTES,
            actual: text.len(),
        });
    }
    if text.trim().is_empty() {
        return Ok(T::default());
    }
    match crate::json::from_str::<T>(text) {
        Ok(parsed) => Ok(parsed),
        Err(error) => Err(blame(text, &error, &|alone| {
            crate::json::from_str::<T>(alone).err()
        })),
    }
}

/// The error for options `text` that `error` refused: malformed JSON as
/// such; else the first key refused when read alone by `read` (every
/// options struct takes any one of its keys alone), or the value as a
/// whole. Not generic, so it is written once for every options type.
fn blame(
    text: &str,
    error: &serde_json::Error,
    read: &dyn Fn(&str) -> Option<serde_json::Error>,
) -> Error {
    if !error.is_data() {
        return Error::from_json(error);
    }
    if let Ok(object) = crate::json::from_str::<serde_json::Map<String, Value>>(text) {
        for (key, value) in object {
            let mut alone = serde_json::Map::new();
            alone.insert(key.clone(), value);
            if let Some(refused) = read(&Value::Object(alone).to_string()) {
                return invalid(key, &refused);
            }
        }
    }
    invalid(".".to_owned(), error)
}

fn invalid(path: String, error: &serde_json::Error) -> Error {
    // "." is the value as a whole.
    let option = if path == "." {
        "options".to_owned()
    } else {
        path
    };
    Error::InvalidOption {
        option,
        message: crate::error::json_message(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use crate::tracker::TrackerOptions;

    #[test]
    fn wrong_types_name_their_key() {
        let error = from_json::<TrackerOptions>(r#"{"history": "many"}"#).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidOption);
        assert_eq!(
            error.to_string(),
            "invalid option history: invalid type: string \"many\", expected usize"
        );
    }

    #[test]
    fn unknown_keys_are_refused_with_the_key_named() {
        let error = from_json::<TrackerOptions>(r#"{"histroy": 3}"#).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidOption);
        assert!(
            error
                .to_string()
                .starts_with("invalid option histroy: unknown field `histroy`, expected one of"),
            "{error}"
        );
    }

    #[test]
    fn a_refused_value_inside_a_map_names_its_key_and_a_whole_value_the_options() {
        let error = from_json::<crate::events::Mapping>(r#"{"session_gap": 5, "names": {"a": 5}}"#)
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid option names: invalid type: integer `5`, expected a string"
        );
        let error = from_json::<crate::events::Mapping>(r#"{"session_gap": -1}"#).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid option session_gap: must not be negative"
        );
        let error = from_json::<TrackerOptions>(r#""many""#).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid option options: invalid type: string \"many\", expected struct TrackerOptions"
        );
    }

    #[test]
    fn options_past_the_limit_are_refused_before_they_are_read() {
        let text = format!("{{\"history\": 3{}}}", " ".repeat(MAX_OPTIONS_BYTES));
        let error = from_json::<TrackerOptions>(&text).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::LimitExceeded, "{error}");
    }

    #[test]
    fn malformed_json_is_a_parse_error_and_blank_text_the_defaults() {
        let error = from_json::<TrackerOptions>(r#"{"history": 3"#).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::ParseError);
        let error = from_json::<TrackerOptions>(r#"{"history": 3} x"#).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::ParseError);
        assert_eq!(
            from_json::<TrackerOptions>(" \n").unwrap(),
            TrackerOptions::default()
        );
    }
}
