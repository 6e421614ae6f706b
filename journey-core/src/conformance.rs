//! Planned vs actual: how well observed traces follow the designed journey,
//! and where they deviate from it.
//!
//! A trace's fitness is the share of its observed transitions that the map
//! allows. Every other transition is a deviation, typed by what it does:
//! it goes to a touchpoint the map does not have, jumps back to an earlier
//! stage, skips a stage going forward, or is simply a transition the map
//! does not draw.

use hashbrown::{HashMap, HashSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::events::Traces;
use crate::model::Journey;

/// What kind of deviation from the map.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DeviationKind {
    /// One of the two touchpoints is not on the map.
    UnknownTouchpoint,
    /// The transition goes back to an earlier stage, and the map does not draw it.
    JumpBack,
    /// The transition skips at least one stage going forward, and the map does not draw it.
    SkippedStage,
    /// Any other transition the map does not draw.
    UnexpectedTransition,
}

/// One kind of deviation between two touchpoints, over all traces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Deviation {
    /// What kind.
    pub kind: DeviationKind,
    /// From this touchpoint…
    pub from: String,
    /// …to this one.
    pub to: String,
    /// How often it was observed.
    pub count: u64,
    /// Up to three customers it was observed for, as examples.
    pub customers: Vec<String>,
}

/// The fitness of one trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TraceFitness {
    /// The customer.
    pub customer: String,
    /// The session.
    pub session: u32,
    /// Share of the trace's transitions the map allows (1 for a trace of one step).
    pub fitness: f64,
    /// Transitions that deviate.
    pub deviations: u32,
}

/// How many deviations a conformance check lists when the caller does not
/// say: the most frequent ten.
pub const DEFAULT_TOP: usize = 10;

/// Conformance of traces to a journey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Conformance {
    /// Share of all observed transitions the map allows.
    pub fitness: f64,
    /// Observed transitions in all.
    pub transitions: u64,
    /// Of which the map allows.
    pub allowed: u64,
    /// Per trace, in trace order.
    pub traces: Vec<TraceFitness>,
    /// The most frequent deviations, most frequent first.
    pub deviations: Vec<Deviation>,
}

/// Checks traces against a journey; lists the `top` most frequent deviations.
pub fn conformance(journey: &Journey, traces: &Traces, top: usize) -> Conformance {
    let allowed_edges: HashSet<(&str, &str)> = journey
        .transitions
        .iter()
        .map(|t| (t.from.as_str(), t.to.as_str()))
        .collect();
    // Outer None: not on the map; inner None: on the map in an unknown stage.
    let stages = journey.touchpoint_stage_positions();
    let stage_of = |id: &str| {
        stages
            .get(id)
            .map(|&p| (p != crate::model::NO_STAGE).then_some(p))
    };
    let mut per_trace = Vec::with_capacity(traces.traces.len());
    // Each deviating pair once, by its position in `listed` (the pair
    // decides its kind).
    let mut deviations: HashMap<(&str, &str), usize> = HashMap::new();
    let mut listed: Vec<Deviation> = Vec::new();
    let (mut total, mut allowed) = (0u64, 0u64);
    for trace in &traces.traces {
        let mut trace_allowed = 0u32;
        let mut trace_deviations = 0u32;
        for pair in trace.steps.windows(2) {
            let (from, to) = (pair[0].touchpoint.as_str(), pair[1].touchpoint.as_str());
            if allowed_edges.contains(&(from, to)) {
                trace_allowed += 1;
                continue;
            }
            trace_deviations += 1;
            let kind = match (stage_of(from), stage_of(to)) {
                (None, _) | (_, None) => DeviationKind::UnknownTouchpoint,
                (Some(Some(a)), Some(Some(b))) if b < a => DeviationKind::JumpBack,
                (Some(Some(a)), Some(Some(b))) if b > a + 1 => DeviationKind::SkippedStage,
                _ => DeviationKind::UnexpectedTransition,
            };
            let at = *deviations.entry((from, to)).or_insert_with(|| {
                listed.push(Deviation {
                    kind,
                    from: from.to_owned(),
                    to: to.to_owned(),
                    count: 0,
                    customers: Vec::new(),
                });
                listed.len() - 1
            });
            let entry = &mut listed[at];
            entry.count += 1;
            if entry.customers.len() < 3 && !entry.customers.contains(&trace.customer) {
                entry.customers.push(trace.customer.clone());
            }
        }
        let transitions = trace_allowed + trace_deviations;
        total += u64::from(transitions);
        allowed += u64::from(trace_allowed);
        per_trace.push(TraceFitness {
            customer: trace.customer.clone(),
            session: trace.session,
            fitness: if transitions == 0 {
                1.0
            } else {
                f64::from(trace_allowed) / f64::from(transitions)
            },
            deviations: trace_deviations,
        });
    }
    // Most frequent first; ties in (kind, from, to) order (a total order:
    // each pair is listed once).
    crate::order::sort_by(&mut listed, |a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| (a.kind, &a.from, &a.to).cmp(&(b.kind, &b.from, &b.to)))
    });
    listed.truncate(top);
    Conformance {
        fitness: if total == 0 {
            1.0
        } else {
            allowed as f64 / total as f64
        },
        transitions: total,
        allowed,
        traces: per_trace,
        deviations: listed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{Event, EventLog, Mapping};
    use crate::model::{Touchpoint, Transition};

    #[test]
    fn deviations_are_typed_and_counted() {
        let journey = Journey::builder("j", "J")
            .stage("s1", "S1")
            .stage("s2", "S2")
            .stage("s3", "S3")
            .touchpoint(Touchpoint::new("a", "A", "s1"))
            .touchpoint(Touchpoint::new("b", "B", "s2"))
            .touchpoint(Touchpoint::new("c", "C", "s3"))
            .transition(Transition::new("a", "b"))
            .transition(Transition::new("b", "c"))
            .entry("a", 1.0)
            .goal("c")
            .build()
            .unwrap();
        let mut log = EventLog::new();
        for (customer, names) in [
            ("u1", vec!["a", "b", "c"]),
            ("u2", vec!["a", "c"]),
            ("u3", vec!["a", "b", "a", "b", "c"]),
            ("u4", vec!["a", "chat", "b"]),
            ("u5", vec!["b"]),
        ] {
            for (t, name) in names.into_iter().enumerate() {
                log.push(&Event::new(customer, t as i64, name)).unwrap();
            }
        }
        let traces = log.traces(Some(&journey), &Mapping::default());
        let result = conformance(&journey, &traces, 10);
        // Transitions: u1 2/2, u2 0/1, u3 3/4, u4 0/2, u5 none.
        assert_eq!((result.allowed, result.transitions), (5, 9));
        assert_eq!(result.fitness, 5.0 / 9.0);
        let fitness: Vec<f64> = result.traces.iter().map(|t| t.fitness).collect();
        assert_eq!(fitness, [1.0, 0.0, 0.75, 0.0, 1.0]);
        let kinds: Vec<(DeviationKind, &str, &str, u64)> = result
            .deviations
            .iter()
            .map(|d| (d.kind, d.from.as_str(), d.to.as_str(), d.count))
            .collect();
        assert_eq!(
            kinds,
            [
                (DeviationKind::UnknownTouchpoint, "a", "chat", 1),
                (DeviationKind::UnknownTouchpoint, "chat", "b", 1),
                (DeviationKind::JumpBack, "b", "a", 1),
                (DeviationKind::SkippedStage, "a", "c", 1),
            ]
        );
        assert_eq!(result.deviations[3].customers, ["u2"]);
        assert_eq!(traces.unknown_events.get("chat"), Some(&1));
    }
}
