//! Validation of whole documents: each kind of problem, found together, with
//! its code, severity and location.

mod common;

use journey_core::{Code, Document, Severity};
use serde_json::{Value, json};

fn shoe_with(edit: impl FnOnce(&mut Value)) -> Vec<(Severity, Code, String)> {
    let mut value: Value = serde_json::from_str(&common::example_text("shoe.json")).unwrap();
    edit(&mut value);
    let document = Document::from_json(&value.to_string()).unwrap();
    document
        .validate()
        .findings
        .into_iter()
        .map(|f| (f.severity, f.code, f.path))
        .collect()
}

fn has(findings: &[(Severity, Code, String)], severity: Severity, code: Code, path: &str) -> bool {
    findings
        .iter()
        .any(|(s, c, p)| *s == severity && *c == code && p == path)
}

#[test]
fn references_to_personas_measures_and_touchpoints_are_checked() {
    let findings = shoe_with(|doc| {
        let journey = &mut doc["journeys"][0];
        journey["personas"] = json!(["emma", "bob"]);
        journey["touchpoints"][4]["measures"]["wow"] = json!({"value": 1});
        journey["transitions"][2]["to"] = json!("nowhere");
        journey["entries"][0]["touchpoint"] = json!("billboard");
        journey["goals"] = json!(["review", "party"]);
    });
    use Code::DanglingReference as D;
    use Severity::Error as E;
    assert!(
        has(&findings, E, D, "journeys[shoe].personas[1]"),
        "{findings:#?}"
    );
    assert!(
        has(
            &findings,
            E,
            D,
            "journeys[shoe].touchpoints[checkout].measures[wow]"
        ),
        "{findings:#?}"
    );
    assert!(
        has(&findings, E, D, "journeys[shoe].transitions[2].to"),
        "{findings:#?}"
    );
    assert!(
        has(&findings, E, D, "journeys[shoe].entries[0].touchpoint"),
        "{findings:#?}"
    );
    assert!(
        has(&findings, E, D, "journeys[shoe].goals[1]"),
        "{findings:#?}"
    );
}

#[test]
fn numbers_are_checked_against_their_ranges() {
    let findings = shoe_with(|doc| {
        let journey = &mut doc["journeys"][0];
        // cart: 0.3 + 0.5 + 0.4 > 1
        journey["transitions"][2]["probability"] = json!(0.4);
        journey["transitions"]
            .as_array_mut()
            .unwrap()
            .push(json!({"from": "cart", "to": "review", "probability": 0.4}));
        journey["touchpoints"][4]["measures"]["csat"]["value"] = json!(6.5);
        journey["transitions"][0]["duration"] = json!(-5);
        journey["entries"][0]["weight"] = json!(-1);
    });
    use Severity::Error as E;
    assert!(
        has(
            &findings,
            E,
            Code::ProbabilitySumAboveOne,
            "journeys[shoe].touchpoints[cart]"
        ),
        "{findings:#?}"
    );
    assert!(
        has(
            &findings,
            E,
            Code::MeasureOutOfScale,
            "journeys[shoe].touchpoints[checkout].measures[csat].value"
        ),
        "{findings:#?}"
    );
    assert!(
        has(
            &findings,
            E,
            Code::NegativeValue,
            "journeys[shoe].transitions[0].duration"
        ),
        "{findings:#?}"
    );
    assert!(
        has(
            &findings,
            E,
            Code::NegativeValue,
            "journeys[shoe].entries[0].weight"
        ),
        "{findings:#?}"
    );
}

#[test]
fn structure_problems_are_found() {
    let findings = shoe_with(|doc| {
        let journey = &mut doc["journeys"][0];
        // The shop no longer leads to the cart: everything after it is cut off.
        journey["transitions"][1]["to"] = json!("online_shop");
        journey["stages"]
            .as_array_mut()
            .unwrap()
            .push(json!({"id": "loyalty", "name": "Loyalty"}));
    });
    assert!(
        has(
            &findings,
            Severity::Error,
            Code::GoalUnreachable,
            "journeys[shoe].goals[review]"
        ),
        "{findings:#?}"
    );
    assert!(
        has(
            &findings,
            Severity::Warning,
            Code::UnreachableTouchpoint,
            "journeys[shoe].touchpoints[cart]"
        ),
        "{findings:#?}"
    );
    assert!(
        has(
            &findings,
            Severity::Warning,
            Code::EmptyStage,
            "journeys[shoe].stages[loyalty]"
        ),
        "{findings:#?}"
    );

    let findings = shoe_with(|doc| doc["journeys"][0]["entries"] = json!([]));
    assert!(
        has(
            &findings,
            Severity::Error,
            Code::NoEntry,
            "journeys[shoe].entries"
        ),
        "{findings:#?}"
    );
}

#[test]
fn a_valid_fixture_has_no_findings_and_codes_are_stable_strings() {
    assert_eq!(shoe_with(|_| {}), []);
    let codes: Vec<&str> = [
        Code::DuplicateId,
        Code::DeadEnd,
        Code::ProbabilityOutOfRange,
    ]
    .iter()
    .map(|c| c.as_str())
    .collect();
    assert_eq!(
        codes,
        ["duplicate_id", "dead_end", "probability_out_of_range"]
    );
    assert_eq!(
        serde_json::to_value(Code::GoalUnreachable).unwrap(),
        json!("goal_unreachable")
    );
}

#[test]
fn a_loop_whose_only_way_out_has_probability_zero_is_a_trap() {
    // t0 loops on itself by count 1; its way to the goal was counted 0 times.
    let findings = shoe_with(|doc| {
        let journey = &mut doc["journeys"][0];
        journey["transitions"] = json!([
            {"from": "social_ad", "to": "social_ad", "count": 1},
            {"from": "social_ad", "to": "online_shop", "count": 0},
            {"from": "online_shop", "to": "review", "probability": 1}
        ]);
    });
    assert!(
        has(
            &findings,
            Severity::Error,
            Code::Trap,
            "journeys[shoe].touchpoints[social_ad]"
        ),
        "{findings:#?}"
    );
}

#[test]
fn a_duplicated_measure_key_is_located_by_position() {
    let findings = shoe_with(|doc| {
        let copy = doc["measures"][0].clone();
        doc["measures"].as_array_mut().unwrap().push(copy);
    });
    assert!(
        has(
            &findings,
            Severity::Error,
            Code::DuplicateId,
            "measures[2].key"
        ),
        "{findings:#?}"
    );
}
