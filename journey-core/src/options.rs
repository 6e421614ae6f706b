//! Options read strictly, the same way in every front.
//!
//! Every options struct of the crate (`analysis::Options`, `events::CsvOptions`,
//! `tracker::TrackerOptions`, …) fills absent fields with its defaults and
//! refuses unknown fields. [`from_json`] turns serde's complaint into an
//! [`Error::InvalidOption`] that names the offending key, so `{"topp": 3}`
//! and `{"history": "many"}` fail with the same kind and message from Rust,
//! C and JavaScript (whose objects are checked with [`keys`],
//! [`unknown_key`] and [`refused`]).

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

/// The [`Error::InvalidOption`] for a refused `key` (`"."` for the value
/// as a whole) with serde's `message`: for a front that finds the key
/// itself, e.g. by reading each key of a refused object alone, so its
/// error reads as [`from_json`]'s.
pub fn refused(key: &str, message: &str) -> Error {
    invalid(key.to_owned(), message.to_owned())
}

/// The [`Error::InvalidOption`] for a `key` that is not one of `expected`
/// (an options struct's [`keys`]), in serde's words ("unknown field `topp`,
/// expected one of `top`, …").
pub fn unknown_key(key: &str, expected: &'static [&'static str]) -> Error {
    let message = <serde_json::Error as serde::de::Error>::unknown_field(key, expected);
    invalid(key.to_owned(), message.to_string())
}

/// The keys an options struct `T` reads (none for a type that is not a
/// struct): for a front whose objects serde reads only by the known keys,
/// so an unknown one would pass unseen.
pub fn keys<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    match T::deserialize(KeyList) {
        Err(KeysOf(keys)) => keys,
        Ok(_) => &[],
    }
}

/// A deserializer that reads nothing: it stops at the struct's key list.
struct KeyList;

#[derive(Debug)]
struct KeysOf(&'static [&'static str]);

impl std::fmt::Display for KeysOf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a struct")
    }
}

impl std::error::Error for KeysOf {}

impl serde::de::Error for KeysOf {
    fn custom<M: std::fmt::Display>(_: M) -> Self {
        KeysOf(&[])
    }
}

impl<'de> Deserializer<'de> for KeyList {
    type Error = KeysOf;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, KeysOf> {
        Err(KeysOf(&[]))
    }

    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, KeysOf> {
        Err(KeysOf(fields))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
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
    fn the_keys_of_an_options_struct_and_an_unknown_one_read_as_serde_says() {
        assert_eq!(
            keys::<crate::analysis::Options>(),
            ["top", "max_path_expansions", "rapid_drop"]
        );
        assert!(keys::<String>().is_empty());
        let error = unknown_key("topp", keys::<crate::analysis::Options>());
        let parsed = from_json::<crate::analysis::Options>(r#"{"topp": 1}"#).unwrap_err();
        assert_eq!(error, parsed);
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
