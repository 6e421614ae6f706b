//! Graphviz export of the bundled journeys.

mod common;

use journey_core::render::{DotOptions, EdgeLabels, to_dot};

#[test]
fn the_gym_journey_as_dot() {
    let document = common::example("gym.json");
    let gym = document.journey("gym").unwrap();
    let dot = to_dot(gym, &DotOptions::default());
    assert!(dot.starts_with("digraph \"gym\" {\n"));
    assert!(dot.ends_with("}\n"));
    // A cluster per stage, in order, named after the stage.
    for (k, stage) in gym.stages.iter().enumerate() {
        let cluster = format!(
            "  subgraph \"cluster_{k}\" {{\n    label=\"{}\";",
            stage.name
        );
        assert!(dot.contains(&cluster), "{cluster}");
    }
    // The five missing touchpoints dashed; the two goals with a double border.
    assert_eq!(dot.matches("style=\"rounded,dashed\"").count(), 5);
    assert_eq!(dot.matches("peripheries=2").count(), 2);
    assert!(dot.contains("  \"online_reviews\" -> \"contact_form\" [label=\"0.3\"];\n"));
    assert!(dot.contains("  \"\" -> \"online_reviews\" [label=\"0.6\"];\n"));
    // One edge per distinct transition.
    let distinct: std::collections::BTreeSet<(&str, &str)> = gym
        .transitions
        .iter()
        .map(|t| (t.from.as_str(), t.to.as_str()))
        .collect();
    let edges = dot
        .lines()
        .filter(|l| l.contains(" -> ") && !l.starts_with("  \"\" ->"))
        .count();
    assert_eq!(edges, distinct.len());
    assert_eq!(to_dot(gym, &DotOptions::default()), dot, "deterministic");
    let plain = to_dot(
        gym,
        &DotOptions {
            labels: EdgeLabels::None,
            vertical: true,
        },
    );
    assert!(plain.contains("rankdir=TB"));
    assert!(!plain.contains("[label=\"0."));
}

#[test]
fn counts_label_fitted_journeys() {
    let document = common::example("shoe.json");
    let journey = &document.journeys[0];
    let dot = to_dot(
        journey,
        &DotOptions {
            labels: EdgeLabels::Count,
            ..DotOptions::default()
        },
    );
    // Every distinct transition with a count is labelled with the sum of its counts.
    let mut counted: std::collections::BTreeMap<(&str, &str), u64> = Default::default();
    for t in &journey.transitions {
        if let Some(count) = t.count {
            *counted.entry((&t.from, &t.to)).or_default() += count;
        }
    }
    assert!(!counted.is_empty());
    let labelled = dot
        .lines()
        .filter(|l| l.contains(" -> ") && l.contains("[label="))
        .count();
    assert_eq!(labelled, counted.len());
    for ((from, to), count) in &counted {
        let edge = format!("  \"{from}\" -> \"{to}\" [label=\"{count}\"];");
        assert!(dot.contains(&edge), "{edge}");
    }
    assert!(dot.starts_with(&format!("digraph \"{}\" {{", journey.id)));
}
