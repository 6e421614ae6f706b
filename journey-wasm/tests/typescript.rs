//! The TypeScript declarations of the npm package, generated from the Rust
//! types' JSON Schemas, are current (`types.d.ts`, included into the
//! package's `.d.ts`). Regenerate with:
//! `UPDATE_TYPES=1 cargo test -p journey-wasm --test typescript`

use std::collections::BTreeMap;
use std::fmt::Write;

use journey_core::analysis::{Analysis, Comparison, Options};
use journey_core::{
    Document, Report, attribution, conformance, discovery, events, fit, render, tracker,
};
use schemars::schema_for;
use serde_json::Value;

/// Renders one schema as a TypeScript type expression.
fn ts(schema: &Value) -> String {
    let Value::Object(map) = schema else {
        // `true`: any JSON value (serde_json::Value in Rust).
        return "JsonValue".to_owned();
    };
    if let Some(Value::String(reference)) = map.get("$ref") {
        return reference.rsplit('/').next().unwrap_or("unknown").to_owned();
    }
    if let Some(Value::Array(options)) = map.get("oneOf").or_else(|| map.get("anyOf")) {
        let mut parts: Vec<String> = options.iter().map(ts).collect();
        parts.dedup();
        return parts.join(" | ");
    }
    if let Some(constant) = map.get("const") {
        return constant.to_string();
    }
    if let Some(Value::Array(values)) = map.get("enum") {
        return values
            .iter()
            .map(Value::to_string)
            .collect::<Vec<_>>()
            .join(" | ");
    }
    match map.get("type") {
        Some(Value::Array(types)) => types
            .iter()
            .map(|t| {
                let mut single = map.clone();
                single.insert("type".into(), t.clone());
                ts(&Value::Object(single))
            })
            .collect::<Vec<_>>()
            .join(" | "),
        Some(Value::String(kind)) => match kind.as_str() {
            "string" => match map.get("examples") {
                // An open set of names with well-known ones (channels).
                Some(Value::Array(known)) => format!(
                    "{} | (string & {{}})",
                    known
                        .iter()
                        .map(Value::to_string)
                        .collect::<Vec<_>>()
                        .join(" | ")
                ),
                _ => "string".to_owned(),
            },
            "number" | "integer" => "number".to_owned(),
            "boolean" => "boolean".to_owned(),
            "null" => "null".to_owned(),
            "array" => {
                let item = map.get("items").map_or("JsonValue".to_owned(), ts);
                if item.contains(' ') {
                    format!("({item})[]")
                } else {
                    format!("{item}[]")
                }
            }
            "object" => object(map, 0),
            other => panic!("unsupported schema type {other}"),
        },
        _ => "JsonValue".to_owned(),
    }
}

/// The first paragraph of a Rust doc comment, in TypeScript's words: Rust
/// items linked as [`item`] become the names a JavaScript user calls, and
/// `None` becomes `null`. A link this table does not know fails the test, so
/// no Rust name reaches the package's docs.
fn first_paragraph(description: &str) -> String {
    const NAMES: [(&str, &str); 30] = [
        ("analyze", "`JourneyModel.analyze`"),
        ("Mapping", "`Mapping`"),
        ("MAX_LISTED_PROBLEMS", "1,000"),
        ("Discovery", "`JourneyModel.discover`"),
        ("fit_traces", "`JourneyModel.fit`"),
        ("crate::fit", "`JourneyModel.fit`"),
        ("MAX_CONTEXT_ORDER", "4"),
        ("Priority", "`Priority`"),
        ("to_dot", "`JourneyModel.toDot`"),
        ("render_svg", "`JourneyModel.renderSvg`"),
        ("Row", "`Row`"),
        ("render_stage_flow", "`JourneyModel.renderStageFlow`"),
        ("SvgOptions::lanes", "`lanes`"),
        ("SvgOptions::analysis", "`analysis`"),
        ("Error", "`JourneyError`"),
        ("Options::max_path_expansions", "`max_path_expansions`"),
        ("Options::rapid_drop", "`rapid_drop`"),
        ("Tracker::due", "`Tracker.due`"),
        ("Tracker::expire", "`Tracker.expire`"),
        ("Tracker::history", "`Tracker.history`"),
        ("Tracker::observe", "`Tracker.observe`"),
        ("TrackerOptions::history", "`history`"),
        ("Tracker::next", "`Tracker.next`"),
        ("AttributionOptions::other", "`other`"),
        ("AttributionOptions::position_weights", "`position_weights`"),
        ("HeuristicCredit::shapley", "`shapley`"),
        ("AttributionOptions::sequences", "`sequences`"),
        ("AttributionOptions::auto_order", "`auto_order`"),
        ("AttributionOptions::half_life_days", "`half_life_days`"),
        ("attribute", "`attributePaths`"),
    ];
    let paragraph = description.split("\n\n").next().unwrap_or("").trim();
    let mut out = String::new();
    let mut rest = paragraph;
    while let Some(start) = rest.find("[`") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find("`]")
            .unwrap_or_else(|| panic!("an unclosed link in {paragraph:?}"));
        let name = &after[..end];
        let js = NAMES
            .iter()
            .find(|(rust, _)| *rust == name)
            .map(|(_, js)| *js)
            .unwrap_or_else(|| panic!("no TypeScript name for the Rust link [`{name}`]: add one"));
        out.push_str(js);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out.replace("`None`", "`null`").replace('\n', " ")
}

fn object(map: &serde_json::Map<String, Value>, indent: usize) -> String {
    let pad = "  ".repeat(indent + 1);
    let properties = map.get("properties").and_then(Value::as_object);
    let required: Vec<&str> = map
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let additional = map.get("additionalProperties");
    if properties.is_none() {
        return match additional {
            Some(Value::Object(_)) => format!(
                "{{ [key: string]: {} }}",
                ts(&additional.cloned().unwrap_or(Value::Null))
            ),
            _ => "{ [key: string]: unknown }".to_owned(),
        };
    }
    let mut out = String::from("{\n");
    for (name, property) in properties.into_iter().flatten() {
        if let Some(description) = property.get("description").and_then(Value::as_str) {
            writeln!(
                out,
                "{pad}/** {} */",
                first_paragraph(description).replace('\n', " ")
            )
            .unwrap();
        }
        let optional = if required.contains(&name.as_str()) {
            ""
        } else {
            "?"
        };
        writeln!(out, "{pad}{name}{optional}: {};", ts(property)).unwrap();
    }
    if let Some(Value::Bool(true)) = additional {
        writeln!(
            out,
            "{pad}/** Fields this version does not know, kept as written. */"
        )
        .unwrap();
        writeln!(out, "{pad}[key: string]: unknown;").unwrap();
    }
    out.push_str(&"  ".repeat(indent));
    out.push('}');
    out
}

fn schema<T: schemars::JsonSchema>() -> Value {
    serde_json::to_value(schema_for!(T)).unwrap()
}

fn declarations() -> String {
    let roots: Vec<(&str, Value)> = vec![
        ("JourneyDocument", schema::<Document>()),
        ("Report", schema::<Report>()),
        ("AnalysisOptions", schema::<Options>()),
        ("Analysis", schema::<Analysis>()),
        ("Comparison", schema::<Comparison>()),
        ("JourneyEvent", schema::<events::Event>()),
        ("CsvOptions", schema::<events::CsvOptions>()),
        ("ReadReport", schema::<events::ReadReport>()),
        ("XesOptions", schema::<events::XesOptions>()),
        ("JsonOptions", schema::<events::JsonOptions>()),
        ("Mapping", schema::<events::Mapping>()),
        ("Traces", schema::<events::Traces>()),
        ("DiscoveryReport", schema::<discovery::DiscoveryReport>()),
        ("DataFunnelStage", schema::<discovery::DataFunnelStage>()),
        ("Conformance", schema::<conformance::Conformance>()),
        ("FitOptions", schema::<fit::FitOptions>()),
        (
            "AttributionOptions",
            schema::<attribution::AttributionOptions>(),
        ),
        ("PathCsvOptions", schema::<attribution::PathCsvOptions>()),
        ("Attribution", schema::<attribution::Attribution>()),
        ("TrackerOptions", schema::<tracker::TrackerOptions>()),
        ("Observed", schema::<tracker::Observed>()),
        ("Position", schema::<tracker::Position<'static>>()),
        ("HistoryFilter", schema::<tracker::HistoryFilter>()),
        ("Visit", schema::<tracker::Visit<'static>>()),
        ("Seen", schema::<tracker::Seen>()),
        ("Likely", schema::<tracker::Likely<'static>>()),
        ("Priority", schema::<tracker::Priority>()),
        ("Due", schema::<tracker::Due>()),
        ("TrackerStats", schema::<tracker::TrackerStats>()),
        ("DotOptions", schema::<render::DotOptions>()),
        ("SvgOptions", schema::<render::SvgOptions>()),
        ("FlowOptions", schema::<render::FlowOptions>()),
        ("JourneyErrorCode", schema::<journey_core::ErrorKind>()),
    ];
    let mut definitions: BTreeMap<String, Value> = BTreeMap::new();
    let mut out = String::from(
        "// Generated from the Rust types' JSON Schemas by journey-wasm/tests/typescript.rs; do not edit.\n\n\
         /** Any JSON value. */\n\
         export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };\n",
    );
    for (name, root) in &roots {
        if let Some(Value::Object(defs)) = root.get("$defs") {
            for (key, schema) in defs {
                let previous = definitions.insert(key.clone(), schema.clone());
                assert!(
                    previous.is_none() || previous.as_ref() == Some(schema),
                    "{key} differs"
                );
            }
        }
        let mut root = root.clone();
        if let Value::Object(map) = &mut root {
            map.remove("$defs");
        }
        write_type(&mut out, name, &root);
    }
    for (name, schema) in &definitions {
        write_type(&mut out, name, schema);
    }
    out
}

fn write_type(out: &mut String, name: &str, schema: &Value) {
    out.push('\n');
    if let Some(description) = schema.get("description").and_then(Value::as_str) {
        writeln!(
            out,
            "/** {} */",
            first_paragraph(description).replace('\n', " ")
        )
        .unwrap();
    }
    let body = ts(schema);
    let union = schema.get("oneOf").is_some() || schema.get("anyOf").is_some();
    if body.starts_with('{') && !union {
        writeln!(out, "export interface {name} {body}").unwrap();
    } else {
        writeln!(out, "export type {name} = {body};").unwrap();
    }
}

#[test]
fn generated_typescript_declarations_are_current() {
    let generated = declarations();
    assert!(!generated.contains(": any"), "no `any` in the public types");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/types.d.ts");
    if std::env::var_os("UPDATE_TYPES").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "journey-wasm/types.d.ts is stale: run `UPDATE_TYPES=1 cargo test -p journey-wasm --test typescript`"
    );
}
