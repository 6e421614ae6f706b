//! The touchpoint graph as Graphviz DOT, with a cluster per stage.

use std::fmt::Write;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::{Journey, Status};

/// What edges of a DOT export are labelled with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EdgeLabels {
    /// The resolved transition probability, e.g. `0.3`. Default.
    #[default]
    Probability,
    /// The observed count, where the transition has one (the sum of parallel
    /// transitions; past `u64::MAX`, written as that bound and a "+").
    Count,
    /// No labels.
    None,
}

/// Options of [`to_dot`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DotOptions {
    /// What edges are labelled with. Default: probabilities.
    pub labels: EdgeLabels,
    /// Lay the stages out top to bottom instead of left to right.
    pub vertical: bool,
}

/// A DOT string literal.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            // DOT has no escape for the other control characters (a NUL
            // would end the text for many readers): a space, as in the SVG.
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A probability with at most three decimals and no trailing zeros.
fn probability(p: f64) -> String {
    let text = format!("{:.3}", (p * 1000.0).round() / 1000.0);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text.is_empty() {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// The journey's touchpoint graph in Graphviz DOT: one cluster per stage
/// (in stage order), touchpoints as boxes (missing ones dashed, goals with a
/// double border), an entry point with the entry weights, and transitions
/// labelled with their resolved probability or their count. Touchpoints of
/// no stage of the journey are drawn outside the clusters.
///
/// ```
/// # let document = journey_core::Document::from_json(include_str!("../../../examples/data/gym.json")).unwrap();
/// let gym = document.journey("gym").unwrap();
/// let dot = journey_core::render::to_dot(gym, &Default::default());
/// assert!(dot.starts_with("digraph \"gym\" {"));
/// ```
pub fn to_dot(journey: &Journey, options: &DotOptions) -> String {
    let graph = crate::graph::JourneyGraph::new(journey);
    let mut out = String::new();
    let rankdir = if options.vertical { "TB" } else { "LR" };
    // Writing to a String cannot fail.
    let _ = writeln!(out, "digraph {} {{", quoted(&journey.id));
    let _ = writeln!(
        out,
        "  graph [rankdir={rankdir}, label={}, labelloc=t, fontname=\"Helvetica\", newrank=true];",
        quoted(&journey.name)
    );
    let _ = writeln!(
        out,
        "  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=11];"
    );
    let _ = writeln!(out, "  edge [fontname=\"Helvetica\", fontsize=9];");
    let by_id = journey.touchpoint_positions();
    let goals: hashbrown::HashSet<&str> = journey.goals.iter().map(String::as_str).collect();
    let node = |out: &mut String, indent: &str, id: &str| {
        let Some(touchpoint) = by_id.get(id).map(|&k| &journey.touchpoints[k]) else {
            return;
        };
        let mut attributes = vec![format!("label={}", quoted(&touchpoint.name))];
        if touchpoint.status == Status::Missing {
            attributes.push("style=\"rounded,dashed\"".into());
        }
        if goals.contains(id) {
            attributes.push("peripheries=2".into());
        }
        let _ = writeln!(out, "{indent}{} [{}];", quoted(id), attributes.join(", "));
    };
    let mut drawn = hashbrown::HashSet::new();
    let by_stage = journey.touchpoints_by_stage();
    for (k, (stage, members)) in journey.stages.iter().zip(&by_stage).enumerate() {
        let _ = writeln!(out, "  subgraph {} {{", quoted(&format!("cluster_{k}")));
        let _ = writeln!(
            out,
            "    label={}; style=rounded; color=\"#999999\";",
            quoted(&stage.name)
        );
        for touchpoint in members {
            if drawn.insert(touchpoint.id.as_str()) {
                node(&mut out, "    ", &touchpoint.id);
            }
        }
        let _ = writeln!(out, "  }}");
    }
    for touchpoint in &journey.touchpoints {
        if drawn.insert(touchpoint.id.as_str()) {
            node(&mut out, "  ", &touchpoint.id);
        }
    }
    // Graphviz ranks nodes by the edges alone, so clusters would overlap and
    // interleave: an invisible anchor before each stage after the first,
    // after every touchpoint of the stage before it and before every one of
    // its own, keeps the stages in order. Anchor ids start with invisible
    // separators, as many as it takes for no touchpoint id to start so.
    let stage_of = journey.stage_positions();
    let mut prefix = String::from("\u{2063}");
    while journey
        .touchpoints
        .iter()
        .any(|t| t.id.starts_with(&prefix))
    {
        prefix.push('\u{2063}');
    }
    let anchor = |k: usize| quoted(&format!("{prefix}{k}"));
    for k in 1..journey.stages.len() {
        let _ = writeln!(
            out,
            "  {} [style=invis, shape=point, width=0, label=\"\"];",
            anchor(k)
        );
        if k > 1 {
            let _ = writeln!(out, "  {} -> {} [style=invis];", anchor(k - 1), anchor(k));
        }
        for touchpoint in &by_stage[k - 1] {
            let _ = writeln!(
                out,
                "  {} -> {} [style=invis];",
                quoted(&touchpoint.id),
                anchor(k)
            );
        }
        for touchpoint in &by_stage[k] {
            let _ = writeln!(
                out,
                "  {} -> {} [style=invis];",
                anchor(k),
                quoted(&touchpoint.id)
            );
        }
    }
    let stage_index = |id: &str| {
        by_id
            .get(id)
            .and_then(|&k| stage_of.get(journey.touchpoints[k].stage.as_str()))
            .copied()
    };
    if !journey.entries.is_empty() {
        let _ = writeln!(out, "  \"\" [shape=point, width=0.15, label=\"\"];");
        let total: f64 = journey.entries.iter().map(|e| e.weight.max(0.0)).sum();
        for entry in &journey.entries {
            let label = match options.labels {
                EdgeLabels::Probability if total > 0.0 => {
                    format!(" [label={}]", quoted(&probability(entry.weight / total)))
                }
                _ => String::new(),
            };
            let _ = writeln!(out, "  \"\" -> {}{label};", quoted(&entry.touchpoint));
        }
    }
    // Each source's transitions, in document order, gathered once.
    // (by the source's position in `leaving`).
    let mut sources: hashbrown::HashMap<&str, usize> = hashbrown::HashMap::new();
    let mut leaving: Vec<Vec<&crate::model::Transition>> = Vec::new();
    for transition in &journey.transitions {
        let at = *sources.entry(&transition.from).or_insert_with(|| {
            leaving.push(Vec::new());
            leaving.len() - 1
        });
        leaving[at].push(transition);
    }
    for touchpoint in &journey.touchpoints {
        if !drawn.remove(touchpoint.id.as_str()) {
            continue; // a duplicated id: drawn once
        }
        let Some((steps, _)) = graph.next_steps(&touchpoint.id) else {
            continue;
        };
        let transitions = sources
            .get(touchpoint.id.as_str())
            .map_or(&[][..], |&at| leaving[at].as_slice());
        // In document order of the transitions, one edge per target.
        let mut targets: Vec<&str> = Vec::new();
        for transition in transitions {
            if !targets.contains(&transition.to.as_str())
                && steps.iter().any(|s| s.touchpoint == transition.to)
            {
                targets.push(&transition.to);
            }
        }
        for target in targets {
            let label = match options.labels {
                EdgeLabels::Probability => steps
                    .iter()
                    .find(|s| s.touchpoint == target)
                    .map(|s| probability(s.probability)),
                EdgeLabels::Count => {
                    let counts: Vec<u64> = transitions
                        .iter()
                        .filter(|t| t.to == target)
                        .filter_map(|t| t.count)
                        .collect();
                    // A sum past u64 (only forged counts reach it) is
                    // written as its bound with a "+", never wrapped.
                    (!counts.is_empty()).then(|| {
                        match counts.iter().try_fold(0u64, |sum, &c| sum.checked_add(c)) {
                            Some(sum) => sum.to_string(),
                            None => format!("{}+", u64::MAX),
                        }
                    })
                }
                EdgeLabels::None => None,
            };
            let mut attributes: Vec<String> = label
                .map(|l| format!("label={}", quoted(&l)))
                .into_iter()
                .collect();
            // A jump back to an earlier stage does not rank it before.
            if let (Some(from), Some(to)) = (stage_index(&touchpoint.id), stage_index(target))
                && to < from
            {
                attributes.push("constraint=false".to_owned());
            }
            let label = if attributes.is_empty() {
                String::new()
            } else {
                format!(" [{}]", attributes.join(", "))
            };
            let _ = writeln!(
                out,
                "  {} -> {}{label};",
                quoted(&touchpoint.id),
                quoted(target)
            );
        }
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_quoted_and_probabilities_are_short() {
        assert_eq!(quoted("say \"hi\"\\\nnow"), "\"say \\\"hi\\\"\\\\\\nnow\"");
        assert_eq!(probability(0.3), "0.3");
        assert_eq!(probability(1.0), "1");
        assert_eq!(probability(0.0), "0");
        assert_eq!(probability(2.0 / 3.0), "0.667");
        assert_eq!(probability(0.0004), "0");
    }
}
