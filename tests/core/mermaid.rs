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
        assert_eq!(got.name, want.name);
        assert_eq!(got.emotion, Some(want.emotion.unwrap_or(0.0)));
    }
    // The journey's persona is every task's actor.
    let persona = document.persona(&gym.personas[0]).unwrap();
    let task_lines: Vec<&str> = text.lines().filter(|l| l.starts_with("    ")).collect();
    assert_eq!(task_lines.len(), present.len());
    assert!(
        task_lines
            .iter()
            .all(|l| l.ends_with(&format!(": {}", persona.name.replace(',', "#44;"))))
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
    // What Mermaid's own parser refuses, with the line as written.
    let cases = [
        ("graph TD\n  a --> b\n", 1, "expected `journey`"),
        ("", 1, "no `journey` diagram"),
        ("Journey\n  title A\n", 1, "expected `journey`"),
        (
            "journey\n  section A\n    Task without score\n",
            3,
            "has no `:`",
        ),
        (
            "journey\n  section A\n    Task # a comment\n",
            3,
            "has no `:`",
        ),
        (
            "journey\n  section A\n\n    Task: 3; 4\n",
            4,
            "';' cannot be read",
        ),
        ("journey\n  title A; B\n", 2, "';' cannot be read"),
        (
            "journey\n  section A\n    Task:\n",
            3,
            "a `:` that follows no task",
        ),
        ("journey\r\n\r\n  : 5\r\n", 3, "a `:` that follows no task"),
        ("journey\n  journey\n", 2, "a second `journey`"),
        ("---\ntitle: [a, b]\n---\njourney\n", 2, "front matter"),
        (
            "%%{init: {}}%%\n%% note\n\n---\njourney\n",
            4,
            "expected `journey`",
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

/// What a name becomes after export and import: itself, without the white
/// space around it (import trims, as Mermaid draws names).
fn written(name: &str) -> String {
    name.trim_matches(|c: char| c.is_whitespace() && c != '\u{85}' || c == '\u{feff}')
        .to_owned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any names (keywords, separators, comment marks, Unicode) and any
    /// emotion with up to six decimals come back from an export.
    #[test]
    fn names_and_emotions_survive_a_round_trip(
        stages in prop::collection::vec(
            ("(section |title |journey|%%|%%\\{|[a-zA-Z:#;, ]){0,3}[a-zA-Z0-9:#;,%é &<>{}\t\u{a0}]{1,12}",
             prop::collection::vec(("(title |accDescr|accTitle:|%|[x:#;\u{1}]|#38;|  )?[ -~éß\t\n\u{a0}\u{2028}]{1,16}", -2_000_000i32..=2_000_000), 1..4)),
            1..4),
        actors in prop::collection::vec("[a-zA-Z,:#;%&<> ]{0,3}[a-zA-Z]{1,6}", 1..3),
    ) {
        let stages: Vec<(String, Vec<(String, f64)>)> = stages
            .into_iter()
            .map(|(s, ts)| (s, ts.into_iter().map(|(n, e)| (n, f64::from(e) / 1e6)).collect()))
            .collect();
        let document = model(&stages, &actors);
        let text = to_mermaid(&document, "j").unwrap();
        let back = from_mermaid(&text).unwrap();
        let journey = &back.journeys[0];
        let want_actors: Vec<String> = actors.iter().map(|a| written(a)).collect();
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
            // A blank name comes back blank (Mermaid shows it so).
            prop_assert_eq!(&journey.stages[s].name, &written(stage));
            for (name, emotion) in touchpoints {
                let got = &journey.touchpoints[k];
                prop_assert_eq!(&got.name, &written(name));
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
    // Each actor one persona; a task keeps a repeated actor, as Mermaid does.
    assert_eq!(document.personas.len(), 2);
    assert_eq!(journey.touchpoints[5].personas, ["ann", "bo", "ann"]);
    // One task with many actors, some repeated.
    let actors: Vec<String> = (0..4000).map(|k| format!("A{}", k % 2500)).collect();
    let text = format!("journey\n  section S\n    Task: 4: {}\n", actors.join(", "));
    let document = from_mermaid(&text).unwrap();
    assert_eq!(document.personas.len(), 2500);
    assert_eq!(document.journeys[0].touchpoints[0].personas.len(), 4000);
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

/// A compact view of an import: name, extra, description, stages, and per
/// touchpoint (stage, name, emotion, kept score, actors).
fn summary(text: &str) -> String {
    let document = from_mermaid(text).unwrap();
    let journey = &document.journeys[0];
    let mut out = format!(
        "{:?} {:?} {:?}\nstages {:?}\n",
        journey.name,
        journey.extra.get("mermaid").map(|v| v.to_string()),
        journey.description,
        journey
            .stages
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
    );
    for t in &journey.touchpoints {
        let actors: Vec<&str> = t
            .personas
            .iter()
            .map(|p| document.persona(p).unwrap().name.as_str())
            .collect();
        out.push_str(&format!(
            "{} | {:?} | {:?} | {:?} | {:?}\n",
            journey.stage(&t.stage).unwrap().name,
            t.name,
            t.emotion,
            t.extra.get("mermaid_score").map(|v| v.to_string()),
            actors
        ));
    }
    out
}

#[test]
fn every_class_of_mermaid_text_reads_as_mermaid_reads_it() {
    for (file, expected) in [
        (
            "entities.mmd",
            "\"Tom & Jerry #1\" Some(\"{\\\"acc_title\\\":\\\"Cartoon \\\\\\\"chase\\\\\\\"\\\"}\") None\n\
             stages [\"Kitchen ; hall\"]\n\
             Kitchen ; hall | \"Chase : round ♥\" | Some(1.0) | None | [\"Tom\", \"Jerry , Jr\"]\n\
             Kitchen ; hall | \"Café break\" | Some(0.0) | None | [\"Tom\"]\n\
             Kitchen ; hall | \"Unknown &bogus; code\" | Some(-1.0) | None | [\"Jerry\"]\n",
        ),
        (
            "comments.mmd",
            "\"Comments, directives and blocks\" None Some(\"First line\\nSecond line\")\n\
             stages [\"After the block\", \"Last\"]\n\
             After the block | \"Read the docs\" | Some(2.0) | None | [\"Ann\"]\n\
             Last | \"Done\" | Some(1.0) | None | []\n",
        ),
        (
            "front-matter.mmd",
            "\"Renewing\\na contract\" None None\n\
             stages [\"Decide\"]\n\
             Decide | \"Compare offers\" | Some(0.0) | None | [\"Owner\"]\n",
        ),
        (
            "keywords-and-scores.mmd",
            "\"Scores Mermaid draws\" None None\n\
             stages [\"Tasks\", \"Empty\", \"Last\"]\n\
             Tasks | \"title\" | Some(0.0) | None | []\n\
             Tasks | \"Sections and titles\" | Some(1.0) | None | [\"Ann\", \"Ann\"]\n\
             Tasks | \"Too high\" | Some(2.0) | Some(\"\\\"7\\\"\") | [\"Ann\"]\n\
             Tasks | \"Too low\" | Some(-2.0) | Some(\"\\\"0\\\"\") | []\n\
             Tasks | \"Not a number\" | None | Some(\"\\\"2rem\\\"\") | [\"Bo\"]\n\
             Tasks | \"Empty score\" | Some(-2.0) | Some(\"\\\"0\\\"\") | [\"Bo\"]\n\
             Tasks | \"Precise\" | Some(0.1234567) | None | [\"Ann\"]\n\
             Tasks | \"Spaced   out\\tname\" | Some(2.0) | None | [\"Ann\", \"Bo\"]\n\
             Last | \"End\" | Some(2.0) | None | []\n",
        ),
        (
            "line-ends.mmd",
            "\"Windows line ends\" None None\n\
             stages [\"A\", \"B\"]\n\
             A | \"One\" | Some(2.0) | None | [\"Me\"]\n\
             A | \"Two\" | Some(1.0) | None | [\"Me\"]\n\
             B | \"Three\" | Some(0.0) | None | [\"Me\"]\n",
        ),
    ] {
        assert_eq!(summary(&fixture(file)), expected, "{file}");
        // Exported and read again: the same document.
        let first = from_mermaid(&fixture(file)).unwrap();
        let again = from_mermaid(&to_mermaid(&first, &first.journeys[0].id).unwrap()).unwrap();
        assert_eq!(again, first, "{file}");
    }
    // A score the emotion cannot hold is a warning, not a refusal.
    let document = from_mermaid(&fixture("keywords-and-scores.mmd")).unwrap();
    let report = document.validate();
    let warned: Vec<&str> = report
        .warnings()
        .filter(|f| f.code.as_str() == "mermaid_score")
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(warned.len(), 4, "{warned:?}");
}

#[test]
fn a_task_with_many_actors_reads_in_linear_time() {
    // 200,000 actors in one task: one pass (a quadratic read would take
    // minutes here; benches/render.rs times the import).
    let actors: Vec<String> = (0..200_000).map(|k| format!("A{}", k % 500)).collect();
    let text = format!("journey\n  section S\n    Task: 4: {}\n", actors.join(", "));
    let document = from_mermaid(&text).unwrap();
    assert_eq!(document.personas.len(), 500);
    assert_eq!(document.journeys[0].touchpoints[0].personas.len(), 200_000);
}
