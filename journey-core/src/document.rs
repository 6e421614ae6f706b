//! The versioned JSON document: personas, measure definitions and journeys in
//! one file, read with limits and written deterministically.
//!
//! A document declares its format in its first field, `"schema": "journey/1"`.
//! Minor revisions (`journey/1.3`) are read by every `journey/1` reader; a newer
//! major version is refused with [`Error::UnsupportedSchema`] rather than
//! misread. Fields this version does not know are kept in each struct's
//! `extra` map and written back, so parse → serialize → parse is the identity.
//! Output is deterministic: fields in declaration order, maps in key order,
//! numbers in their shortest round-trip form.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::model::{Extra, Journey, MeasureDefinition, Persona};

/// The schema this version writes.
pub const SCHEMA: &str = "journey/1";

/// The major schema version this version reads.
pub const SCHEMA_MAJOR: u64 = 1;

/// JSON nesting deeper than this is refused by the parser (it is serde_json's
/// recursion limit), so no input can exhaust the stack.
pub const MAX_NESTING: usize = 128;

/// Size limits applied when reading a document, so that no input, however
/// large or hostile, exhausts memory or time unexpectedly.
///
/// Nesting depth is always limited to [`MAX_NESTING`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest document text, in bytes. Default: 64 MiB.
    pub max_document_bytes: usize,
    /// Most personas in a document. Default: 10,000.
    pub max_personas: usize,
    /// Most measure definitions in a document. Default: 10,000.
    pub max_measures: usize,
    /// Most journeys in a document. Default: 10,000.
    pub max_journeys: usize,
    /// Most stages in one journey. Default: 10,000.
    pub max_stages: usize,
    /// Most touchpoints in one journey. Default: 1,000,000.
    pub max_touchpoints: usize,
    /// Most transitions in one journey. Default: 4,000,000.
    pub max_transitions: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_document_bytes: 64 * 1024 * 1024,
            max_personas: 10_000,
            max_measures: 10_000,
            max_journeys: 10_000,
            max_stages: 10_000,
            max_touchpoints: 1_000_000,
            max_transitions: 4_000_000,
        }
    }
}

/// A journey document: personas, experience-measure definitions and journeys.
///
/// ```
/// use journey_core::Document;
///
/// let text = r#"{
///   "schema": "journey/1",
///   "journeys": [{
///     "id": "signup", "name": "Sign-up",
///     "stages": [{ "id": "start", "name": "Start" }],
///     "touchpoints": [{ "id": "form", "name": "Sign-up form", "stage": "start" }],
///     "entries": [{ "touchpoint": "form" }],
///     "goals": ["form"]
///   }]
/// }"#;
/// let document = Document::from_json(text)?;
/// assert_eq!(document.journeys[0].touchpoints[0].name, "Sign-up form");
/// assert!(document.validate().is_valid());
/// let again = Document::from_json(&document.to_json()?)?;
/// assert_eq!(again, document);
/// # Ok::<(), journey_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "journey document", extend("$id" = "https://journey.dev/schema/journey-1.json"))]
pub struct Document {
    /// The document format, `journey/1` (or a minor revision such as `journey/1.2`).
    #[schemars(regex(pattern = r"^journey/1(\.[0-9]+)?$"))]
    pub schema: String,
    /// The personas journeys are for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub personas: Vec<Persona>,
    /// Experience-measure definitions shared by all journeys.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub measures: Vec<MeasureDefinition>,
    /// The journeys.
    #[serde(default)]
    pub journeys: Vec<Journey>,
    /// Fields this version does not know, kept as they were.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Default for Document {
    fn default() -> Self {
        Document::new()
    }
}

#[derive(Deserialize)]
struct SchemaProbe {
    schema: Option<serde_json::Value>,
}

impl Document {
    /// An empty document of the current schema.
    pub fn new() -> Self {
        Document {
            schema: SCHEMA.to_owned(),
            personas: Vec::new(),
            measures: Vec::new(),
            journeys: Vec::new(),
            extra: Extra::new(),
        }
    }

    /// Starts a [`crate::DocumentBuilder`].
    pub fn builder() -> crate::DocumentBuilder {
        crate::DocumentBuilder::default()
    }

    /// Reads a document with the default [`Limits`].
    ///
    /// Reading checks the format and the limits only; call
    /// [`Document::validate`] for the model's rules.
    pub fn from_json(text: &str) -> Result<Document, Error> {
        Document::from_json_with_limits(text, &Limits::default())
    }

    /// Reads a document with the given limits.
    pub fn from_json_with_limits(text: &str, limits: &Limits) -> Result<Document, Error> {
        check_limit(
            "document size in bytes",
            text.len(),
            limits.max_document_bytes,
        )?;
        // Read the schema first, so that a newer major version is refused
        // with a clear error instead of a confusing shape mismatch.
        let probe: SchemaProbe = crate::json::from_str(text).map_err(|e| Error::from_json(&e))?;
        let schema = match probe.schema {
            None => {
                return Err(Error::MissingSchema { expected: SCHEMA });
            }
            Some(serde_json::Value::String(schema)) => schema,
            Some(other) => {
                return Err(Error::UnsupportedSchema {
                    found: other.to_string(),
                    supported: SCHEMA,
                });
            }
        };
        if schema_major(&schema) != Some(SCHEMA_MAJOR) {
            return Err(Error::UnsupportedSchema {
                found: schema,
                supported: SCHEMA,
            });
        }
        let document: Document = crate::json::from_str(text).map_err(|e| Error::from_json(&e))?;
        document.check_limits(limits)?;
        Ok(document)
    }

    /// Checks the counts of the document against `limits`.
    pub fn check_limits(&self, limits: &Limits) -> Result<(), Error> {
        check_limit("personas", self.personas.len(), limits.max_personas)?;
        check_limit("measures", self.measures.len(), limits.max_measures)?;
        check_limit("journeys", self.journeys.len(), limits.max_journeys)?;
        for journey in &self.journeys {
            let of = |what: &str| format!("{what} in journey {:?}", journey.id);
            check_limit(&of("stages"), journey.stages.len(), limits.max_stages)?;
            check_limit(
                &of("touchpoints"),
                journey.touchpoints.len(),
                limits.max_touchpoints,
            )?;
            check_limit(
                &of("transitions"),
                journey.transitions.len(),
                limits.max_transitions,
            )?;
        }
        Ok(())
    }

    /// Writes the document as pretty-printed JSON, deterministically.
    ///
    /// Fails with [`Error::NonFinite`] when a number is NaN or infinite, which
    /// JSON cannot represent (only a model built in code can hold one).
    pub fn to_json(&self) -> Result<String, Error> {
        if let Some(path) = first_non_finite(self) {
            return Err(Error::NonFinite { path });
        }
        let mut text = serde_json::to_string_pretty(self).map_err(|e| Error::from_json(&e))?;
        text.push('\n');
        Ok(text)
    }

    /// The journey with this id, or [`Error::NotFound`].
    pub fn require_journey(&self, id: &str) -> Result<&Journey, Error> {
        self.journey(id).ok_or_else(|| Error::NotFound {
            kind: "journey",
            id: id.to_owned(),
        })
    }

    /// A copy of the document in which `journey` replaces the journey of the
    /// same id (or is added when there is none), e.g. a fitted journey.
    pub fn with_journey(&self, journey: Journey) -> Document {
        let mut document = self.clone();
        match document.journeys.iter_mut().find(|j| j.id == journey.id) {
            Some(slot) => *slot = journey,
            None => document.journeys.push(journey),
        }
        document
    }

    /// The journey with this id.
    pub fn journey(&self, id: &str) -> Option<&Journey> {
        self.journeys.iter().find(|journey| journey.id == id)
    }

    /// The persona with this id.
    pub fn persona(&self, id: &str) -> Option<&Persona> {
        self.personas.iter().find(|persona| persona.id == id)
    }

    /// The measure definition with this key.
    pub fn measure(&self, key: &str) -> Option<&MeasureDefinition> {
        self.measures.iter().find(|measure| measure.key == key)
    }

    /// The JSON Schema of the document, as published in `schema/journey-1.schema.json`.
    pub fn json_schema() -> serde_json::Value {
        serde_json::Value::from(schemars::schema_for!(Document))
    }
}

fn check_limit(what: &str, actual: usize, limit: usize) -> Result<(), Error> {
    if actual > limit {
        Err(Error::LimitExceeded {
            what: what.to_owned(),
            limit,
            actual,
        })
    } else {
        Ok(())
    }
}

/// The major version of a `journey/MAJOR[.MINOR]` schema name.
fn schema_major(schema: &str) -> Option<u64> {
    let version = schema.strip_prefix("journey/")?;
    let (major, minor) = match version.split_once('.') {
        Some((major, minor)) => (major, Some(minor)),
        None => (version, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(major) || minor.is_some_and(|minor| !all_digits(minor)) {
        return None;
    }
    major.parse().ok()
}

/// The path of the first NaN or infinite number in a document, if any.
fn first_non_finite(document: &Document) -> Option<String> {
    for measure in &document.measures {
        let at = format!("measures[{}]", measure.key);
        if let crate::model::Scale::Score { min, max } = measure.scale {
            if !min.is_finite() {
                return Some(format!("{at}.scale.min"));
            }
            if !max.is_finite() {
                return Some(format!("{at}.scale.max"));
            }
        }
        if measure.target.is_some_and(|t| !t.is_finite()) {
            return Some(format!("{at}.target"));
        }
    }
    for journey in &document.journeys {
        let at = format!("journeys[{}]", journey.id);
        for touchpoint in &journey.touchpoints {
            let tp = format!("{at}.touchpoints[{}]", touchpoint.id);
            if touchpoint.emotion.is_some_and(|v| !v.is_finite()) {
                return Some(format!("{tp}.emotion"));
            }
            if touchpoint.importance.is_some_and(|v| !v.is_finite()) {
                return Some(format!("{tp}.importance"));
            }
            for (key, measured) in &touchpoint.measures {
                if !measured.value.is_finite() {
                    return Some(format!("{tp}.measures[{key}].value"));
                }
            }
        }
        for (position, transition) in journey.transitions.iter().enumerate() {
            let tr = format!("{at}.transitions[{position}]");
            if transition.probability.is_some_and(|v| !v.is_finite()) {
                return Some(format!("{tr}.probability"));
            }
            if transition.duration.is_some_and(|v| !v.is_finite()) {
                return Some(format!("{tr}.duration"));
            }
        }
        for (position, entry) in journey.entries.iter().enumerate() {
            if !entry.weight.is_finite() {
                return Some(format!("{at}.entries[{position}].weight"));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_versions() {
        assert_eq!(schema_major("journey/1"), Some(1));
        assert_eq!(schema_major("journey/1.4"), Some(1));
        assert_eq!(schema_major("journey/2"), Some(2));
        assert_eq!(schema_major("journey/1."), None);
        assert_eq!(schema_major("journey/x"), None);
        assert_eq!(schema_major("other/1"), None);
    }

    #[test]
    fn newer_major_is_refused_before_its_shape_is_read() {
        let text = r#"{"schema": "journey/2", "journeys": {"not": "a list"}}"#;
        assert_eq!(
            Document::from_json(text),
            Err(Error::UnsupportedSchema {
                found: "journey/2".into(),
                supported: SCHEMA
            })
        );
    }

    #[test]
    fn missing_schema_is_refused() {
        assert_eq!(
            Document::from_json(r#"{"journeys": []}"#),
            Err(Error::MissingSchema { expected: SCHEMA })
        );
    }

    #[test]
    fn syntax_errors_carry_line_and_column() {
        let text = "{\n  \"schema\": \"journey/1\",\n  \"journeys\": [,]\n}";
        match Document::from_json(text) {
            Err(Error::Json { line, column, .. }) => assert_eq!((line, column), (3, 16)),
            other => panic!("expected a JSON error, got {other:?}"),
        }
    }

    #[test]
    fn limits_are_enforced() {
        let limits = Limits {
            max_document_bytes: 10,
            ..Limits::default()
        };
        let text = r#"{"schema": "journey/1"}"#;
        assert_eq!(
            Document::from_json_with_limits(text, &limits),
            Err(Error::LimitExceeded {
                what: "document size in bytes".into(),
                limit: 10,
                actual: text.len()
            })
        );
    }
}
