//! Mermaid `journey` import and export. The same fixtures and exports are
//! also read by Mermaid's own parser in the test script
//! (tests/node/mermaid/check.mjs).

mod common;

use journey_core::mermaid::{from_mermaid, to_mermaid};
use journey_core::{Document, Journey, Persona, Stage, Status, Touchpoint};
use proptest::prelude::*;

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/../examples/data/mermaid/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

/// (stage name, touchpoint name, emotion, persona names) in order.
fn tasks(document: &Document) -> Vec<(String, String, f64, Vec<String>)> {
    let journey = &document.journeys[0];
    journey
        .touchpoints
        .iter()
        .map(|t| {
            let stage = journey.stage(&t.stage).unwrap().name.clone();
            let personas = t
                .personas
                .iter()
                .map(|p| document.persona(p).unwrap().name.clone())
                .collect();
            (stage, t.name.clone(), t.emotion.unwrap(), personas)
        })
        .collect()
}

fn row(
    stage: &str,
    name: &str,
    emotion: f64,
    personas: &[&str],
) -> (String, String, f64, Vec<String>) {
    (
        stage.to_owned(),
        name.to_owned(),
        emotion,
        personas.iter().map(|p| p.to_string()).collect(),
    )
}

#[test]
fn the_example_of_mermaids_documentation_imports() {
    let document = from_mermaid(&fixture("working-day.mmd")).unwrap();
    let journey = &document.journeys[0];
    assert_eq!(journey.name, "My working day");
    assert_eq!(journey.id, "my_working_day");
    let stages: Vec<&str> = journey.stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(stages, ["Go to work", "Go home"]);
    assert_eq!(
        tasks(&document),
        [
            row("Go to work", "Make tea", 2.0, &["Me"]),
            row("Go to work", "Go upstairs", 0.0, &["Me"]),
            row("Go to work", "Do work", -2.0, &["Me", "Cat"]),
            row("Go home", "Go downstairs", 2.0, &["Me"]),
            row("Go home", "Sit down", 2.0, &["Me"]),
        ]
    );
    let personas: Vec<(&str, &str)> = document
        .personas
        .iter()
        .map(|p| (p.id.as_str(), p.name.as_str()))
        .collect();
    assert_eq!(personas, [("me", "Me"), ("cat", "Cat")]);
    assert_eq!(journey.personas, ["me", "cat"]);
    // The tasks in written order, the first one the entry: a journey to analyse.
    let order: Vec<(&str, &str)> = journey
        .transitions
        .iter()
        .map(|t| (t.from.as_str(), t.to.as_str()))
        .collect();
    assert_eq!(
        order,
        [
            ("make_tea", "go_upstairs"),
            ("go_upstairs", "do_work"),
            ("do_work", "go_downstairs"),
            ("go_downstairs", "sit_down"),
        ]
    );
    assert_eq!(journey.entries[0].touchpoint, "make_tea");
    let report = document.validate();
    assert!(report.is_valid(), "{report:?}");
    let analysis = document
        .analyze("my_working_day", &Default::default())
        .unwrap();
    assert_eq!(analysis.touchpoints.len(), 5);
    assert!(analysis.touchpoints.iter().all(|t| t.reach == 1.0));
}

#[test]
fn every_statement_mermaid_knows() {
    let document = from_mermaid(&fixture("features.mmd")).unwrap();
    let journey = &document.journeys[0];
    // `title` would win; here the front matter names the journey.
    assert_eq!(journey.name, "Renewing a contract");
    assert_eq!(
        journey.description.as_deref(),
        Some("How a small business renews its\nsoftware contract.")
    );
    assert_eq!(
        tasks(&document),
        [
            row("", "Reminder email arrives", 0.0, &["Owner"]),
            row("Decide", "Compare offers", -0.5, &["Owner", "Accountant"]),
            row(
                "Decide",
                "Ask support a question",
                -2.0,
                &["Owner", "Agent"]
            ),
            row("Renew", "Sign online", 1.25, &["Owner"]),
            row("Renew", "Welcome call", 2.0, &[]),
            row("Ünïcode Straße", "Größe prüfen", 0.0, &["Owner"]),
        ]
    );
    assert_eq!(journey.stages[0].id, "section");
    assert_eq!(journey.stages[3].id, "Ünïcode_straße");
}

#[test]
fn export_and_import_are_inverse_for_what_mermaid_expresses() {
    for name in ["working-day.mmd", "features.mmd"] {
        let first = from_mermaid(&fixture(name)).unwrap();
        let text = to_mermaid(&first, &first.journeys[0].id).unwrap();
        let second = from_mermaid(&text).unwrap();
        assert_eq!(tasks(&second), tasks(&first), "{name}");
        assert_eq!(second.journeys[0].name, first.journeys[0].name);
        assert_eq!(second.personas, first.personas);
        // A fixpoint from the first export on.
        assert_eq!(to_mermaid(&second, &second.journeys[0].id).unwrap(), text);
    }
    let text = to_mermaid(
        &from_mermaid(&fixture("working-day.mmd")).unwrap(),
        "my_working_day",
    )
    .unwrap();
    assert_eq!(
        text,
        "journey\n  title My working day\n  section Go to work\n    Make tea: 5: Me\n    Go upstairs: 3: Me\n    Do work: 1: Me, Cat\n  section Go home\n    Go downstairs: 5: Me\n    Sit down: 5: Me\n"
    );
}

#[test]
fn the_gym_journey_exports_with_documented_loss() {
    let document = common::example("gym.json");
    let text = to_mermaid(&document, "gym").unwrap();
    let gym = document.journey("gym").unwrap();
    let back = from_mermaid(&text).unwrap();
    let journey = &back.journeys[0];
    assert_eq!(journey.name, gym.name);
    let stages: Vec<&str> = journey.stages.iter().map(|s| s.name.as_str()).collect();
    let expected: Vec<&str> = gym.stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(stages, expected);
    // Missing touchpoints are not written; the others are, in stage order,
    // with their emotion (neutral where the map has none).
    let present: Vec<&Touchpoint> = gym
        .stages
        .iter()
        .flat_map(|s| gym.touchpoints_in(&s.id))
        .filter(|t| t.status == Status::Present)
        .collect();
    assert_eq!(journey.touchpoints.len(), present.len());
    assert_eq!(gym.touchpoints.len() - present.len(), 5);
    for (got, want) in journey.touchpoints.iter().zip(&present) {
        assert_eq!(got.name, want.name.replace(':', "："));
        assert_eq!(got.emotion, Some(want.emotion.unwrap_or(0.0)));
    }
    // The journey's persona is every task's actor.
    let persona = document.persona(&gym.personas[0]).unwrap();
    let task_lines: Vec<&str> = text.lines().filter(|l| l.starts_with("    ")).collect();
    assert_eq!(task_lines.len(), present.len());
    assert!(
        task_lines
            .iter()
            .all(|l| l.ends_with(&format!(": {}", persona.name.replace(',', "，"))))
    );
    assert!(
        journey
            .touchpoints
            .iter()
            .all(|t| t.personas == [back.personas[0].id.clone()])
    );
}

#[test]
fn bad_text_is_refused_with_its_line() {
    let cases = [
        ("graph TD\n  a --> b\n", 1, "expected `journey`"),
        ("", 1, "no `journey` diagram"),
        (
            "journey\n  section A\n    Task without score\n",
            3,
            "expected `title`",
        ),
        (
            "journey\n  section A\n    Task: high: Me\n",
            3,
            "is not a number",
        ),
        (
            "journey\n  section A\n\n    Task: 7: Me\n",
            4,
            "outside 1..5",
        ),
        ("journey\n  section A\n    Task: 0: Me\n", 3, "outside 1..5"),
        (
            "journey\n  section A\n    Task #1: 3: Me\n",
            3,
            "`#` or `;`",
        ),
        (
            "journey\n  section A\n    Task: 3: Me: You\n",
            3,
            "at most two",
        ),
        ("journey\n  accDescr {\n  never closed\n", 2, "never closed"),
        ("---\ntitle: x\njourney\n", 1, "never closed"),
        (
            "journey\n  accTitle Contract\n",
            2,
            "`accTitle` is followed by `:`",
        ),
    ];
    for (text, line, message) in cases {
        let error = from_mermaid(text).unwrap_err();
        assert_eq!(error.code(), "parse_error", "{text:?}");
        let shown = error.to_string();
        assert!(
            shown.starts_with(&format!("Mermaid line {line}: ")),
            "{text:?}: {shown}"
        );
        assert!(shown.contains(message), "{text:?}: {shown}");
    }
}

#[test]
fn exporting_an_unknown_journey_is_not_found() {
    let document = common::example("gym.json");
    assert_eq!(
        to_mermaid(&document, "nope").unwrap_err().code(),
        "not_found"
    );
}

/// A model of one stage per name list, with these touchpoint names and emotions.
fn model(stages: &[(String, Vec<(String, f64)>)], actors: &[String]) -> Document {
    let mut journey = Journey {
        id: "j".into(),
        name: "Journey".into(),
        ..Journey::default()
    };
    let personas: Vec<Persona> = actors
        .iter()
        .enumerate()
        .map(|(i, name)| Persona::new(format!("p{i}"), name.clone()))
        .collect();
    journey.personas = personas.iter().map(|p| p.id.clone()).collect();
    for (s, (stage, touchpoints)) in stages.iter().enumerate() {
        journey
            .stages
            .push(Stage::new(format!("s{s}"), stage.clone()));
        for (t, (name, emotion)) in touchpoints.iter().enumerate() {
            journey.touchpoints.push(
                Touchpoint::new(format!("t{s}_{t}"), name.clone(), format!("s{s}"))
                    .emotion(*emotion),
            );
        }
    }
    Document {
        personas,
        journeys: vec![journey],
        ..Document::new()
    }
}

/// What a name becomes after export: the characters Mermaid cannot write as
/// their full-width forms, whitespace runs as one space.
fn written(name: &str, actor: bool) -> String {
    let line: String = name
        .chars()
        .map(|c| {
            if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                ' '
            } else {
                c
            }
        })
        .collect();
    let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut previous = ' ';
    line.chars()
        .enumerate()
        .map(|(i, c)| {
            let percent = c == '%' && (previous == '%' || i == 0);
            previous = if percent { ' ' } else { c };
            match c {
                '%' if percent => '％',
                ':' => '：',
                '#' => '＃',
                ';' => '；',
                ',' if actor => '，',
                c => c,
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any names (keywords, separators, comment marks, Unicode) and any
    /// emotion with up to six decimals come back from an export.
    #[test]
    fn names_and_emotions_survive_a_round_trip(
        stages in prop::collection::vec(
            ("(section|title|%%|[a-zA-Z:#;, ]){0,3}[a-zA-Z0-9:#;,%é ]{1,12}",
             prop::collection::vec(("(title |accDescr|%|[x:#;\u{1}])?[ -~éß\t]{1,16}", -2_000_000i32..=2_000_000), 1..4)),
            1..4),
        actors in prop::collection::vec("[a-zA-Z,:# ]{0,3}[a-zA-Z]{1,6}", 1..3),
    ) {
        let stages: Vec<(String, Vec<(String, f64)>)> = stages
            .into_iter()
            .map(|(s, ts)| (s, ts.into_iter().map(|(n, e)| (n, f64::from(e) / 1e6)).collect()))
            .collect();
        let document = model(&stages, &actors);
        let text = to_mermaid(&document, "j").unwrap();
        let back = from_mermaid(&text).unwrap();
        let journey = &back.journeys[0];
        let want_actors: Vec<String> = actors.iter().map(|a| written(a, true)).collect();
        let mut unique: Vec<String> = Vec::new();
        for actor in want_actors {
            if !unique.contains(&actor) {
                unique.push(actor);
            }
        }
        let got_actors: Vec<String> = back.personas.iter().map(|p| p.name.clone()).collect();
        prop_assert_eq!(&got_actors, &unique);
        let mut k = 0;
        for (s, (stage, touchpoints)) in stages.iter().enumerate() {
            let want = written(stage, false);
            let want = match (want.is_empty(), s) {
                (false, _) => want,
                (true, 0) => String::new(), // tasks before any section
                (true, _) => format!("s{s}"),
            };
            prop_assert_eq!(&journey.stages[s].name, &want);
            for (t, (name, emotion)) in touchpoints.iter().enumerate() {
                let got = &journey.touchpoints[k];
                let want = written(name, false);
                let want = if want.is_empty() { format!("t{s}_{t}") } else { want };
                prop_assert_eq!(&got.name, &want);
                prop_assert_eq!(got.emotion, Some(*emotion));
                prop_assert_eq!(&got.stage, &journey.stages[s].id);
                k += 1;
            }
        }
        prop_assert_eq!(k, journey.touchpoints.len());
    }
}

#[test]
fn repeated_names_get_distinct_ids_in_one_pass() {
    let mut text = String::from("journey\n  section Look\n");
    for _ in 0..3000 {
        text.push_str("    Browse: 3: Ann, Bo, Ann\n");
    }
    let document = from_mermaid(&text).unwrap();
    let journey = &document.journeys[0];
    assert_eq!(journey.touchpoints.len(), 3000);
    assert_eq!(journey.touchpoints[0].id, "browse");
    assert_eq!(journey.touchpoints[1].id, "browse_2");
    assert_eq!(journey.touchpoints[2999].id, "browse_3000");
    // Each actor once per task, in order of first mention.
    assert_eq!(document.personas.len(), 2);
    assert_eq!(journey.touchpoints[5].personas.len(), 2);
    // One task with many actors, some repeated.
    let actors: Vec<String> = (0..4000).map(|k| format!("A{}", k % 2500)).collect();
    let text = format!("journey\n  section S\n    Task: 4: {}\n", actors.join(", "));
    let document = from_mermaid(&text).unwrap();
    assert_eq!(document.personas.len(), 2500);
    assert_eq!(document.journeys[0].touchpoints[0].personas.len(), 2500);
}

#[test]
fn a_diagram_past_the_document_limits_is_refused() {
    let limits = journey_core::document::Limits::default();
    let kind = |text: &str| from_mermaid(text).unwrap_err().kind();
    let sections: String = (0..=limits.max_stages)
        .map(|k| format!("  section S{k}\n"))
        .collect();
    assert_eq!(
        kind(&format!("journey\n{sections}")),
        journey_core::ErrorKind::LimitExceeded
    );
    let tasks = "    a: 3\n".repeat(limits.max_touchpoints + 1);
    assert_eq!(
        kind(&format!("journey\n  section S\n{tasks}")),
        journey_core::ErrorKind::LimitExceeded
    );
    let huge = " ".repeat(limits.max_document_bytes + 1);
    assert_eq!(kind(&huge), journey_core::ErrorKind::LimitExceeded);
}
