//! Fitting a journey to what customers did: transition probabilities,
//! observed counts and durations, entry weights and measure values from a
//! [`Discovery`], applied to a designed journey (or to a new one), and,
//! from traces, higher-order context: what customers did next after the
//! last few touchpoints ([`fit_traces`], [`contexts`]).

use hashbrown::HashMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::discovery::Discovery;
use crate::error::Error;
use crate::events::TraceSource;
use crate::model::{Context, Entry, Journey, MeasureValue, Stage, Touchpoint, Transition};

/// The longest context [`contexts`] learns: the current touchpoint and the
/// three before it.
pub const MAX_CONTEXT_ORDER: usize = 4;

/// How to fit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct FitOptions {
    /// Add touchpoints and transitions that were observed but are not on the
    /// map (a new touchpoint joins the stage of its most frequent
    /// predecessor on the map, or the first stage). Default: false.
    pub add_unmapped: bool,
    /// Goals of a journey fitted from scratch (ignored when updating a
    /// design, which keeps its own). Default: none.
    pub goals: Vec<String>,
    /// With [`fit_traces`]: learn higher-order context up to this order (the
    /// number of last touchpoints the next step depends on, 1 to
    /// [`MAX_CONTEXT_ORDER`]); 1 learns none. Default: 1.
    pub context_order: usize,
    /// The fewest observations a context path needs to be kept. Default: 5
    /// (when 0).
    pub context_min_count: u64,
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
    // Every touchpoint on the map by id, with its stage (kept as touchpoints
    // are added): every lookup below is one probe, so fitting is linear in
    // the map and the counts. Ids and stages are borrowed from the design
    // and the counts, not from the journey being changed.
    let drawn_touchpoints = design.map_or(&[][..], |d| &d.touchpoints[..]);
    let mut stages: Vec<&str> = drawn_touchpoints.iter().map(|t| t.stage.as_str()).collect();
    let mut on_map: HashMap<&str, usize> = drawn_touchpoints
        .iter()
        .enumerate()
        .map(|(k, t)| (t.id.as_str(), k))
        .collect();
    if add {
        // Each observed touchpoint's predecessors with their counts, by the
        // touchpoint's place in the counts.
        let place: HashMap<&str, usize> = discovery
            .frequencies
            .keys()
            .enumerate()
            .map(|(k, id)| (id.as_str(), k))
            .collect();
        let mut predecessors: Vec<Vec<(&str, u64)>> = vec![Vec::new(); place.len()];
        for (from, targets) in &discovery.edges {
            for (to, edge) in targets {
                if let Some(&k) = place.get(to.as_str()) {
                    predecessors[k].push((from, edge.count));
                }
            }
        }
        // New touchpoints in order of first appearance in the counts (id
        // order), each in the stage of its most frequent predecessor on the
        // map (the map as it is when the touchpoint is added).
        for (id, predecessors) in discovery.frequencies.keys().zip(&predecessors) {
            if on_map.contains_key(id.as_str()) {
                continue;
            }
            let stage = predecessors
                .iter()
                .filter_map(|&(from, count)| {
                    let stage = stages[*on_map.get(from)?];
                    Some((count, std::cmp::Reverse(from), stage))
                })
                .max()
                .map_or(default_stage.as_str(), |(_, _, stage)| stage);
            on_map.insert(id, stages.len());
            stages.push(stage);
            journey
                .touchpoints
                .push(Touchpoint::new(id.clone(), id.clone(), stage.to_owned()));
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
        let drawn: hashbrown::HashSet<(&str, &str)> = design
            .map_or(&[][..], |d| &d.transitions[..])
            .iter()
            .map(|t| (t.from.as_str(), t.to.as_str()))
            .collect();
        for (from, targets) in &discovery.edges {
            for (to, edge) in targets {
                if !drawn.contains(&(from.as_str(), to.as_str()))
                    && on_map.contains_key(from.as_str())
                    && on_map.contains_key(to.as_str())
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
    let listed: hashbrown::HashSet<&str> = design
        .map_or(&[][..], |d| &d.entries[..])
        .iter()
        .map(|e| e.touchpoint.as_str())
        .collect();
    for (id, &starts) in &discovery.starts {
        if !listed.contains(id.as_str()) && on_map.contains_key(id.as_str()) {
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

/// [`fit`] on the traces' [`Discovery`], plus the higher-order context of
/// `options.context_order` (see [`contexts`]) in the journey's `context`.
///
/// # Errors
///
/// [`Error::InvalidOption`] for a context order outside 1..=[`MAX_CONTEXT_ORDER`].
pub fn fit_traces(
    design: Option<&Journey>,
    traces: &impl TraceSource,
    options: &FitOptions,
) -> Result<Journey, Error> {
    let order = match options.context_order {
        0 => 1,
        order => order,
    };
    if order > MAX_CONTEXT_ORDER {
        return Err(Error::option(
            "context_order",
            format!("{order} is above the largest order, {MAX_CONTEXT_ORDER}"),
        ));
    }
    let mut journey = fit(design, &Discovery::from_traces(traces), options);
    let min_count = match options.context_min_count {
        0 => 5,
        n => n,
    };
    journey.context = contexts(traces, &journey, order, min_count);
    Ok(journey)
}

/// Higher-order context from traces: for every run of 2 to `order`
/// consecutive steps on touchpoints of the journey, how often each
/// touchpoint came next and how often the trace ended there. Runs seen fewer
/// than `min_count` times are left out, and so are runs whose next steps are
/// distributed exactly as those of their shorter suffix (they would predict
/// nothing new). Sorted by path.
pub fn contexts(
    traces: &impl TraceSource,
    journey: &Journey,
    order: usize,
    min_count: u64,
) -> Vec<Context> {
    let order = order.min(MAX_CONTEXT_ORDER);
    if order < 2 {
        return Vec::new();
    }
    let table = traces.table();
    // The table's touchpoint numbers that are the journey's.
    let ids: hashbrown::HashSet<&str> = journey.touchpoints.iter().map(|t| t.id.as_str()).collect();
    let on_map: Vec<bool> = table
        .touchpoints
        .iter()
        .zip(&table.known)
        .map(|(id, known)| *known && ids.contains(&**id))
        .collect();
    // Each context path once in `rows`, found by position through `row_of`
    // (the variant tables' map type); a row's next steps once each, found
    // through `next_of` by (row, next) (the edge tables' map type).
    struct Row<'p> {
        path: &'p [u32],
        next: Vec<(u32, u64)>,
        ends: u64,
    }
    let mut row_of: HashMap<Box<[u32]>, u64> = HashMap::new();
    let mut next_of: HashMap<(u32, u32), u32> = HashMap::new();
    let mut rows: Vec<Row<'_>> = Vec::new();
    for span in &table.traces {
        let steps = &table.touchpoint[span.start as usize..span.end as usize];
        for (i, &current) in steps.iter().enumerate() {
            if !on_map[current as usize] {
                continue;
            }
            let next = steps.get(i + 1).copied();
            if next.is_some_and(|n| !on_map[n as usize]) {
                continue; // an unknown next step says nothing about the map
            }
            // Length 1 is the first-order row, kept to compare with.
            for length in 1..=order.min(i + 1) {
                let path = &steps[i + 1 - length..=i];
                if path.iter().any(|&t| !on_map[t as usize]) {
                    break;
                }
                let at = match row_of.get(path) {
                    Some(&at) => at as usize,
                    None => {
                        row_of.insert(path.into(), rows.len() as u64);
                        rows.push(Row {
                            path,
                            next: Vec::new(),
                            ends: 0,
                        });
                        rows.len() - 1
                    }
                };
                let row = &mut rows[at];
                match next {
                    Some(next) => {
                        let slot = *next_of.entry((at as u32, next)).or_insert_with(|| {
                            row.next.push((next, 0));
                            row.next.len() as u32 - 1
                        });
                        row.next[slot as usize].1 += 1;
                    }
                    None => row.ends += 1,
                }
            }
        }
    }
    let total = |r: &Row<'_>| r.next.iter().map(|&(_, n)| n).sum::<u64>() + r.ends;
    let same_shape = |a: &Row<'_>, b: usize| {
        let b_row = &rows[b];
        let (ta, tb) = (total(a), total(b_row));
        // Equal distributions: every count in the same proportion.
        a.ends * tb == b_row.ends * ta
            && a.next.len() == b_row.next.len()
            && a.next.iter().all(|&(k, v)| {
                next_of
                    .get(&(b as u32, k))
                    .is_some_and(|&slot| v * tb == b_row.next[slot as usize].1 * ta)
            })
    };
    let mut out: Vec<Context> = rows
        .iter()
        .filter(|row| row.path.len() >= 2 && total(row) >= min_count)
        .filter(|row| {
            !row_of
                .get(&row.path[1..])
                .is_some_and(|&shorter| same_shape(row, shorter as usize))
        })
        .map(|row| Context {
            path: row
                .path
                .iter()
                .map(|&t| table.touchpoints[t as usize].to_owned())
                .collect(),
            next: crate::order::map(
                row.next
                    .iter()
                    .map(|&(t, n)| (table.touchpoints[t as usize].to_owned(), n)),
            ),
            ends: row.ends,
            extra: Default::default(),
        })
        .collect();
    crate::order::sort_by(&mut out, |a, b| a.path.cmp(&b.path));
    out
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

    #[test]
    fn added_touchpoints_join_the_stage_of_their_most_frequent_mapped_predecessor() {
        let design = Journey::builder("j", "J")
            .stage("s1", "S1")
            .stage("s2", "S2")
            .touchpoint(Touchpoint::new("a", "A", "s1"))
            .touchpoint(Touchpoint::new("b", "B", "s2"))
            .transition(Transition::new("a", "b"))
            .entry("a", 1.0)
            .build()
            .unwrap();
        let log = log_of(&[
            ("u1", &["a", "x"]),
            ("u2", &["b", "x"]),
            ("u3", &["b", "x"]),
            ("u4", &["x", "y"]),
            ("u5", &["x", "y"]),
            ("u6", &["x", "y"]),
            ("u7", &["a", "y"]),
            ("u8", &["b", "z"]),
            ("u9", &["a", "z"]),
            ("u10", &["zz", "w"]),
        ]);
        let traces = log.traces(Some(&design), &Mapping::default());
        let options = FitOptions {
            add_unmapped: true,
            ..FitOptions::default()
        };
        let grown = fit(Some(&design), &Discovery::from_traces(&traces), &options);
        let stage = |id: &str| grown.touchpoint(id).unwrap().stage.as_str();
        // x: b twice against a once; y: x (added just before it) three times
        // against a once; z: a tie, the smaller id wins; w: its predecessor
        // comes after it in id order, so the first stage; zz: none.
        assert_eq!(
            [stage("x"), stage("y"), stage("z"), stage("w"), stage("zz")],
            ["s2", "s2", "s1", "s1", "s1"]
        );
        let ids: Vec<&str> = grown.touchpoints.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "w", "x", "y", "z", "zz"]);
        let pairs: Vec<(&str, &str)> = grown
            .transitions
            .iter()
            .map(|t| (t.from.as_str(), t.to.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("a", "b"),
                ("a", "x"),
                ("a", "y"),
                ("a", "z"),
                ("b", "x"),
                ("b", "z"),
                ("x", "y"),
                ("zz", "w")
            ]
        );
        let entries: Vec<(&str, f64)> = grown
            .entries
            .iter()
            .map(|e| (e.touchpoint.as_str(), e.weight))
            .collect();
        assert_eq!(entries, [("a", 3.0), ("b", 3.0), ("x", 3.0), ("zz", 1.0)]);
    }

    fn log_of(traces: &[(&str, &[&str])]) -> EventLog {
        let mut log = EventLog::new();
        for (customer, names) in traces {
            for (t, name) in names.iter().enumerate() {
                log.push(&Event::new(*customer, 1000 * t as i64, *name))
                    .unwrap();
            }
        }
        log
    }

    #[test]
    fn context_counts_what_came_next_after_each_path() {
        let design = Journey::builder("j", "J")
            .stage("s", "S")
            .touchpoint(Touchpoint::new("ad", "Ad", "s"))
            .touchpoint(Touchpoint::new("review", "Review", "s"))
            .touchpoint(Touchpoint::new("pricing", "Pricing", "s"))
            .touchpoint(Touchpoint::new("buy", "Buy", "s"))
            .touchpoint(Touchpoint::new("support", "Support", "s"))
            .transition(Transition::new("ad", "pricing"))
            .transition(Transition::new("review", "pricing"))
            .transition(Transition::new("pricing", "buy"))
            .transition(Transition::new("pricing", "support"))
            .entry("ad", 1.0)
            .entry("review", 1.0)
            .goal("buy")
            .goal("support")
            .build()
            .unwrap();
        let log = log_of(&[
            ("u1", &["ad", "pricing", "buy"]),
            ("u2", &["ad", "pricing", "buy"]),
            ("u3", &["ad", "pricing", "buy"]),
            ("u4", &["review", "pricing", "support"]),
            ("u5", &["review", "pricing", "support"]),
            ("u6", &["review", "pricing"]),
            ("u7", &["review", "noise", "pricing", "support"]),
        ]);
        let mapping = Mapping::default();
        let traces = log.trace_table(Some(&design), &mapping);
        let rows = contexts(&traces, &design, 3, 1);
        type Shown<'a> = (Vec<&'a str>, Vec<(&'a str, u64)>, u64);
        let shown: Vec<Shown<'_>> = rows
            .iter()
            .map(|c| {
                (
                    c.path.iter().map(String::as_str).collect(),
                    c.next.iter().map(|(k, &v)| (k.as_str(), v)).collect(),
                    c.ends,
                )
            })
            .collect();
        // [ad, pricing] and [review, pricing] differ from pricing alone; the
        // paths ending at buy or support only end (as the touchpoints alone
        // do) and the three-step paths predict what the two-step ones do:
        // both are left out. An unknown event breaks the path.
        assert_eq!(
            shown,
            vec![
                (vec!["ad", "pricing"], vec![("buy", 3)], 0),
                (vec!["review", "pricing"], vec![("support", 2)], 1),
            ]
        );
        // Rare paths are left out.
        assert_eq!(contexts(&traces, &design, 3, 4).len(), 0);
        assert!(contexts(&traces, &design, 1, 1).is_empty());

        let fitted = fit_traces(
            Some(&design),
            &traces,
            &FitOptions {
                context_order: 2,
                context_min_count: 1,
                ..FitOptions::default()
            },
        )
        .unwrap();
        assert_eq!(fitted.context, rows);
        assert!(crate::validate::validate_journey(&fitted).is_valid());
        let order_5 = FitOptions {
            context_order: 5,
            ..FitOptions::default()
        };
        assert_eq!(
            fit_traces(Some(&design), &traces, &order_5)
                .unwrap_err()
                .code(),
            "invalid_option"
        );
        // Without a context order, no context.
        let plain = fit_traces(Some(&design), &traces, &FitOptions::default()).unwrap();
        assert!(plain.context.is_empty());
    }
}
