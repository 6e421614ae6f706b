//! Options read strictly, the same way in every front.
//!
//! Every options struct of the crate (`analysis::Options`, `events::CsvOptions`,
//! `tracker::TrackerOptions`, …) fills absent fields with its defaults and
//! refuses unknown fields. [`from_json`] and [`from_deserializer`] turn serde's
//! complaint into an [`Error::InvalidOption`] that names the offending key,
//! so `{"topp": 3}` and `{"history": "many"}` fail with the same kind and
//! message from Rust, C and JavaScript.

use serde::de::{Deserialize, DeserializeOwned, Deserializer};

use crate::error::Error;

/// Options from JSON text; empty or blank text means every default.
///
/// Malformed JSON is an [`Error::Json`]; an unknown key, or a value of the
/// wrong type, an [`Error::InvalidOption`] naming the key.
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
    if text.trim().is_empty() {
        return Ok(T::default());
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        if error.inner().is_data() {
            invalid(error.path().to_string(), error.inner().to_string())
        } else {
            Error::from_json(error.inner())
        }
    })?;
    deserializer
        .end()
        .map_err(|error| Error::from_json(&error))?;
    Ok(parsed)
}

/// Options from any serde source (a JavaScript object, a TOML table, …):
/// every failure is an [`Error::InvalidOption`] naming the key.
pub fn from_deserializer<'de, T, D>(deserializer: D) -> Result<T, Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    serde_path_to_error::deserialize(deserializer)
        .map_err(|error| invalid(error.path().to_string(), error.inner().to_string()))
}

fn invalid(path: String, message: String) -> Error {
    // The path of an unknown key is the key itself; serde_path_to_error
    // writes the root as ".", for a problem with the whole value.
    let option = if path == "." {
        "options".to_owned()
    } else {
        path
    };
    let message = strip_position(&message);
    Error::InvalidOption { option, message }
}

/// serde_json ends its messages with " at line L column C"; for options the
/// key already says where.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) if message[at..].contains(" column ") => message[..at].to_owned(),
        _ => message.to_owned(),
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
