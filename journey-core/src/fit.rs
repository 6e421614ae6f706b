//! Fitting a journey to what customers did: transition probabilities,
//! observed counts and durations, entry weights and measure values from a
//! [`Discovery`], applied to a designed journey (or to a new one).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::discovery::Discovery;
use crate::model::{Entry, Journey, MeasureValue, Stage, Touchpoint, Transition};

/// How to fit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct FitOptions {
    /// Add touchpoints and transitions that were observed but are not on the
    /// map (a new touchpoint joins the stage of its most frequent
    /// predecessor on the map, or the first stage). Default: false.
    pub add_unmapped: bool,
    /// Goals of a journey fitted from scratch (ignored when updating a
    /// design, which keeps its own). Default: none.
    pub goals: Vec<String>,
}

/// Fits `design` (or, with `None`, a new one-stage journey) to the
/// observations:
///
/// - each observed transition `a → b` gets probability `count(a→b) / count(a)`,
///   its count and its mean duration; drawn transitions from an observed
///   touchpoint that were never taken get probability 0; what is left of a
///   touchpoint's mass (traces ending there) drops off;
/// - entries get the observed start counts as weights;
/// - touchpoints get their observed measure values (NPS for `nps`, the
///   mean otherwise) with the sample size.
pub fn fit(design: Option<&Journey>, discovery: &Discovery, options: &FitOptions) -> Journey {
    let mut journey = match design {
        Some(design) => design.clone(),
        None => Journey {
            id: "observed".into(),
            name: "Observed journey".into(),
            stages: vec![Stage::new("observed", "Observed")],
            goals: options.goals.clone(),
            ..Journey::default()
        },
    };
    let add = options.add_unmapped || design.is_none();
    let default_stage = journey
        .stages
        .first()
        .map(|s| s.id.clone())
        .unwrap_or_default();
    if add {
        // New touchpoints in order of first appearance in the counts (id order).
        for id in discovery.frequencies.keys() {
            if journey.touchpoint(id).is_none() {
                let stage = most_frequent_mapped_predecessor(&journey, discovery, id)
                    .unwrap_or_else(|| default_stage.clone());
                journey
                    .touchpoints
                    .push(Touchpoint::new(id.clone(), id.clone(), stage));
            }
        }
    }
    // Transition probabilities, counts and durations.
    for transition in &mut journey.transitions {
        let Some(occurrences) = discovery.frequencies.get(&transition.from) else {
            continue;
        };
        let edge = discovery
            .edges
            .get(&transition.from)
            .and_then(|targets| targets.get(&transition.to));
        let count = edge.map_or(0, |e| e.count);
        transition.probability = Some(count as f64 / *occurrences as f64);
        transition.count = Some(count);
        if let Some(edge) = edge.filter(|e| e.count > 0) {
            transition.duration = Some(edge.total_ms as f64 / edge.count as f64 / 1000.0);
        }
    }
    if add {
        for (from, targets) in &discovery.edges {
            for (to, edge) in targets {
                let drawn = journey
                    .transitions
                    .iter()
                    .any(|t| &t.from == from && &t.to == to);
                if !drawn && journey.touchpoint(from).is_some() && journey.touchpoint(to).is_some()
                {
                    let occurrences = discovery.frequencies.get(from).copied().unwrap_or(1);
                    journey.transitions.push(
                        Transition::new(from.clone(), to.clone())
                            .probability(edge.count as f64 / occurrences.max(1) as f64)
                            .count(edge.count)
                            .duration(edge.total_ms as f64 / edge.count.max(1) as f64 / 1000.0),
                    );
                }
            }
        }
    }
    // Entries weighted by observed starts.
    for entry in &mut journey.entries {
        if let Some(&starts) = discovery.starts.get(&entry.touchpoint) {
            entry.weight = starts as f64;
        } else if !discovery.starts.is_empty() {
            entry.weight = 0.0;
        }
    }
    for (id, &starts) in &discovery.starts {
        let listed = journey.entries.iter().any(|e| &e.touchpoint == id);
        if !listed && journey.touchpoint(id).is_some() {
            journey.entries.push(Entry {
                touchpoint: id.clone(),
                weight: starts as f64,
                extra: Default::default(),
            });
        }
    }
    // Measure values.
    for touchpoint in &mut journey.touchpoints {
        if let Some(measures) = discovery.measures.get(&touchpoint.id) {
            for (key, state) in measures {
                let value = if key == "nps" {
                    state.nps()
                } else {
                    state.mean()
                };
                touchpoint.measures.insert(
                    key.clone(),
                    MeasureValue {
                        value,
                        sample_size: Some(state.count),
                        extra: Default::default(),
                    },
                );
            }
        }
    }
    journey
}

fn most_frequent_mapped_predecessor(
    journey: &Journey,
    discovery: &Discovery,
    id: &str,
) -> Option<String> {
    discovery
        .edges
        .iter()
        .filter_map(|(from, targets)| {
            let count = targets.get(id)?.count;
            let stage = journey.touchpoint(from)?.stage.clone();
            Some((count, std::cmp::Reverse(from.clone()), stage))
        })
        .max()
        .map(|(_, _, stage)| stage)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{Event, EventLog, Mapping};

    #[test]
    fn probabilities_entries_and_measures_come_from_the_counts() {
        let design = Journey::builder("j", "J")
            .stage("s1", "S1")
            .stage("s2", "S2")
            .touchpoint(Touchpoint::new("a", "A", "s1"))
            .touchpoint(Touchpoint::new("b", "B", "s2"))
            .touchpoint(Touchpoint::new("c", "C", "s2"))
            .transition(Transition::new("a", "b").probability(0.9))
            .transition(Transition::new("a", "c").probability(0.1))
            .entry("a", 1.0)
            .goal("b")
            .goal("c")
            .build()
            .unwrap();
        let mut log = EventLog::new();
        for (customer, names) in [
            ("u1", vec!["a", "b"]),
            ("u2", vec!["a", "b"]),
            ("u3", vec!["a", "help", "b"]),
            ("u4", vec!["a"]),
        ] {
            for (t, name) in names.into_iter().enumerate() {
                let mut event = Event::new(customer, 1000 * t as i64, name);
                if name == "b" {
                    event = event.measure("nps", if customer == "u1" { 10.0 } else { 3.0 });
                }
                log.push(&event).unwrap();
            }
        }
        let traces = log.traces(Some(&design), &Mapping::default());
        let discovery = Discovery::from_traces(&traces);
        let fitted = fit(Some(&design), &discovery, &FitOptions::default());
        let p = |from: &str, to: &str| {
            fitted
                .transitions
                .iter()
                .find(|t| t.from == from && t.to == to)
                .and_then(|t| t.probability)
        };
        assert_eq!(p("a", "b"), Some(0.5));
        assert_eq!(p("a", "c"), Some(0.0));
        assert_eq!(p("a", "help"), None);
        assert_eq!(fitted.transitions[0].duration, Some(1.0));
        assert_eq!(fitted.entries[0].weight, 4.0);
        let nps = &fitted.touchpoint("b").unwrap().measures["nps"];
        assert!((nps.value - 100.0 * (1.0 - 2.0) / 3.0).abs() < 1e-12);
        assert_eq!(nps.sample_size, Some(3));

        let grown = fit(
            Some(&design),
            &discovery,
            &FitOptions {
                add_unmapped: true,
                ..FitOptions::default()
            },
        );
        let help = grown.touchpoint("help").unwrap();
        assert_eq!(help.stage, "s1");
        assert_eq!(
            grown
                .transitions
                .iter()
                .find(|t| t.from == "a" && t.to == "help")
                .and_then(|t| t.probability),
            Some(0.25)
        );
        assert!(crate::validate::validate_journey(&grown).is_valid());
    }
}
