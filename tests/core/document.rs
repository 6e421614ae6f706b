//! The JSON document: lossless round trip, unknown fields, versions, limits,
//! determinism and the published JSON Schema.

mod common;

use journey_core::{Document, Error, Limits};
use serde_json::{Value, json};

const SCHEMA_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../schema/journey-1.schema.json"
);

#[test]
fn unknown_fields_survive_a_round_trip_at_every_level() {
    let mut value: Value = serde_json::from_str(&common::example_text("shoe.json")).unwrap();
    value["generator"] = json!({"name": "mapper", "version": "4.2"});
    value["personas"][0]["pet_peeves"] = json!(["slow sites"]);
    value["measures"][0]["survey"] = json!("post-purchase");
    value["journeys"][0]["color"] = json!("#ff8800");
    value["journeys"][0]["stages"][0]["icon"] = json!("megaphone");
    value["journeys"][0]["touchpoints"][0]["x_position"] = json!(12.5);
    value["journeys"][0]["transitions"][0]["weight_note"] = json!(null);
    value["journeys"][0]["entries"][0]["campaign"] = json!("spring");
    value["journeys"][0]["touchpoints"][4]["measures"]["csat"]["confidence"] = json!(0.95);

    let document = Document::from_json(&value.to_string()).unwrap();
    assert_eq!(document.extra["generator"]["version"], json!("4.2"));
    assert_eq!(
        document.journeys[0].touchpoints[0].extra["x_position"],
        json!(12.5)
    );
    let written = document.to_json().unwrap();
    let rewritten: Value = serde_json::from_str(&written).unwrap();
    assert_eq!(
        numbers_as_floats(rewritten),
        numbers_as_floats(value),
        "every field, known or not, is written back"
    );
    assert_eq!(Document::from_json(&written).unwrap(), document);
}

/// Known numeric fields are `f64`, so `1` is written back as `1.0`: the same
/// number. Comparing documents as JSON values therefore compares numbers by value.
fn numbers_as_floats(value: Value) -> Value {
    match value {
        Value::Number(n) => json!(n.as_f64().unwrap()),
        Value::Array(items) => Value::Array(items.into_iter().map(numbers_as_floats).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, numbers_as_floats(v)))
                .collect(),
        ),
        other => other,
    }
}

#[test]
fn output_is_deterministic_and_a_fixed_point() {
    for name in ["gym.json", "shoe.json"] {
        let document = common::example(name);
        let first = document.to_json().unwrap();
        let again = Document::from_json(&first).unwrap().to_json().unwrap();
        assert_eq!(first, again, "{name}");
        assert_eq!(document.to_json().unwrap(), first);
    }
}

#[test]
fn a_newer_major_version_is_refused_with_a_clear_error() {
    let error =
        Document::from_json(r#"{"schema": "journey/2", "journeys": "a new shape"}"#).unwrap_err();
    assert_eq!(
        error,
        Error::UnsupportedSchema {
            found: "journey/2".into(),
            supported: "journey/1"
        }
    );
    assert_eq!(error.code(), "unsupported_schema");
    assert!(error.to_string().contains("journey/2"), "{error}");
    // A newer minor version of the same major is read.
    assert!(Document::from_json(r#"{"schema": "journey/1.7"}"#).is_ok());
    assert!(matches!(
        Document::from_json(r#"{"journeys": []}"#),
        Err(Error::MissingSchema { .. })
    ));
}

#[test]
fn malformed_json_reports_line_and_column() {
    let text = "{\n  \"schema\": \"journey/1\",\n  \"personas\": [\n    {\"id\": \"a\" \"name\": \"b\"}\n  ]\n}";
    match Document::from_json(text).unwrap_err() {
        Error::Json { line, column, .. } => assert_eq!((line, column), (4, 16)),
        other => panic!("expected a JSON error, got {other:?}"),
    }
    // The wrong type for a known field is located too.
    let text = "{\"schema\": \"journey/1\",\n\"journeys\": [{\"id\": 5}]}";
    assert!(matches!(
        Document::from_json(text).unwrap_err(),
        Error::Json { line: 2, .. }
    ));
}

#[test]
fn limits_refuse_large_and_deep_input_without_panicking() {
    let tight = Limits {
        max_document_bytes: 100,
        ..Limits::default()
    };
    let text = common::example_text("gym.json");
    assert!(matches!(
        Document::from_json_with_limits(&text, &tight),
        Err(Error::LimitExceeded { limit: 100, .. })
    ));
    let few = Limits {
        max_touchpoints: 10,
        ..Limits::default()
    };
    let error = Document::from_json_with_limits(&text, &few).unwrap_err();
    assert_eq!(error.code(), "limit_exceeded");
    assert!(error.to_string().contains("touchpoints"), "{error}");

    // Nesting far beyond the limit, in a place that keeps unknown fields.
    let deep = format!(
        "{{\"schema\": \"journey/1\", \"x\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(matches!(
        Document::from_json(&deep),
        Err(Error::Json { .. })
    ));
}

#[test]
fn published_schema_is_current() {
    let generated = serde_json::to_string_pretty(&Document::json_schema()).unwrap() + "\n";
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(SCHEMA_FILE, &generated).unwrap();
    }
    let published = std::fs::read_to_string(SCHEMA_FILE).unwrap_or_default();
    assert!(
        published == generated,
        "schema/journey-1.schema.json is stale: run `UPDATE_SCHEMA=1 cargo test --test document`"
    );
}

#[test]
fn example_documents_validate_against_the_published_schema() {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(SCHEMA_FILE).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for name in ["gym.json", "shoe.json"] {
        let instance: Value = serde_json::from_str(&common::example_text(name)).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
    // And the schema is not vacuous: a touchpoint without a stage fails it.
    let mut broken: Value = serde_json::from_str(&common::example_text("shoe.json")).unwrap();
    broken["journeys"][0]["touchpoints"][0]
        .as_object_mut()
        .unwrap()
        .remove("stage");
    assert!(!validator.is_valid(&broken));
    broken = json!({"schema": "journey/2"});
    assert!(!validator.is_valid(&broken));
}
