//! JSON text read into the crate's types, every struct from an object.
//!
//! serde_json reads a struct from an object or from an array of its fields
//! in order, so each struct type carries the code of both reads (about a
//! quarter of the npm package's JSON reading). journey's JSON — documents,
//! options, snapshots, events — writes structs as objects; here a struct is
//! read as a map is, from an object alone. An array where a struct belongs
//! is refused as any other wrong type is ("invalid type: sequence, expected
//! struct …"); everything else reads exactly as serde_json reads it, with
//! its messages, lines and columns.
//!
//! Every reader of JSON text in the crate and its fronts goes through
//! [`from_str`], so each type's reading code exists once.

use std::fmt;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};

/// Reads `text` as one JSON value of type `T` (whitespace around it
/// allowed), every struct from an object.
///
/// ```
/// use journey_core::analysis::Options;
/// let options: Options = journey_core::json::from_str(r#"{"top": 3}"#)?;
/// assert_eq!(options.top, 3);
/// let refused = journey_core::json::from_str::<Options>("[3]").unwrap_err();
/// assert!(refused.to_string().starts_with("invalid type: sequence, expected struct Options"));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    let mut reader = serde_json::Deserializer::from_str(text);
    let value = T::deserialize(Objects(&mut reader))?;
    reader.end()?;
    Ok(value)
}

/// A deserializer that reads structs as maps, and hands the same view to
/// everything nested.
struct Objects<D>(D);

/// A visitor whose nested values are read through [`Objects`].
struct Nested<V>(V);

macro_rules! forward_deserialize {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            self.0.$method(Nested(visitor))
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Objects<D> {
    type Error = D::Error;

    forward_deserialize! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32
        deserialize_i64 deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32
        deserialize_u64 deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char
        deserialize_str deserialize_string deserialize_bytes deserialize_byte_buf
        deserialize_option deserialize_unit deserialize_seq deserialize_map
        deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_unit_struct(name, Nested(visitor))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_newtype_struct(name, Nested(visitor))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple(len, Nested(visitor))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple_struct(name, len, Nested(visitor))
    }

    /// The one change: a struct is read as a map (from an object only).
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(Nested(visitor))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(name, variants, Nested(visitor))
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

macro_rules! forward_visit {
    ($($method:ident: $type:ty)*) => {$(
        fn $method<E: de::Error>(self, value: $type) -> Result<V::Value, E> {
            self.0.$method(value)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Nested<V> {
    type Value = V::Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(formatter)
    }

    forward_visit! {
        visit_bool: bool visit_i8: i8 visit_i16: i16 visit_i32: i32 visit_i64: i64
        visit_i128: i128 visit_u8: u8 visit_u16: u16 visit_u32: u32 visit_u64: u64
        visit_u128: u128 visit_f32: f32 visit_f64: f64 visit_char: char
        visit_str: &str visit_borrowed_str: &'de str visit_string: String
        visit_bytes: &[u8] visit_borrowed_bytes: &'de [u8] visit_byte_buf: Vec<u8>
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        self.0.visit_some(Objects(deserializer))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<V::Value, D::Error> {
        self.0.visit_newtype_struct(Objects(deserializer))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.0.visit_seq(Nested(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(Nested(map))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.0.visit_enum(Nested(data))
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Objects<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(Objects(deserializer))
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Nested<A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(Objects(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Nested<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(Objects(seed))
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.0.next_value_seed(Objects(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for Nested<A> {
    type Error = A::Error;
    type Variant = Nested<A::Variant>;

    fn variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<(T::Value, Nested<A::Variant>), A::Error> {
        self.0
            .variant_seed(Objects(seed))
            .map(|(value, variant)| (value, Nested(variant)))
    }
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Nested<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.0.newtype_variant_seed(Objects(seed))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, Nested(visitor))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.0.struct_variant(fields, Nested(visitor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::Value;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        a: u32,
        #[serde(default)]
        b: Option<String>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Plain,
        Pattern(String),
        Pair { x: i8 },
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Outer {
        inner: Inner,
        list: Vec<Inner>,
        kinds: Vec<Kind>,
        maybe: Option<Inner>,
        #[serde(flatten)]
        rest: std::collections::BTreeMap<String, Value>,
    }

    const TEXT: &str = r#" {"inner": {"a": 1}, "list": [{"a": 2, "b": "x"}],
        "kinds": ["plain", {"pattern": "%Y"}, {"pair": {"x": -3}}],
        "maybe": null, "other": [1, {"k": 2.5}]} "#;

    #[test]
    fn reads_what_serde_json_reads() {
        let ours: Outer = from_str(TEXT).unwrap();
        let theirs: Outer = serde_json::from_str(TEXT).unwrap();
        assert_eq!(ours, theirs);
        assert_eq!(ours.kinds[1], Kind::Pattern("%Y".into()));
        assert_eq!(ours.rest["other"], serde_json::json!([1, {"k": 2.5}]));
        let value: Value = from_str(TEXT).unwrap();
        assert_eq!(value, serde_json::from_str::<Value>(TEXT).unwrap());
    }

    #[test]
    fn fails_as_serde_json_fails_but_structs_come_from_objects_only() {
        for bad in [
            r#"{"inner": {"a": -1}, "list": [], "kinds": [], "maybe": null}"#,
            r#"{"inner": {"a": 1, "c": 2}, "list": [], "kinds": [], "maybe": null}"#,
            r#"{"inner": {"a": 1}, "list": [], "kinds": ["odd"], "maybe": null}"#,
            "{\"inner\": {\"a\": 1}\n, \"list\": [}",
            r#"{"inner": {"a": 1}, "list": [], "kinds": [], "maybe": null} x"#,
            r#"{"inner": "a", "list": [], "kinds": [], "maybe": null}"#,
        ] {
            let ours = from_str::<Outer>(bad).unwrap_err().to_string();
            let theirs = serde_json::from_str::<Outer>(bad).unwrap_err().to_string();
            assert_eq!(ours, theirs, "{bad}");
        }
        // serde_json would take the array as Inner's fields in order.
        let array = r#"{"inner": [1], "list": [], "kinds": [], "maybe": null}"#;
        assert!(serde_json::from_str::<Outer>(array).is_ok());
        assert_eq!(
            from_str::<Outer>(array).unwrap_err().to_string(),
            "invalid type: sequence, expected struct Inner at line 1 column 10"
        );
    }
}
