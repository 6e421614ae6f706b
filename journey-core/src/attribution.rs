//! Attribution: how much of the conversions each touchpoint (channel) earns.
//!
//! Input is path data — each distinct path of touchpoints with its number of
//! conversions, conversion value and non-conversions ("nulls") — either read
//! in the common `a > b > c` format or built from traces and goal touchpoints.
//!
//! Heuristic models: first touch, last touch and linear (credit shared
//! equally by the touchpoints of a converting path, repeats counted).
//!
//! The Markov model of order `k` builds the chain whose states are the last
//! `k` touchpoints seen (fewer at the start of a path), with a start state and
//! two absorbing states, conversion and null, and transition probabilities
//! from the path counts. A touchpoint's removal effect is the relative drop
//! in conversion probability when every state containing it leads to null
//! instead. Conversions and value are shared in proportion to the removal
//! effects. Every number is computed exactly with sparse linear solves —
//! no simulation, so the same data gives the same credit on every run.

use std::collections::BTreeMap;
use std::io::Read;

use hashbrown::HashMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::events::{OnError, ReadReport, Traces};
use crate::linalg::Factor;

/// One distinct path and its outcomes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PathData {
    /// The touchpoints (channels) of the path, in order.
    pub path: Vec<String>,
    /// Conversions that followed this path.
    pub conversions: f64,
    /// Their total value.
    pub value: f64,
    /// Journeys on this path that did not convert.
    pub nulls: f64,
}

/// Columns and separator of path data in CSV.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct PathCsvOptions {
    /// Column of the path. Default: `path`.
    pub path: String,
    /// Column of the conversions. Default: `total_conversions`.
    pub conversions: String,
    /// Column of the conversion value (optional). Default: `total_conversion_value`.
    pub value: String,
    /// Column of the non-conversions (optional). Default: `total_null`.
    pub nulls: String,
    /// Separator between touchpoints in a path. Default: `>`.
    pub separator: String,
    /// Skip-and-report or fail on a bad row. Default: skip.
    pub on_error: OnError,
}

impl Default for PathCsvOptions {
    fn default() -> Self {
        PathCsvOptions {
            path: "path".into(),
            conversions: "total_conversions".into(),
            value: "total_conversion_value".into(),
            nulls: "total_null".into(),
            separator: ">".into(),
            on_error: OnError::Skip,
        }
    }
}

/// Reads path data from CSV with a header row.
pub fn read_paths_csv(
    input: impl Read,
    options: &PathCsvOptions,
) -> Result<(Vec<PathData>, ReadReport), Error> {
    let fail = |row: u64, message: String| Error::Csv { row, message };
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let headers = reader
        .headers()
        .map_err(|e| fail(1, e.to_string()))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h.trim() == name);
    let path_column = column(&options.path)
        .ok_or_else(|| fail(1, format!("the header has no column {:?}", options.path)))?;
    let conversions_column = column(&options.conversions).ok_or_else(|| {
        fail(
            1,
            format!("the header has no column {:?}", options.conversions),
        )
    })?;
    let value_column = column(&options.value);
    let nulls_column = column(&options.nulls);
    let mut paths = Vec::new();
    let mut report = ReadReport::default();
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        let outcome = match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => parse_path_row(
                &record,
                path_column,
                conversions_column,
                value_column,
                nulls_column,
                options,
            ),
            Err(error) => Err(format!("unreadable row: {error}")),
        };
        if let Some(path) = report.tally(line, outcome, options.on_error)? {
            paths.push(path);
        }
    }
    Ok((paths, report))
}

fn parse_path_row(
    record: &csv::StringRecord,
    path: usize,
    conversions: usize,
    value: Option<usize>,
    nulls: Option<usize>,
    options: &PathCsvOptions,
) -> Result<PathData, String> {
    let number = |index: Option<usize>, name: &str| -> Result<f64, String> {
        match index.and_then(|i| record.get(i)).map(str::trim) {
            None | Some("") => Ok(0.0),
            Some(text) => match text.parse::<f64>() {
                Ok(n) if n.is_finite() && n >= 0.0 => Ok(n),
                _ => Err(format!("{name} {text:?} is not a non-negative number")),
            },
        }
    };
    let text = record
        .get(path)
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .ok_or_else(|| "the path is empty".to_owned())?;
    let steps: Vec<String> = text
        .split(options.separator.as_str())
        .map(|s| s.trim().to_owned())
        .collect();
    if steps.iter().any(String::is_empty) {
        return Err(format!("the path {text:?} has an empty step"));
    }
    Ok(PathData {
        path: steps,
        conversions: number(Some(conversions), &options.conversions)?,
        value: number(value, &options.value)?,
        nulls: number(nulls, &options.nulls)?,
    })
}

/// Writes path data as CSV in the common format
/// (`path,total_conversions,total_conversion_value,total_null`, steps joined
/// with ` > `).
pub fn write_paths_csv(paths: &[PathData], output: impl std::io::Write) -> Result<(), Error> {
    let failed = |e: csv::Error| Error::Csv {
        row: 0,
        message: e.to_string(),
    };
    let mut writer = csv::Writer::from_writer(output);
    writer
        .write_record([
            "path",
            "total_conversions",
            "total_conversion_value",
            "total_null",
        ])
        .map_err(failed)?;
    for path in paths {
        writer
            .write_record([
                path.path.join(" > "),
                path.conversions.to_string(),
                path.value.to_string(),
                path.nulls.to_string(),
            ])
            .map_err(failed)?;
    }
    writer.flush().map_err(|e| Error::Csv {
        row: 0,
        message: e.to_string(),
    })
}

/// Path data from traces: a trace converts when it reaches one of `goals`;
/// its path is the touchpoints before the first goal (or all of them), and
/// `values` gives the value of a conversion at each goal (1 when absent).
pub fn paths_from_traces(
    traces: &Traces,
    goals: &[String],
    values: &BTreeMap<String, f64>,
) -> Vec<PathData> {
    let mut grouped: BTreeMap<Vec<String>, PathData> = BTreeMap::new();
    for trace in &traces.traces {
        let goal_at = trace
            .steps
            .iter()
            .position(|s| goals.contains(&s.touchpoint));
        let end = goal_at.unwrap_or(trace.steps.len());
        let path: Vec<String> = trace.steps[..end]
            .iter()
            .map(|s| s.touchpoint.clone())
            .collect();
        if path.is_empty() {
            continue;
        }
        let entry = grouped.entry(path.clone()).or_insert(PathData {
            path,
            conversions: 0.0,
            value: 0.0,
            nulls: 0.0,
        });
        match goal_at {
            Some(g) => {
                entry.conversions += 1.0;
                entry.value += values
                    .get(&trace.steps[g].touchpoint)
                    .copied()
                    .unwrap_or(1.0);
            }
            None => entry.nulls += 1.0,
        }
    }
    grouped.into_values().collect()
}

/// Which models to compute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct AttributionOptions {
    /// Markov orders to compute, each from 1 to 4. Default: `[1]`.
    pub orders: Vec<u8>,
}

impl Default for AttributionOptions {
    fn default() -> Self {
        AttributionOptions { orders: vec![1] }
    }
}

/// The Markov model of one order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MarkovModel {
    /// The order (1 to 4).
    pub order: u8,
    /// Number of transient states of the chain.
    pub states: usize,
    /// Conversion probability from the start state.
    pub conversion_probability: f64,
    /// Per touchpoint, in touchpoint order.
    pub touchpoints: Vec<MarkovCredit>,
}

/// One touchpoint's Markov credit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MarkovCredit {
    /// The touchpoint.
    pub touchpoint: String,
    /// Relative drop of the conversion probability without it, in [0, 1].
    pub removal_effect: f64,
    /// Conversions attributed (shares of the total by removal effect).
    pub conversions: f64,
    /// Value attributed.
    pub value: f64,
}

/// One touchpoint's heuristic credit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HeuristicCredit {
    /// The touchpoint.
    pub touchpoint: String,
    /// Conversions credited to the first touchpoint of each path.
    pub first_touch: f64,
    /// Conversions credited to the last touchpoint.
    pub last_touch: f64,
    /// Conversions shared equally along each path.
    pub linear: f64,
    /// Value credited to the first touchpoint.
    pub first_touch_value: f64,
    /// Value credited to the last touchpoint.
    pub last_touch_value: f64,
    /// Value shared equally along each path.
    pub linear_value: f64,
}

/// Attribution results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Attribution {
    /// Total conversions.
    pub conversions: f64,
    /// Total conversion value.
    pub value: f64,
    /// Total non-conversions.
    pub nulls: f64,
    /// Heuristic models, per touchpoint in id order.
    pub heuristics: Vec<HeuristicCredit>,
    /// One Markov model per requested order.
    pub markov: Vec<MarkovModel>,
}

/// Computes first-touch, last-touch, linear and Markov attribution.
pub fn attribute(paths: &[PathData], options: &AttributionOptions) -> Result<Attribution, Error> {
    for &order in &options.orders {
        if !(1..=4).contains(&order) {
            return Err(Error::InvalidOption {
                option: "orders",
                message: format!("Markov order {order} is not between 1 and 4"),
            });
        }
    }
    let (names, paths) = indexed(paths);
    let conversions: f64 = paths.iter().map(|(_, p)| p.conversions).sum();
    let value: f64 = paths.iter().map(|(_, p)| p.value).sum();
    let nulls: f64 = paths.iter().map(|(_, p)| p.nulls).sum();

    let mut heuristics: Vec<HeuristicCredit> = names
        .iter()
        .map(|n| HeuristicCredit {
            touchpoint: (*n).to_owned(),
            first_touch: 0.0,
            last_touch: 0.0,
            linear: 0.0,
            first_touch_value: 0.0,
            last_touch_value: 0.0,
            linear_value: 0.0,
        })
        .collect();
    for (steps, data) in &paths {
        let (first, last) = (steps[0], steps[steps.len() - 1]);
        heuristics[first].first_touch += data.conversions;
        heuristics[first].first_touch_value += data.value;
        heuristics[last].last_touch += data.conversions;
        heuristics[last].last_touch_value += data.value;
        let share = 1.0 / steps.len() as f64;
        for &s in steps {
            heuristics[s].linear += data.conversions * share;
            heuristics[s].linear_value += data.value * share;
        }
    }
    let mut markov = Vec::with_capacity(options.orders.len());
    for &order in &options.orders {
        markov.push(markov_model(
            &paths,
            &names,
            usize::from(order),
            conversions,
            value,
        )?);
    }
    Ok(Attribution {
        conversions,
        value,
        nulls,
        heuristics,
        markov,
    })
}

/// The touchpoint names in id order (sorted), and the non-empty paths as
/// indices into them.
fn indexed(paths: &[PathData]) -> (Vec<&str>, Vec<(Vec<usize>, &PathData)>) {
    // Numbered in order of first appearance, then renumbered in name order.
    let mut first_seen: HashMap<&str, usize> = HashMap::new();
    let paths: Vec<(Vec<usize>, &PathData)> = paths
        .iter()
        .filter(|p| !p.path.is_empty())
        .map(|p| {
            let steps = p
                .path
                .iter()
                .map(|s| {
                    let next = first_seen.len();
                    *first_seen.entry(s.as_str()).or_insert(next)
                })
                .collect();
            (steps, p)
        })
        .collect();
    let mut names: Vec<(&str, usize)> = first_seen.into_iter().collect();
    names.sort_unstable();
    let mut renumber = vec![0; names.len()];
    for (sorted, &(_, seen)) in names.iter().enumerate() {
        renumber[seen] = sorted;
    }
    let paths = paths
        .into_iter()
        .map(|(steps, p)| (steps.into_iter().map(|s| renumber[s]).collect(), p))
        .collect();
    (names.into_iter().map(|(name, _)| name).collect(), paths)
}

/// The chain of one order: transient states (tuples of the last k touchpoints),
/// their transitions, and one-step conversion probabilities.
struct Chain {
    states: Vec<Vec<usize>>,
    /// `q[s]`: (next state, probability).
    q: Vec<Vec<(usize, f64)>>,
    /// One-step conversion probability of each state.
    convert: Vec<f64>,
    /// Start distribution over states.
    start: Vec<f64>,
}

fn build_chain(paths: &[(Vec<usize>, &PathData)], order: usize) -> Chain {
    let mut state_index: HashMap<Vec<usize>, usize> = HashMap::new();
    let mut states: Vec<Vec<usize>> = Vec::new();
    let mut counts: Vec<HashMap<usize, f64>> = Vec::new();
    let mut conversions: Vec<f64> = Vec::new();
    let mut totals: Vec<f64> = Vec::new();
    // Start weights by state, summed in state order (deterministic).
    let mut start: Vec<f64> = Vec::new();
    let mut intern = |key: &[usize],
                      states: &mut Vec<Vec<usize>>,
                      counts: &mut Vec<HashMap<usize, f64>>,
                      conversions: &mut Vec<f64>,
                      totals: &mut Vec<f64>| {
        if let Some(&s) = state_index.get(key) {
            return s;
        }
        let s = states.len();
        state_index.insert(key.to_vec(), s);
        states.push(key.to_vec());
        counts.push(HashMap::new());
        conversions.push(0.0);
        totals.push(0.0);
        s
    };
    for (steps, data) in paths {
        let weight = data.conversions + data.nulls;
        if weight <= 0.0 {
            continue;
        }
        let mut previous: Option<usize> = None;
        for end in 1..=steps.len() {
            let key = &steps[end.saturating_sub(order)..end];
            let s = intern(key, &mut states, &mut counts, &mut conversions, &mut totals);
            match previous {
                None => {
                    if start.len() <= s {
                        start.resize(s + 1, 0.0);
                    }
                    start[s] += weight;
                }
                Some(p) => {
                    *counts[p].entry(s).or_default() += weight;
                    totals[p] += weight;
                }
            }
            previous = Some(s);
        }
        if let Some(last) = previous {
            conversions[last] += data.conversions;
            totals[last] += weight;
        }
    }
    let start_total: f64 = start.iter().sum();
    let mut start_vector = vec![0.0; states.len()];
    for (s, w) in start.into_iter().enumerate() {
        start_vector[s] = w / start_total;
    }
    let mut q = Vec::with_capacity(states.len());
    let mut convert = Vec::with_capacity(states.len());
    for (s, row) in counts.into_iter().enumerate() {
        let total = totals[s];
        let mut row: Vec<(usize, f64)> = row.into_iter().map(|(t, c)| (t, c / total)).collect();
        row.sort_by_key(|&(t, _)| t);
        q.push(row);
        convert.push(conversions[s] / total);
    }
    Chain {
        states,
        q,
        convert,
        start: start_vector,
    }
}

/// Chains up to this many states are solved by sparse factorization; larger
/// ones by summing the conversion mass step by step (their state graphs are
/// expanders — every k-gram leads to k-grams of every channel — where
/// factorization fills in completely).
const DIRECT_LIMIT: usize = 2000;

/// Conversion probability from the start when the states in `removed` lead to null.
fn conversion_probability(chain: &Chain, removed: &[bool]) -> Result<f64, Error> {
    if chain.states.len() > DIRECT_LIMIT {
        propagate(chain, removed)
    } else {
        direct(chain, removed)
    }
}

/// The conversion probability by a sparse linear solve.
fn direct(chain: &Chain, removed: &[bool]) -> Result<f64, Error> {
    let kept: Vec<usize> = (0..chain.states.len()).filter(|&s| !removed[s]).collect();
    if kept.is_empty() {
        return Ok(0.0);
    }
    let mut local = vec![usize::MAX; chain.states.len()];
    for (k, &s) in kept.iter().enumerate() {
        local[s] = k;
    }
    let rows: Vec<Vec<(usize, f64)>> = kept
        .iter()
        .map(|&s| {
            chain.q[s]
                .iter()
                .filter(|(t, _)| local[*t] != usize::MAX)
                .map(|&(t, p)| (local[t], p))
                .collect()
        })
        .collect();
    let factor = Factor::new(&rows).map_err(|_| no_way_out())?;
    let mut absorbed: Vec<f64> = kept.iter().map(|&s| chain.convert[s]).collect();
    factor.solve(&mut absorbed);
    Ok(kept
        .iter()
        .zip(&absorbed)
        .map(|(&s, p)| chain.start[s] * p)
        .sum::<f64>()
        .clamp(0.0, 1.0))
}

fn no_way_out() -> Error {
    Error::InvalidOption {
        option: "paths",
        message: "the path data leave no way to end a journey".to_owned(),
    }
}

/// The conversion probability as the sum over steps of the mass converting
/// at each step, until less than 10⁻¹⁵ of the customers are still on their
/// way: the same number as the linear solve, to that precision, in a fixed
/// order of operations (so the same on every platform).
fn propagate(chain: &Chain, removed: &[bool]) -> Result<f64, Error> {
    let n = chain.states.len();
    let mut mass: Vec<f64> = (0..n)
        .map(|s| if removed[s] { 0.0 } else { chain.start[s] })
        .collect();
    let mut next = vec![0.0; n];
    let mut converted = 0.0;
    for _ in 0..1_000_000 {
        let mut remaining = 0.0;
        for (s, &m) in mass.iter().enumerate() {
            if m == 0.0 {
                continue;
            }
            converted += m * chain.convert[s];
            for &(t, p) in &chain.q[s] {
                if !removed[t] {
                    next[t] += m * p;
                }
            }
        }
        for (m, n) in mass.iter_mut().zip(next.iter_mut()) {
            *m = *n;
            remaining += *n;
            *n = 0.0;
        }
        if remaining < 1e-15 {
            return Ok(converted.clamp(0.0, 1.0));
        }
    }
    Err(no_way_out())
}

fn markov_model(
    paths: &[(Vec<usize>, &PathData)],
    names: &[&str],
    order: usize,
    conversions: f64,
    value: f64,
) -> Result<MarkovModel, Error> {
    let chain = build_chain(paths, order);
    let none = vec![false; chain.states.len()];
    let base = conversion_probability(&chain, &none)?;
    let mut effects = Vec::with_capacity(names.len());
    for touchpoint in 0..names.len() {
        let removed: Vec<bool> = chain
            .states
            .iter()
            .map(|state| state.contains(&touchpoint))
            .collect();
        let without = conversion_probability(&chain, &removed)?;
        effects.push(if base > 0.0 {
            (1.0 - without / base).clamp(0.0, 1.0)
        } else {
            0.0
        });
    }
    let total: f64 = effects.iter().sum();
    Ok(MarkovModel {
        order: order as u8,
        states: chain.states.len(),
        conversion_probability: base,
        touchpoints: names
            .iter()
            .zip(&effects)
            .map(|(name, &effect)| {
                let share = if total > 0.0 { effect / total } else { 0.0 };
                MarkovCredit {
                    touchpoint: (*name).to_owned(),
                    removal_effect: effect,
                    conversions: conversions * share,
                    value: value * share,
                }
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(steps: &[&str], conversions: f64, value: f64, nulls: f64) -> PathData {
        PathData {
            path: steps.iter().map(|s| (*s).to_owned()).collect(),
            conversions,
            value,
            nulls,
        }
    }

    #[test]
    fn heuristics_and_first_order_markov_by_hand() {
        // c1 > c2 converts once (value 10); c1 fails once; c2 converts once (value 4).
        let paths = [
            path(&["c1", "c2"], 1.0, 10.0, 0.0),
            path(&["c1"], 0.0, 0.0, 1.0),
            path(&["c2"], 1.0, 4.0, 0.0),
        ];
        let result = attribute(&paths, &AttributionOptions::default()).unwrap();
        assert_eq!(
            (result.conversions, result.value, result.nulls),
            (2.0, 14.0, 1.0)
        );
        let h = &result.heuristics;
        assert_eq!(
            (h[0].first_touch, h[0].last_touch, h[0].linear),
            (1.0, 0.0, 0.5)
        );
        assert_eq!(
            (h[1].first_touch, h[1].last_touch, h[1].linear),
            (1.0, 2.0, 1.5)
        );
        assert_eq!(h[1].linear_value, 9.0);
        // Chain: start → c1 2/3, → c2 1/3; c1 → c2 1/2, → null 1/2; c2 → conv 1.
        // P(conv) = 2/3 · 1/2 + 1/3 = 2/3.
        // Without c1: 1/3 → effect 1/2. Without c2: 0 → effect 1.
        let m = &result.markov[0];
        assert!((m.conversion_probability - 2.0 / 3.0).abs() < 1e-15);
        assert!((m.touchpoints[0].removal_effect - 0.5).abs() < 1e-15);
        assert!((m.touchpoints[1].removal_effect - 1.0).abs() < 1e-15);
        assert!((m.touchpoints[0].conversions - 2.0 / 3.0).abs() < 1e-15);
        assert!((m.touchpoints[1].conversions - 4.0 / 3.0).abs() < 1e-15);
        assert!((m.touchpoints[1].value - 14.0 * 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn loops_and_higher_orders() {
        let paths = [
            path(&["a", "b", "a", "c"], 3.0, 3.0, 1.0),
            path(&["a", "a"], 0.0, 0.0, 2.0),
            path(&["b", "c"], 2.0, 2.0, 2.0),
        ];
        for order in 1..=4u8 {
            let result = attribute(
                &paths,
                &AttributionOptions {
                    orders: vec![order],
                },
            )
            .unwrap();
            let m = &result.markov[0];
            // Higher orders reproduce the observed paths: P(conv) is the
            // observed conversion rate exactly once the order covers the paths.
            if order >= 3 {
                assert!(
                    (m.conversion_probability - 5.0 / 10.0).abs() < 1e-12,
                    "order {order}"
                );
            }
            let credited: f64 = m.touchpoints.iter().map(|t| t.conversions).sum();
            assert!((credited - 5.0).abs() < 1e-12);
            assert!(
                m.touchpoints
                    .iter()
                    .all(|t| (0.0..=1.0).contains(&t.removal_effect))
            );
        }
        let error = attribute(&paths, &AttributionOptions { orders: vec![5] }).unwrap_err();
        assert_eq!(error.code(), "invalid_option");
    }

    #[test]
    fn summing_the_mass_agrees_with_the_linear_solve() {
        let paths = crate::synthetic::paths(20_000, 8, 3);
        let (_, indexed) = indexed(&paths);
        for order in [1, 2] {
            let chain = build_chain(&indexed, order);
            for removed_channel in [None, Some(0), Some(3)] {
                let removed: Vec<bool> = chain
                    .states
                    .iter()
                    .map(|s| removed_channel.is_some_and(|c| s.contains(&c)))
                    .collect();
                let a = direct(&chain, &removed).unwrap();
                let b = propagate(&chain, &removed).unwrap();
                assert!((a - b).abs() < 1e-13, "order {order}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn path_csv_in_the_common_format() {
        let text = "path,total_conversions,total_conversion_value,total_null\n\
                    a > b > c,2,20.5,3\n\
                    b,0,,5\n\
                    a >  > c,1,1,1\n\
                    c,x,1,1\n";
        let (paths, report) = read_paths_csv(text.as_bytes(), &PathCsvOptions::default()).unwrap();
        assert_eq!(
            (report.rows_read, report.rows_used, report.rows_skipped),
            (4, 2, 2)
        );
        assert_eq!(paths[0].path, ["a", "b", "c"]);
        assert_eq!(
            (paths[0].conversions, paths[0].value, paths[0].nulls),
            (2.0, 20.5, 3.0)
        );
        assert_eq!(paths[1].value, 0.0);
        assert_eq!(report.problems[0].row, 4);
        assert!(report.problems[1].reason.contains("\"x\""));
    }
}
